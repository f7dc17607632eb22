#include "libs/kafka/metrics.h"

#include <set>
#include <string>

namespace cdcflow::kafka {
namespace {

prometheus::Family<prometheus::Gauge>& Gauge(prometheus::Registry& registry,
                                             const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry& registry,
                                                 const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

}  // namespace

KafkaMetrics::KafkaMetrics(prometheus::Registry& registry)
    : producer_queue_messages(Gauge(registry, "cdcflow_kafka_producer_queue_messages",
                                    "Messages waiting in the producer's queues (librdkafka "
                                    "msg_cnt).")),
      producer_queue_bytes(Gauge(registry, "cdcflow_kafka_producer_queue_bytes",
                                 "Bytes of the messages waiting in the producer's queues "
                                 "(librdkafka msg_size).")),
      tx_messages(Counter(registry, "cdcflow_kafka_tx_messages_total",
                          "Messages sent to the brokers (librdkafka txmsgs).")),
      tx_bytes(Counter(registry, "cdcflow_kafka_tx_bytes_total",
                       "Message bytes, framing included, sent to the brokers (librdkafka "
                       "txmsg_bytes).")),
      rx_messages(Counter(registry, "cdcflow_kafka_rx_messages_total",
                          "Messages fetched from the brokers (librdkafka rxmsgs).")),
      rx_bytes(Counter(registry, "cdcflow_kafka_rx_bytes_total",
                       "Message bytes, framing included, fetched from the brokers (librdkafka "
                       "rxmsg_bytes).")),
      broker_rtt_avg(Gauge(registry, "cdcflow_kafka_broker_rtt_avg_seconds",
                           "Average request round-trip time to a broker over the last "
                           "statistics window.")),
      consumer_lag(Gauge(registry, "cdcflow_kafka_consumer_lag_messages",
                         "Messages between the consumer's committed offset and the partition's "
                         "end (librdkafka consumer_lag).")),
      consumer_rebalances(Counter(registry, "cdcflow_kafka_consumer_rebalances_total",
                                  "Consumer group rebalances this consumer took part in.")),
      producer_delivered(Counter(registry, "cdcflow_kafka_producer_delivered_total",
                                 "Messages acknowledged by the brokers.")),
      producer_delivery_errors(Counter(registry, "cdcflow_kafka_producer_delivery_errors_total",
                                       "Messages whose delivery failed (reported in a delivery "
                                       "report).")),
      producer_produce_errors(Counter(registry, "cdcflow_kafka_producer_produce_errors_total",
                                      "Produce() calls refused for a reason other than a full "
                                      "queue.")),
      producer_queue_full(Counter(registry, "cdcflow_kafka_producer_queue_full_total",
                                  "Produce() calls refused because the producer queue was "
                                  "full (backpressure).")),
      client_errors(Counter(registry, "cdcflow_kafka_client_errors_total",
                            "Error events reported by librdkafka (most are transient).")) {}

ClientMetrics::ClientMetrics(prometheus::Registry& registry, std::string client, Kind kind)
    : families_(registry),
      client_(std::move(client)),
      errors_(families_.client_errors.Add({{"client", client_}})) {
  if (kind == Kind::kProducer) {
    const prometheus::Labels labels = {{"client", client_}};
    delivered_ = &families_.producer_delivered.Add(labels);
    delivery_errors_ = &families_.producer_delivery_errors.Add(labels);
    produce_errors_ = &families_.producer_produce_errors.Add(labels);
    queue_full_ = &families_.producer_queue_full.Add(labels);
  }
}

ClientMetrics::~ClientMetrics() {
  families_.client_errors.Remove(&errors_);
  if (delivered_ != nullptr) families_.producer_delivered.Remove(delivered_);
  if (delivery_errors_ != nullptr) families_.producer_delivery_errors.Remove(delivery_errors_);
  if (produce_errors_ != nullptr) families_.producer_produce_errors.Remove(produce_errors_);
  if (queue_full_ != nullptr) families_.producer_queue_full.Remove(queue_full_);
  std::lock_guard lock(mu_);
  if (queue_messages_ != nullptr) families_.producer_queue_messages.Remove(queue_messages_);
  if (queue_bytes_ != nullptr) families_.producer_queue_bytes.Remove(queue_bytes_);
  if (tx_messages_ != nullptr) families_.tx_messages.Remove(tx_messages_);
  if (tx_bytes_ != nullptr) families_.tx_bytes.Remove(tx_bytes_);
  if (rx_messages_ != nullptr) families_.rx_messages.Remove(rx_messages_);
  if (rx_bytes_ != nullptr) families_.rx_bytes.Remove(rx_bytes_);
  if (rebalances_ != nullptr) families_.consumer_rebalances.Remove(rebalances_);
  for (auto& [broker, gauge] : broker_rtt_) families_.broker_rtt_avg.Remove(gauge);
  for (auto& [tp, gauge] : consumer_lag_) families_.consumer_lag.Remove(gauge);
}

void ClientMetrics::Advance(prometheus::Counter& counter, int64_t total, int64_t* last) {
  int64_t growth = total >= *last ? total - *last : total;
  *last = total;
  if (growth > 0) counter.Increment(static_cast<double>(growth));
}

void ClientMetrics::Update(const ClientStats& stats) {
  std::lock_guard lock(mu_);
  const prometheus::Labels labels = {{"client", client_}};
  if (tx_messages_ == nullptr) {
    tx_messages_ = &families_.tx_messages.Add(labels);
    tx_bytes_ = &families_.tx_bytes.Add(labels);
    rx_messages_ = &families_.rx_messages.Add(labels);
    rx_bytes_ = &families_.rx_bytes.Add(labels);
  }
  Advance(*tx_messages_, stats.tx_messages, &last_tx_messages_);
  Advance(*tx_bytes_, stats.tx_bytes, &last_tx_bytes_);
  Advance(*rx_messages_, stats.rx_messages, &last_rx_messages_);
  Advance(*rx_bytes_, stats.rx_bytes, &last_rx_bytes_);

  const bool producer = stats.type == "producer";
  if (producer) {
    if (queue_messages_ == nullptr) {
      queue_messages_ = &families_.producer_queue_messages.Add(labels);
      queue_bytes_ = &families_.producer_queue_bytes.Add(labels);
    }
    queue_messages_->Set(static_cast<double>(stats.queue_messages));
    queue_bytes_->Set(static_cast<double>(stats.queue_bytes));
  } else {
    if (rebalances_ == nullptr) rebalances_ = &families_.consumer_rebalances.Add(labels);
    Advance(*rebalances_, stats.rebalances, &last_rebalances_);
  }

  std::set<std::string> brokers_seen;
  for (const BrokerStats& broker : stats.brokers) {
    brokers_seen.insert(broker.name);
    auto [it, inserted] = broker_rtt_.try_emplace(broker.name, nullptr);
    if (inserted) {
      it->second = &families_.broker_rtt_avg.Add({{"client", client_}, {"broker", broker.name}});
    }
    it->second->Set(static_cast<double>(broker.rtt_avg_us) / 1e6);
  }
  for (auto it = broker_rtt_.begin(); it != broker_rtt_.end();) {
    if (brokers_seen.count(it->first) == 0) {
      families_.broker_rtt_avg.Remove(it->second);
      it = broker_rtt_.erase(it);
    } else {
      ++it;
    }
  }

  // Lag exists for the partitions this consumer fetches; a revoked partition's lag goes
  // back to -1 and its series is removed.
  std::set<std::pair<std::string, int32_t>> lag_seen;
  if (!producer) {
    for (const PartitionStats& partition : stats.partitions) {
      if (partition.consumer_lag < 0) continue;
      auto key = std::make_pair(partition.topic, partition.partition);
      lag_seen.insert(key);
      auto [it, inserted] = consumer_lag_.try_emplace(key, nullptr);
      if (inserted) {
        it->second =
            &families_.consumer_lag.Add({{"client", client_},
                                         {"topic", partition.topic},
                                         {"partition", std::to_string(partition.partition)}});
      }
      it->second->Set(static_cast<double>(partition.consumer_lag));
    }
  }
  for (auto it = consumer_lag_.begin(); it != consumer_lag_.end();) {
    if (lag_seen.count(it->first) == 0) {
      families_.consumer_lag.Remove(it->second);
      it = consumer_lag_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace cdcflow::kafka
