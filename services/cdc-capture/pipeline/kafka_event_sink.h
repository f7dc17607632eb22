#pragma once

// EventSink over the shared Kafka producer (idempotent, acks=all). Messages never time out
// locally (message.timeout.ms=0): when Kafka is down the queue fills and the capture loop
// stops reading WAL, instead of dropping events. With topic.creation.default.* set, each topic
// is created (if missing) before its first event, as Kafka Connect does for source connectors.
// Either way the producer learns of a topic before its first event (see PrepareTopic).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <prometheus/registry.h>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "services/cdc-capture/config.h"
#include "services/cdc-capture/pipeline/event_sink.h"

namespace cdcflow::cdc_capture {

class KafkaEventSink final : public EventSink {
 public:
  using OnDelivered = std::function<void(uint64_t token, const absl::Status& status)>;

  static absl::StatusOr<std::unique_ptr<KafkaEventSink>> Create(
      const KafkaConfig& config, std::optional<TopicCreation> topic_creation,
      prometheus::Registry& registry, OnDelivered on_delivered, kafka::LogCallback on_log);

  absl::Status Send(const events::Record& record, uint64_t token) override;
  void Poll(absl::Duration timeout) override;
  absl::Status Flush(absl::Duration timeout) override;

 private:
  KafkaEventSink(std::unique_ptr<kafka::Producer> producer, kafka::AdminOptions admin_options,
                 std::optional<TopicCreation> topic_creation)
      : producer_(std::move(producer)),
        admin_options_(std::move(admin_options)),
        topic_creation_(std::move(topic_creation)) {}

  // Before the first event to `topic`: EnsureTopic when topics are created here, then the
  // producer's AwaitTopic, so the first events are not held back (errors as EnsureTopic's).
  absl::Status PrepareTopic(const std::string& topic);

  // Creates `topic` per topic_creation_ unless it exists; kInvalidArgument (permanent) for a
  // config the broker refuses, kUnavailable & co. (retried by a new session) otherwise.
  absl::Status EnsureTopic(const std::string& topic);

  std::unique_ptr<kafka::Producer> producer_;
  const kafka::AdminOptions admin_options_;
  const std::optional<TopicCreation> topic_creation_;
  std::unique_ptr<kafka::Admin> admin_;            // made on the first topic to create
  absl::flat_hash_set<std::string> ready_topics_;  // prepared (PrepareTopic)
  std::string last_topic_;                         // most events go where the last one went
};

// The producer properties cdc-capture uses, before the user's `kafka.properties`.
kafka::Properties CaptureProducerProperties(const KafkaConfig& config);

}  // namespace cdcflow::cdc_capture
