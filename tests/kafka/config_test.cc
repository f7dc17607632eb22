// Defaults the wrappers create clients with, and configuration errors.

#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"

namespace cdcflow::kafka {
namespace {

using ::testing::HasSubstr;

TEST(KafkaConfigTest, ProducerDefaults) {
  Properties p = ProducerProperties({.bootstrap_servers = "b:9092"});
  EXPECT_EQ(p.at("bootstrap.servers"), "b:9092");
  EXPECT_EQ(p.at("client.id"), "cdcflow");
  EXPECT_EQ(p.at("enable.idempotence"), "true");
  EXPECT_EQ(p.at("acks"), "all");
  EXPECT_EQ(p.at("partitioner"), "murmur2_random");
  EXPECT_EQ(p.at("statistics.interval.ms"), "15000");
  EXPECT_FALSE(p.contains("transactional.id"));
}

TEST(KafkaConfigTest, ProducerPassthroughWinsOverDefaults) {
  Properties p = ProducerProperties({.bootstrap_servers = "b:9092",
                                     .transactional_id = "agg-1",
                                     .properties = {{"linger.ms", "20"}, {"acks", "1"}},
                                     .statistics_interval = absl::ZeroDuration()});
  EXPECT_EQ(p.at("transactional.id"), "agg-1");
  EXPECT_EQ(p.at("linger.ms"), "20");
  EXPECT_EQ(p.at("acks"), "1");
  EXPECT_EQ(p.at("statistics.interval.ms"), "0");
}

TEST(KafkaConfigTest, ConsumerDefaults) {
  Properties p = ConsumerProperties({.bootstrap_servers = "b:9092", .group_id = "sink"});
  EXPECT_EQ(p.at("group.id"), "sink");
  EXPECT_EQ(p.at("partition.assignment.strategy"), "cooperative-sticky");
  EXPECT_EQ(p.at("enable.auto.commit"), "false");
  EXPECT_EQ(p.at("enable.auto.offset.store"), "false");
  EXPECT_EQ(p.at("auto.offset.reset"), "earliest");
  EXPECT_EQ(p.at("isolation.level"), "read_committed");

  p = ConsumerProperties({.bootstrap_servers = "b:9092",
                          .group_id = "sink",
                          .isolation_level = IsolationLevel::kReadUncommitted,
                          .properties = {{"auto.offset.reset", "latest"}}});
  EXPECT_EQ(p.at("isolation.level"), "read_uncommitted");
  EXPECT_EQ(p.at("auto.offset.reset"), "latest");
}

TEST(KafkaConfigTest, UnknownPropertyIsInvalidArgumentNamingIt) {
  prometheus::Registry registry;
  auto producer = Producer::Create(
      {.bootstrap_servers = "127.0.0.1:1", .properties = {{"linger.msec", "5"}}}, registry);
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("'linger.msec'"));

  auto consumer = Consumer::Create({.bootstrap_servers = "127.0.0.1:1",
                                    .group_id = "g",
                                    .properties = {{"fetch.wait.max.ms", "soon"}}},
                                   registry);
  ASSERT_FALSE(consumer.ok());
  EXPECT_EQ(consumer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(consumer.status().message(), HasSubstr("'fetch.wait.max.ms'"));

  auto admin =
      Admin::Create({.bootstrap_servers = "127.0.0.1:1", .properties = {{"no.such.thing", "1"}}});
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KafkaConfigTest, MissingRequiredSettingsAreInvalidArgument) {
  prometheus::Registry registry;
  EXPECT_EQ(Producer::Create({}, registry).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Consumer::Create({.bootstrap_servers = "127.0.0.1:1"}, registry).status().code(),
            absl::StatusCode::kInvalidArgument);
  // librdkafka's own consistency checks surface the same way.
  auto producer = Producer::Create({.bootstrap_servers = "127.0.0.1:1",
                                    .properties = {{"enable.idempotence", "true"}, {"acks", "1"}}},
                                   registry);
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("create producer"));
}

}  // namespace
}  // namespace cdcflow::kafka
