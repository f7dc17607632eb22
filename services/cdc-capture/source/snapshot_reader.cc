#include "services/cdc-capture/source/snapshot_reader.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"

namespace cdcflow::cdc_capture::source {

absl::Status SnapshotReader::Begin(const std::string& snapshot_name) {
  RETURN_IF_ERROR(conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").status());
  if (!snapshot_name.empty()) {
    RETURN_IF_ERROR(
        conn_.Exec(absl::StrCat("SET TRANSACTION SNAPSHOT ", conn_.QuoteLiteral(snapshot_name)))
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SnapshotReader::EstimateRows(const events::TableSchema& table) {
  ASSIGN_OR_RETURN(pg::Result r,
                   conn_.ExecParams("SELECT GREATEST(reltuples, 0)::bigint FROM pg_class "
                                    "WHERE oid = $1",
                                    {absl::StrCat(table.relation_oid)}));
  int64_t rows = 0;
  if (r.rows() == 1) (void)absl::SimpleAtoi(r.Get(0, 0), &rows);
  return rows;
}

absl::Status SnapshotReader::ReadTable(
    const events::TableSchema& table,
    const std::function<absl::Status(const pgoutput::Tuple&)>& on_row,
    const std::atomic<bool>& stop) {
  std::vector<std::string> cols;
  cols.reserve(table.columns.size());
  for (const auto& c : table.columns) cols.push_back(conn_.QuoteIdentifier(c.name));
  RETURN_IF_ERROR(conn_
                      .Exec(absl::StrCat("DECLARE cdcflow_snapshot NO SCROLL CURSOR FOR SELECT ",
                                         absl::StrJoin(cols, ", "), " FROM ",
                                         conn_.QuoteIdentifier(table.schema), ".",
                                         conn_.QuoteIdentifier(table.table)))
                      .status());
  const std::string fetch = absl::StrCat("FETCH FORWARD ", fetch_size_, " FROM cdcflow_snapshot");
  pgoutput::Tuple tuple(table.columns.size());
  while (true) {
    if (stop.load(std::memory_order_relaxed)) {
      return absl::CancelledError("snapshot interrupted by shutdown");
    }
    ASSIGN_OR_RETURN(pg::Result r, conn_.Exec(fetch));
    if (r.rows() == 0) break;
    for (int row = 0; row < r.rows(); ++row) {
      for (int col = 0; col < r.columns(); ++col) {
        if (r.IsNull(row, col)) {
          tuple[col] = {pgoutput::ValueKind::kNull, {}};
        } else {
          tuple[col] = {pgoutput::ValueKind::kText, r.Get(row, col)};
        }
      }
      RETURN_IF_ERROR(on_row(tuple));
    }
  }
  return conn_.Exec("CLOSE cdcflow_snapshot").status();
}

absl::Status SnapshotReader::Commit() { return conn_.Exec("COMMIT").status(); }

}  // namespace cdcflow::cdc_capture::source
