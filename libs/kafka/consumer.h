#pragma once

// Consumer: a group member (cooperative-sticky assignment) that commits only the offsets it
// is given, reports rebalances through hooks, and can pause partitions for backpressure.
//
//   ASSIGN_OR_RETURN(auto consumer, Consumer::Create({.bootstrap_servers = ..., .group_id =
//                                                     "mysql-sink"}, registry));
//   RETURN_IF_ERROR(consumer->Subscribe({"dev.public.transaction_details"}));
//   ASSIGN_OR_RETURN(std::vector<Message> batch, consumer->Poll(absl::Milliseconds(100)));
//   ... process ...
//   RETURN_IF_ERROR(consumer->CommitSync({{m.topic(), m.partition(), m.offset() + 1}}));
//
// Use a Consumer from one thread: the rebalance hooks run inside Poll() and Close(), on the
// calling thread, and may call back into the consumer (commit, pause, seek).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/group_metadata.h"
#include "libs/kafka/metrics.h"
#include "libs/kafka/types.h"

namespace RdKafka {
class KafkaConsumer;
class Message;
}  // namespace RdKafka

namespace cdcflow::kafka {
namespace internal {
class EventHandler;
}  // namespace internal

// One consumed record. Owns librdkafka's message: the views it returns live as long as it.
class Message {
 public:
  explicit Message(std::unique_ptr<RdKafka::Message> message);
  ~Message();
  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;

  std::string_view topic() const;
  int32_t partition() const;
  int64_t offset() const;
  // Milliseconds since the epoch (create or log-append time), -1 if the record has none.
  int64_t timestamp_ms() const;
  bool has_key() const;
  std::string_view key() const;
  // False for a tombstone (null value).
  bool has_value() const;
  std::string_view value() const;
  // The last header named `name`: nullopt when absent; a value whose data() is nullptr when
  // the header's value is null.
  std::optional<std::string_view> header(std::string_view name) const;
  std::vector<Header> headers() const;

  RdKafka::Message& raw() { return *message_; }

 private:
  std::unique_ptr<RdKafka::Message> message_;
};

enum class IsolationLevel {
  kReadCommitted,    // only committed transactional records (and non-transactional ones)
  kReadUncommitted,  // everything, aborted transactions included
};

struct ConsumerOptions {
  std::string bootstrap_servers;
  std::string group_id;  // required
  std::string client_id = "cdcflow";
  IsolationLevel isolation_level = IsolationLevel::kReadCommitted;
  // Where a partition without a committed offset starts: "earliest" or "latest".
  std::string auto_offset_reset = "earliest";
  // Any librdkafka property; wins over the defaults of ConsumerProperties().
  Properties properties;
  absl::Duration statistics_interval = absl::Seconds(15);  // zero disables statistics
  // Called before partitions are added to the assignment: where each should start, for a
  // consumer that keeps its offsets outside Kafka (e.g. in the database it writes to, in the
  // same transaction). Returns one entry per partition it knows; partitions it leaves out, or
  // gives kOffsetInvalid, start at their committed offset (or auto_offset_reset).
  std::function<std::vector<TopicPartitionOffset>(const std::vector<TopicPartition>&)>
      start_offsets;
  // Called after partitions were added to the assignment (fetching starts at their
  // start_offsets, committed offset, or auto_offset_reset).
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
  // Called before partitions leave the assignment: the last chance to commit their offsets.
  // `lost` = they were already taken away (session timeout, fenced): commits would fail.
  std::function<void(const std::vector<TopicPartition>&, bool lost)> on_revoked;
  LogCallback on_log;
};

// The properties a Consumer is created with: bootstrap.servers, group.id, client.id,
// partition.assignment.strategy=cooperative-sticky, enable.auto.commit=false,
// enable.auto.offset.store=false, auto.offset.reset, isolation.level,
// statistics.interval.ms; then options.properties.
Properties ConsumerProperties(const ConsumerOptions& options);

class Consumer {
 public:
  // kInvalidArgument for a missing group id or a property librdkafka refuses. The registry
  // must outlive the consumer.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(ConsumerOptions options,
                                                          prometheus::Registry& registry);
  // Close()s if that was not done.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  absl::Status Subscribe(const std::vector<std::string>& topics);

  // Reads exactly these partitions from these offsets, without joining the group (for
  // readers of a whole topic, such as state topics; nothing is committed). Not combined with
  // Subscribe().
  absl::Status Assign(const std::vector<TopicPartitionOffset>& partitions);

  // Waits up to `timeout` for the first message, then takes what is already fetched, up to
  // `max_messages`. An empty batch means nothing arrived. Transient errors (broker down,
  // unknown topic while it is being created) are logged and counted, not returned; a
  // non-OK status means the consumer cannot go on: kInternal (fatal: recreate it),
  // kPermissionDenied (authorization), kFailedPrecondition (closed).
  absl::StatusOr<std::vector<Message>> Poll(absl::Duration timeout, size_t max_messages = 1000);

  // Commits the given offsets (the next offset to consume for each partition).
  absl::Status CommitSync(const std::vector<TopicPartitionOffset>& offsets);
  // Returns once the commit is sent; failures are logged and counted when they come back.
  absl::Status CommitAsync(const std::vector<TopicPartitionOffset>& offsets);

  // The group's committed offsets (kOffsetInvalid where there is none).
  absl::StatusOr<std::vector<TopicPartitionOffset>> Committed(
      const std::vector<TopicPartition>& partitions, absl::Duration timeout);
  // The next offset this consumer will return per partition (kOffsetInvalid if unknown).
  absl::StatusOr<std::vector<TopicPartitionOffset>> Position(
      const std::vector<TopicPartition>& partitions);
  absl::StatusOr<std::vector<TopicPartition>> Assignment();
  // (low, high) watermarks of a partition, asked of its leader.
  absl::StatusOr<std::pair<int64_t, int64_t>> QueryWatermarks(const std::string& topic,
                                                              int32_t partition,
                                                              absl::Duration timeout);

  // Stop / restart fetching assigned partitions (backpressure); the assignment is kept.
  absl::Status Pause(const std::vector<TopicPartition>& partitions);
  absl::Status Resume(const std::vector<TopicPartition>& partitions);
  // The next Poll() returns the partition's records from `offset` on. The partition must be
  // assigned.
  absl::Status Seek(const TopicPartitionOffset& position, absl::Duration timeout);

  // For Producer::SendOffsetsToTransaction.
  absl::StatusOr<GroupMetadata> GetGroupMetadata();

  // Leaves the group (on_revoked runs for the assignment). Idempotent.
  absl::Status Close();

  const std::string& name() const { return name_; }
  RdKafka::KafkaConsumer* handle() { return handle_.get(); }

 private:
  class RebalanceCallback;
  class CommitCallback;

  explicit Consumer(ConsumerOptions options);
  absl::Status Commit(const std::vector<TopicPartitionOffset>& offsets, bool async);

  const ConsumerOptions options_;
  // Declared before handle_, destroyed after it: librdkafka calls them until it is gone.
  std::unique_ptr<internal::EventHandler> events_;
  std::unique_ptr<RebalanceCallback> rebalance_callback_;
  std::unique_ptr<CommitCallback> commit_callback_;
  std::unique_ptr<ClientMetrics> metrics_;
  std::unique_ptr<RdKafka::KafkaConsumer> handle_;
  std::string name_;
  bool closed_ = false;
};

}  // namespace cdcflow::kafka
