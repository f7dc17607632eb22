#include "bench/loadgen/pg_writer.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"

namespace cdcflow::bench::loadgen {

namespace {

int64_t CmdTuples(const pg::Result& r) {
  int64_t n = 0;
  return absl::SimpleAtoi(PQcmdTuples(r.get()), &n) ? n : 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgWriter>> PgWriter::Connect(const std::string& conninfo,
                                                            const std::string& table,
                                                            const std::string& synchronous_commit) {
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Connect(conninfo));
  std::vector<std::string> parts = absl::StrSplit(table, absl::MaxSplits('.', 1));
  if (parts.size() != 2) parts.insert(parts.begin(), "public");
  std::string quoted =
      absl::StrCat(conn->QuoteIdentifier(parts[0]), ".", conn->QuoteIdentifier(parts[1]));
  RETURN_IF_ERROR(conn->Exec("SET application_name = 'cdcflow-loadgen'").status());
  if (!synchronous_commit.empty()) {
    RETURN_IF_ERROR(conn->Exec(absl::StrCat("SET synchronous_commit = ",
                                            conn->QuoteLiteral(synchronous_commit)))
                        .status());
  }
  return std::unique_ptr<PgWriter>(new PgWriter(std::move(conn), std::move(quoted)));
}

PgWriter::PgWriter(std::unique_ptr<pg::Connection> conn, std::string quoted_table)
    : conn_(std::move(conn)),
      table_(std::move(quoted_table)),
      copy_sql_(absl::StrCat("COPY ", table_, " (", kColumns, ") FROM STDIN")) {}

absl::StatusOr<int64_t> PgWriter::MaxTxnId() {
  ASSIGN_OR_RETURN(pg::Result r, conn_->Exec(absl::StrCat("SELECT max(txn_id) FROM ", table_)));
  int64_t max = 0;
  if (r.rows() == 1 && !r.IsNull(0, 0) && !absl::SimpleAtoi(r.Get(0, 0), &max)) {
    return absl::InternalError("max(txn_id) is not an integer");
  }
  return max;
}

absl::StatusOr<std::vector<int64_t>> PgWriter::NewestIds(int64_t limit) {
  ASSIGN_OR_RETURN(pg::Result r, conn_->Exec(absl::StrCat("SELECT txn_id FROM (SELECT txn_id FROM ",
                                                          table_, " ORDER BY txn_id DESC LIMIT ",
                                                          limit, ") AS newest ORDER BY txn_id")));
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    int64_t id = 0;
    if (absl::SimpleAtoi(r.Get(i, 0), &id)) ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<std::string> PgWriter::CurrentWalLsn() {
  ASSIGN_OR_RETURN(pg::Result r, conn_->Exec("SELECT pg_current_wal_lsn()"));
  return std::string(r.Get(0, 0));
}

absl::StatusOr<std::vector<pg::Result>> PgWriter::Send(const std::string& sql) {
  PGconn* raw = conn_->raw();
  if (PQsendQuery(raw, sql.c_str()) != 1) return conn_->ErrorStatus(nullptr, "send query");
  std::vector<pg::Result> results;
  absl::Status error;
  // Every result must be read before the connection is usable again; a COPY IN result ends
  // the list (the caller sends the data next).
  while (PGresult* r = PQgetResult(raw)) {
    results.emplace_back(r);
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COPY_IN) break;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && error.ok()) {
      error = conn_->ErrorStatus(r, sql.size() > 60 ? sql.substr(0, 60) + "..." : sql);
    }
  }
  if (!error.ok()) return error;
  return results;
}

absl::StatusOr<Applied> PgWriter::ApplyInTransaction(const TxnPlan& plan) {
  Applied applied;
  std::string rest;
  if (!plan.inserts.empty()) {
    ASSIGN_OR_RETURN(std::vector<pg::Result> begun, Send(absl::StrCat("BEGIN; ", copy_sql_)));
    if (begun.empty() || PQresultStatus(begun.back().get()) != PGRES_COPY_IN) {
      return absl::InternalError("COPY did not start");
    }
    buffer_.clear();
    for (const Row& row : plan.inserts) AppendCopyLine(row, buffer_);
    PGconn* raw = conn_->raw();
    if (PQputCopyData(raw, buffer_.data(), static_cast<int>(buffer_.size())) != 1 ||
        PQputCopyEnd(raw, nullptr) != 1) {
      return conn_->ErrorStatus(nullptr, "COPY data");
    }
    absl::Status error;
    while (PGresult* r = PQgetResult(raw)) {
      pg::Result result(r);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        if (error.ok()) error = conn_->ErrorStatus(r, "COPY");
      } else {
        applied.inserted += CmdTuples(result);
      }
    }
    RETURN_IF_ERROR(error);
  } else {
    rest = "BEGIN; ";
  }
  if (!plan.updates.empty()) absl::StrAppend(&rest, UpdateStatement(table_, plan.updates), "; ");
  if (!plan.deletes.empty()) absl::StrAppend(&rest, DeleteStatement(table_, plan.deletes), "; ");
  rest += "COMMIT";
  ASSIGN_OR_RETURN(std::vector<pg::Result> results, Send(rest));
  for (const pg::Result& r : results) {
    const char* tag = PQcmdStatus(r.get());
    if (std::string_view(tag).starts_with("UPDATE")) applied.updated += CmdTuples(r);
    if (std::string_view(tag).starts_with("DELETE")) applied.deleted += CmdTuples(r);
    // A failed transaction's COMMIT answers ROLLBACK.
    if (std::string_view(tag) == "ROLLBACK") return absl::AbortedError("transaction rolled back");
  }
  return applied;
}

absl::StatusOr<Applied> PgWriter::Apply(const TxnPlan& plan) {
  absl::StatusOr<Applied> applied = ApplyInTransaction(plan);
  if (!applied.ok() && conn_->ok() && PQtransactionStatus(conn_->raw()) != PQTRANS_IDLE) {
    (void)conn_->Exec("ROLLBACK");
  }
  return applied;
}

}  // namespace cdcflow::bench::loadgen
