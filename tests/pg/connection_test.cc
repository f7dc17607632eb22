#include "libs/pg/connection.h"

#include <gtest/gtest.h>

namespace cdcflow::pg {
namespace {

TEST(CodeForSqlState, MapsClassesToCanonicalCodes) {
  EXPECT_EQ(CodeForSqlState("08006"), absl::StatusCode::kUnavailable);  // connection failure
  EXPECT_EQ(CodeForSqlState("57P01"), absl::StatusCode::kUnavailable);  // admin shutdown
  EXPECT_EQ(CodeForSqlState("53300"), absl::StatusCode::kUnavailable);  // too many connections
  EXPECT_EQ(CodeForSqlState("40001"), absl::StatusCode::kAborted);      // serialization
  EXPECT_EQ(CodeForSqlState("40P01"), absl::StatusCode::kAborted);      // deadlock
  EXPECT_EQ(CodeForSqlState("28P01"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForSqlState("42501"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeForSqlState("42P01"), absl::StatusCode::kNotFound);  // undefined table
  EXPECT_EQ(CodeForSqlState("42710"), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeForSqlState("42601"), absl::StatusCode::kInvalidArgument);  // syntax
  EXPECT_EQ(CodeForSqlState("22P02"), absl::StatusCode::kInvalidArgument);  // bad text
  EXPECT_EQ(CodeForSqlState("55000"), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForSqlState("XX000"), absl::StatusCode::kInternal);
  EXPECT_EQ(CodeForSqlState("bad"), absl::StatusCode::kUnknown);
}

TEST(RedactConninfo, HidesPasswordsPlainAndQuoted) {
  EXPECT_EQ(RedactConninfo("host=h password=s3cret user=u"), "host=h password=**** user=u");
  EXPECT_EQ(RedactConninfo("password = 'a b\\'c' dbname=d"), "password=**** dbname=d");
  EXPECT_EQ(RedactConninfo("host=h"), "host=h");
}

TEST(Connection, UnreachableServerIsUnavailableWithoutThePassword) {
  auto c = Connection::Connect(
      "host=127.0.0.1 port=1 user=u password=hunter2 dbname=d connect_timeout=2");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(c.status().message()).find("hunter2"), std::string::npos);
  EXPECT_NE(std::string(c.status().message()).find("password=****"), std::string::npos);
}

}  // namespace
}  // namespace cdcflow::pg
