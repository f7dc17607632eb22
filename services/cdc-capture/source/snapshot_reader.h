#pragma once

// Reads tables inside one REPEATABLE READ transaction that imports the replication slot's
// exported snapshot, so the snapshot and the stream that follows have no gap and no overlap.
// Rows come in chunks of `fetch_size` through a cursor: memory does not grow with the table.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "libs/pg/connection.h"
#include "services/cdc-capture/events/table_schema.h"
#include "services/cdc-capture/pgoutput/messages.h"

namespace cdcflow::cdc_capture::source {

class SnapshotReader {
 public:
  SnapshotReader(pg::Connection& conn, int fetch_size) : conn_(conn), fetch_size_(fetch_size) {}

  // Opens the transaction; with a snapshot name, imports it (must happen before the
  // replication connection runs another command).
  absl::Status Begin(const std::string& snapshot_name);

  // The planner's row estimate (pg_class.reltuples), for progress reporting.
  absl::StatusOr<int64_t> EstimateRows(const events::TableSchema& table);

  // Calls on_row for every row, values in PostgreSQL's text format (as pgoutput sends them).
  // The tuple's views are valid during the call only. Stops early, with kCancelled, when
  // `stop` becomes true.
  absl::Status ReadTable(const events::TableSchema& table,
                         const std::function<absl::Status(const pgoutput::Tuple&)>& on_row,
                         const std::atomic<bool>& stop);

  absl::Status Commit();

 private:
  pg::Connection& conn_;
  int fetch_size_;
};

}  // namespace cdcflow::cdc_capture::source
