#include "services/cdc-capture/pipeline/kafka_event_sink.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace cdcflow::cdc_capture {
namespace {

// How long the capture loop waits for a new topic's metadata before producing regardless.
constexpr absl::Duration kTopicWait = absl::Seconds(5);

}  // namespace

kafka::Properties CaptureProducerProperties(const KafkaConfig& config) {
  kafka::Properties p = {
      // Never give up on an event: a down broker means backpressure, not loss.
      {"message.timeout.ms", "0"},
      // Batches of CDC events: a few ms of latency buys large batches at high rates. 10, not
      // 5: librdkafka 2.0.2's idempotent producer sends one request per partition at a time,
      // and while it waits, a queued message older than linger.ms makes its broker thread
      // poll() in a loop (25-95k calls/s at 5 ms, 1-6k at 10 ms under a backlog). Alternating
      // drains, 4 pairs: each faster, 4-11 % less CPU per event (bench/README.md); p99 latency
      // at 10k events/s unchanged (most batches leave full, at batch.size, not at linger.ms).
      {"linger.ms", "10"},
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
    const KafkaConfig& config, std::optional<TopicCreation> topic_creation,
    prometheus::Registry& registry, OnDelivered on_delivered, kafka::LogCallback on_log) {
  // The admin client connects as the producer does (security.*, sasl.* & co.).
  kafka::AdminOptions admin_options{.bootstrap_servers = config.bootstrap_servers,
                                    .client_id = "cdcflow-cdc-capture-admin",
                                    .properties = config.properties,
                                    .on_log = on_log};
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
  return std::unique_ptr<KafkaEventSink>(
      new KafkaEventSink(std::move(producer), std::move(admin_options), std::move(topic_creation)));
}

absl::Status KafkaEventSink::PrepareTopic(const std::string& topic) {
  if (topic_creation_) RETURN_IF_ERROR(EnsureTopic(topic));
  // A producer learns of a topic at its first message. When the broker creates the topic on
  // that request (auto.create.topics.enable), librdkafka 2.0.2 asks again only at its
  // once-a-second rescan of unknown topics: the first ~1 s of a new table's events waited in
  // librdkafka (bench: ~1,000 events, then 1 s without a delivery). Asking first, on the
  // producer's connection, also lets the broker create it. Not a precondition: a topic that
  // does not show up gets its events queued in librdkafka as before (delivered, or failed
  // after topic.metadata.propagation.max.ms), so this only logs.
  absl::StatusOr<int> partitions = producer_->AwaitTopic(topic, kTopicWait);
  if (!partitions.ok() && admin_options_.on_log) {
    admin_options_.on_log(kafka::kLogWarning, absl::StrCat(partitions.status().message(),
                                                           "; producing to it all the same"));
  }
  ready_topics_.insert(topic);
  return absl::OkStatus();
}

absl::Status KafkaEventSink::EnsureTopic(const std::string& topic) {
  if (admin_ == nullptr) {
    ASSIGN_OR_RETURN(admin_, kafka::Admin::Create(admin_options_));
  }
  absl::Status created =
      admin_->CreateTopic({.name = topic,
                           .partitions = topic_creation_->partitions,
                           .replication_factor = topic_creation_->replication_factor,
                           .configs = topic_creation_->configs});
  if (!created.ok() && !absl::IsAlreadyExists(created)) {
    return absl::Status(created.code(), absl::StrCat("topic.creation.default: create ", topic, ": ",
                                                     created.message()));
  }
  return absl::OkStatus();
}

absl::Status KafkaEventSink::Send(const events::Record& record, uint64_t token) {
  if (record.topic != last_topic_) {
    if (!ready_topics_.contains(record.topic)) RETURN_IF_ERROR(PrepareTopic(record.topic));
    last_topic_ = record.topic;
  }
  // A string_view with a null data() is a null key / value (a tombstone) for the producer.
  const std::string_view key = record.has_key ? std::string_view(record.key) : std::string_view();
  const std::string_view value =
      record.has_value ? std::string_view(record.value) : std::string_view();
  return producer_->Produce(record.topic, kafka::kPartitionUnassigned, key, value, {}, token);
}

void KafkaEventSink::Poll(absl::Duration timeout) { producer_->Poll(timeout); }

absl::Status KafkaEventSink::Flush(absl::Duration timeout) { return producer_->Flush(timeout); }

}  // namespace cdcflow::cdc_capture
