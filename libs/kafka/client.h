#pragma once

// Internal plumbing shared by Producer, Consumer and Admin: building an RdKafka::Conf from
// Properties, and the event callback that feeds logs, errors and statistics to the log
// callback and the metrics. Not part of the library's API.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/kafka/metrics.h"
#include "libs/kafka/types.h"

namespace cdcflow::kafka::internal {

// A global RdKafka::Conf with every property set; kInvalidArgument names the property that
// librdkafka refused (never its value: it could be a secret).
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> BuildConf(const Properties& properties);

// Sets a callback object on a conf ("event_cb", "dr_cb", "rebalance_cb", ...).
template <typename Callback>
absl::Status SetCallback(RdKafka::Conf& conf, const char* name, Callback* callback) {
  std::string errstr;
  if (conf.set(name, callback, errstr) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(std::string("set librdkafka ") + name + ": " + errstr);
  }
  return absl::OkStatus();
}

// librdkafka's event callback: log lines and error events go to the LogCallback, statistics
// to the client's metrics. Error events of the broker connection are remembered, so a later
// "message timed out" can say why. Thread-safe: librdkafka calls it from several threads.
class EventHandler final : public RdKafka::EventCb {
 public:
  explicit EventHandler(LogCallback log) : log_(std::move(log)) {}

  // Attached once the handle exists (its name labels the series); may stay null.
  void set_metrics(ClientMetrics* metrics) { metrics_.store(metrics, std::memory_order_release); }

  void event_cb(RdKafka::Event& event) override;

  // The last connection-level error ("127.0.0.1:9092/bootstrap: Connect to ... failed:
  // Connection refused"), empty if there was none.
  std::string LastBrokerError() const;

  void Log(int level, absl::string_view message) const {
    if (log_) log_(level, message);
  }

 private:
  const LogCallback log_;
  std::atomic<ClientMetrics*> metrics_{nullptr};
  mutable std::mutex mu_;
  std::string last_broker_error_;
};

// The partition count of `topic` in a metadata request on `rk` (any client handle); kNotFound
// when the broker does not know the topic. Asked by a producer handle, the request lets the
// broker create a missing topic (auto.create.topics.enable), and its answer updates that
// producer's own view of the topic.
absl::StatusOr<int> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                   absl::Duration timeout);

// PartitionCount, asked again every 50 ms while the topic is unknown or a partition has no
// leader yet (just created): kDeadlineExceeded, with the last answer, after `timeout`.
absl::StatusOr<int> AwaitTopic(rd_kafka_t* rk, const std::string& topic, absl::Duration timeout);

// librdkafka takes int milliseconds; -1 = infinite.
int TimeoutMs(absl::Duration timeout);

// Abseil here is built as C++14: its string_view is not std::string_view.
inline absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace cdcflow::kafka::internal
