// Exactly once under kill -9: the sink commits its Kafka offsets in the same MariaDB
// transaction as the rows, so however often it dies, the target ends with every record exactly
// once. insert.mode insert makes a duplicate visible (a duplicate key → the dead-letter topic),
// and a lost record shows in COUNT and SUM.

#include <signal.h>

#include <cstdio>
#include <random>
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

using ::testing::IsEmpty;

// Compact Debezium records (declared schemas, envelope with before/after/op): key {id}, value
// after = {id, v}.
std::string KeyOf(int64_t id) {
  return absl::StrCat(
      R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],)"
      R"("optional":false,"name":"eo.public.t.Key"},"payload":{"id":)",
      id, "}}");
}

std::string ValueOf(int64_t id, int64_t v) {
  static const std::string kRow =
      R"({"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},)"
      R"({"type":"int64","optional":false,"field":"v"}],"optional":true,"name":"eo.public.t.Value",)";
  static const std::string kPrefix = absl::StrCat(
      R"({"schema":{"type":"struct","fields":[)", kRow, R"("field":"before"},)", kRow,
      R"("field":"after"},{"type":"string","optional":false,"field":"op"}],"optional":false,)"
      R"("name":"eo.public.t.Envelope"},"payload":{"before":null,"after":{"id":)");
  return absl::StrCat(kPrefix, id, R"(,"v":)", v, R"(},"op":"c"}})");
}

int64_t ValueFor(int64_t id) { return (id * 7919) % 1000003; }

class SinkExactlyOnceTest : public SinkIntegrationTest {
 protected:
  // Produces ids [from, to) round-robin over `partitions` partitions.
  void Produce(const std::string& topic, int64_t from, int64_t to, int partitions) {
    for (int64_t id = from; id < to; ++id) {
      absl::Status s =
          producer_->Produce(topic, OutRecord{.key = KeyOf(id),
                                              .value = ValueOf(id, ValueFor(id)),
                                              .partition = static_cast<int32_t>(id % partitions)});
      ASSERT_TRUE(s.ok()) << s;
    }
    absl::Status s = producer_->Flush(absl::Seconds(120));
    ASSERT_TRUE(s.ok()) << s;
  }

  int64_t Applied(const SinkConfig& config, const std::string& topic) {
    int64_t total = 0;
    for (const auto& [p, next] : db_->Offsets(config.GroupId(), topic)) total += next;
    return total;
  }

  // Every id in [0, n) exactly once, with its value, and nothing dead-lettered.
  void ExpectExactly(const std::string& topic, int64_t n) {
    const std::string table = TestDatabase::Quote(TableOf(topic));
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT COUNT(*) FROM ", table)), n);
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT SUM(id) FROM ", table)), n * (n - 1) / 2);
    int64_t value_sum = 0;
    for (int64_t id = 0; id < n; ++id) value_sum += ValueFor(id);
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT SUM(v) FROM ", table)), value_sum);
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT COUNT(*) FROM ", table,
                                    " WHERE v <> (id * 7919) % "
                                    "1000003 OR id < 0 OR id >= ",
                                    n)),
              0);
    EXPECT_THAT(DeadLetters(topic), IsEmpty()) << "a duplicate insert is dead-lettered";
  }

  int64_t AssignedPartitions(int admin_port) {
    auto stub = AdminStub(admin_port);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetStatusResponse status;
    if (!stub->GetStatus(&ctx, v1::GetStatusRequest(), &status).ok()) return -1;
    for (const v1::ComponentStatus& c : status.components()) {
      if (c.name() == "consumer") return c.counters().at("assigned_partitions");
    }
    return -1;
  }
};

