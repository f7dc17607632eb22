// mysql-sink's error paths with the real binary: records that cannot be decoded or applied go
// to the dead-letter topic with Kafka Connect's headers (errors.tolerance all) or stop the sink
// without committing anything of their batch (none); configuration errors exit 2 naming the
// key; ReplayDeadLetters applies dead-lettered records once the cause is fixed.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/mysql-sink/integration/fixture.h"

namespace cdcflow::mysql_sink::it {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr absl::Duration kApplyTimeout = absl::Seconds(40);
constexpr absl::Duration kExitTimeout = absl::Seconds(30);

class SinkErrorsTest : public SinkIntegrationTest {
 protected:
  // A pre-created table the records do not all fit: code VARCHAR(5), n INT.
  void CreateNarrowTable(const std::string& table) {
    db_->Exec(absl::StrCat("CREATE TABLE ", TestDatabase::Quote(table),
                           " (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(5) NOT NULL, n INT "
                           "NULL)"));
  }
  DebeziumTable Narrow() const {
    return DebeziumTable(id(), "narrow", {{.field = "id", .type = "int64", .optional = false}},
                         {{.field = "id", .type = "int64", .optional = false},
                          {.field = "code", .type = "string", .optional = false},
                          {.field = "n", .type = "int64"}});
  }
  OutRecord Row(int64_t id, const std::string& code, int64_t n) const {
    const DebeziumTable t = Narrow();
    return {.key = t.Key({{"id", id}}), .value = t.Create({{"id", id}, {"code", code}, {"n", n}})};
  }
  std::string Select(const std::string& table) {
    return absl::StrCat("SELECT id, code, n FROM ", TestDatabase::Quote(table), " ORDER BY id");
  }

  absl::StatusOr<v1::ReplayDeadLettersResponse> Replay(int admin_port, const std::string& topic) {
    auto stub = SinkStub(admin_port);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::ReplayDeadLettersRequest request;
    request.set_topic(topic);
    v1::ReplayDeadLettersResponse response;
    grpc::Status s = stub->ReplayDeadLetters(&ctx, request, &response);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    }
    return response;
  }

  // Starts the sink on `config` and waits for it to exit; its exit code (-1: still running).
  int RunToExit(const SinkConfig& config, std::string* stderr_text,
                std::map<std::string, std::string> env = {}) {
    SinkProcess* p = StartSink(config, std::move(env));
    if (p == nullptr) return -1;
    std::optional<int> code = p->WaitExit(kExitTimeout);
    *stderr_text = p->Stderr();
    return code.value_or(-1);
  }
};

