#include "libs/kafka/client.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/kafka/errors.h"
#include "libs/kafka/stats.h"

namespace cdcflow::kafka::internal {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> BuildConf(const Properties& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  for (const auto& [name, value] : properties) {
    if (conf->set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("set librdkafka property '", name, "': ", errstr));
    }
  }
  return conf;
}

void EventHandler::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR: {
      if (ClientMetrics* metrics = metrics_.load(std::memory_order_acquire)) {
        metrics->errors().Increment();
      }
      std::string text = event.str();
      switch (event.err()) {
        case RdKafka::ERR__TRANSPORT:
        case RdKafka::ERR__RESOLVE:
        case RdKafka::ERR__SSL:
        case RdKafka::ERR__AUTHENTICATION: {
          std::lock_guard lock(mu_);
          last_broker_error_ = text;
          break;
        }
        default:
          break;
      }
      Log(event.fatal() ? RdKafka::Event::EVENT_SEVERITY_CRITICAL
                        : RdKafka::Event::EVENT_SEVERITY_ERROR,
          absl::StrCat(event.fatal() ? "fatal error " : "error ", ErrorName(event.err()), ": ",
                       text));
      break;
    }
    case RdKafka::Event::EVENT_STATS: {
      ClientMetrics* metrics = metrics_.load(std::memory_order_acquire);
      if (metrics == nullptr) break;
      absl::StatusOr<ClientStats> stats = ParseStats(event.str());
      if (!stats.ok()) {
        Log(RdKafka::Event::EVENT_SEVERITY_WARNING, stats.status().message());
        break;
      }
      metrics->Update(*stats);
      break;
    }
    case RdKafka::Event::EVENT_LOG:
      Log(event.severity(), absl::StrCat(event.fac(), ": ", event.str()));
      break;
    case RdKafka::Event::EVENT_THROTTLE:
      Log(RdKafka::Event::EVENT_SEVERITY_INFO,
          absl::StrCat("throttled ", event.throttle_time(), " ms by broker ", event.broker_name(),
                       "/", event.broker_id()));
      break;
  }
}

std::string EventHandler::LastBrokerError() const {
  std::lock_guard lock(mu_);
  return last_broker_error_;
}

int TimeoutMs(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return -1;
  int64_t ms = absl::ToInt64Milliseconds(timeout);
  return static_cast<int>(std::clamp<int64_t>(ms, 0, std::numeric_limits<int>::max()));
}

}  // namespace cdcflow::kafka::internal
