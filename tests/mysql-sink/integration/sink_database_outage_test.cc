// The database goes away under the sink: the sink reaches MariaDB through a TCP proxy the test
// cuts (connections reset, new ones refused) and restores, without disturbing the shared
// MariaDB. The sink retries the batch (max.retries, retry.backoff.ms), never moves its offsets
// while the database is down, and ends with every record exactly once; when the retries run
// out it exits 1 and a later restart completes the data.

#include <signal.h>

#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/mysql-sink/integration/fixture.h"

namespace cdcflow::mysql_sink::it {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SinkOutageTest : public SinkIntegrationTest {
 protected:
  void SetUp() override {
    SinkIntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    auto proxy = TcpProxy::Start(LocalMysql().port);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
  }
  void TearDown() override {
    if (proxy_) (void)proxy_->Up();  // let a running sink finish cleanly
    SinkIntegrationTest::TearDown();
    proxy_.reset();
  }

  DebeziumTable Table() const {
    return DebeziumTable(
        id(), "t", {{.field = "id", .type = "int64", .optional = false}},
        {{.field = "id", .type = "int64", .optional = false}, {.field = "v", .type = "string"}});
  }
  // ids [from, to) over `partitions` partitions.
  void Produce(const std::string& topic, int64_t from, int64_t to, int partitions = 2) {
    const DebeziumTable t = Table();
    for (int64_t id = from; id < to; ++id) {
      absl::Status s = producer_->Produce(
          topic, OutRecord{.key = t.Key({{"id", id}}),
                           .value = t.Create({{"id", id}, {"v", absl::StrCat("v", id)}}),
                           .partition = static_cast<int32_t>(id % partitions)});
      ASSERT_TRUE(s.ok()) << s;
    }
    absl::Status s = producer_->Flush();
    ASSERT_TRUE(s.ok()) << s;
  }
  int64_t Applied(const SinkConfig& config, const std::string& topic) {
    int64_t total = 0;
    for (const auto& [p, next] : db_->Offsets(config.GroupId(), topic)) total += next;
    return total;
  }
  void ExpectExactly(const std::string& topic, int64_t n) {
    const std::string table = TestDatabase::Quote(TableOf(topic));
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT COUNT(*) FROM ", table)), n);
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT SUM(id) FROM ", table)), n * (n - 1) / 2);
    EXPECT_EQ(db_->Int(absl::StrCat("SELECT COUNT(*) FROM ", table, " WHERE v <> CONCAT('v', id)")),
              0);
    EXPECT_THAT(DeadLetters(topic), IsEmpty()) << "a duplicate insert is dead-lettered";
  }
  SinkConfig ProxiedConfig(const std::string& topic) {
    SinkConfig config = Config({topic});
    config.mysql_port = proxy_->port();
    config.connector["insert.mode"] = "insert";
    config.connector["errors.tolerance"] = "all";
    config.connector["retry.backoff.ms"] = "250";
    config.connector["batch.size"] = "500";
    return config;
  }
  double Retries(const SinkConfig& config) {
    return ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_retries_total").value_or(-1);
  }

  std::unique_ptr<TcpProxy> proxy_;
};

TEST_F(SinkOutageTest, CutsDuringTheLoadAreRetriedAndEndExactlyOnce) {
  const std::string topic = Topic("outage");
  CreateTopic(topic, 2);
  SinkConfig config = ProxiedConfig(topic);
  config.connector["max.retries"] = "1000";
  SinkProcess* sink = StartSink(config);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->WaitStarted());

  const unsigned seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 100);
  // Large enough that the sink (well over 50k records a second) is still applying the phase
  // when the cut comes; the records produced while it is down make it retry in any case.
  constexpr int64_t kPhase = 30000;
  constexpr int64_t kWhileDown = 1000;
  int64_t produced = 0;
  int cuts_mid_load = 0;
  for (int cut = 0; cut < 3; ++cut) {
    SCOPED_TRACE(absl::StrCat("cut ", cut));
    const int64_t base = Applied(config, topic);
    // The phase waits in Kafka while the sink is paused, so the cut comes while it applies it.
    ASSERT_TRUE(SetPaused(config, true));
    absl::SleepFor(absl::Milliseconds(500));
    Produce(topic, produced, produced + kPhase);
    produced += kPhase;
    ASSERT_TRUE(SetPaused(config, false));
    ASSERT_TRUE(testutil::WaitFor([&] { return Applied(config, topic) > base; }, absl::Seconds(60),
                                  absl::Milliseconds(5)));
    absl::SleepFor(absl::Milliseconds(delay_ms(rng)));
    const double retries_before = Retries(config);
    proxy_->Down();
    Produce(topic, produced, produced + kWhileDown);
    produced += kWhileDown;
    ASSERT_TRUE(
        testutil::WaitFor([&] { return Retries(config) > retries_before; }, absl::Seconds(30)))
        << "no retry counted";
    // A commit sent just before the cut may still land: read the position once it settled.
    absl::SleepFor(absl::Milliseconds(300));
    const int64_t frozen = Applied(config, topic);
    if (frozen < produced - kWhileDown) ++cuts_mid_load;
    std::fprintf(stderr, "cut %d: offsets at %lld, %lld produced\n", cut,
                 static_cast<long long>(frozen), static_cast<long long>(produced));
    EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_database_up"), 0);
    absl::SleepFor(absl::Seconds(2));
    EXPECT_EQ(Applied(config, topic), frozen) << "the offsets moved while the database was down";
    EXPECT_LT(frozen, produced);
    ASSERT_TRUE(proxy_->Up().ok());
  }
  ASSERT_TRUE(WaitCaughtUp(config, topic, absl::Seconds(60)))
      << Applied(config, topic) << " of " << produced;
  ExpectExactly(topic, produced);
  EXPECT_GE(Retries(config), 3);
  EXPECT_GE(cuts_mid_load, 1) << "no cut came while the sink was applying";
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_database_up"), 1);
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_dlq_records_total").value_or(0),
            0);
}

