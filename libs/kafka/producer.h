#pragma once

// Producer: an idempotent (acks=all) librdkafka producer with per-message delivery reports,
// queue-full backpressure as kResourceExhausted, and transactions.
//
//   ASSIGN_OR_RETURN(auto producer, Producer::Create({.bootstrap_servers = "127.0.0.1:9092",
//                                                     .on_delivery = OnDelivery}, registry));
//   absl::Status s = producer->Produce("orders", kPartitionUnassigned, key, value, {}, token);
//   if (absl::IsResourceExhausted(s)) { producer->Poll(absl::Milliseconds(10)); /* retry */ }
//
// Key and value are copied by librdkafka before Produce() returns (RD_KAFKA_MSG_F_COPY); a
// string_view whose data() is nullptr is a null key / null value (a tombstone), "" is empty.
//
// Delivery reports: the delivery handler runs exactly once per accepted message and never
// concurrently with itself (order across messages is not guaranteed). With the poll thread
// (the default) it runs there, in batches every few milliseconds; without it, inside Poll().
// Flush(), Commit/AbortTransaction() and the destructor run the handlers still due before
// they return, on their caller's thread. Produce() serves librdkafka's ready reports itself,
// as librdkafka's examples do (so each message is freed by the thread that allocated it,
// which keeps glibc's malloc fast), but only records them: the handler never runs inside
// Produce(). When the caller stops producing, the poll thread serves librdkafka itself after
// 50 ms, so the last reports do not wait for the next Produce(). A handler may call
// Produce(); it must not call Poll(), Flush(), the transaction calls or destroy the producer.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <prometheus/registry.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libs/kafka/group_metadata.h"
#include "libs/kafka/metrics.h"
#include "libs/kafka/types.h"

namespace RdKafka {
class Producer;
}  // namespace RdKafka
struct rd_kafka_topic_s;

namespace cdcflow::kafka {
namespace internal {
class EventHandler;
}  // namespace internal

struct DeliveryReport {
  uint64_t token = 0;  // as passed to Produce()
  // OK when the brokers acknowledged the message (acks=all); otherwise why it was not
  // delivered, e.g. kDeadlineExceeded after message.timeout.ms, naming the last broker error.
  absl::Status status;
  std::string_view topic;  // valid during the callback only
  int32_t partition = kPartitionUnassigned;
  int64_t offset = kOffsetInvalid;
};
using DeliveryHandler = std::function<void(const DeliveryReport&)>;

struct ProducerOptions {
  std::string bootstrap_servers;
  std::string client_id = "cdcflow";
  // Non-empty makes a transactional producer (InitTransactions() before the first Produce()).
  std::string transactional_id;
  // Any librdkafka property; wins over the defaults of ProducerProperties().
  Properties properties;
  // librdkafka statistics → metrics; zero disables them.
  absl::Duration statistics_interval = absl::Seconds(15);
  // A thread that runs the delivery handlers (and serves librdkafka while the caller is
  // idle). Without it the caller must call Poll() regularly; the handlers run inside Poll().
  bool poll_thread = true;
  // How long the destructor waits for queued messages before purging them (their delivery
  // reports then carry kCancelled).
  absl::Duration close_timeout = absl::Seconds(10);
  DeliveryHandler on_delivery;
  LogCallback on_log;
};

// The properties a Producer is created with: bootstrap.servers, client.id,
// enable.idempotence=true, acks=all, partitioner=murmur2_random (the Java client's, so a
// key lands on the same partition whichever client wrote it), statistics.interval.ms,
// transactional.id when set; then options.properties.
Properties ProducerProperties(const ProducerOptions& options);

class Producer {
 public:
  // kInvalidArgument for a property librdkafka refuses. The registry must outlive the producer.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(ProducerOptions options,
                                                          prometheus::Registry& registry);
  // Stops the poll thread, flushes for up to close_timeout, purges what is left.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues one message; `token` comes back in its delivery report. Thread-safe.
  // kResourceExhausted: the queue is full (queue.buffering.max.messages/kbytes): poll, retry.
  // kNotFound: unknown partition. kInternal: fatal producer error (recreate the producer).
  absl::Status Produce(std::string_view topic, int32_t partition, std::string_view key,
                       std::string_view value, absl::Span<const Header> headers, uint64_t token);

