#pragma once

// Helpers for the Kafka tests: a librdkafka mock cluster owned RAII-style, a thread-safe
// collector of delivery reports, and reading a metric back from a registry.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/kafka/producer.h"

namespace cdcflow::kafka::test {

// Kafka protocol API keys, for rd_kafka_mock_push_request_errors().
inline constexpr int16_t kApiProduce = 0;
inline constexpr int16_t kApiEndTxn = 26;

// An in-process librdkafka mock cluster (rdkafka_mock.h). Never a stand-in for the real
// broker in integration tests: it serves the unit tests of error paths.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 1) {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    cluster_ = rd_kafka_mock_cluster_new(host_, brokers);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(host_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstrap_servers() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() { return cluster_; }

  void CreateTopic(const std::string& name, int partitions) {
    rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  }

 private:
  rd_kafka_t* host_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// A delivery report with the topic copied out of the callback.
struct Delivery {
  uint64_t token = 0;
  absl::Status status;
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::thread::id thread;  // where the handler ran
};

// Collects delivery reports from any thread; tests wait for a count.
class DeliveryCollector {
 public:
  DeliveryHandler Handler() {
    return [this](const DeliveryReport& r) {
      std::lock_guard lock(mu_);
      reports_.push_back({r.token, r.status, std::string(r.topic), r.partition, r.offset,
                          std::this_thread::get_id()});
      cv_.notify_all();
    };
  }

  // True once at least `n` reports arrived within `timeout`.
  bool WaitFor(size_t n, absl::Duration timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                        [&] { return reports_.size() >= n; });
  }

  std::vector<Delivery> reports() {
    std::lock_guard lock(mu_);
    return reports_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> reports_;
};

// The value of the series of `family` whose labels are exactly `labels`, if it exists.
inline std::optional<double> MetricValue(prometheus::Registry& registry, const std::string& family,
                                         const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      std::map<std::string, std::string> have;
      for (const prometheus::ClientMetric::Label& l : m.label) have[l.name] = l.value;
      if (have != labels) continue;
      return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return std::nullopt;
}

}  // namespace cdcflow::kafka::test
