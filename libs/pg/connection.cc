#include "libs/pg/connection.h"

#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cdcflow::pg {

absl::StatusCode CodeForSqlState(absl::string_view s) {
  if (s.size() != 5) return absl::StatusCode::kUnknown;
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;  // serialization, deadlock
  if (s == "28P01" || s == "28000") return absl::StatusCode::kUnauthenticated;
  if (s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "42P01" || s == "42704" || s == "3D000") return absl::StatusCode::kNotFound;
  if (s == "42710" || s == "42P07" || s == "23505") return absl::StatusCode::kAlreadyExists;
  if (s == "55006" || s == "55P03") return absl::StatusCode::kUnavailable;  // object in use, lock
  const absl::string_view cls = s.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "53") return absl::StatusCode::kUnavailable;
  if (cls == "22" || cls == "23" || cls == "42") return absl::StatusCode::kInvalidArgument;
  if (cls == "55") return absl::StatusCode::kFailedPrecondition;
  return absl::StatusCode::kInternal;
}

std::string RedactConninfo(absl::string_view conninfo) {
  static const std::regex kPassword(R"(password\s*=\s*('([^'\\]|\\.)*'|\S+))");
  return std::regex_replace(std::string(conninfo), kPassword, "password=****");
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return absl::ResourceExhaustedError("postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
    PQfinish(conn);
    // libpq reports connection-time failures as text only; classify the ones a retry will
    // not fix, so callers stop with the message instead of reconnecting forever.
    absl::StatusCode code = absl::StatusCode::kUnavailable;
    if (absl::StrContains(msg, "password authentication failed") ||
        absl::StrContains(msg, "no pg_hba.conf entry") ||
        absl::StrContains(msg, "password is required")) {
      code = absl::StatusCode::kUnauthenticated;
    } else if (absl::StrContains(msg, "replication role") ||
               absl::StrContains(msg, "permission denied")) {
      code = absl::StatusCode::kPermissionDenied;
    } else if (absl::StrContains(msg, "does not exist")) {
      code = absl::StatusCode::kNotFound;  // database or role
    }
    return absl::Status(
        code, absl::StrCat("postgres: cannot connect (", RedactConninfo(conninfo), "): ", msg));
  }
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

absl::Status Connection::ErrorStatus(const PGresult* result, absl::string_view what) const {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg(absl::StripTrailingAsciiWhitespace(result ? PQresultErrorMessage(result)
                                                            : PQerrorMessage(conn_)));
  if (msg.empty()) msg = PQerrorMessage(conn_);
  absl::StatusCode code = sqlstate != nullptr                ? CodeForSqlState(sqlstate)
                          : PQstatus(conn_) != CONNECTION_OK ? absl::StatusCode::kUnavailable
                                                             : absl::StatusCode::kInternal;
  return absl::Status(code,
                      absl::StrCat("postgres: ", what, ": ", msg,
                                   sqlstate ? absl::StrCat(" [SQLSTATE ", sqlstate, "]") : ""));
}

absl::StatusOr<Result> Connection::Check(PGresult* r, absl::string_view what) {
  Result result(r);
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_BOTH ||
      st == PGRES_COPY_OUT || st == PGRES_COPY_IN || st == PGRES_SINGLE_TUPLE) {
    return result;
  }
  return ErrorStatus(r, what);
}

absl::StatusOr<Result> Connection::Exec(const std::string& sql) {
  return Check(PQexec(conn_, sql.c_str()), sql.size() > 80 ? sql.substr(0, 80) + "…" : sql);
}

absl::StatusOr<Result> Connection::ExecParams(
    const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return Check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0),
               sql.size() > 80 ? sql.substr(0, 80) + "…" : sql);
}

std::string Connection::QuoteIdentifier(absl::string_view name) {
  char* q = PQescapeIdentifier(conn_, name.data(), name.size());
  if (q == nullptr) return "\"\"";
  std::string out(q);
  PQfreemem(q);
  return out;
}

std::string Connection::QuoteLiteral(absl::string_view value) {
  char* q = PQescapeLiteral(conn_, value.data(), value.size());
  if (q == nullptr) return "''";
  std::string out(q);
  PQfreemem(q);
  return out;
}

}  // namespace cdcflow::pg
