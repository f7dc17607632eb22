#pragma once

// Small value types shared by the producer, the consumer and the admin client.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace cdcflow::kafka {

// Let the partitioner choose (by key: murmur2, as the Java client does).
inline constexpr int32_t kPartitionUnassigned = -1;

// Logical offsets, as librdkafka and the Kafka protocol define them.
inline constexpr int64_t kOffsetBeginning = -2;
inline constexpr int64_t kOffsetEnd = -1;
inline constexpr int64_t kOffsetStored = -1000;
inline constexpr int64_t kOffsetInvalid = -1001;  // "no committed offset"

// librdkafka configuration properties, passed through as is (later entries win over the
// defaults a wrapper sets). https://github.com/confluentinc/librdkafka/blob/v2.0.2/CONFIGURATION.md
using Properties = std::map<std::string, std::string>;

// Receives librdkafka's log lines and error events. `level` is a syslog severity (0 emerg ..
// 3 error, 4 warning, 6 info, 7 debug). Called from librdkafka's internal threads and from
// whichever thread serves the client (its poll thread, or inside Produce(), Poll(), Flush(),
// Consumer::Poll()), so it must be thread-safe and must not call back into the client.
using LogCallback = std::function<void(int level, absl::string_view message)>;
// The syslog severity of a warning, for callers that log through a LogCallback themselves.
inline constexpr int kLogWarning = 4;

// A record header. A default-constructed `value` (data() == nullptr) is a null header value.
struct Header {
  std::string_view name;
  std::string_view value;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

// An offset to commit or one that was committed. As in Kafka, the committed offset is the
// *next* offset to consume: last processed offset + 1.
struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = kOffsetInvalid;

  friend bool operator==(const TopicPartitionOffset&, const TopicPartitionOffset&) = default;
};

}  // namespace cdcflow::kafka
