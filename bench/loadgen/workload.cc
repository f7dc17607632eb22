#include "bench/loadgen/workload.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cdcflow::bench::loadgen {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int kMaxPickTries = 64;

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

// Zero-padded to `width` digits (v >= 0).
void AppendPadded(int64_t v, int width, std::string& out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  for (int i = static_cast<int>(end - buf); i < width; ++i) out.push_back('0');
  out.append(buf, end);
}

absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

bool ParseNonNegative(std::string_view text, int64_t* out) {
  return absl::SimpleAtoi(View(text), out) && *out >= 0;
}

}  // namespace

std::string Mix::ToString() const { return absl::StrCat(insert, ":", update, ":", del); }

absl::StatusOr<Mix> ParseMix(std::string_view text) {
  if (text == "reference") return Mix{70, 25, 5};
  if (text == "insert-only") return Mix{100, 0, 0};
  if (text == "update-only") return Mix{0, 100, 0};
  std::vector<absl::string_view> parts = absl::StrSplit(View(text), ':');
  int64_t w[3];
  if (parts.size() != 3 || !ParseNonNegative({parts[0].data(), parts[0].size()}, &w[0]) ||
      !ParseNonNegative({parts[1].data(), parts[1].size()}, &w[1]) ||
      !ParseNonNegative({parts[2].data(), parts[2].size()}, &w[2]) || w[0] + w[1] + w[2] == 0 ||
      w[0] + w[1] + w[2] > 1'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mix: expected reference, insert-only, update-only or I:U:D weights "
                     "such as 70:25:5, got \"",
                     View(text), "\""));
  }
  return Mix{static_cast<int>(w[0]), static_cast<int>(w[1]), static_cast<int>(w[2])};
}

std::string TxnRows::ToString() const {
  return min == max ? absl::StrCat(min) : absl::StrCat(min, "-", max);
}

absl::StatusOr<TxnRows> ParseTxnRows(std::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(View(text), '-');
  TxnRows rows;
  bool ok = false;
  if (parts.size() == 1) {
    ok = ParseNonNegative({parts[0].data(), parts[0].size()}, &rows.min);
    rows.max = rows.min;
  } else if (parts.size() == 2) {
    ok = ParseNonNegative({parts[0].data(), parts[0].size()}, &rows.min) &&
         ParseNonNegative({parts[1].data(), parts[1].size()}, &rows.max);
  }
  if (!ok || rows.min < 1 || rows.max < rows.min) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--txn-rows: expected N or MIN-MAX with 1 <= MIN <= MAX, got \"", View(text), "\""));
  }
  return rows;
}

Workload::Workload(const WorkloadOptions& options)
    : options_(options),
      rng_(options.seed),
      next_txn_id_(options.first_txn_id),
      ring_(std::max<size_t>(options.recent_window, 1), 0),
      picked_by_(ring_.size(), 0) {}

int64_t Workload::Uniform(int64_t lo, int64_t hi) {
  // Modulo bias is below 2^-40 for these ranges; unlike std::uniform_int_distribution this is
  // the same sequence with every standard library.
  return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
}

Row Workload::NewRow(int64_t now_us) {
  Row r;
  r.txn_id = next_txn_id_++;
  r.sender_account_id = Uniform(100000, 999999);
  r.receiver_account_id = Uniform(100000, 999999);
  r.amount_cents = Uniform(100, 1'000'000);
  // About 1 % of rows arrive late: 1 to 20 minutes behind, the rest within 30 seconds.
  const int64_t lag_us = Uniform(0, 99) == 0
                             ? Uniform(60 * kMicrosPerSecond, 20 * 60 * kMicrosPerSecond)
                             : Uniform(0, 30 * kMicrosPerSecond);
  r.last_modified_us = now_us - lag_us;
  r.product_id = static_cast<int32_t>(Uniform(1, 999));
  r.product_type_id = static_cast<int32_t>(Uniform(1, 20));
  r.transactor_module_id = static_cast<int32_t>(Uniform(1, 9));
  r.module_id = static_cast<int32_t>(Uniform(1, 4));
  r.status = static_cast<int32_t>(Uniform(1, 4));
  return r;
}

void Workload::Remember(int64_t txn_id) {
  if (filled_ < ring_.size() || ring_[head_] == 0) ++live_;  // else a live row falls out
  ring_[head_] = txn_id;
  picked_by_[head_] = 0;
  head_ = (head_ + 1) % ring_.size();
  filled_ = std::min(filled_ + 1, ring_.size());
}

