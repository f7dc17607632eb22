#include "libs/kafka/stats.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace cdcflow::kafka {
namespace {

// Captured from librdkafka 2.0.2 against the local Kafka 3.9 broker; the producer's queue
// figures were edited to non-zero values.
std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(CDCFLOW_KAFKA_TESTDATA_DIR) + "/" + name);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(KafkaStatsTest, ParsesProducerStatistics) {
  std::string json = ReadTestdata("stats_producer.json");
  ASSERT_FALSE(json.empty());
  absl::StatusOr<ClientStats> stats = ParseStats(json);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->name, "cap#producer-1");
  EXPECT_EQ(stats->client_id, "cap");
  EXPECT_EQ(stats->type, "producer");
  EXPECT_EQ(stats->queue_messages, 1234);
  EXPECT_EQ(stats->queue_bytes, 246800);
  EXPECT_EQ(stats->tx_messages, 1800);
  EXPECT_EQ(stats->tx_bytes, 14090);
  EXPECT_EQ(stats->rx_messages, 0);

  ASSERT_EQ(stats->brokers.size(), 1u);
  EXPECT_EQ(stats->brokers[0].name, "127.0.0.1:9092/1");
  EXPECT_EQ(stats->brokers[0].node_id, 1);
  EXPECT_EQ(stats->brokers[0].state, "UP");
  EXPECT_EQ(stats->brokers[0].rtt_avg_us, 3256);
  EXPECT_EQ(stats->brokers[0].outbuf_messages, 12);
  EXPECT_EQ(stats->brokers[0].inflight_messages, 34);

  // Partition -1 (librdkafka's internal unassigned partition) is left out.
  ASSERT_EQ(stats->partitions.size(), 1u);
  EXPECT_EQ(stats->partitions[0].topic, "dev.public.orders");
  EXPECT_EQ(stats->partitions[0].partition, 0);
  EXPECT_EQ(stats->partitions[0].queued_messages, 1234);
  EXPECT_EQ(stats->partitions[0].consumer_lag, -1);
}

TEST(KafkaStatsTest, ParsesConsumerStatistics) {
  absl::StatusOr<ClientStats> stats = ParseStats(ReadTestdata("stats_consumer.json"));
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->name, "cap#consumer-1");
  EXPECT_EQ(stats->type, "consumer");
  EXPECT_EQ(stats->rx_messages, 1960);
  EXPECT_EQ(stats->rx_bytes, 14500);
  EXPECT_EQ(stats->rebalances, 1);
  // The logical "GroupCoordinator" alias of broker 1 is not a second broker.
  ASSERT_EQ(stats->brokers.size(), 1u);
  EXPECT_EQ(stats->brokers[0].name, "127.0.0.1:9092/1");
  EXPECT_EQ(stats->brokers[0].rtt_avg_us, 503144);
  ASSERT_EQ(stats->partitions.size(), 1u);
  EXPECT_EQ(stats->partitions[0].hi_offset, 2000);
  EXPECT_EQ(stats->partitions[0].committed_offset, 1540);
  EXPECT_EQ(stats->partitions[0].consumer_lag, 460);
}

TEST(KafkaStatsTest, SortsPartitionsAndSkipsNonObjects) {
  absl::StatusOr<ClientStats> stats = ParseStats(R"({
    "name": "x#consumer-3", "type": "consumer", "brokers": [],
    "topics": {
      "b": {"partitions": {"1": {"partition": 1, "consumer_lag": 5},
                           "0": {"partition": 0, "consumer_lag": 7}}},
      "a": {"partitions": {"2": {"partition": 2, "consumer_lag": "oops"}, "x": 3}}
    }})");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_TRUE(stats->brokers.empty());
  ASSERT_EQ(stats->partitions.size(), 3u);
  EXPECT_EQ(stats->partitions[0].topic, "a");
  EXPECT_EQ(stats->partitions[0].consumer_lag, -1);  // not a number: unknown
  EXPECT_EQ(stats->partitions[1].topic, "b");
  EXPECT_EQ(stats->partitions[1].partition, 0);
  EXPECT_EQ(stats->partitions[1].consumer_lag, 7);
  EXPECT_EQ(stats->partitions[2].partition, 1);
  EXPECT_EQ(stats->partitions[2].consumer_lag, 5);
}

TEST(KafkaStatsTest, RejectsWhatIsNotStatistics) {
  EXPECT_EQ(ParseStats("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStats("{\"name\": ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStats("[1, 2]").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStats("{\"brokers\": {}}").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdcflow::kafka
