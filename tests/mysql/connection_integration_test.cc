// Against deploy/local's MariaDB ($CDCFLOW_LOCAL_MYSQL_*).
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "libs/mysql/connection.h"
#include "tests/testing/testing.h"

namespace cdcflow::mysql {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

ConnectOptions Options() {
  return {.host = Env("CDCFLOW_LOCAL_MYSQL_HOST", "127.0.0.1"),
          .port = std::stoi(Env("CDCFLOW_LOCAL_MYSQL_PORT", "3306")),
          .user = Env("CDCFLOW_LOCAL_MYSQL_USER", "admin"),
          .password = Env("CDCFLOW_LOCAL_MYSQL_PASSWORD", "admin"),
          .database = "transactions"};
}

TEST(MysqlConnection, ExecutesQueriesAndReadsNulls) {
  auto c = Connection::Connect(Options());
  ASSERT_TRUE(c.ok()) << c.status();
  auto r = (*c)->Query("SELECT 41 + 1 AS answer, NULL AS nothing, 'x'");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->columns[0], "answer");
  EXPECT_EQ(r->rows[0][0], "42");
  EXPECT_EQ(r->rows[0][1], std::nullopt);
  EXPECT_EQ(r->rows[0][2], "x");
}

TEST(MysqlConnection, MultiStatementTransactionCountsAffectedRowsAndRollsBack) {
  auto c = Connection::Connect(Options());
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string table = testutil::UniqueName("mysql_conn_test");
  ASSERT_TRUE((*c)->Execute("CREATE TABLE `" + table + "` (id INT PRIMARY KEY, v TEXT)").ok());
  auto inserted = (*c)->Execute("INSERT INTO `" + table + "` VALUES (1,'a'),(2,'b');" +
                                "INSERT INTO `" + table + "` VALUES (3,'c')");
  ASSERT_TRUE(inserted.ok()) << inserted.status();
  EXPECT_EQ(*inserted, 3u);

  ASSERT_TRUE((*c)->Begin().ok());
  ASSERT_TRUE((*c)->Execute("DELETE FROM `" + table + "`").ok());
  (*c)->Rollback();
  auto count = (*c)->Query("SELECT COUNT(*) FROM `" + table + "`");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->rows[0][0], "3");

  // A failing statement in a multi-statement string is reported, with its class.
  auto duplicate = (*c)->Execute("INSERT INTO `" + table + "` VALUES (4,'d');INSERT INTO `" +
                                 table + "` VALUES (1,'again')");
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kInvalidArgument) << duplicate.status();
  EXPECT_NE(duplicate.status().message().find("Duplicate entry '1'"), absl::string_view::npos);
  EXPECT_FALSE((*c)->broken());
  // The connection is still usable after the error.
  EXPECT_TRUE((*c)->Execute("DROP TABLE `" + table + "`").ok());
}

TEST(MysqlConnection, ErrorClasses) {
  auto c = Connection::Connect(Options());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)->Query("SELECT * FROM no_such_table_cdcflow").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ((*c)->Execute("SELEC 1").status().code(), absl::StatusCode::kInvalidArgument);

  ConnectOptions wrong = Options();
  wrong.password = "definitely-wrong";
  auto denied = Connection::Connect(wrong);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kUnauthenticated) << denied.status();
  EXPECT_EQ(denied.status().message().find("definitely-wrong"), absl::string_view::npos);

  ConnectOptions missing_db = Options();
  missing_db.database = "no_such_database_cdcflow";
  EXPECT_EQ(Connection::Connect(missing_db).status().code(), absl::StatusCode::kNotFound);
}

TEST(MysqlConnection, QuotingNeutralisesInjection) {
  auto c = Connection::Connect(Options());
  ASSERT_TRUE(c.ok()) << c.status();
  auto r = (*c)->Query("SELECT " + (*c)->QuoteString("it's'; -- \\ \"x\""));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows[0][0], "it's'; -- \\ \"x\"");
}

TEST(MysqlConnection, KilledConnectionIsUnavailableAndBroken) {
  auto c = Connection::Connect(Options());
  auto killer = Connection::Connect(Options());
  ASSERT_TRUE(c.ok() && killer.ok());
  auto id = (*c)->Query("SELECT CONNECTION_ID()");
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE((*killer)->Execute("KILL " + *id->rows[0][0]).ok());
  auto after = (*c)->Query("SELECT 1");
  EXPECT_EQ(after.status().code(), absl::StatusCode::kUnavailable) << after.status();
  EXPECT_TRUE((*c)->broken());
}

}  // namespace
}  // namespace cdcflow::mysql
