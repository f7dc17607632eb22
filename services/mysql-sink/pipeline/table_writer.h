#pragma once

// Applies one table's share of a batch inside the caller's transaction:
//
// 1. Reduction (Debezium's use.reduction.buffer): per primary key only the last change
//    counts, since every upsert carries the whole row — within a run of one value schema; a
//    schema change starts a new run, applied after the previous one. A key whose last change is a
//    delete is deleted; in insert mode a key deleted and then inserted again is deleted first.
// 2. One multi-row DELETE … IN (…) for the deleted keys, then multi-row INSERT [… ON DUPLICATE
//    KEY UPDATE] statements (or UPDATEs in update mode) of up to batch.size rows per column list.
// 3. A statement the server rejects for its data (kInvalidArgument: a value out of range, a
//    duplicate key in insert mode) is split in halves until the bad rows are alone; each bad
//    row is reported as a failure and its key falls back to the change before it, so the table
//    ends as if the good changes had been applied one by one.
//
// Any other error (connection lost, deadlock) is returned: the transaction is gone and the
// caller retries the whole batch.

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/mysql-sink/pipeline/database.h"
#include "services/mysql-sink/pipeline/sink_record.h"
#include "services/mysql-sink/sql/statements.h"

namespace cdcflow::mysql_sink {

struct RecordFailure {
  size_t source_index = 0;  // SinkRecord::source_index
  absl::Status status;
};

struct TableWriteResult {
  int64_t rows_upserted = 0;  // rows written by successful INSERT/UPSERT/UPDATE statements
  int64_t rows_deleted = 0;   // rows the DELETE statements removed
  int64_t statements = 0;
  std::vector<RecordFailure> failures;
};

class TableWriter {
 public:
  TableWriter(sql::InsertMode mode, int max_rows_per_statement, Database& database);

  // `records` are one table's upserts and deletes, in source order. `table_exists` false: the
  // table is not there (and nothing created it), so deletes have nothing to remove.
  absl::StatusOr<TableWriteResult> Write(const std::string& table,
                                         std::span<const SinkRecord* const> records,
                                         bool table_exists);

 private:
  struct Context;
  // One run of records whose upserts share a value schema.
  absl::StatusOr<TableWriteResult> WriteRun(const std::string& table,
                                            std::span<const SinkRecord* const> records,
                                            bool table_exists);
  absl::Status ApplyUpserts(Context& context, std::span<const size_t> indexes);
  absl::Status ApplyDeletes(Context& context, std::span<const size_t> indexes);
  absl::Status ApplyAlone(Context& context, size_t index);
  absl::StatusOr<const sql::TableShape*> ShapeFor(const std::string& table,
                                                  const SinkRecord& record);

  const sql::InsertMode mode_;
  const size_t max_rows_;
  Database& database_;
  std::string statement_;  // reused: no allocation per statement once it has grown
  std::unordered_map<std::string, sql::TableShape> shapes_;  // "<table>\0<fingerprint>"
};

}  // namespace cdcflow::mysql_sink