TEST_F(SinkExactlyOnceTest, KillNineAtRandomMomentsNeitherLosesNorDuplicates) {
  // The sink applies well over 100k of these records a second on 2 cores: enough of them that
  // several kills land while it works.
  constexpr int64_t kRecords = 400000;
  constexpr int kPartitions = 3;
  const std::string topic = Topic("eo");
  CreateTopic(topic, kPartitions);
  const absl::Time produce_start = absl::Now();
  Produce(topic, 0, kRecords, kPartitions);
  std::fprintf(stderr, "produced %lld records in %s\n", static_cast<long long>(kRecords),
               absl::FormatDuration(absl::Now() - produce_start).c_str());

  SinkConfig config = Config({topic});
  config.connector["insert.mode"] = "insert";
  config.connector["pk.mode"] = "record_key";
  config.connector["errors.tolerance"] = "all";
  // Static membership: each restart takes its predecessor's place in the group at once
  // instead of waiting for the dead member's session to time out.
  config.kafka_properties["group.instance.id"] = id();
  const std::string table = TableOf(topic);

  const unsigned seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  int kills_mid_stream = 0;
  int64_t applied = 0;
  for (int round = 0; round < 10 && applied < kRecords * 3 / 4; ++round) {
    SinkProcess* sink = StartSink(config);
    ASSERT_NE(sink, nullptr);
    // Once it applies again (it joined the group and resumed), die at a random moment.
    const int64_t before = applied;
    ASSERT_TRUE(testutil::WaitFor([&] { return Applied(config, topic) > before; },
                                  absl::Seconds(60), absl::Milliseconds(20)))
        << "round " << round << ": no progress\n"
        << sink->Stderr();
    const int delay = delay_ms(rng);
    absl::SleepFor(absl::Milliseconds(delay));
    sink->Signal(SIGKILL);
    ASSERT_EQ(sink->WaitExit(absl::Seconds(10)), 128 + SIGKILL) << sink->Stderr();
    applied = Applied(config, topic);
    // The offsets and the rows commit together: at every kill they agree.
    EXPECT_EQ(db_->Count(table), applied) << "round " << round;
    std::fprintf(stderr, "round %d: killed %d ms after progress at %lld of %lld records\n", round,
                 delay, static_cast<long long>(applied), static_cast<long long>(kRecords));
    if (applied < kRecords) ++kills_mid_stream;
  }
  EXPECT_GE(kills_mid_stream, 3) << "too few kills hit the sink while it was applying";

  SinkProcess* last = StartSink(config);
  ASSERT_NE(last, nullptr);
  ASSERT_TRUE(WaitOffsets(config, topic,
                          {{0, (kRecords + 2) / 3}, {1, (kRecords + 1) / 3}, {2, kRecords / 3}},
                          absl::Seconds(120)))
      << Applied(config, topic) << " of " << kRecords;
  ExpectExactly(topic, kRecords);
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_dlq_records_total").value_or(0),
            0);
}

TEST_F(SinkExactlyOnceTest, TwoInstancesOfOneGroupShareThePartitionsAndHandOver) {
  constexpr int kPartitions = 3;
  constexpr int64_t kPart = 30000;
  const std::string topic = Topic("shared");
  CreateTopic(topic, kPartitions);
  SinkConfig a_config = Config({topic});
  a_config.connector["insert.mode"] = "insert";
  a_config.connector["errors.tolerance"] = "all";
  SinkConfig b_config = a_config;  // same name: same group
  b_config.metrics_port = testutil::UnusedLoopbackPort();
  b_config.admin_port = testutil::UnusedLoopbackPort();

  Produce(topic, 0, kPart, kPartitions);
  SinkProcess* a = StartSink(a_config);
  ASSERT_NE(a, nullptr);
  SinkProcess* b = StartSink(b_config);
  ASSERT_NE(b, nullptr);
  // Both members hold partitions: 3 between them, at least one each.
  ASSERT_TRUE(testutil::WaitFor(
      [&] {
        const int64_t pa = AssignedPartitions(a_config.admin_port);
        const int64_t pb = AssignedPartitions(b_config.admin_port);
        return pa > 0 && pb > 0 && pa + pb == kPartitions;
      },
      absl::Seconds(60), absl::Milliseconds(200)))
      << "a:\n"
      << a->Stderr() << "\nb:\n"
      << b->Stderr();

  // Records produced now go to both. Each has applied its share only once all are applied: a
  // part of them (e.g. 45k of 60k) can all be A's, and B's counter still 0 (a flake).
  Produce(topic, kPart, 2 * kPart, kPartitions);
  ASSERT_TRUE(WaitCaughtUp(a_config, topic, absl::Seconds(60)))
      << Applied(a_config, topic) << " of " << 2 * kPart;
  for (const SinkConfig* c : {&a_config, &b_config}) {
    EXPECT_GT(ScrapeMetric(c->metrics_port, "cdcflow_mysql_sink_records_total").value_or(0), 0)
        << "each instance applies its share";
  }

  // A dies: B takes its partitions over where the offsets table says.
  a->Signal(SIGKILL);
  ASSERT_EQ(a->WaitExit(absl::Seconds(10)), 128 + SIGKILL);
  Produce(topic, 2 * kPart, 3 * kPart, kPartitions);
  ASSERT_TRUE(WaitCaughtUp(b_config, topic, absl::Seconds(90)))
      << Applied(b_config, topic) << " of " << 3 * kPart;
  EXPECT_EQ(AssignedPartitions(b_config.admin_port), kPartitions);
  ExpectExactly(topic, 3 * kPart);
  EXPECT_EQ(ScrapeMetric(b_config.metrics_port, "cdcflow_mysql_sink_dlq_records_total").value_or(0),
            0);
}

}  // namespace
}  // namespace cdcflow::mysql_sink::it
