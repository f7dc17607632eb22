// Producer, Consumer and Admin against the real local broker (deploy/local/up): exact counts,
// order, transactions, committed offsets, and a broker that is not there. Every test
// creates its own uniquely named topics and groups, and deletes its topics at the end.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/kafka/kafka_test_util.h"
#include "tests/testing/testing.h"

namespace cdcflow::kafka {
namespace {

using test::Delivery;
using test::DeliveryCollector;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class KafkaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testutil::KafkaBootstrap();
    absl::Status reachable = testutil::CheckTcpReachable(bootstrap_, absl::Seconds(2));
    ASSERT_TRUE(reachable.ok()) << "Kafka is not reachable at " << bootstrap_ << " ("
                                << reachable.message()
                                << "); start it with deploy/local/up --only kafka";
    auto admin = Admin::Create({.bootstrap_servers = bootstrap_, .on_log = testutil::LogToStderr});
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = std::move(*admin);
  }

  void TearDown() override {
    if (admin_ != nullptr && !topics_.empty()) {
      absl::Status deleted = admin_->DeleteTopics(topics_, absl::Seconds(10));
      if (!deleted.ok()) ADD_FAILURE() << "cleanup: " << deleted;
    }
  }

  // A new topic, deleted after the test.
  std::string CreateTopic(const std::string& prefix, int partitions) {
    std::string name = testutil::UniqueName(absl::StrCat("cdcflow-test-", prefix));
    absl::Status created = admin_->CreateTopic({.name = name, .partitions = partitions});
    EXPECT_TRUE(created.ok()) << created;
    if (created.ok()) topics_.push_back(name);
    return name;
  }

  std::unique_ptr<Producer> MakeProducer(ProducerOptions options) {
    if (options.bootstrap_servers.empty()) options.bootstrap_servers = bootstrap_;
    options.on_log = testutil::LogToStderr;
    auto producer = Producer::Create(std::move(options), registry_);
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  std::unique_ptr<Consumer> MakeConsumer(
      const std::string& group, const std::string& topic,
      IsolationLevel isolation = IsolationLevel::kReadCommitted) {
    auto consumer = Consumer::Create({.bootstrap_servers = bootstrap_,
                                      .group_id = group,
                                      .isolation_level = isolation,
                                      .on_log = testutil::LogToStderr},
                                     registry_);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return nullptr;
    absl::Status subscribed = (*consumer)->Subscribe({topic});
    EXPECT_TRUE(subscribed.ok()) << subscribed;
    return std::move(*consumer);
  }

  // Values of the messages consumed until `last` is seen (included) or `timeout` passes.
  static std::vector<std::string> ConsumeValuesUntil(Consumer& consumer, const std::string& last,
                                                     absl::Duration timeout) {
    std::vector<std::string> values;
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      auto batch = consumer.Poll(absl::Milliseconds(100));
      if (!batch.ok()) {
        ADD_FAILURE() << batch.status();
        return values;
      }
      for (const Message& m : *batch) {
        values.emplace_back(m.value());
        if (values.back() == last) return values;
      }
    }
    ADD_FAILURE() << "'" << last << "' not consumed within " << timeout;
    return values;
  }

  std::string bootstrap_;
  prometheus::Registry registry_;
  std::unique_ptr<Admin> admin_;
  std::vector<std::string> topics_;
};

