#pragma once

// A thin RAII layer over libpq: connections and results as C++ objects, errors as
// absl::Status with PostgreSQL's SQLSTATE kept in the message. Connection loss is
// kUnavailable (retry), bad SQL or data kInvalidArgument, serialization failures kAborted,
// authentication and permission failures kPermissionDenied / kUnauthenticated.

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cdcflow::pg {

// An owned PGresult.
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* r) : result_(r, &PQclear) {}

  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  int columns() const { return result_ ? PQnfields(result_.get()) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  absl::string_view Get(int row, int col) const {
    return absl::string_view(PQgetvalue(result_.get(), row, col),
                             static_cast<size_t>(PQgetlength(result_.get(), row, col)));
  }
  std::optional<std::string> GetOptional(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return std::string(Get(row, col));
  }
  int ColumnIndex(const char* name) const { return PQfnumber(result_.get(), name); }
  PGresult* get() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_{nullptr, &PQclear};
};

// Maps a SQLSTATE (5 chars) to a canonical code.
absl::StatusCode CodeForSqlState(absl::string_view sqlstate);

class Connection {
 public:
  // `conninfo` is a libpq connection string ("host=… port=… dbname=… user=… password=…").
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(const std::string& conninfo);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL (several statements allowed when there are no parameters); the last result.
  absl::StatusOr<Result> Exec(const std::string& sql);
  // Runs one statement with text parameters ($1, $2 …; nullopt = NULL).
  absl::StatusOr<Result> ExecParams(const std::string& sql,
                                    const std::vector<std::optional<std::string>>& params);

  // Quotes an identifier / a literal for this connection's encoding.
  std::string QuoteIdentifier(absl::string_view name);
  std::string QuoteLiteral(absl::string_view value);

  PGconn* raw() { return conn_; }
  bool ok() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  // The error of a failed result or of the connection, as a Status naming `what`.
  absl::Status ErrorStatus(const PGresult* result, absl::string_view what) const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  absl::StatusOr<Result> Check(PGresult* r, absl::string_view what);

  PGconn* conn_;
};

// Removes password=… from a conninfo string for logs and errors.
std::string RedactConninfo(absl::string_view conninfo);

}  // namespace cdcflow::pg
