// Against deploy/local's PostgreSQL ($CDCFLOW_LOCAL_PG_DSN).
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "libs/pg/connection.h"

namespace cdcflow::pg {
namespace {

std::string Dsn() {
  const char* dsn = std::getenv("CDCFLOW_LOCAL_PG_DSN");
  return dsn != nullptr ? dsn
                        : "host=127.0.0.1 port=5432 dbname=transactions user=admin password=admin";
}

TEST(PgConnection, QueriesWithParametersAndNulls) {
  auto c = Connection::Connect(Dsn());
  ASSERT_TRUE(c.ok()) << c.status();
  auto r = (*c)->ExecParams("SELECT $1::int + 1, $2::text IS NULL, 'x'", {"41", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows(), 1);
  EXPECT_EQ(r->Get(0, 0), "42");
  EXPECT_EQ(r->Get(0, 1), "t");
  EXPECT_EQ(r->GetOptional(0, 2), "x");
}

TEST(PgConnection, ErrorsCarryCodeAndSqlState) {
  auto c = Connection::Connect(Dsn());
  ASSERT_TRUE(c.ok()) << c.status();
  auto missing = (*c)->Exec("SELECT * FROM no_such_table_cdcflow");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(missing.status().message()).find("[SQLSTATE 42P01]"), std::string::npos);
  auto bad = (*c)->ExecParams("SELECT $1::int", {"not a number"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  // The connection is still usable after errors.
  EXPECT_TRUE((*c)->Exec("SELECT 1").ok());
}

TEST(PgConnection, WrongPasswordIsUnauthenticated) {
  auto c = Connection::Connect(Dsn() + " password=definitely-wrong");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnauthenticated) << c.status();
}

TEST(PgConnection, QuotingNeutralisesInjection) {
  auto c = Connection::Connect(Dsn());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)->QuoteIdentifier("a\"b; DROP"), "\"a\"\"b; DROP\"");
  auto r = (*c)->Exec("SELECT " + (*c)->QuoteLiteral("it's'; --"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Get(0, 0), "it's'; --");
}

}  // namespace
}  // namespace cdcflow::pg