// (a) 200,000 keyed messages over 4 partitions come back exactly once each, in produce order
// within each partition, at the partition and offset their delivery report named.
TEST_F(KafkaIntegrationTest, ProducesAndConsumesExactlyOnceInOrderPerPartition) {
  constexpr int kMessages = 200'000;
  constexpr int kPartitions = 4;
  constexpr int kKeys = 1000;
  const std::string topic = CreateTopic("exact", kPartitions);

  struct Placement {
    std::atomic<int32_t> partition{-1};
    std::atomic<int64_t> offset{-1};
  };
  std::vector<Placement> placed(kMessages);
  std::atomic<int> delivered{0};
  std::atomic<int> failed{0};
  auto producer = MakeProducer({.on_delivery = [&](const DeliveryReport& r) {
    if (!r.status.ok()) {
      if (failed.fetch_add(1) == 0) ADD_FAILURE() << r.status;
      return;
    }
    placed[r.token].partition.store(r.partition, std::memory_order_relaxed);
    placed[r.token].offset.store(r.offset, std::memory_order_relaxed);
    delivered.fetch_add(1, std::memory_order_relaxed);
  }});
  ASSERT_NE(producer, nullptr);

  for (int seq = 0; seq < kMessages; ++seq) {
    const std::string key = absl::StrCat("key-", seq % kKeys);
    const std::string value = absl::StrCat("seq=", seq, ";", key, ";payload-abcdefghij");
    while (true) {
      absl::Status s = producer->Produce(topic, kPartitionUnassigned, key, value, {},
                                         static_cast<uint64_t>(seq));
      if (s.ok()) break;
      ASSERT_TRUE(absl::IsResourceExhausted(s)) << s;
      producer->Poll(absl::Milliseconds(10));
    }
  }
  ASSERT_TRUE(producer->Flush(absl::Seconds(30)).ok());
  ASSERT_EQ(failed.load(), 0);
  ASSERT_EQ(delivered.load(), kMessages);

  // Each key stayed on one partition; each partition's offsets are exactly 0..n-1.
  std::map<std::string, int32_t> key_partition;
  std::vector<std::vector<int64_t>> offsets(kPartitions);
  for (int seq = 0; seq < kMessages; ++seq) {
    const int32_t p = placed[seq].partition.load();
    ASSERT_GE(p, 0);
    ASSERT_LT(p, kPartitions);
    auto [it, inserted] = key_partition.emplace(absl::StrCat("key-", seq % kKeys), p);
    ASSERT_EQ(it->second, p) << "key " << it->first << " moved partition";
    offsets[p].push_back(placed[seq].offset.load());
  }
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_FALSE(offsets[p].empty()) << "partition " << p << " got nothing";
    std::vector<int64_t> expected(offsets[p].size());
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int64_t>(i);
    // Produced in sequence order, acknowledged at increasing offsets: no reordering.
    EXPECT_EQ(offsets[p], expected) << "partition " << p;
  }

  auto consumer = MakeConsumer(testutil::UniqueName("exact"), topic);
  ASSERT_NE(consumer, nullptr);
  std::vector<bool> seen(kMessages, false);
  std::vector<int> last_seq(kPartitions, -1);
  int consumed = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (consumed < kMessages && absl::Now() < deadline) {
    auto batch = consumer->Poll(absl::Milliseconds(100));
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const Message& m : *batch) {
      const std::string_view value = m.value();
      int seq = -1;
      ASSERT_TRUE(absl::SimpleAtoi(absl::string_view(value.data() + 4, value.find(';') - 4), &seq))
          << value;
      ASSERT_GE(seq, 0);
      ASSERT_LT(seq, kMessages);
      ASSERT_FALSE(seen[seq]) << "duplicate seq " << seq;
      seen[seq] = true;
      ++consumed;
      ASSERT_EQ(m.key(), absl::StrCat("key-", seq % kKeys));
      ASSERT_EQ(m.partition(), placed[seq].partition.load()) << "seq " << seq;
      ASSERT_EQ(m.offset(), placed[seq].offset.load()) << "seq " << seq;
      ASSERT_GT(seq, last_seq[m.partition()]) << "out of order in partition " << m.partition();
      last_seq[m.partition()] = seq;
    }
  }
  ASSERT_EQ(consumed, kMessages);
  // Nothing beyond them: the partitions end exactly where the delivery reports said.
  for (int p = 0; p < kPartitions; ++p) {
    auto marks = consumer->QueryWatermarks(topic, p, absl::Seconds(5));
    ASSERT_TRUE(marks.ok()) << marks.status();
    EXPECT_EQ(marks->first, 0);
    EXPECT_EQ(marks->second, static_cast<int64_t>(offsets[p].size())) << "partition " << p;
  }
  auto extra = consumer->Poll(absl::Milliseconds(300));
  ASSERT_TRUE(extra.ok());
  EXPECT_TRUE(extra->empty());
}

