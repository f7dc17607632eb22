#include "services/mysql-sink/pipeline/database.h"

#include <utility>

namespace cdcflow::mysql_sink {

MysqlDatabase::MysqlDatabase(mysql::ConnectOptions options) : options_(std::move(options)) {
  options_.init_statements.insert(
      options_.init_statements.begin(),
      {"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,"
       "NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'",
       "SET SESSION time_zone = '+00:00'",
       "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"});
}

absl::Status MysqlDatabase::Connect() {
  if (connection_ && !connection_->broken()) return absl::OkStatus();
  connection_.reset();
  absl::StatusOr<std::unique_ptr<mysql::Connection>> connection =
      mysql::Connection::Connect(options_);
  if (!connection.ok()) return connection.status();
  connection_ = std::move(*connection);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MysqlDatabase::Execute(std::string_view sql) {
  if (absl::Status s = Connect(); !s.ok()) return s;
  return connection_->Execute(sql);
}

absl::StatusOr<mysql::ResultSet> MysqlDatabase::Query(std::string_view sql) {
  if (absl::Status s = Connect(); !s.ok()) return s;
  return connection_->Query(sql);
}

absl::Status MysqlDatabase::Begin() {
  if (absl::Status s = Connect(); !s.ok()) return s;
  return connection_->Begin();
}

absl::Status MysqlDatabase::Commit() {
  if (!connection_) return absl::UnavailableError("commit: no connection");
  return connection_->Commit();
}

void MysqlDatabase::Rollback() {
  if (connection_) connection_->Rollback();
}

std::string MysqlDatabase::Quote(std::string_view value) {
  if (!Connect().ok()) {
    // Without a connection nothing runs anyway; escape as the server would for utf8mb4.
    std::string out = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out + "'";
  }
  return connection_->QuoteString(value);
}

}  // namespace cdcflow::mysql_sink
