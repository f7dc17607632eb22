#pragma once

// A thin RAII layer over libmariadb (the MariaDB Connector/C, which also speaks to MySQL):
// a connection as a C++ object, errors as absl::Status with the server's error number kept in
// the message. Connection loss is kUnavailable (retry), deadlocks and lock-wait timeouts
// kAborted (retry the transaction), bad data or SQL kInvalidArgument, a missing table or
// database kNotFound, bad credentials kUnauthenticated, missing privileges kPermissionDenied.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct st_mysql;

namespace cdcflow::mysql {

struct ConnectOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;  // empty: none selected
  absl::Duration connect_timeout = absl::Seconds(10);
  // Read/write timeouts of one round trip; a hung server becomes kUnavailable.
  absl::Duration io_timeout = absl::Seconds(60);
  // Statements run right after connecting (e.g. SET SESSION sql_mode = ...).
  std::vector<std::string> init_statements;
};

// A fully read result set: rows of nullable text cells.
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// The canonical code for a server or client error number (ER_* / CR_*).
absl::StatusCode CodeForError(unsigned int error_number);

class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or several ';'-separated statements (multi-statements are enabled) and discards
  // any result sets. Returns the rows affected, summed over the statements.
  absl::StatusOr<uint64_t> Execute(std::string_view sql);
  // Runs one statement and reads its whole result set.
  absl::StatusOr<ResultSet> Query(std::string_view sql);

  absl::Status Begin() { return Execute("START TRANSACTION").status(); }
  absl::Status Commit() { return Execute("COMMIT").status(); }
  // Best effort: a rollback on a lost connection has nothing left to undo.
  void Rollback();

  // `'…'` with the value escaped for this connection's character set.
  std::string QuoteString(std::string_view value);

  // The server's version string, e.g. "10.11.19-MariaDB-0+deb12u1".
  std::string ServerVersion();
  // False once an error said the connection is gone; callers reconnect.
  bool broken() const { return broken_; }

 private:
  explicit Connection(st_mysql* handle) : handle_(handle) {}
  absl::Status ErrorStatus(absl::string_view what);

  st_mysql* handle_;
  bool broken_ = false;
};

}  // namespace cdcflow::mysql