// (b) What an aborted transaction wrote is skipped by read_committed consumers (and seen by
// read_uncommitted ones, which proves it was written); a committed transaction is visible.
TEST_F(KafkaIntegrationTest, AbortedTransactionIsInvisibleToReadCommitted) {
  const std::string topic = CreateTopic("txn", 1);
  DeliveryCollector deliveries;
  auto producer = MakeProducer(
      {.transactional_id = testutil::UniqueName("txn"), .on_delivery = deliveries.Handler()});
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->InitTransactions(absl::Seconds(30)).ok());

  ASSERT_TRUE(producer->BeginTransaction().ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(producer->Produce(topic, 0, "k", absl::StrCat("aborted-", i), {}, i).ok());
  }
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());  // written to the log, then aborted
  ASSERT_TRUE(producer->AbortTransaction(absl::Seconds(10)).ok());

  ASSERT_TRUE(producer->BeginTransaction().ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(producer->Produce(topic, 0, "k", absl::StrCat("committed-", i), {}, 10 + i).ok());
  }
  absl::Status committed = producer->CommitTransaction(absl::Seconds(10));
  ASSERT_TRUE(committed.ok()) << committed;

  auto read_committed = MakeConsumer(testutil::UniqueName("rc"), topic);
  ASSERT_NE(read_committed, nullptr);
  EXPECT_THAT(ConsumeValuesUntil(*read_committed, "committed-2", absl::Seconds(15)),
              ElementsAre("committed-0", "committed-1", "committed-2"));

  auto read_uncommitted =
      MakeConsumer(testutil::UniqueName("ru"), topic, IsolationLevel::kReadUncommitted);
  ASSERT_NE(read_uncommitted, nullptr);
  EXPECT_THAT(ConsumeValuesUntil(*read_uncommitted, "committed-2", absl::Seconds(15)),
              ElementsAre("aborted-0", "aborted-1", "aborted-2", "committed-0", "committed-1",
                          "committed-2"));
}

// Consume → transform → produce in one transaction that also commits the input offsets.
TEST_F(KafkaIntegrationTest, TransactionCommitsConsumerOffsets) {
  const std::string input = CreateTopic("eos-in", 1);
  const std::string output = CreateTopic("eos-out", 1);
  auto plain = MakeProducer({});
  ASSERT_NE(plain, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(plain->Produce(input, 0, "k", absl::StrCat("in-", i), {}, i).ok());
  }
  ASSERT_TRUE(plain->Flush(absl::Seconds(10)).ok());

  const std::string group = testutil::UniqueName("eos");
  auto consumer = MakeConsumer(group, input);
  ASSERT_NE(consumer, nullptr);
  std::vector<std::string> in = ConsumeValuesUntil(*consumer, "in-4", absl::Seconds(15));
  ASSERT_EQ(in.size(), 5u);

  auto producer = MakeProducer({.transactional_id = testutil::UniqueName("eos")});
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->InitTransactions().ok());
  ASSERT_TRUE(producer->BeginTransaction().ok());
  for (size_t i = 0; i < in.size(); ++i) {
    ASSERT_TRUE(producer->Produce(output, 0, "k", absl::StrCat("out-of-", in[i]), {}, i).ok());
  }
  auto metadata = consumer->GetGroupMetadata();
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  absl::Status sent = producer->SendOffsetsToTransaction({{input, 0, 5}}, *metadata);
  ASSERT_TRUE(sent.ok()) << sent;
  absl::Status committed = producer->CommitTransaction();
  ASSERT_TRUE(committed.ok()) << committed;

  auto offsets = consumer->Committed({{input, 0}}, absl::Seconds(10));
  ASSERT_TRUE(offsets.ok()) << offsets.status();
  EXPECT_THAT(*offsets, ElementsAre(TopicPartitionOffset{input, 0, 5}));
  auto reader = MakeConsumer(testutil::UniqueName("eos-check"), output);
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(
      ConsumeValuesUntil(*reader, "out-of-in-4", absl::Seconds(15)),
      ElementsAre("out-of-in-0", "out-of-in-1", "out-of-in-2", "out-of-in-3", "out-of-in-4"));
}

// (c) A consumer that committed offset 4, closed, and came back in the same group starts
// exactly at offset 4.
TEST_F(KafkaIntegrationTest, RestartedConsumerResumesAfterCommittedOffset) {
  const std::string topic = CreateTopic("resume", 1);
  auto producer = MakeProducer({});
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(producer->Produce(topic, 0, "k", absl::StrCat("m", i), {}, i).ok());
  }
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());

  const std::string group = testutil::UniqueName("resume");
  {
    auto first = MakeConsumer(group, topic);
    ASSERT_NE(first, nullptr);
    std::vector<std::string> values = ConsumeValuesUntil(*first, "m3", absl::Seconds(15));
    ASSERT_THAT(values, ElementsAre("m0", "m1", "m2", "m3"));
    // Processed m0..m3: the next offset to consume is 4.
    ASSERT_TRUE(first->CommitSync({{topic, 0, 4}}).ok());
    ASSERT_TRUE(first->Close().ok());
  }
  auto second = MakeConsumer(group, topic);
  ASSERT_NE(second, nullptr);
  auto committed = second->Committed({{topic, 0}}, absl::Seconds(10));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_THAT(*committed, ElementsAre(TopicPartitionOffset{topic, 0, 4}));

  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  std::vector<Message> batch;
  while (batch.empty() && absl::Now() < deadline) {
    auto polled = second->Poll(absl::Milliseconds(100));
    ASSERT_TRUE(polled.ok()) << polled.status();
    batch = std::move(*polled);
  }
  ASSERT_FALSE(batch.empty());
  EXPECT_EQ(batch.front().offset(), 4);
  EXPECT_EQ(batch.front().value(), "m4");
}

