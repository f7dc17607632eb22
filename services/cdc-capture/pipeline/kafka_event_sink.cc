#include "services/cdc-capture/pipeline/kafka_event_sink.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace cdcflow::cdc_capture {

kafka::Properties CaptureProducerProperties(const KafkaConfig& config) {
  kafka::Properties p = {
      // Never give up on an event: a down broker means backpressure, not loss.
      {"message.timeout.ms", "0"},
      // Batches of CDC events: a few ms of latency buys large batches at high rates.
      {"linger.ms", "5"},
      {"batch.size", "1000000"},
      {"compression.type", "lz4"},
      {"queue.buffering.max.messages", absl::StrCat(config.max_queue_size + 1000)},
      {"queue.buffering.max.kbytes",
       absl::StrCat(std::max<int64_t>(config.max_queue_size_in_bytes / 1024, 1))},
  };
  for (const auto& [k, v] : config.properties) p[k] = v;
  return p;
}

absl::StatusOr<std::unique_ptr<KafkaEventSink>> KafkaEventSink::Create(
    const KafkaConfig& config, prometheus::Registry& registry, OnDelivered on_delivered,
    kafka::LogCallback on_log) {
  kafka::ProducerOptions options;
  options.bootstrap_servers = config.bootstrap_servers;
  options.client_id = "cdcflow-cdc-capture";
  options.properties = CaptureProducerProperties(config);
  options.poll_thread = true;
  options.on_delivery = [on_delivered = std::move(on_delivered)](const kafka::DeliveryReport& r) {
    on_delivered(r.token, r.status);
  };
  options.on_log = std::move(on_log);
  ASSIGN_OR_RETURN(auto producer, kafka::Producer::Create(std::move(options), registry));
  return std::unique_ptr<KafkaEventSink>(new KafkaEventSink(std::move(producer)));
}

absl::Status KafkaEventSink::Send(const events::Record& record, uint64_t token) {
  // A string_view with a null data() is a null key / value (a tombstone) for the producer.
  const std::string_view key = record.has_key ? std::string_view(record.key) : std::string_view();
  const std::string_view value =
      record.has_value ? std::string_view(record.value) : std::string_view();
  return producer_->Produce(record.topic, kafka::kPartitionUnassigned, key, value, {}, token);
}

void KafkaEventSink::Poll(absl::Duration timeout) { producer_->Poll(timeout); }

absl::Status KafkaEventSink::Flush(absl::Duration timeout) { return producer_->Flush(timeout); }

}  // namespace cdcflow::cdc_capture
