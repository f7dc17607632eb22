// Error paths of the Producer and Consumer against librdkafka's in-process mock cluster:
// broker down, injected request errors, a full queue, an aborted transaction, rebalance
// hooks. Fast and hermetic; the real broker is exercised by kafka_integration_test.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "tests/kafka/kafka_test_util.h"
#include "tests/testing/testing.h"

namespace cdcflow::kafka {
namespace {

using test::Delivery;
using test::DeliveryCollector;
using test::MetricValue;
using test::MockCluster;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTopic[] = "orders";

class KafkaMockClusterTest : public ::testing::Test {
 protected:
  void SetUp() override { cluster_.CreateTopic(kTopic, 2); }

  std::unique_ptr<Producer> MakeProducer(Properties properties = {},
                                         std::string transactional_id = "") {
    auto producer = Producer::Create({.bootstrap_servers = cluster_.bootstrap_servers(),
                                      .transactional_id = std::move(transactional_id),
                                      .properties = std::move(properties),
                                      .statistics_interval = absl::Milliseconds(100),
                                      .on_delivery = deliveries_.Handler(),
                                      .on_log = testutil::LogToStderr},
                                     registry_);
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  MockCluster cluster_{1};
  prometheus::Registry registry_;
  DeliveryCollector deliveries_;
};

TEST_F(KafkaMockClusterTest, DeliversWithTokensPartitionsAndOffsets) {
  auto producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  for (uint64_t token = 0; token < 6; ++token) {
    ASSERT_TRUE(
        producer->Produce(kTopic, static_cast<int32_t>(token % 2), "key", "value", {}, token).ok());
  }
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());
  std::vector<Delivery> reports = deliveries_.reports();
  ASSERT_EQ(reports.size(), 6u);
  std::sort(reports.begin(), reports.end(),
            [](const Delivery& a, const Delivery& b) { return a.token < b.token; });
  for (uint64_t token = 0; token < 6; ++token) {
    const Delivery& r = reports[token];
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.token, token);
    EXPECT_EQ(r.topic, kTopic);
    EXPECT_EQ(r.partition, static_cast<int32_t>(token % 2));
    EXPECT_EQ(r.offset, static_cast<int64_t>(token / 2));  // 0,1,2 on each partition
  }
  EXPECT_EQ(MetricValue(registry_, "cdcflow_kafka_producer_delivered_total",
                        {{"client", producer->name()}}),
            6);
  // The statistics reach the metrics: librdkafka counted the 6 messages it sent.
  EXPECT_TRUE(testutil::WaitFor(
      [&] {
        return MetricValue(registry_, "cdcflow_kafka_tx_messages_total",
                           {{"client", producer->name()}}) == 6;
      },
      absl::Seconds(5)));
}

TEST_F(KafkaMockClusterTest, IdleProducerStillGetsItsReportsOnThePollThread) {
  auto producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->Produce(kTopic, 1, "k", "v", {}, 5).ok());
  // No Poll(), no Flush(): the poll thread takes over once the caller is quiet.
  ASSERT_TRUE(deliveries_.WaitFor(1, absl::Seconds(5)));
  Delivery report = deliveries_.reports()[0];
  EXPECT_TRUE(report.status.ok()) << report.status;
  EXPECT_EQ(report.token, 5u);
  EXPECT_EQ(report.offset, 0);
  EXPECT_NE(report.thread, std::this_thread::get_id());
}

TEST_F(KafkaMockClusterTest, WithoutPollThreadHandlersRunInsidePoll) {
  auto producer = Producer::Create({.bootstrap_servers = cluster_.bootstrap_servers(),
                                    .poll_thread = false,
                                    .on_delivery = deliveries_.Handler()},
                                   registry_);
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (uint64_t token = 0; token < 3; ++token) {
    ASSERT_TRUE((*producer)->Produce(kTopic, 0, "k", "v", {}, token).ok());
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (deliveries_.reports().size() < 3 && absl::Now() < deadline) {
    (*producer)->Poll(absl::Milliseconds(100));
  }
  std::vector<Delivery> reports = deliveries_.reports();
  ASSERT_EQ(reports.size(), 3u);
  std::vector<int64_t> offsets;
  for (const Delivery& r : reports) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.thread, std::this_thread::get_id());
    offsets.push_back(r.offset);
  }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_THAT(offsets, ElementsAre(0, 1, 2));
}