TEST_F(SinkErrorsTest, ToleranceAllDeadLettersBadRecordsWithConnectHeadersAndAppliesTheRest) {
  const std::string topic = Topic("narrow");
  CreateTopic(topic);
  const std::string table = TableOf(topic);
  CreateNarrowTable(table);
  const OutRecord malformed{.key = Narrow().Key({{"id", 9}}),
                            .value = R"({"schema":{"type":"struct","fields":[)"};
  const OutRecord too_long = Row(4, "abcdefgh", 4);
  const OutRecord out_of_range = Row(5, "e", 1000000000000);
  Send(topic, {Row(1, "a", 1), malformed, Row(2, "bb", 2), too_long, out_of_range,
               Row(3, "ccccc", -2147483648)});

  SinkConfig config = Config({topic});
  config.connector["errors.tolerance"] = "all";
  config.connector["auto.evolve"] = "false";
  ASSERT_NE(StartSink(config), nullptr);
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 6}}, kApplyTimeout));
  EXPECT_THAT(db_->Rows(Select(table)), ElementsAre(TextRow{"1", "a", "1"}, TextRow{"2", "bb", "2"},
                                                    TextRow{"3", "ccccc", "-2147483648"}));

  // Acknowledged before the offsets were committed: all there already.
  std::vector<InRecord> letters = DeadLetters(topic);
  ASSERT_THAT(letters, SizeIs(3));
  struct Expected {
    const OutRecord* record;
    std::string offset, stage, exception_class, message;
  };
  const Expected expected[] = {
      {&malformed, "1", "VALUE_CONVERTER", "cdcflow.DecodeError", "malformed JSON"},
      {&too_long, "3", "TASK_PUT", "cdcflow.DataError", "Data too long for column 'code'"},
      {&out_of_range, "4", "TASK_PUT", "cdcflow.DataError", "Out of range value for column 'n'"},
  };
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    InRecord& l = letters[i];
    EXPECT_EQ(l.topic, topic + ".DLQ");
    EXPECT_EQ(l.key, expected[i].record->key) << "the key is kept byte for byte";
    EXPECT_EQ(l.value, expected[i].record->value) << "the value is kept byte for byte";
    EXPECT_EQ(l.headers["__connect.errors.topic"], topic);
    EXPECT_EQ(l.headers["__connect.errors.partition"], "0");
    EXPECT_EQ(l.headers["__connect.errors.offset"], expected[i].offset);
    EXPECT_EQ(l.headers["__connect.errors.stage"], expected[i].stage);
    EXPECT_EQ(l.headers["__connect.errors.exception.class.name"], expected[i].exception_class);
    EXPECT_THAT(l.headers["__connect.errors.exception.message"], HasSubstr(expected[i].message));
    EXPECT_EQ(l.headers["__connect.errors.connector.name"], config.name);
  }
  const int port = config.metrics_port;
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_dlq_records_total", {{"topic", topic}}), 3);
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_dlq_records_total",
                         {{"topic", topic}, {"stage", "VALUE_CONVERTER"}}),
            1);
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_dlq_records_total",
                         {{"topic", topic}, {"stage", "TASK_PUT"}}),
            2);
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_records_total", {{"topic", topic}}), 6);
}

