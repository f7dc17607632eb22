#pragma once

// The Prometheus metrics of cdcflow's Kafka clients. All families are declared in
// KafkaMetrics; ClientMetrics holds one client's series (label client="<handle name>",
// e.g. "cdc-capture#producer-1") and removes them when the client goes away.
//
// From librdkafka's statistics (every statistics.interval.ms):
//   cdcflow_kafka_producer_queue_messages / _bytes     gauge   {client}
//   cdcflow_kafka_tx_messages_total / tx_bytes_total   counter {client}
//   cdcflow_kafka_rx_messages_total / rx_bytes_total   counter {client}
//   cdcflow_kafka_broker_rtt_avg_seconds               gauge   {client, broker}
//   cdcflow_kafka_consumer_lag_messages                gauge   {client, topic, partition}
//   cdcflow_kafka_consumer_rebalances_total            counter {client}
// Counted by the wrappers themselves, as it happens:
//   cdcflow_kafka_producer_delivered_total             counter {client}
//   cdcflow_kafka_producer_delivery_errors_total       counter {client}
//   cdcflow_kafka_producer_produce_errors_total        counter {client}  Produce() refused
//   cdcflow_kafka_producer_queue_full_total            counter {client}  Produce() backpressure
//   cdcflow_kafka_client_errors_total                  counter {client}  error events

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "libs/kafka/stats.h"

namespace cdcflow::kafka {

struct KafkaMetrics {
  // Registers (or finds, when another client did already) every family in `registry`.
  explicit KafkaMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Gauge>& producer_queue_messages;
  prometheus::Family<prometheus::Gauge>& producer_queue_bytes;
  prometheus::Family<prometheus::Counter>& tx_messages;
  prometheus::Family<prometheus::Counter>& tx_bytes;
  prometheus::Family<prometheus::Counter>& rx_messages;
  prometheus::Family<prometheus::Counter>& rx_bytes;
  prometheus::Family<prometheus::Gauge>& broker_rtt_avg;
  prometheus::Family<prometheus::Gauge>& consumer_lag;
  prometheus::Family<prometheus::Counter>& consumer_rebalances;
  prometheus::Family<prometheus::Counter>& producer_delivered;
  prometheus::Family<prometheus::Counter>& producer_delivery_errors;
  prometheus::Family<prometheus::Counter>& producer_produce_errors;
  prometheus::Family<prometheus::Counter>& producer_queue_full;
  prometheus::Family<prometheus::Counter>& client_errors;
};

// One client's series. The registry must outlive it. Thread-safe.
class ClientMetrics {
 public:
  enum class Kind { kProducer, kConsumer, kAdmin };

  ClientMetrics(prometheus::Registry& registry, std::string client, Kind kind);
  ~ClientMetrics();
  ClientMetrics(const ClientMetrics&) = delete;
  ClientMetrics& operator=(const ClientMetrics&) = delete;

  // Applies one statistics snapshot: gauges are set, counters advance by the growth of
  // librdkafka's cumulative totals since the previous snapshot, series of brokers and
  // partitions absent from the snapshot are removed.
  void Update(const ClientStats& stats);

  const std::string& client() const { return client_; }

  // Counted directly by the wrappers. The producer_* counters exist for producers only
  // (nullptr otherwise).
  prometheus::Counter* delivered() { return delivered_; }
  prometheus::Counter* delivery_errors() { return delivery_errors_; }
  prometheus::Counter* produce_errors() { return produce_errors_; }
  prometheus::Counter* queue_full() { return queue_full_; }
  prometheus::Counter& errors() { return errors_; }

 private:
  // Advances `counter` by how much `total` grew past `*last` (a smaller total means the
  // client restarted its count: it all counts as new).
  static void Advance(prometheus::Counter& counter, int64_t total, int64_t* last);

  KafkaMetrics families_;
  const std::string client_;
  prometheus::Counter& errors_;
  prometheus::Counter* delivered_ = nullptr;
  prometheus::Counter* delivery_errors_ = nullptr;
  prometheus::Counter* produce_errors_ = nullptr;
  prometheus::Counter* queue_full_ = nullptr;

  std::mutex mu_;
  prometheus::Gauge* queue_messages_ = nullptr;  // producers only, created on first stats
  prometheus::Gauge* queue_bytes_ = nullptr;
  prometheus::Counter* tx_messages_ = nullptr;
  prometheus::Counter* tx_bytes_ = nullptr;
  prometheus::Counter* rx_messages_ = nullptr;
  prometheus::Counter* rx_bytes_ = nullptr;
  prometheus::Counter* rebalances_ = nullptr;
  int64_t last_tx_messages_ = 0;
  int64_t last_tx_bytes_ = 0;
  int64_t last_rx_messages_ = 0;
  int64_t last_rx_bytes_ = 0;
  int64_t last_rebalances_ = 0;
  std::map<std::string, prometheus::Gauge*> broker_rtt_;
  std::map<std::pair<std::string, int32_t>, prometheus::Gauge*> consumer_lag_;
};

}  // namespace cdcflow::kafka