TEST_F(SinkOutageTest, RetriesExhaustedExitOneAndARestartCompletesTheData) {
  const std::string topic = Topic("giveup");
  CreateTopic(topic, 2);
  SinkConfig config = ProxiedConfig(topic);
  config.connector["max.retries"] = "1";
  config.connector["retry.backoff.ms"] = "200";
  Produce(topic, 0, 100);
  SinkProcess* first = StartSink(config);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(WaitCaughtUp(config, topic));

  proxy_->Down();
  Produce(topic, 100, 200);
  ASSERT_EQ(first->WaitExit(absl::Seconds(30)), 1) << first->Stderr();
  const std::string err = first->Stderr();
  EXPECT_THAT(err, HasSubstr("giving up after 1 retries (max.retries)"));
  EXPECT_EQ(db_->Offsets(config.GroupId(), topic), (std::map<int, int64_t>{{0, 50}, {1, 50}}));
  EXPECT_EQ(db_->Count(TableOf(topic)), 100);

  // Starting while the database is still away fails the same way, at startup.
  SinkProcess* second = StartSink(config);
  ASSERT_NE(second, nullptr);
  ASSERT_EQ(second->WaitExit(absl::Seconds(30)), 1) << second->Stderr();
  EXPECT_THAT(second->Stderr(), HasSubstr("mysql-sink: start: "));

  ASSERT_TRUE(proxy_->Up().ok());
  ASSERT_NE(StartSink(config), nullptr);
  ASSERT_TRUE(WaitCaughtUp(config, topic));
  EXPECT_EQ(db_->Offsets(config.GroupId(), topic), (std::map<int, int64_t>{{0, 100}, {1, 100}}));
  ExpectExactly(topic, 200);
}

TEST_F(SinkOutageTest, SigtermWhileAReplayWaitsBehindARetryingBatchStopsCleanly) {
  const std::string topic = Topic("replay_stop");
  CreateTopic(topic, 1);
  SinkConfig config = ProxiedConfig(topic);
  config.connector["max.retries"] = "1000";
  SinkProcess* sink = StartSink(config);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->WaitStarted());
  Produce(topic, 0, 1, 1);
  ASSERT_TRUE(WaitCaughtUp(config, topic));

  // The database goes away under a batch: the loop sleeps between retries.
  proxy_->Down();
  Produce(topic, 1, 2, 1);
  ASSERT_TRUE(testutil::WaitFor([&] { return Retries(config) > 0; }, absl::Seconds(30)));

  // A replay is queued for the loop, which is busy retrying; then the sink is told to stop.
  grpc::Status replay_status;
  absl::Duration replay_took;
  std::thread replay([&] {
    auto stub = SinkStub(config.admin_port);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::ReplayDeadLettersRequest request;
    request.set_topic(topic + ".DLQ");
    v1::ReplayDeadLettersResponse response;
    const absl::Time start = absl::Now();
    replay_status = stub->ReplayDeadLetters(&ctx, request, &response);
    replay_took = absl::Now() - start;
  });
  absl::SleepFor(absl::Seconds(1));
  sink->Signal(SIGTERM);
  const std::optional<int> code = sink->WaitExit(absl::Seconds(45));
  replay.join();
  EXPECT_EQ(code, 0) << "a pending replay must not keep the sink from stopping";
  EXPECT_FALSE(replay_status.ok()) << "the replay never ran";
  EXPECT_LT(replay_took, absl::Seconds(20)) << replay_status.error_message();
  EXPECT_EQ(db_->Offsets(config.GroupId(), topic), (std::map<int, int64_t>{{0, 1}}));
}

}  // namespace
}  // namespace cdcflow::mysql_sink::it
