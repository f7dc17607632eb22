#include "libs/kafka/client.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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

namespace {

// A partition count, or why there is none; leaderless = a partition without a leader yet.
struct TopicState {
  absl::StatusOr<int> partitions;
  bool leaderless = false;
};

TopicState DescribeTopic(rd_kafka_t* rk, const std::string& topic, absl::Duration timeout) {
  const std::string operation = absl::StrCat("get metadata of topic '", topic, "'");
  std::unique_ptr<rd_kafka_topic_t, void (*)(rd_kafka_topic_t*)> rkt(
      rd_kafka_topic_new(rk, topic.c_str(), nullptr), rd_kafka_topic_destroy);
  if (rkt == nullptr) return {ToStatusFromC(rd_kafka_last_error(), nullptr, operation)};
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, /*all_topics=*/0, rkt.get(), &metadata, TimeoutMs(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return {ToStatusFromC(err, nullptr, operation)};
  std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> owned(
      metadata, rd_kafka_metadata_destroy);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) return {ToStatusFromC(t.err, nullptr, operation)};
    TopicState state{t.partition_cnt};
    for (int p = 0; p < t.partition_cnt; ++p) {
      if (t.partitions[p].leader < 0) state.leaderless = true;
    }
    return state;
  }
  return {absl::NotFoundError(absl::StrCat(operation, ": not in the metadata"))};
}

}  // namespace

absl::StatusOr<int> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                   absl::Duration timeout) {
  return DescribeTopic(rk, topic, timeout).partitions;
}

absl::StatusOr<int> AwaitTopic(rd_kafka_t* rk, const std::string& topic, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    TopicState state =
        DescribeTopic(rk, topic, std::max(deadline - absl::Now(), absl::Milliseconds(100)));
    absl::Status why = state.partitions.status();
    if (why.ok() && state.leaderless) {
      why = absl::UnavailableError(absl::StrCat("topic '", topic, "': a partition has no leader"));
    }
    // Unknown (not yet propagated) or unavailable (no leader elected yet): ask again.
    if (why.ok() || !(absl::IsNotFound(why) || absl::IsUnavailable(why))) {
      return state.partitions;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("topic '", topic, "' not usable after ",
                                                      absl::FormatDuration(timeout), ": ",
                                                      why.message()));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

int TimeoutMs(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return -1;
  int64_t ms = absl::ToInt64Milliseconds(timeout);
  return static_cast<int>(std::clamp<int64_t>(ms, 0, std::numeric_limits<int>::max()));
}

}  // namespace cdcflow::kafka::internal
