#pragma once

// Writes records the sink cannot apply to the dead-letter topic, with Kafka Connect's error
// headers (so tools built for Connect's DLQ read them): __connect.errors.topic / partition /
// offset (where the record came from), connector.name, task.id, stage, class.name,
// exception.class.name, exception.message. Key, value and the original headers are kept.
// Send() returns once the broker acknowledged every letter: only then may the offsets that
// skip those records be committed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/registry.h>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"

namespace cdcflow::mysql_sink {

// Where in the sink a record failed (Connect's stage names).
enum class FailureStage {
  kDecode,  // VALUE_CONVERTER: not JSON, or not what its schema says
  kMap,     // TRANSFORMATION: no key, a pk.field missing
  kTable,   // TASK_PUT: the table cannot take it (missing, auto.create/evolve off)
  kApply,   // TASK_PUT: the database rejected the row
};
std::string_view StageName(FailureStage stage);
// The error class in __connect.errors.exception.class.name, e.g. "cdcflow.DataError".
std::string_view ErrorClass(FailureStage stage);

// A record's bytes as they were read (null key / null value = nullopt).
struct RawRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;

  static RawRecord From(const kafka::Message& message);
};

struct DeadLetter {
  const RawRecord* record = nullptr;
  // The record's original coordinates (for a replayed record: those in its DLQ headers).
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  FailureStage stage = FailureStage::kApply;
  absl::Status error;
};

class DeadLetterWriter {
 public:
  // `topic_format`: errors.deadletterqueue.topic.name with ${topic}.
  static absl::StatusOr<std::unique_ptr<DeadLetterWriter>> Create(
      const std::string& bootstrap_servers, std::string topic_format, std::string connector_name,
      prometheus::Registry& registry, kafka::LogCallback log);

  std::string TopicFor(std::string_view topic) const;
  // Produces every letter and waits for their acknowledgements (up to `timeout`). Not
  // thread-safe.
  absl::Status Send(const std::vector<DeadLetter>& letters, absl::Duration timeout);

 private:
  DeadLetterWriter(std::string topic_format, std::string connector_name)
      : topic_format_(std::move(topic_format)), connector_name_(std::move(connector_name)) {}

  std::string topic_format_;
  std::string connector_name_;
  std::unique_ptr<kafka::Producer> producer_;
  absl::flat_hash_set<std::string> known_topics_;  // awaited before their first letter
  std::shared_ptr<std::atomic<int64_t>> failed_;
  std::shared_ptr<std::string> last_error_;
};

}  // namespace cdcflow::mysql_sink