TEST_F(KafkaMockClusterTest, BrokerDownReportsTimeoutNamingTheBrokerError) {
  auto producer = MakeProducer({{"message.timeout.ms", "4000"}});
  ASSERT_NE(producer, nullptr);
  rd_kafka_mock_broker_set_down(cluster_.get(), 1);
  ASSERT_TRUE(producer->Produce(kTopic, 0, "k", "v", {}, 42).ok());
  ASSERT_TRUE(deliveries_.WaitFor(1, absl::Seconds(10)));
  Delivery report = deliveries_.reports()[0];
  EXPECT_EQ(report.token, 42u);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kDeadlineExceeded) << report.status;
  EXPECT_THAT(report.status.message(), HasSubstr("deliver message to 'orders' [0]"));
  EXPECT_THAT(report.status.message(), HasSubstr("Message timed out (_MSG_TIMED_OUT)"));
  EXPECT_THAT(report.status.message(), HasSubstr("last broker error: ")) << report.status;
  EXPECT_EQ(MetricValue(registry_, "cdcflow_kafka_producer_delivery_errors_total",
                        {{"client", producer->name()}}),
            1);
}

TEST_F(KafkaMockClusterTest, PermanentProduceErrorIsReportedWithItsCode) {
  auto producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  rd_kafka_mock_push_request_errors(cluster_.get(), test::kApiProduce, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  ASSERT_TRUE(producer->Produce(kTopic, 1, "k", "v", {}, 7).ok());
  ASSERT_TRUE(deliveries_.WaitFor(1, absl::Seconds(10)));
  Delivery report = deliveries_.reports()[0];
  EXPECT_EQ(report.token, 7u);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kPermissionDenied) << report.status;
  EXPECT_THAT(report.status.message(), HasSubstr("TOPIC_AUTHORIZATION_FAILED"));
}

TEST_F(KafkaMockClusterTest, RetriableProduceErrorsAreRetriedWithoutDuplicates) {
  auto producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  rd_kafka_mock_push_request_errors(
      cluster_.get(), test::kApiProduce, 3, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  for (uint64_t token = 0; token < 5; ++token) {
    ASSERT_TRUE(producer->Produce(kTopic, 0, "k", absl::StrCat("v", token), {}, token).ok());
  }
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());
  std::vector<int64_t> offsets;
  for (const Delivery& r : deliveries_.reports()) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    offsets.push_back(r.offset);
  }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_THAT(offsets, ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(KafkaMockClusterTest, FullQueueIsResourceExhaustedAndCloseCancelsTheRest) {
  rd_kafka_mock_broker_set_down(cluster_.get(), 1);  // nothing leaves the queue
  std::string name;
  {
    auto producer = Producer::Create({.bootstrap_servers = cluster_.bootstrap_servers(),
                                      .properties = {{"queue.buffering.max.messages", "3"}},
                                      .close_timeout = absl::Milliseconds(200),
                                      .on_delivery = deliveries_.Handler()},
                                     registry_);
    ASSERT_TRUE(producer.ok()) << producer.status();
    name = (*producer)->name();
    for (uint64_t token = 0; token < 3; ++token) {
      ASSERT_TRUE((*producer)->Produce(kTopic, 0, "k", "v", {}, token).ok());
    }
    absl::Status full = (*producer)->Produce(kTopic, 0, "k", "v", {}, 3);
    EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(full.message(),
              "produce to 'orders' [0]: Failed to produce message: Local: Queue full "
              "(_QUEUE_FULL)");
    EXPECT_EQ(MetricValue(registry_, "cdcflow_kafka_producer_queue_full_total", {{"client", name}}),
              1);
  }
  // Destroyed: the three queued messages were purged and reported, none silently dropped.
  std::vector<Delivery> reports = deliveries_.reports();
  ASSERT_EQ(reports.size(), 3u);
  for (const Delivery& r : reports) {
    EXPECT_EQ(r.status.code(), absl::StatusCode::kCancelled) << r.status;
    EXPECT_THAT(r.status.message(), HasSubstr("_PURGE_QUEUE"));
  }
  // The client's series left the registry with it.
  EXPECT_EQ(MetricValue(registry_, "cdcflow_kafka_producer_queue_full_total", {{"client", name}}),
            std::nullopt);
}

TEST_F(KafkaMockClusterTest, NullKeyNullValueAndHeadersAreAccepted) {
  auto producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  const Header headers[] = {{"source", "pg"}, {"nullable", std::string_view()}};
  ASSERT_TRUE(
      producer->Produce(kTopic, 0, std::string_view(), std::string_view(), headers, 1).ok());
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());
  ASSERT_EQ(deliveries_.reports().size(), 1u);
  EXPECT_TRUE(deliveries_.reports()[0].status.ok());
}

