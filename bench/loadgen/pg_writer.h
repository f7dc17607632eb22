#pragma once

// Writes TxnPlans to PostgreSQL through libs/pg, one database transaction per plan, in as few
// round trips as libpq allows: "BEGIN; COPY ... FROM STDIN" (one), the COPY data (one),
// "UPDATE ...; DELETE ...; COMMIT" (one). A plan without inserts is a single round trip.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/loadgen/workload.h"
#include "libs/pg/connection.h"

namespace cdcflow::bench::loadgen {

// Rows a transaction changed, as PostgreSQL counted them. An update or delete whose row
// is already gone (another writer removed it) changes nothing and is not an event.
struct Applied {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t deleted = 0;

  int64_t events() const { return inserted + updated + deleted; }
};

class PgWriter {
 public:
  // `table` is "schema.table" (unquoted). `synchronous_commit` is passed to SET when not
  // empty ("off" trades durability of the last commits for speed; the WAL is the same).
  static absl::StatusOr<std::unique_ptr<PgWriter>> Connect(const std::string& conninfo,
                                                           const std::string& table,
                                                           const std::string& synchronous_commit);

  // The largest txn_id in the table (0 when empty).
  absl::StatusOr<int64_t> MaxTxnId();
  // The `limit` newest txn_ids, oldest first.
  absl::StatusOr<std::vector<int64_t>> NewestIds(int64_t limit);

  // Runs the plan as one transaction; on failure rolls back and returns the error.
  absl::StatusOr<Applied> Apply(const TxnPlan& plan);

  // pg_current_wal_lsn(): the WAL position after everything written so far.
  absl::StatusOr<std::string> CurrentWalLsn();

 private:
  PgWriter(std::unique_ptr<pg::Connection> conn, std::string quoted_table);
  absl::StatusOr<Applied> ApplyInTransaction(const TxnPlan& plan);
  // Sends several statements as one simple query and returns each statement's result.
  absl::StatusOr<std::vector<pg::Result>> Send(const std::string& sql);

  std::unique_ptr<pg::Connection> conn_;
  const std::string table_;  // quoted
  const std::string copy_sql_;
  std::string buffer_;  // COPY data, reused
};

}  // namespace cdcflow::bench::loadgen
