#pragma once

// The gtest fixture every mysql-sink integration test derives from: a MariaDB database of its
// own (created in SetUp, dropped in TearDown), Kafka topics created up front and deleted at the
// end (with the dead-letter topics the sink created), a producer, and the sink processes,
// stopped before the database goes, with their logs printed when the test failed.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/mysql-sink/integration/harness.h"
#include "tests/testing/testing.h"

namespace cdcflow::mysql_sink::it {

class SinkIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status kafka = testutil::CheckTcpReachable(testutil::KafkaBootstrap(), absl::Seconds(2));
    ASSERT_TRUE(kafka.ok()) << kafka << " — start it with deploy/local/up";
    absl::Status mariadb = testutil::CheckTcpReachable(
        absl::StrCat(LocalMysql().host, ":", LocalMysql().port), absl::Seconds(2));
    ASSERT_TRUE(mariadb.ok()) << mariadb << " — start it with deploy/local/up";
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto topics = TopicSet::Create();
    ASSERT_TRUE(topics.ok()) << topics.status();
    topics_ = std::move(*topics);
    auto producer = RecordProducer::Create();
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }

  void TearDown() override {
    for (size_t i = 0; i < sinks_.size(); ++i) {
      SinkProcess& sink = *sinks_[i];
      // Running and past startup (a SIGTERM before main() installed its handlers kills it).
      const bool was_running = sink.Running() && sink.WaitStarted(absl::ZeroDuration());
      const std::optional<int> code = sink.Stop(absl::Seconds(30));
      // SIGTERM is the graceful stop: finish the batch in hand, exit 0.
      if (was_running) {
        EXPECT_EQ(code, 0) << "mysql-sink run " << i << " did not stop cleanly";
      }
      if (HasFailure() || !code.has_value() || (was_running && code != 0)) {
        std::fprintf(stderr, "---- mysql-sink run %zu (exit %s), stderr:\n%s----\n", i,
                     code ? std::to_string(*code).c_str() : "none", sink.Stderr().c_str());
      }
    }
    sinks_.clear();
    db_.reset();
    producer_.reset();
    topics_.reset();
  }

  const std::string& id() const { return db_->name(); }

  // "<id>.public.<table>": what cdc-capture would name the topic of public.<table>.
  std::string Topic(const std::string& table) const {
    return absl::StrCat(id(), ".public.", table);
  }
  // The table the sink writes a topic to without a route: dots become underscores.
  static std::string TableOf(const std::string& topic) {
    return absl::StrReplaceAll(topic, {{".", "_"}});
  }

  // Creates the topic; its dead-letter topic "<topic>.DLQ" is deleted at the end too.
  void CreateTopic(const std::string& topic, int partitions = 1) {
    absl::Status s = topics_->Add(topic, partitions);
    ASSERT_TRUE(s.ok()) << s;
    topics_->Track(topic + ".DLQ");
  }

  // A sink of `topics` into the test database, named after the test (unique consumer group),
  // metrics and admin on free ports; rejoining the group after a kill takes seconds, not 45.
  SinkConfig Config(const std::vector<std::string>& topics) {
    SinkConfig c;
    c.name = id();
    c.database = db_->name();
    c.topics = topics;
    c.metrics_port = testutil::UnusedLoopbackPort();
    c.admin_port = testutil::UnusedLoopbackPort();
    c.kafka_properties = {{"session.timeout.ms", "6000"},
                          {"heartbeat.interval.ms", "500"},
                          {"topic.metadata.refresh.interval.ms", "1000"}};
    return c;
  }

  SinkProcess* StartSink(const SinkConfig& config, std::map<std::string, std::string> env = {}) {
    auto p = SinkProcess::Start(id(), config.Yaml(), std::move(env));
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return nullptr;
    sinks_.push_back(std::move(*p));
    return sinks_.back().get();
  }

  void Send(const std::string& topic, const std::vector<OutRecord>& records) {
    absl::Status s = producer_->Send(topic, records);
    ASSERT_TRUE(s.ok()) << s;
  }

  // Polls the offsets table until the group's next offsets of `topic` equal `expected`
  // (partition → offset); true when they did within `timeout`.
  bool WaitOffsets(const SinkConfig& config, const std::string& topic,
                   const std::map<int, int64_t>& expected,
                   absl::Duration timeout = absl::Seconds(30)) {
    bool gave_up = false;
    const bool reached = testutil::WaitFor(
        [&] {
          if (db_->Offsets(config.GroupId(), topic) == expected) return true;
          // Every sink exited: nothing more will be applied.
          gave_up = !AnySinkRunning();
          return gave_up;
        },
        timeout, absl::Milliseconds(100));
    return reached && !gave_up;
  }
  bool AnySinkRunning() {
    for (auto& sink : sinks_) {
      if (sink->Running()) return true;
    }
    return false;
  }
  // The same, up to the topic's current end.
  bool WaitCaughtUp(const SinkConfig& config, const std::string& topic,
                    absl::Duration timeout = absl::Seconds(30)) {
    absl::StatusOr<std::map<int, int64_t>> ends = EndOffsets(topic);
    EXPECT_TRUE(ends.ok()) << ends.status();
    if (!ends.ok()) return false;
    std::map<int, int64_t> expected;
    for (const auto& [p, end] : *ends) {
      if (end > 0) expected[p] = end;
    }
    return WaitOffsets(config, topic, expected, timeout);
  }

  // Pause / Resume through the admin API; false (and a test failure) when the call failed.
  bool SetPaused(const SinkConfig& config, bool paused) {
    auto admin = AdminStub(config.admin_port);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s;
    if (paused) {
      v1::PauseResponse response;
      s = admin->Pause(&ctx, v1::PauseRequest(), &response);
    } else {
      v1::ResumeResponse response;
      s = admin->Resume(&ctx, v1::ResumeRequest(), &response);
    }
    EXPECT_TRUE(s.ok()) << (paused ? "Pause: " : "Resume: ") << s.error_message();
    return s.ok();
  }

  // The dead-letter records of `topic` (none when the sink never created the topic).
  std::vector<InRecord> DeadLetters(const std::string& topic) {
    absl::StatusOr<std::vector<InRecord>> records = ReadTopic(topic + ".DLQ");
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<InRecord>{};
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TopicSet> topics_;
  std::unique_ptr<RecordProducer> producer_;
  std::vector<std::unique_ptr<SinkProcess>> sinks_;
};

}  // namespace cdcflow::mysql_sink::it
