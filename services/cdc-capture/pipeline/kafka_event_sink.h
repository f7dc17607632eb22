#pragma once

// EventSink over the shared Kafka producer (idempotent, acks=all). Messages never time out
// locally (message.timeout.ms=0): when Kafka is down the queue fills and the capture loop
// stops reading WAL, instead of dropping events.

#include <functional>
#include <memory>

#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "libs/kafka/producer.h"
#include "services/cdc-capture/config.h"
#include "services/cdc-capture/pipeline/event_sink.h"

namespace cdcflow::cdc_capture {

class KafkaEventSink final : public EventSink {
 public:
  using OnDelivered = std::function<void(uint64_t token, const absl::Status& status)>;

  static absl::StatusOr<std::unique_ptr<KafkaEventSink>> Create(const KafkaConfig& config,
                                                                prometheus::Registry& registry,
                                                                OnDelivered on_delivered,
                                                                kafka::LogCallback on_log);

  absl::Status Send(const events::Record& record, uint64_t token) override;
  void Poll(absl::Duration timeout) override;
  absl::Status Flush(absl::Duration timeout) override;

 private:
  explicit KafkaEventSink(std::unique_ptr<kafka::Producer> producer)
      : producer_(std::move(producer)) {}
  std::unique_ptr<kafka::Producer> producer_;
};

// The producer properties cdc-capture uses, before the user's `kafka.properties`.
kafka::Properties CaptureProducerProperties(const KafkaConfig& config);

}  // namespace cdcflow::cdc_capture
