#include <errmsg.h>
#include <mysqld_error.h>

#include <gtest/gtest.h>

#include "libs/mysql/connection.h"

namespace cdcflow::mysql {
namespace {

TEST(MysqlCodeForError, MapsErrorClassesToCanonicalCodes) {
  EXPECT_EQ(CodeForError(CR_SERVER_GONE_ERROR), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForError(CR_SERVER_LOST), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForError(CR_CONN_HOST_ERROR), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForError(ER_SERVER_SHUTDOWN), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForError(ER_LOCK_DEADLOCK), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForError(ER_LOCK_WAIT_TIMEOUT), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForError(ER_ACCESS_DENIED_ERROR), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForError(ER_TABLEACCESS_DENIED_ERROR), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeForError(ER_NO_SUCH_TABLE), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForError(ER_BAD_DB_ERROR), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForError(ER_DUP_ENTRY), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForError(ER_BAD_NULL_ERROR), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForError(ER_WARN_DATA_OUT_OF_RANGE), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForError(ER_PARSE_ERROR), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForError(CR_OUT_OF_MEMORY), absl::StatusCode::kInternal);
}

TEST(MysqlConnection, RefusedConnectionIsUnavailableAndNamesTheTarget) {
  auto c = Connection::Connect({.host = "127.0.0.1",
                                .port = 1,
                                .user = "nobody",
                                .password = "secret-password",
                                .connect_timeout = absl::Seconds(2)});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable) << c.status();
  EXPECT_NE(c.status().message().find("nobody@127.0.0.1:1"), absl::string_view::npos);
  EXPECT_EQ(c.status().message().find("secret-password"), absl::string_view::npos);
}

}  // namespace
}  // namespace cdcflow::mysql