TEST_F(SinkErrorsTest, ToleranceNoneExitsOneNamingTheRecordAndCommitsNothingOfItsBatch) {
  const std::string topic = Topic("narrow");
  CreateTopic(topic);
  const std::string table = TableOf(topic);
  CreateNarrowTable(table);
  Send(topic, {Row(1, "a", 1), Row(2, "b", 2), Row(3, "c", 3)});
  SinkConfig config = Config({topic});
  config.connector["auto.evolve"] = "false";
  SinkProcess* first = StartSink(config);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 3}}, kApplyTimeout));
  ASSERT_EQ(first->Stop(absl::Seconds(30)), 0) << first->Stderr();

  // One batch: two good rows, then one too long for `code` (offset 5), then a good one. The
  // good rows are written before the bad one fails, and must be rolled back with it.
  Send(topic, {Row(4, "d", 4), Row(5, "e", 5), Row(6, "toolong", 6), Row(7, "g", 7)});
  std::string err;
  EXPECT_EQ(RunToExit(config, &err), 1) << err;
  EXPECT_THAT(err, HasSubstr(absl::StrCat("record ", topic, "/0@5")));
  EXPECT_THAT(err, HasSubstr("Data too long for column 'code'"));
  EXPECT_THAT(err, HasSubstr("errors.tolerance is none"));
  EXPECT_THAT(db_->Rows(Select(table)),
              ElementsAre(TextRow{"1", "a", "1"}, TextRow{"2", "b", "2"}, TextRow{"3", "c", "3"}));
  EXPECT_EQ(db_->Offsets(config.GroupId(), topic), (std::map<int, int64_t>{{0, 3}}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkErrorsTest, ConfigErrorsExitTwoNamingTheKey) {
  const std::string topic = Topic("cfg");
  struct Case {
    std::string what;
    std::map<std::string, std::string> connector;
    std::map<std::string, std::string> env;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"unknown key", {{"no.such.key", "1"}}, {}, "connector.no.such.key"},
      {"record_value without pk.fields", {{"pk.mode", "record_value"}}, {}, "connector.pk.fields"},
      {"the same from the environment",
       {},
       {{"CDCFLOW_CONNECTOR_PK_MODE", "record_value"}},
       "connector.pk.fields"},
      {"wrong type", {{"batch.size", "many"}}, {}, "connector.batch.size"},
      {"not one of", {{"insert.mode", "merge"}}, {}, "connector.insert.mode"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    SinkConfig config = Config({topic});
    for (const auto& [k, v] : c.connector) config.connector[k] = v;
    std::string err;
    EXPECT_EQ(RunToExit(config, &err, c.env), 2) << err;
    EXPECT_THAT(err, HasSubstr(c.key));
  }
}

TEST_F(SinkErrorsTest, ReplayDeadLettersAppliesThemOnceTheCauseIsFixed) {
  const std::string topic = Topic("narrow");
  const std::string dlq = topic + ".DLQ";
  CreateTopic(topic);
  const std::string table = TableOf(topic);
  CreateNarrowTable(table);
  SinkConfig config = Config({topic});
  config.connector["errors.tolerance"] = "all";
  config.connector["auto.evolve"] = "false";
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Row(1, "ok", 1), Row(2, "much-too-long", 2), Row(3, "fine", 3)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 3}}, kApplyTimeout));
  ASSERT_THAT(DeadLetters(topic), SizeIs(1));

  // Before the fix: it fails again and goes back to the dead-letter topic, still naming
  // where it came from.
  absl::StatusOr<v1::ReplayDeadLettersResponse> again = Replay(config.admin_port, dlq);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->records(), 1);
  EXPECT_EQ(again->applied(), 0);
  EXPECT_EQ(again->failed(), 1);
  std::vector<InRecord> letters = DeadLetters(topic);
  ASSERT_THAT(letters, SizeIs(2));
  EXPECT_EQ(letters[1].headers["__connect.errors.topic"], topic);
  EXPECT_EQ(letters[1].headers["__connect.errors.offset"], "1");
  EXPECT_EQ(letters[1].value, letters[0].value);

  db_->Exec(absl::StrCat("ALTER TABLE ", TestDatabase::Quote(table),
                         " MODIFY code VARCHAR(50) NOT NULL"));
  absl::StatusOr<v1::ReplayDeadLettersResponse> fixed = Replay(config.admin_port, dlq);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->records(), 1) << "only the record appended by the first replay";
  EXPECT_EQ(fixed->applied(), 1);
  EXPECT_EQ(fixed->failed(), 0);
  EXPECT_THAT(db_->Rows(Select(table)),
              ElementsAre(TextRow{"1", "ok", "1"}, TextRow{"2", "much-too-long", "2"},
                          TextRow{"3", "fine", "3"}));

  absl::StatusOr<v1::ReplayDeadLettersResponse> nothing = Replay(config.admin_port, dlq);
  ASSERT_TRUE(nothing.ok()) << nothing.status();
  EXPECT_EQ(nothing->records(), 0);
  EXPECT_EQ(nothing->applied(), 0);
  EXPECT_EQ(nothing->failed(), 0);
  EXPECT_THAT(DeadLetters(topic), SizeIs(2));
  // The replay's position is kept with the rows, beside the source topic's.
  EXPECT_EQ(db_->Offsets(config.GroupId(), dlq), (std::map<int, int64_t>{{0, 2}}));
  EXPECT_EQ(db_->Offsets(config.GroupId(), topic), (std::map<int, int64_t>{{0, 3}}));
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_dlq_records_total"), 2);

  // A topic that does not exist is an error, not an empty replay.
  topics_->Track(topic + ".no-such-dlq");
  absl::StatusOr<v1::ReplayDeadLettersResponse> missing =
      Replay(config.admin_port, topic + ".no-such-dlq");
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace cdcflow::mysql_sink::it
