#include "services/mysql-sink/pipeline/dead_letters.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"

namespace cdcflow::mysql_sink {

std::string_view StageName(FailureStage stage) {
  switch (stage) {
    case FailureStage::kDecode:
      return "VALUE_CONVERTER";
    case FailureStage::kMap:
      return "TRANSFORMATION";
    case FailureStage::kTable:
    case FailureStage::kApply:
      return "TASK_PUT";
  }
  return "TASK_PUT";
}

std::string_view ErrorClass(FailureStage stage) {
  switch (stage) {
    case FailureStage::kDecode:
      return "cdcflow.DecodeError";
    case FailureStage::kMap:
      return "cdcflow.MappingError";
    case FailureStage::kTable:
      return "cdcflow.TableError";
    case FailureStage::kApply:
      return "cdcflow.DataError";
  }
  return "cdcflow.DataError";
}

RawRecord RawRecord::From(const kafka::Message& message) {
  RawRecord raw;
  if (message.has_key()) raw.key.emplace(message.key());
  if (message.has_value()) raw.value.emplace(message.value());
  for (const kafka::Header& h : message.headers()) {
    raw.headers.emplace_back(std::string(h.name), h.value.data() == nullptr
                                                      ? std::nullopt
                                                      : std::optional<std::string>(h.value));
  }
  return raw;
}

absl::StatusOr<std::unique_ptr<DeadLetterWriter>> DeadLetterWriter::Create(
    const std::string& bootstrap_servers, std::string topic_format, std::string connector_name,
    prometheus::Registry& registry, kafka::LogCallback log) {
  std::unique_ptr<DeadLetterWriter> writer(
      new DeadLetterWriter(std::move(topic_format), std::move(connector_name)));
  writer->failed_ = std::make_shared<std::atomic<int64_t>>(0);
  writer->last_error_ = std::make_shared<std::string>();
  auto mutex = std::make_shared<std::mutex>();
  kafka::ProducerOptions options{.bootstrap_servers = bootstrap_servers,
                                 .client_id = "cdcflow-mysql-sink-dlq",
                                 .properties = {{"linger.ms", "5"}},
                                 .on_delivery =
                                     [failed = writer->failed_, last = writer->last_error_,
                                      mutex](const kafka::DeliveryReport& report) {
                                       if (report.status.ok()) return;
                                       std::lock_guard lock(*mutex);
                                       *last = std::string(report.status.message());
                                       failed->fetch_add(1);
                                     },
                                 .on_log = std::move(log)};
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
      kafka::Producer::Create(std::move(options), registry);
  if (!producer.ok()) return producer.status();
  writer->producer_ = std::move(*producer);
  return writer;
}

std::string DeadLetterWriter::TopicFor(std::string_view topic) const {
  return absl::StrReplaceAll(topic_format_,
                             {{"${topic}", absl::string_view(topic.data(), topic.size())}});
}

absl::Status DeadLetterWriter::Send(const std::vector<DeadLetter>& letters,
                                    absl::Duration timeout) {
  if (letters.empty()) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + timeout;
  failed_->store(0);
  for (const DeadLetter& letter : letters) {
    const std::string topic = TopicFor(letter.topic);
    if (known_topics_.insert(topic).second) {
      // A dead-letter topic is usually new, created by the broker on first use: learning of it
      // first spares the flush below librdkafka's ~1 s wait for unknown topics. Only a hint:
      // if it does not show up, the flush's own timeout and delivery reports decide.
      (void)producer_->AwaitTopic(topic, std::min(deadline - absl::Now(), absl::Seconds(5)));
    }
    const std::string partition = absl::StrCat(letter.partition);
    const std::string offset = absl::StrCat(letter.offset);
    const std::string message(letter.error.message());
    std::vector<kafka::Header> headers;
    for (const auto& [name, value] : letter.record->headers) {
      // A record dead-lettered again (after a replay) gets this failure's headers only.
      if (name.starts_with("__connect.errors.")) continue;
      headers.push_back({name, value ? std::string_view(*value) : std::string_view()});
    }
    headers.push_back({"__connect.errors.topic", letter.topic});
    headers.push_back({"__connect.errors.partition", partition});
    headers.push_back({"__connect.errors.offset", offset});
    headers.push_back({"__connect.errors.connector.name", connector_name_});
    headers.push_back({"__connect.errors.task.id", "0"});
    headers.push_back({"__connect.errors.stage", StageName(letter.stage)});
    headers.push_back({"__connect.errors.class.name", "cdcflow.mysql_sink"});
    headers.push_back({"__connect.errors.exception.class.name", ErrorClass(letter.stage)});
    headers.push_back({"__connect.errors.exception.message", message});
    const RawRecord& raw = *letter.record;
    const std::string_view key = raw.key ? std::string_view(*raw.key) : std::string_view();
    const std::string_view value = raw.value ? std::string_view(*raw.value) : std::string_view();
    while (true) {
      absl::Status status =
          producer_->Produce(topic, kafka::kPartitionUnassigned, key, value, headers, 0);
      if (status.ok()) break;
      if (status.code() != absl::StatusCode::kResourceExhausted) return status;
      producer_->Poll(absl::Milliseconds(50));
    }
  }
  if (absl::Status flushed =
          producer_->Flush(std::max(deadline - absl::Now(), absl::ZeroDuration()));
      !flushed.ok()) {
    return flushed;
  }
  if (failed_->load() > 0) {
    return absl::UnavailableError(absl::StrCat("dead-letter topic: ", failed_->load(),
                                               " record(s) not delivered: ", *last_error_));
  }
  return absl::OkStatus();
}

}  // namespace cdcflow::mysql_sink
