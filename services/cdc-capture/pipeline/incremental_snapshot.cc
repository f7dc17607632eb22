#include "services/cdc-capture/pipeline/incremental_snapshot.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace cdcflow::cdc_capture {

void IncrementalSnapshot::Enqueue(const std::vector<std::string>& tables) {
  std::lock_guard lock(queue_mu_);
  for (const auto& t : tables) queue_.push_back(t);
}

size_t IncrementalSnapshot::QueuedTables() {
  std::lock_guard lock(queue_mu_);
  return queue_.size() + (table_done_ ? 0 : 1);
}

bool IncrementalSnapshot::WantsChunk() {
  if (waiting_) return false;
  if (table_done_) {
    std::lock_guard lock(queue_mu_);
    if (queue_.empty()) return false;
    table_ = queue_.front();
    queue_.pop_front();
    after_key_.clear();
    table_done_ = false;
  }
  return true;
}

bool IncrementalSnapshot::Snapshot::Sees(uint32_t xid) const {
  // Modulo-2^32 comparison, as PostgreSQL's TransactionIdPrecedes.
  auto precedes = [](uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; };
  if (precedes(xid, xmin)) return true;
  if (!precedes(xid, xmax)) return false;
  return std::find(in_progress.begin(), in_progress.end(), xid) == in_progress.end();
}

std::optional<IncrementalSnapshot::Snapshot> IncrementalSnapshot::Snapshot::Parse(
    const std::string& text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) return std::nullopt;
  uint64_t xmin, xmax;
  if (!absl::SimpleAtoi(parts[0], &xmin) || !absl::SimpleAtoi(parts[1], &xmax)) {
    return std::nullopt;
  }
  Snapshot s{.xmin = static_cast<uint32_t>(xmin), .xmax = static_cast<uint32_t>(xmax)};
  for (absl::string_view x : absl::StrSplit(parts[2], ',', absl::SkipEmpty())) {
    uint64_t xid;
    if (!absl::SimpleAtoi(x, &xid)) return std::nullopt;
    s.in_progress.push_back(static_cast<uint32_t>(xid));
  }
  return s;
}

void IncrementalSnapshot::ChunkRead(uint64_t id, const Snapshot& snapshot,
                                    std::vector<std::pair<Row, Row>> rows) {
  watermark_id_ = id;
  waiting_ = true;
  snapshot_ = snapshot;
  chunk_table_ = table_;
  chunk_ends_table_ = static_cast<int>(rows.size()) < chunk_size_;
  buffer_.clear();
  if (!rows.empty()) after_key_ = rows.back().first;
  for (auto& [key, row] : rows) buffer_[KeyString(key)] = std::move(row);
}

void IncrementalSnapshot::SkipTable() {
  table_done_ = true;
  waiting_ = false;
}

std::optional<std::vector<IncrementalSnapshot::Row>> IncrementalSnapshot::OnWatermark(
    const std::string& content) {
  absl::string_view c = content;
  const bool low = absl::ConsumePrefix(&c, "low:");
  const bool high = !low && absl::ConsumePrefix(&c, "high:");
  uint64_t id = 0;
  // Watermarks of other chunks (e.g. written before a restart) are ignored.
  if ((!low && !high) || !absl::SimpleAtoi(c, &id) || !waiting_ || id != watermark_id_) {
    return std::nullopt;
  }
  if (low) return std::nullopt;  // the window already opened when the chunk was read
  std::vector<Row> out;
  out.reserve(buffer_.size());
  for (auto& [key, row] : buffer_) out.push_back(std::move(row));
  buffer_.clear();
  waiting_ = false;
  if (chunk_ends_table_) table_done_ = true;
  return out;
}

void IncrementalSnapshot::OnChange(const std::string& table, const Row& key, uint32_t xid) {
  if (!waiting_ || table != chunk_table_ || snapshot_.Sees(xid)) return;
  buffer_.erase(KeyString(key));
}

std::string IncrementalSnapshot::KeyString(const Row& key) {
  // Length-prefixed values: no separator can be confused with data.
  std::string out;
  for (const auto& v : key) {
    if (!v) {
      out += "N;";
    } else {
      absl::StrAppend(&out, v->size(), ":", *v, ";");
    }
  }
  return out;
}

}  // namespace cdcflow::cdc_capture
