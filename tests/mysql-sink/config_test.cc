#include "services/mysql-sink/config.h"

#include <gtest/gtest.h>

namespace cdcflow::mysql_sink {
namespace {

absl::Status Load(const std::string& yaml, Config& config) {
  config::ConfigSpec spec;
  BindConfig(spec, &config);
  absl::Status s = spec.LoadString(yaml, config::Environment::FromMap({}));
  if (!s.ok()) return s;
  return Validate(config);
}

constexpr char kBase[] =
    "connector:\n  connection.user: admin\n  connection.database: transactions\n";

TEST(MysqlSinkConfig, DefaultsFollowTheJdbcSink) {
  Config c;
  ASSERT_TRUE(Load(std::string(kBase) + "  topics: a,b\n", c).ok());
  EXPECT_EQ(c.connector.topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.GroupId(), "connect-mysql-sink");
  EXPECT_EQ(c.GetInsertMode(), sql::InsertMode::kUpsert);
  EXPECT_EQ(c.GetPkMode(), PkMode::kRecordKey);
  EXPECT_EQ(c.connector.batch_size, 3000);
  EXPECT_EQ(c.connector.errors_tolerance, "none");
  EXPECT_EQ(c.connector.dlq_topic, "${topic}.DLQ");
  EXPECT_EQ(c.metrics.port, 9104);
  EXPECT_EQ(c.admin.port, 50054);
}

TEST(MysqlSinkConfig, CrossFieldErrorsNameTheKey) {
  struct Case {
    std::string extra;
    std::string key;
  } cases[] = {
      {"", "connector.topics"},
      {"  topics: a\n  topics.regex: b.*\n", "connector.topics"},
      {"  topics.regex: '(('\n", "connector.topics.regex"},
      {"  topics: a\n  pk.mode: record_value\n", "connector.pk.fields"},
      {"  topics: a\n  pk.mode: none\n", "connector.insert.mode"},
      {"  topics: a\n  pk.mode: none\n  insert.mode: insert\n", "connector.delete.enabled"},
      {"  topics: a\n  route.regex: x\n", "connector.route.replacement"},
      {"  topics: a\n  insert.mode: merge\n", "connector.insert.mode"},
      {"  topics: a\n  batch.size: 0\n", "connector.batch.size"},
  };
  for (const Case& c : cases) {
    Config config;
    absl::Status s = Load(std::string(kBase) + c.extra, config);
    EXPECT_FALSE(s.ok()) << c.extra;
    EXPECT_NE(s.message().find(c.key), absl::string_view::npos) << c.extra << " → " << s;
  }
}

}  // namespace
}  // namespace cdcflow::mysql_sink
