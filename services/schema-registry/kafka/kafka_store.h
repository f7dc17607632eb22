#pragma once

// KafkaStore: `_schemas` as the registry's source of truth.
//  - A reader replays the topic (read_committed) into the Store from the beginning, then
//    follows it; Start() returns once the initial replay reached the end.
//  - Leader election through Kafka's group protocol: every eligible instance joins group
//    `group_id` subscribing `_schemas`; the member assigned its single partition leads
//    (it never fetches through that membership). No consensus code of ours.
//  - The leader writes with a transactional producer whose transactional.id is the same on
//    every instance, so a new leader's InitTransactions fences a former one that still
//    believes it leads: its writes fail instead of assigning a colliding id. It then reads
//    the topic to the end before deciding anything, and announces its REST URL in a NOOP
//    record so that followers know where to forward writes.
//  - Append() returns once the reader applied the records (read-your-write).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/types.h"
#include "services/schema-registry/registry/registry.h"
#include "services/schema-registry/rest/router.h"
#include "services/schema-registry/store/store.h"

namespace cdcflow::schema_registry {

struct KafkaStoreOptions {
  std::string bootstrap_servers = "127.0.0.1:9092";
  kafka::Properties properties;  // any librdkafka property, for all three clients
  std::string topic = "_schemas";
  int replication_factor = -1;  // of the topic when this instance creates it (-1: broker's)
  std::string group_id = "schema-registry";
  bool leader_eligibility = true;
  std::string advertised_url;                  // this instance's REST URL, announced when it leads
  absl::Duration timeout = absl::Seconds(10);  // a write's produce + read-back
  absl::Duration init_timeout = absl::Seconds(60);  // the initial replay
};

struct KafkaStoreMetrics {
  explicit KafkaStoreMetrics(prometheus::Registry& registry);
  prometheus::Gauge& replay_lag;  // records in `_schemas` not yet applied
  prometheus::Counter& records_applied;
  prometheus::Counter& records_skipped;  // records that could not be understood
  prometheus::Gauge& is_leader;
  prometheus::Counter& leader_elections;  // times this instance became leader
  prometheus::Gauge& schemas;
  prometheus::Gauge& subjects;
};

class KafkaStore final : public SchemaLog, public rest::Leadership {
 public:
  KafkaStore(KafkaStoreOptions options, Store& store, prometheus::Registry& registry,
             std::shared_ptr<spdlog::logger> log, kafka::LogCallback kafka_log);
  ~KafkaStore() override;

  // Creates the topic if needed (one partition, cleanup.policy=compact) and refuses one that
  // is not so; replays it; joins the election. kFailedPrecondition for a bad topic,
  // kDeadlineExceeded when the replay does not finish within init_timeout.
  absl::Status Start();
  // Leaves the group (another instance takes over) and stops the reader. Idempotent.
  void Stop();

  absl::Status Append(const std::vector<Record>& records) override;
  bool IsLeader() const override { return leader_.load(); }
  std::optional<std::string> LeaderUrl() const override;

  int64_t replay_lag() const { return replay_lag_.load(); }

 private:
  void ReadLoop();
  void ElectionLoop();
  // Called on the election thread when the partition is assigned / taken away.
  void BecomeLeader();
  void StepDown(const char* why);
  absl::Status AppendLocked(const std::vector<Record>& records);
  absl::Status EnsureTopic();
  // The topic's end offset (high watermark), asked of the broker.
  absl::StatusOr<int64_t> EndOffset();

  const KafkaStoreOptions options_;
  Store& store_;
  prometheus::Registry& registry_;
  KafkaStoreMetrics metrics_;
  std::shared_ptr<spdlog::logger> log_;
  kafka::LogCallback kafka_log_;

  std::unique_ptr<kafka::Consumer> reader_;
  std::unique_ptr<kafka::Consumer> election_;
  std::thread reader_thread_;
  std::thread election_thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};
  std::atomic<int64_t> replay_lag_{0};
  std::atomic<int64_t> reader_position_{0};

  // Leadership: assigned_ (the group gave us the partition) → BecomeLeader → leader_.
  std::atomic<bool> assigned_{false};
  std::atomic<bool> leader_{false};
  int64_t generation_ = 0;

  // Writes: one at a time, through the transactional producer of the current leadership.
  std::mutex append_mu_;
  std::unique_ptr<kafka::Producer> producer_;
  std::mutex delivered_mu_;
  int64_t last_delivered_offset_ = -1;
  absl::Status last_delivery_error_;
};

}  // namespace cdcflow::schema_registry