  // Serves delivery reports and events for up to `timeout` (returns at the first one): what
  // to do after kResourceExhausted, as it frees queue space. Without a poll thread it also
  // runs the delivery handlers. Returns how many reports and events were served.
  int Poll(absl::Duration timeout);

  // Waits until every queued message has its delivery report; kDeadlineExceeded if not all
  // did within `timeout`.
  absl::Status Flush(absl::Duration timeout);

  // librdkafka's outq_len: messages queued or in flight, plus delivery reports and events
  // not yet served. 0 once everything was delivered and reported.
  int OutQueueLength() const;

  // Asks the broker for `topic` on this producer's own connection until every partition has
  // a leader; returns the partition count (kDeadlineExceeded after `timeout`). Worth calling
  // before the first message to a topic the broker creates on first use
  // (auto.create.topics.enable): producing first, librdkafka 2.0.2 learns that the topic
  // exists only at its once-a-second rescan of unknown topics, and holds the messages ~1 s.
  absl::StatusOr<int> AwaitTopic(const std::string& topic, absl::Duration timeout);

  // Transactions (ProducerOptions::transactional_id must be set). Errors: kAborted = abort
  // the transaction and redo it, kUnavailable = retry the call, kInternal = fatal.
  absl::Status InitTransactions(absl::Duration timeout = absl::Seconds(30));
  absl::Status BeginTransaction();
  // Adds the consumer's offsets (next offsets to consume) to the transaction.
  absl::Status SendOffsetsToTransaction(const std::vector<TopicPartitionOffset>& offsets,
                                        const GroupMetadata& group,
                                        absl::Duration timeout = absl::Seconds(30));
  absl::Status CommitTransaction(absl::Duration timeout = absl::Seconds(30));
  absl::Status AbortTransaction(absl::Duration timeout = absl::Seconds(30));

  // The librdkafka handle name, e.g. "cdcflow#producer-1" (the metrics' client label).
  const std::string& name() const { return name_; }

  // Escape hatch for what the wrapper does not cover. Do not destroy it.
  RdKafka::Producer* handle() { return handle_.get(); }

 private:
  class DeliveryCallback;

  // What librdkafka reported for one message, kept until the handler runs.
  struct PendingReport {
    uint64_t token;
    rd_kafka_topic_s* topic;  // one of topics_: valid as long as the producer
    int32_t partition;
    int64_t offset;
    int error;  // rd_kafka_resp_err_t
    bool possibly_persisted;
  };

  explicit Producer(ProducerOptions options);
  // librdkafka's delivery callback (inside any poll): records the report.
  void OnDelivery(const void* c_message);
  // Runs the delivery handler for the recorded reports, in order, one caller at a time.
  void RunHandlers();
  absl::StatusOr<rd_kafka_topic_s*> Topic(std::string_view name);
  void PollLoop();
  // Polls librdkafka on behalf of the caller (Poll, Flush): meanwhile the poll thread leaves
  // librdkafka's queue to the caller.
  template <typename Fn>
  auto CallerServes(Fn fn);

  const ProducerOptions options_;
  // Declared before handle_, destroyed after it: librdkafka calls them until it is gone.
  std::unique_ptr<internal::EventHandler> events_;
  std::unique_ptr<DeliveryCallback> delivery_callback_;
  std::unique_ptr<ClientMetrics> metrics_;
  std::unique_ptr<RdKafka::Producer> handle_;
  std::string name_;

  std::mutex topics_mu_;
  absl::flat_hash_map<std::string, rd_kafka_topic_s*> topics_;

  // Reports recorded by OnDelivery(), waiting for RunHandlers(); reports_cv_ wakes the poll
  // thread when the first one arrives.
  std::mutex reports_mu_;
  std::condition_variable reports_cv_;
  std::vector<PendingReport> pending_;
  // Held while handlers run (serializes them); running_ is reused to avoid allocations.
  std::mutex handlers_mu_;
  std::vector<PendingReport> running_;

  // Produce/Poll/Flush calls so far, and callers polling right now: while the caller keeps
  // librdkafka served, the poll thread only runs handlers; when it goes quiet, the poll
  // thread polls librdkafka itself.
  std::atomic<uint64_t> caller_activity_{0};
  static constexpr uint64_t kProducesPerPoll = 16;
  std::atomic<int> callers_polling_{0};
  std::atomic<bool> stop_{false};
  std::thread poll_thread_;
};

}  // namespace cdcflow::kafka