TEST_F(KafkaMockClusterTest, AbortableTransactionErrorIsAbortedAndAbortSucceeds) {
  auto producer = MakeProducer({}, "txn-1");
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->InitTransactions(absl::Seconds(10)).ok());
  ASSERT_TRUE(producer->BeginTransaction().ok());
  // A permanent error for a message of the transaction makes the transaction abortable.
  rd_kafka_mock_push_request_errors(cluster_.get(), test::kApiProduce, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  ASSERT_TRUE(producer->Produce(kTopic, 0, "k", "lost", {}, 1).ok());
  absl::Status commit = producer->CommitTransaction(absl::Seconds(10));
  EXPECT_EQ(commit.code(), absl::StatusCode::kAborted) << commit;
  EXPECT_THAT(commit.message(), HasSubstr("commit transaction: "));
  EXPECT_THAT(commit.message(), HasSubstr("transaction must be aborted"));
  absl::Status abort = producer->AbortTransaction(absl::Seconds(10));
  EXPECT_TRUE(abort.ok()) << abort;
  ASSERT_TRUE(deliveries_.WaitFor(1, absl::Seconds(5)));
  Delivery report = deliveries_.reports()[0];
  EXPECT_EQ(report.token, 1u);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kInvalidArgument) << report.status;
  EXPECT_THAT(report.status.message(), HasSubstr("MSG_SIZE_TOO_LARGE"));
}

TEST_F(KafkaMockClusterTest, ConsumerHooksCommitAndCommitted) {
  auto producer = MakeProducer();
  ASSERT_NE(producer, nullptr);
  for (uint64_t i = 0; i < 6; ++i) {
    ASSERT_TRUE(producer
                    ->Produce(kTopic, static_cast<int32_t>(i % 2), absl::StrCat("k", i),
                              absl::StrCat("v", i), {}, i)
                    .ok());
  }
  ASSERT_TRUE(producer->Flush(absl::Seconds(10)).ok());

  std::vector<TopicPartition> assigned;
  std::vector<TopicPartition> revoked;
  auto consumer = Consumer::Create({.bootstrap_servers = cluster_.bootstrap_servers(),
                                    .group_id = "sink",
                                    .on_assigned =
                                        [&](const std::vector<TopicPartition>& p) {
                                          assigned.insert(assigned.end(), p.begin(), p.end());
                                        },
                                    .on_revoked =
                                        [&](const std::vector<TopicPartition>& p, bool lost) {
                                          EXPECT_FALSE(lost);
                                          revoked.insert(revoked.end(), p.begin(), p.end());
                                        },
                                    .on_log = testutil::LogToStderr},
                                   registry_);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE((*consumer)->Subscribe({kTopic}).ok());
  std::set<std::string> values;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (values.size() < 6 && absl::Now() < deadline) {
    auto batch = (*consumer)->Poll(absl::Milliseconds(100));
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const Message& m : *batch) values.insert(std::string(m.value()));
  }
  EXPECT_EQ(values, (std::set<std::string>{"v0", "v1", "v2", "v3", "v4", "v5"}));
  std::sort(assigned.begin(), assigned.end());
  EXPECT_THAT(assigned, ElementsAre(TopicPartition{kTopic, 0}, TopicPartition{kTopic, 1}));

  ASSERT_TRUE((*consumer)->CommitSync({{kTopic, 0, 3}, {kTopic, 1, 2}}).ok());
  auto committed = (*consumer)->Committed({{kTopic, 0}, {kTopic, 1}}, absl::Seconds(5));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_THAT(*committed,
              ElementsAre(TopicPartitionOffset{kTopic, 0, 3}, TopicPartitionOffset{kTopic, 1, 2}));

  ASSERT_TRUE((*consumer)->Close().ok());
  std::sort(revoked.begin(), revoked.end());
  EXPECT_THAT(revoked, ElementsAre(TopicPartition{kTopic, 0}, TopicPartition{kTopic, 1}));
}

}  // namespace
}  // namespace cdcflow::kafka