// Seek, Pause and Resume on an assigned partition; null values and headers round-trip.
TEST_F(KafkaIntegrationTest, SeekPauseResumeAndRecordShape) {
  const std::string topic = CreateTopic("seek", 1);
  auto producer = MakeProducer({});
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(producer->Produce(topic, 0, "k", absl::StrCat("m", i), {}, i).ok());
  }
  const Header headers[] = {{"op", "d"}, {"trace", std::string_view()}};
  ASSERT_TRUE(producer->Produce(topic, 0, "k", std::string_view(), headers, 9).ok());
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());

  auto consumer = MakeConsumer(testutil::UniqueName("seek"), topic);
  ASSERT_NE(consumer, nullptr);
  std::vector<Message> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (all.size() < 10 && absl::Now() < deadline) {
    auto batch = consumer->Poll(absl::Milliseconds(100));
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (Message& m : *batch) all.push_back(std::move(m));
  }
  ASSERT_EQ(all.size(), 10u);
  const Message& tombstone = all.back();
  EXPECT_FALSE(tombstone.has_value());
  EXPECT_TRUE(tombstone.has_key());
  EXPECT_EQ(tombstone.header("op"), std::optional<std::string_view>("d"));
  ASSERT_TRUE(tombstone.header("trace").has_value());
  EXPECT_EQ(tombstone.header("trace")->data(), nullptr);
  EXPECT_EQ(tombstone.header("absent"), std::nullopt);
  EXPECT_EQ(tombstone.headers().size(), 2u);
  EXPECT_GT(tombstone.timestamp_ms(), 0);

  ASSERT_TRUE(consumer->Seek({topic, 0, 7}, absl::Seconds(5)).ok());
  ASSERT_TRUE(consumer->Pause({{topic, 0}}).ok());
  auto paused = consumer->Poll(absl::Milliseconds(500));
  ASSERT_TRUE(paused.ok());
  EXPECT_TRUE(paused->empty()) << paused->size() << " messages while paused";
  ASSERT_TRUE(consumer->Resume({{topic, 0}}).ok());
  EXPECT_THAT(ConsumeValuesUntil(*consumer, "m8", absl::Seconds(10)), ElementsAre("m7", "m8"));
}

// (d) No broker: the delivery report says the message timed out and why.
TEST_F(KafkaIntegrationTest, ProducerReportsClearErrorWhenBrokerIsDown) {
  const int port = testutil::UnusedLoopbackPort();
  ASSERT_GT(port, 0);
  const std::string address = absl::StrCat("127.0.0.1:", port);
  DeliveryCollector deliveries;
  auto producer = MakeProducer({.bootstrap_servers = address,
                                .properties = {{"message.timeout.ms", "2000"}},
                                .on_delivery = deliveries.Handler()});
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(
      producer->Produce("cdcflow-test-nowhere", kPartitionUnassigned, "k", "v", {}, 77).ok());
  ASSERT_TRUE(deliveries.WaitFor(1, absl::Seconds(10)));
  Delivery report = deliveries.reports()[0];
  EXPECT_EQ(report.token, 77u);
  EXPECT_EQ(report.offset, kOffsetInvalid);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kDeadlineExceeded) << report.status;
  EXPECT_THAT(report.status.message(),
              HasSubstr("deliver message to 'cdcflow-test-nowhere' [-1]: Local: Message timed "
                        "out (_MSG_TIMED_OUT)"));
  EXPECT_THAT(report.status.message(), HasSubstr(absl::StrCat("Connect to ipv4#", address)));
  EXPECT_THAT(report.status.message(), HasSubstr("Connection refused"));
}

