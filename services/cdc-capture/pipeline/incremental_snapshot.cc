#include "services/cdc-capture/pipeline/incremental_snapshot.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

void IncrementalSnapshot::ChunkRead(uint64_t id, std::vector<std::pair<Row, Row>> rows) {
  watermark_id_ = id;
  waiting_ = true;
  window_open_ = false;
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
  if (low) {
    window_open_ = true;
    return std::nullopt;
  }
  std::vector<Row> out;
  out.reserve(buffer_.size());
  for (auto& [key, row] : buffer_) out.push_back(std::move(row));
  buffer_.clear();
  waiting_ = false;
  window_open_ = false;
  if (chunk_ends_table_) table_done_ = true;
  return out;
}

void IncrementalSnapshot::OnChange(const std::string& table, const Row& key) {
  if (!window_open_ || table != chunk_table_) return;
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
