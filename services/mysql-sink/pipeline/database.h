#pragma once

// The seam between the sink's logic and MariaDB: what the writer, the table manager and the
// offset table need from a session. MysqlDatabase is the real one; tests use a fake.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/mysql/connection.h"

namespace cdcflow::mysql_sink {

class Database {
 public:
  virtual ~Database() = default;
  // Status codes as libs/mysql maps them: kInvalidArgument = this statement's data or SQL
  // (the transaction survives it), kUnavailable / kAborted = the transaction is gone.
  virtual absl::StatusOr<uint64_t> Execute(std::string_view sql) = 0;
  virtual absl::StatusOr<mysql::ResultSet> Query(std::string_view sql) = 0;
  virtual absl::Status Begin() = 0;
  virtual absl::Status Commit() = 0;
  virtual void Rollback() = 0;
  // A string literal ('…', escaped) for this session.
  virtual std::string Quote(std::string_view value) = 0;
};

// A Database on one MariaDB/MySQL connection, opened lazily and reopened after it broke.
// The session runs in strict mode (bad data is an error, never silently truncated), in UTC,
// and without NO_BACKSLASH_ESCAPES (the literals the decoder renders use backslash escapes).
class MysqlDatabase final : public Database {
 public:
  explicit MysqlDatabase(mysql::ConnectOptions options);

  absl::StatusOr<uint64_t> Execute(std::string_view sql) override;
  absl::StatusOr<mysql::ResultSet> Query(std::string_view sql) override;
  absl::Status Begin() override;
  absl::Status Commit() override;
  void Rollback() override;
  std::string Quote(std::string_view value) override;

  // Opens the connection if there is none (or it broke).
  absl::Status Connect();
  // Closes it: the next call reconnects.
  void Disconnect() { connection_.reset(); }

 private:
  mysql::ConnectOptions options_;
  std::unique_ptr<mysql::Connection> connection_;
};

}  // namespace cdcflow::mysql_sink
