#pragma once

// The reference workload (shared/workload/README.md) as plain data: what the next source
// transaction inserts, updates and deletes in public.transaction_details, and the text forms
// PostgreSQL is given (COPY lines, UPDATE/DELETE statements). No I/O here: pg_writer.h
// sends a TxnPlan to PostgreSQL.
//
// Distributions: txn_id increasing from a given first id; sender/receiver accounts uniform in
// 100000..999999; amount uniform 1.00..10000.00 (whole cents); last_modified_date = now minus
// a lag uniform in 0..30 s, or for 1 % of rows in 1..20 min (late data); product_id 1..999,
// product_type_id 1..20, transactor_module_id 1..9, module_id 1..4, status 1..4. An update
// draws a new amount and status for a recent row; a delete removes a recent row. "Recent" =
// among the last `recent_window` rows inserted (or found in the table at start) and not
// deleted; one transaction touches a row at most once.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cdcflow::bench::loadgen {

// Relative weights of inserts, updates and deletes.
struct Mix {
  int insert = 70;
  int update = 25;
  int del = 5;

  std::string ToString() const;  // "70:25:5"
};

// "reference" (70:25:5), "insert-only", "update-only", or "I:U:D" weights such as "80:20:0".
absl::StatusOr<Mix> ParseMix(std::string_view text);

// Rows per transaction: uniform in [min, max].
struct TxnRows {
  int64_t min = 1;
  int64_t max = 1000;

  std::string ToString() const;  // "1000" or "1-1000"
};

// "1000" (fixed) or "1-1000" (range).
absl::StatusOr<TxnRows> ParseTxnRows(std::string_view text);

struct Row {
  int64_t txn_id = 0;
  int64_t sender_account_id = 0;
  int64_t receiver_account_id = 0;
  int64_t amount_cents = 0;
  int64_t last_modified_us = 0;  // microseconds since the epoch, UTC
  int32_t product_id = 0;
  int32_t product_type_id = 0;
  int32_t transactor_module_id = 0;
  int32_t module_id = 0;
  int32_t status = 0;
};

struct Update {
  int64_t txn_id = 0;
  int64_t amount_cents = 0;
  int32_t status = 0;
};

// One source transaction. Applied in this order: inserts, updates, deletes.
struct TxnPlan {
  std::vector<Row> inserts;
  std::vector<Update> updates;
  std::vector<int64_t> deletes;

  int64_t events() const {
    return static_cast<int64_t>(inserts.size() + updates.size() + deletes.size());
  }
  void Clear() {
    inserts.clear();
    updates.clear();
    deletes.clear();
  }
};

struct WorkloadOptions {
  Mix mix;
  TxnRows txn_rows;
  uint64_t seed = 1;
  int64_t first_txn_id = 1;
  size_t recent_window = 10000;
};

// Deterministic for a given seed (values, sizes and row choices; timestamps follow `now`).
class Workload {
 public:
  explicit Workload(const WorkloadOptions& options);

  // Makes an existing row a candidate for updates and deletes (call oldest first).
  void AddExisting(int64_t txn_id) { Remember(txn_id); }

  // The size of the next transaction: drawn from txn_rows, clipped to `max_events`.
  int64_t NextSize(int64_t max_events);
  // Fills `plan` with a transaction of `rows` changes, each an insert, update or delete by the
  // mix weights, lags relative to `now_us` (the time it is written). An update or delete that
  // finds no recent row to touch becomes an insert (counted in converted()).
  void Fill(int64_t rows, int64_t now_us, TxnPlan& plan);

  int64_t next_txn_id() const { return next_txn_id_; }
  int64_t converted() const { return converted_; }
  // Live rows in the recent window (update/delete candidates).
  size_t recent_rows() const { return live_; }

 private:
  int64_t Uniform(int64_t lo, int64_t hi);  // inclusive
  Row NewRow(int64_t now_us);
  void Remember(int64_t txn_id);
  // A recent row not yet touched by this transaction (its ring slot), or -1.
  int64_t PickRecent();

  const WorkloadOptions options_;
  std::mt19937_64 rng_;
  int64_t next_txn_id_;
  int64_t converted_ = 0;

  // The recent window: a ring of txn ids, newest at head_ - 1; 0 marks a deleted row.
  std::vector<int64_t> ring_;
  // The transaction that last picked each slot (so one transaction touches a row once).
  std::vector<uint64_t> picked_by_;
  size_t head_ = 0;
  size_t filled_ = 0;
  size_t live_ = 0;
  uint64_t txn_number_ = 0;
};

// Text forms. Timestamps are UTC ("2025-07-22 09:30:00.123456"), amounts have 2 decimals.
void AppendTimestamp(int64_t unix_us, std::string& out);
void AppendAmount(int64_t cents, std::string& out);
// One line of COPY ... FROM STDIN (text format) for the table's columns in
// kColumns order, '\n' included.
void AppendCopyLine(const Row& row, std::string& out);
inline constexpr char kColumns[] =
    "txn_id, sender_account_id, receiver_account_id, amount, last_modified_date, product_id, "
    "product_type_id, transactor_module_id, module_id, status";
// UPDATE/DELETE statements for a batch; `table` is already quoted ("public"."x").
std::string UpdateStatement(std::string_view table, const std::vector<Update>& updates);
std::string DeleteStatement(std::string_view table, const std::vector<int64_t>& ids);

}  // namespace cdcflow::bench::loadgen
