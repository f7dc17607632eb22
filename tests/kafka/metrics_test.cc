#include "libs/kafka/metrics.h"

#include <map>
#include <optional>
#include <string>

#include <prometheus/registry.h>

#include "gtest/gtest.h"
#include "libs/kafka/stats.h"
#include "tests/kafka/kafka_test_util.h"

namespace cdcflow::kafka {
namespace {

using test::MetricValue;

ClientStats ConsumerStats(int64_t rx_messages, int64_t lag) {
  ClientStats stats;
  stats.name = "svc#consumer-2";
  stats.type = "consumer";
  stats.rx_messages = rx_messages;
  stats.rx_bytes = rx_messages * 100;
  stats.rebalances = 1;
  stats.brokers = {{.name = "127.0.0.1:9092/1", .node_id = 1, .rtt_avg_us = 2500}};
  stats.partitions = {{.topic = "orders", .partition = 0, .consumer_lag = lag},
                      {.topic = "orders", .partition = 1, .consumer_lag = 7}};
  return stats;
}

TEST(KafkaMetricsTest, ExportsConsumerStatistics) {
  prometheus::Registry registry;
  ClientMetrics metrics(registry, "svc#consumer-2", ClientMetrics::Kind::kConsumer);
  metrics.Update(ConsumerStats(/*rx_messages=*/1000, /*lag=*/460));

  const std::map<std::string, std::string> client = {{"client", "svc#consumer-2"}};
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_rx_messages_total", client), 1000);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_rx_bytes_total", client), 100000);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_consumer_rebalances_total", client), 1);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_broker_rtt_avg_seconds",
                        {{"client", "svc#consumer-2"}, {"broker", "127.0.0.1:9092/1"}}),
            0.0025);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_consumer_lag_messages",
                        {{"client", "svc#consumer-2"}, {"topic", "orders"}, {"partition", "0"}}),
            460);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_consumer_lag_messages",
                        {{"client", "svc#consumer-2"}, {"topic", "orders"}, {"partition", "1"}}),
            7);
  // A consumer has no producer series.
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_queue_messages", client), std::nullopt);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_delivered_total", client), std::nullopt);
  EXPECT_EQ(metrics.delivered(), nullptr);
}

TEST(KafkaMetricsTest, CountersAdvanceByGrowthAndRevokedPartitionsDisappear) {
  prometheus::Registry registry;
  ClientMetrics metrics(registry, "svc#consumer-2", ClientMetrics::Kind::kConsumer);
  metrics.Update(ConsumerStats(1000, 460));
  ClientStats later = ConsumerStats(2500, 12);
  later.partitions.pop_back();  // partition 1 revoked
  metrics.Update(later);

  const std::map<std::string, std::string> client = {{"client", "svc#consumer-2"}};
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_rx_messages_total", client), 2500);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_consumer_rebalances_total", client), 1);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_consumer_lag_messages",
                        {{"client", "svc#consumer-2"}, {"topic", "orders"}, {"partition", "0"}}),
            12);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_consumer_lag_messages",
                        {{"client", "svc#consumer-2"}, {"topic", "orders"}, {"partition", "1"}}),
            std::nullopt);
}

TEST(KafkaMetricsTest, ExportsProducerQueueAndOwnCounters) {
  prometheus::Registry registry;
  ClientMetrics metrics(registry, "svc#producer-1", ClientMetrics::Kind::kProducer);
  ClientStats stats;
  stats.name = "svc#producer-1";
  stats.type = "producer";
  stats.queue_messages = 1234;
  stats.queue_bytes = 246800;
  stats.tx_messages = 1800;
  stats.tx_bytes = 14090;
  metrics.Update(stats);
  metrics.delivered()->Increment(3);
  metrics.delivery_errors()->Increment();

  const std::map<std::string, std::string> client = {{"client", "svc#producer-1"}};
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_queue_messages", client), 1234);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_queue_bytes", client), 246800);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_tx_messages_total", client), 1800);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_tx_bytes_total", client), 14090);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_delivered_total", client), 3);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_delivery_errors_total", client), 1);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_queue_full_total", client), 0);
}

TEST(KafkaMetricsTest, SeriesGoAwayWithTheClientAndFamiliesAreShared) {
  prometheus::Registry registry;
  const std::map<std::string, std::string> a = {{"client", "a#producer-1"}};
  const std::map<std::string, std::string> b = {{"client", "b#producer-2"}};
  ClientMetrics first(registry, "a#producer-1", ClientMetrics::Kind::kProducer);
  {
    ClientMetrics second(registry, "b#producer-2", ClientMetrics::Kind::kProducer);
    second.delivered()->Increment(5);
    first.delivered()->Increment(2);
    EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_delivered_total", b), 5);
  }
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_delivered_total", b), std::nullopt);
  EXPECT_EQ(MetricValue(registry, "cdcflow_kafka_producer_delivered_total", a), 2);
}

}  // namespace
}  // namespace cdcflow::kafka
