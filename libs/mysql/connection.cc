#include "libs/mysql/connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace cdcflow::mysql {
namespace {

// SQL text in error messages is cut: a 3,000-row statement would drown the log line.
// (absl::string_view: Debian's Abseil is built as C++14, so StrCat takes no std::string_view.)
absl::string_view Excerpt(std::string_view sql) {
  constexpr size_t kMax = 120;
  return absl::string_view(sql.data(), sql.size() <= kMax ? sql.size() : kMax);
}

bool IsConnectionError(unsigned int error_number) {
  switch (error_number) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_LOST_EXTENDED:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
    case ER_QUERY_INTERRUPTED:
    case ER_CON_COUNT_ERROR:
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_NET_PACKETS_OUT_OF_ORDER:
    case CR_COMMANDS_OUT_OF_SYNC:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusCode CodeForError(unsigned int error_number) {
  if (IsConnectionError(error_number)) return absl::StatusCode::kUnavailable;
  switch (error_number) {
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_ABORTED:
      return absl::StatusCode::kAborted;
    case ER_ACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
      return absl::StatusCode::kUnauthenticated;
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    case ER_OPTION_PREVENTS_STATEMENT:
      return absl::StatusCode::kPermissionDenied;
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
      return absl::StatusCode::kNotFound;
    case ER_TABLE_EXISTS_ERROR:
    case ER_DUP_FIELDNAME:
      return absl::StatusCode::kAlreadyExists;
    case ER_OUT_OF_RESOURCES:
    case ER_OUTOFMEMORY:
    case ER_RECORD_FILE_FULL:
    case ER_DISK_FULL:
      return absl::StatusCode::kResourceExhausted;
    default:
      break;
  }
  // Client-side errors (2000..2999) not listed above are the library's own failures.
  if (error_number >= CR_MIN_ERROR && error_number <= CR_MAX_ERROR) {
    return absl::StatusCode::kInternal;
  }
  // Everything else the server refuses is about this statement or its data: duplicate key,
  // out of range, NOT NULL, bad value, unknown column, syntax.
  return absl::StatusCode::kInvalidArgument;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& options) {
  MYSQL* handle = mysql_init(nullptr);
  if (handle == nullptr) return absl::ResourceExhaustedError("mysql_init: out of memory");
  const unsigned int connect_timeout =
      static_cast<unsigned int>(absl::ToInt64Seconds(options.connect_timeout));
  const unsigned int io_timeout =
      static_cast<unsigned int>(absl::ToInt64Seconds(options.io_timeout));
  mysql_optionsv(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(handle, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_optionsv(handle, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  mysql_optionsv(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // Reconnecting silently would lose the session's transaction: callers reconnect explicitly.
  const my_bool reconnect = 0;
  mysql_optionsv(handle, MYSQL_OPT_RECONNECT, &reconnect);
  const std::string where = absl::StrCat(options.user, "@", options.host, ":", options.port,
                                         options.database.empty() ? "" : "/", options.database);
  if (mysql_real_connect(handle, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(),
                         options.database.empty() ? nullptr : options.database.c_str(),
                         static_cast<unsigned int>(options.port), nullptr,
                         CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS) == nullptr) {
    const unsigned int error_number = mysql_errno(handle);
    absl::Status status(CodeForError(error_number),
                        absl::StrCat("connect to MySQL ", where, ": ", mysql_error(handle), " (",
                                     error_number, ")"));
    mysql_close(handle);
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(handle));
  for (const std::string& statement : options.init_statements) {
    if (absl::Status status = connection->Execute(statement).status(); !status.ok()) {
      return status;
    }
  }
  return connection;
}

Connection::~Connection() { mysql_close(handle_); }

absl::Status Connection::ErrorStatus(absl::string_view what) {
  const unsigned int error_number = mysql_errno(handle_);
  const absl::StatusCode code = CodeForError(error_number);
  if (code == absl::StatusCode::kUnavailable) broken_ = true;
  return absl::Status(code, absl::StrCat(what, ": ", mysql_error(handle_), " (", error_number,
                                         ", SQLSTATE ", mysql_sqlstate(handle_), ")"));
}

absl::StatusOr<uint64_t> Connection::Execute(std::string_view sql) {
  if (mysql_real_query(handle_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    return ErrorStatus(absl::StrCat("execute `", Excerpt(sql), "`"));
  }
  // Every statement of a multi-statement string has a result to consume; an error in a later
  // statement shows up here.
  uint64_t affected = 0;
  while (true) {
    MYSQL_RES* result = mysql_store_result(handle_);
    if (result != nullptr) {
      mysql_free_result(result);
    } else if (mysql_field_count(handle_) == 0) {
      affected += mysql_affected_rows(handle_);
    } else {
      return ErrorStatus(absl::StrCat("read result of `", Excerpt(sql), "`"));
    }
    const int next = mysql_next_result(handle_);
    if (next == -1) break;
    if (next > 0) return ErrorStatus(absl::StrCat("execute `", Excerpt(sql), "`"));
  }
  return affected;
}

absl::StatusOr<ResultSet> Connection::Query(std::string_view sql) {
  if (mysql_real_query(handle_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    return ErrorStatus(absl::StrCat("query `", Excerpt(sql), "`"));
  }
  MYSQL_RES* result = mysql_store_result(handle_);
  if (result == nullptr) {
    if (mysql_field_count(handle_) == 0) return ResultSet{};
    return ErrorStatus(absl::StrCat("read result of `", Excerpt(sql), "`"));
  }
  ResultSet set;
  const unsigned int columns = mysql_num_fields(result);
  MYSQL_FIELD* fields = mysql_fetch_fields(result);
  for (unsigned int i = 0; i < columns; ++i) set.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    auto& out = set.rows.emplace_back();
    out.reserve(columns);
    for (unsigned int i = 0; i < columns; ++i) {
      if (row[i] == nullptr) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(result);
  // Drain further results (a CALL returns a status result after its rows).
  while (mysql_next_result(handle_) == 0) {
    if (MYSQL_RES* extra = mysql_store_result(handle_)) mysql_free_result(extra);
  }
  return set;
}

void Connection::Rollback() {
  if (broken_) return;
  if (mysql_real_query(handle_, "ROLLBACK", 8) != 0)
    broken_ = IsConnectionError(mysql_errno(handle_));
}

std::string Connection::QuoteString(std::string_view value) {
  std::string out(value.size() * 2 + 3, '\0');
  out[0] = '\'';
  const unsigned long length = mysql_real_escape_string(handle_, out.data() + 1, value.data(),
                                                        static_cast<unsigned long>(value.size()));
  out[length + 1] = '\'';
  out.resize(length + 2);
  return out;
}

std::string Connection::ServerVersion() { return mysql_get_server_info(handle_); }

}  // namespace cdcflow::mysql