int64_t Workload::PickRecent() {
  if (live_ == 0) return -1;
  for (int i = 0; i < kMaxPickTries; ++i) {
    const auto slot = static_cast<size_t>(Uniform(0, static_cast<int64_t>(filled_) - 1));
    if (ring_[slot] != 0 && picked_by_[slot] != txn_number_) {
      picked_by_[slot] = txn_number_;
      return static_cast<int64_t>(slot);
    }
  }
  return -1;
}

int64_t Workload::NextSize(int64_t max_events) {
  return std::min(Uniform(options_.txn_rows.min, options_.txn_rows.max), max_events);
}

void Workload::Fill(int64_t rows, int64_t now_us, TxnPlan& plan) {
  plan.Clear();
  ++txn_number_;
  const Mix& mix = options_.mix;
  const int64_t total_weight = mix.insert + mix.update + mix.del;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t w = Uniform(0, total_weight - 1);
    if (w >= mix.insert) {
      const int64_t slot = PickRecent();
      if (slot >= 0) {
        const auto s = static_cast<size_t>(slot);
        if (w < mix.insert + mix.update) {
          plan.updates.push_back({.txn_id = ring_[s],
                                  .amount_cents = Uniform(100, 1'000'000),
                                  .status = static_cast<int32_t>(Uniform(1, 4))});
        } else {
          plan.deletes.push_back(ring_[s]);
          ring_[s] = 0;
          --live_;
        }
        continue;
      }
      ++converted_;
    }
    plan.inserts.push_back(NewRow(now_us));
  }
  // New rows become candidates only for later transactions.
  for (const Row& r : plan.inserts) Remember(r.txn_id);
}

void AppendTimestamp(int64_t unix_us, std::string& out) {
  int64_t secs = unix_us / kMicrosPerSecond;
  int64_t micros = unix_us % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  AppendPadded(year, 4, out);
  out.push_back('-');
  AppendPadded(month, 2, out);
  out.push_back('-');
  AppendPadded(day, 2, out);
  out.push_back(' ');
  AppendPadded(sod / 3600, 2, out);
  out.push_back(':');
  AppendPadded(sod / 60 % 60, 2, out);
  out.push_back(':');
  AppendPadded(sod % 60, 2, out);
  out.push_back('.');
  AppendPadded(micros, 6, out);
}

void AppendAmount(int64_t cents, std::string& out) {
  if (cents < 0) {
    out.push_back('-');
    cents = -cents;
  }
  AppendInt(cents / 100, out);
  out.push_back('.');
  AppendPadded(cents % 100, 2, out);
}

void AppendCopyLine(const Row& r, std::string& out) {
  AppendInt(r.txn_id, out);
  out.push_back('\t');
  AppendInt(r.sender_account_id, out);
  out.push_back('\t');
  AppendInt(r.receiver_account_id, out);
  out.push_back('\t');
  AppendAmount(r.amount_cents, out);
  out.push_back('\t');
  AppendTimestamp(r.last_modified_us, out);
  for (int32_t v :
       {r.product_id, r.product_type_id, r.transactor_module_id, r.module_id, r.status}) {
    out.push_back('\t');
    AppendInt(v, out);
  }
  out.push_back('\n');
}

std::string UpdateStatement(std::string_view table, const std::vector<Update>& updates) {
  std::string ids, amounts, statuses;
  for (const Update& u : updates) {
    if (!ids.empty()) {
      ids.push_back(',');
      amounts.push_back(',');
      statuses.push_back(',');
    }
    AppendInt(u.txn_id, ids);
    AppendAmount(u.amount_cents, amounts);
    AppendInt(u.status, statuses);
  }
  return absl::StrCat("UPDATE ", View(table),
                      " AS t SET amount = v.amount, status = v.status FROM unnest('{", ids,
                      "}'::bigint[], '{", amounts, "}'::numeric[], '{", statuses,
                      "}'::integer[]) AS v(txn_id, amount, status) WHERE t.txn_id = v.txn_id");
}

std::string DeleteStatement(std::string_view table, const std::vector<int64_t>& ids) {
  std::string list;
  for (int64_t id : ids) {
    if (!list.empty()) list.push_back(',');
    AppendInt(id, list);
  }
  return absl::StrCat("DELETE FROM ", View(table), " WHERE txn_id = ANY ('{", list,
                      "}'::bigint[])");
}

}  // namespace cdcflow::bench::loadgen