// Admin: a compacted topic with 3 partitions, described, created twice, deleted.
TEST_F(KafkaIntegrationTest, AdminCreatesDescribesAndDeletesTopics) {
  const std::string name = testutil::UniqueName("cdcflow-test-admin");
  ASSERT_TRUE(admin_
                  ->CreateTopic({.name = name,
                                 .partitions = 3,
                                 .replication_factor = 1,
                                 .configs = {{"cleanup.policy", "compact"}}})
                  .ok());
  auto configs = admin_->DescribeTopicConfig(name);
  ASSERT_TRUE(configs.ok()) << configs.status();
  EXPECT_EQ(configs->at("cleanup.policy"), "compact");
  auto partitions = admin_->PartitionCount(name);
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  EXPECT_EQ(*partitions, 3);

  absl::Status again = admin_->CreateTopic({.name = name, .partitions = 3});
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  EXPECT_THAT(again.message(), HasSubstr(name));

  absl::Status bad = admin_->CreateTopic(
      {.name = testutil::UniqueName("cdcflow-test-bad"), .configs = {{"cleanup.policy", "x"}}});
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;

  ASSERT_TRUE(admin_->DeleteTopics({name}).ok());
  EXPECT_TRUE(testutil::WaitFor(
      [&] { return absl::IsNotFound(admin_->PartitionCount(name, absl::Seconds(5)).status()); },
      absl::Seconds(10)));
  EXPECT_EQ(admin_->DeleteTopics({name}).code(), absl::StatusCode::kNotFound);
}

// A KRaft broker learns of a new topic a moment after CreateTopics answers; CreateTopic waits
// for that, so the topic is usable at once (schema-registry once failed its start on this in
// CI). Without the wait this fails on a loaded machine (1 run in 4 with both cores busy).
TEST_F(KafkaIntegrationTest, CreatedTopicIsInTheMetadataAtOnce) {
  std::vector<std::string> names;
  for (int i = 0; i < 8; ++i) {
    names.push_back(testutil::UniqueName("cdcflow-test-fresh"));
    ASSERT_TRUE(admin_->CreateTopic({.name = names.back(), .partitions = 2}).ok());
    auto partitions = admin_->PartitionCount(names.back(), absl::Seconds(5));
    ASSERT_TRUE(partitions.ok()) << "topic " << i << ": " << partitions.status();
    EXPECT_EQ(*partitions, 2);
  }
  ASSERT_TRUE(admin_->DeleteTopics(names).ok());
}

// Producer::AwaitTopic on a topic that does not exist: the broker (auto.create.topics.enable,
// as deploy/local's) creates it, and the producer itself then knows its partitions. Producing
// to a partition past the count fails at once only when the producer knows the count; to a
// topic it has not learnt of yet, the message would be queued instead.
TEST_F(KafkaIntegrationTest, ProducerAwaitTopicLetsTheBrokerCreateItAndLearnsItsPartitions) {
  const std::string name = testutil::UniqueName("cdcflow-test-auto");
  ASSERT_TRUE(absl::IsNotFound(admin_->PartitionCount(name, absl::Seconds(5)).status()));
  DeliveryCollector deliveries;
  std::unique_ptr<Producer> producer = MakeProducer({.on_delivery = deliveries.Handler()});
  ASSERT_NE(producer, nullptr);

  absl::StatusOr<int> partitions = producer->AwaitTopic(name, absl::Seconds(20));
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  topics_.push_back(name);
  EXPECT_GE(*partitions, 1);
  absl::StatusOr<int> seen = admin_->PartitionCount(name, absl::Seconds(5));
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(*seen, *partitions);

  absl::Status past_the_end = producer->Produce(name, *partitions, "k", "v", {}, 1);
  EXPECT_EQ(past_the_end.code(), absl::StatusCode::kNotFound) << past_the_end;
  ASSERT_TRUE(producer->Produce(name, 0, "k", "v", {}, 2).ok());
  ASSERT_TRUE(deliveries.WaitFor(1, absl::Seconds(20)));
  EXPECT_TRUE(deliveries.reports()[0].status.ok()) << deliveries.reports()[0].status;
}

TEST_F(KafkaIntegrationTest, AwaitTopicGivesUpOnAMissingTopic) {
  const std::string name = testutil::UniqueName("cdcflow-test-missing");
  const absl::Time start = absl::Now();
  absl::StatusOr<int> partitions = admin_->AwaitTopic(name, absl::Milliseconds(500));
  EXPECT_EQ(partitions.status().code(), absl::StatusCode::kDeadlineExceeded) << partitions.status();
  EXPECT_THAT(partitions.status().message(), HasSubstr(name));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(500));
}

}  // namespace
}  // namespace cdcflow::kafka
