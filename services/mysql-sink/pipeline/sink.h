#pragma once

// The sink's loop: poll a batch → decode and map each record → prepare the tables (DDL,
// outside the transaction: MySQL commits DDL implicitly) → in one database transaction: lock
// the partitions' offset rows, apply the rows table by table, send rejected records to the
// dead-letter topic (acknowledged before the commit), store the new offsets → commit.
//
// A lost connection or a deadlock rolls back and retries the whole batch with backoff
// (max.retries, retry.backoff.ms); nothing moves until a batch commits, so nothing is lost and
// nothing is applied twice. A record-level error goes to the dead-letter topic
// (errors.tolerance all) or stops the sink naming the record (none).
//
// Runs on one thread (Run). Pause, Resume, ReplayDeadLetters and FillStatus may be called
// from other threads (gRPC).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cdcflow/v1/admin.pb.h"
#include "libs/kafka/consumer.h"
#include "services/mysql-sink/config.h"
#include "services/mysql-sink/pipeline/database.h"
#include "services/mysql-sink/pipeline/dead_letters.h"
#include "services/mysql-sink/pipeline/offset_table.h"
#include "services/mysql-sink/pipeline/record_mapper.h"
#include "services/mysql-sink/pipeline/sink_metrics.h"
#include "services/mysql-sink/pipeline/table_manager.h"
#include "services/mysql-sink/pipeline/table_writer.h"
#include "services/mysql-sink/record/row.h"

namespace cdcflow::mysql_sink {

struct ReplayResult {
  int64_t records = 0;
  int64_t applied = 0;
  int64_t failed = 0;
};

class Sink {
 public:
  Sink(const Config& config, Database& database, SinkMetrics& metrics,
       std::shared_ptr<spdlog::logger> log, prometheus::Registry& registry,
       kafka::LogCallback kafka_log);
  ~Sink();

  // Connects: the offsets table (retrying while the database is unavailable, up to
  // max.retries), the consumer, the dead-letter producer.
  absl::Status Start();
  // Until `stop` or a fatal error (retries exhausted, errors.tolerance none and a bad record).
  absl::Status Run(const std::atomic<bool>& stop);

  bool Pause();
  bool Resume();
  // Queues a replay for the loop and waits for its result.
  absl::StatusOr<ReplayResult> ReplayDeadLetters(const std::string& dlq_topic);
  void FillStatus(v1::GetStatusResponse& status);

 private:
  // One record of a batch: the Kafka message and the coordinates it is known by (for a
  // replayed record, its original topic, partition and offset from the DLQ headers).
  struct Input {
    const kafka::Message* message = nullptr;
    std::string_view topic;
    int32_t partition = 0;
    int64_t offset = 0;
    bool included = true;  // false: dropped by the offset fence (applied by someone else)
  };
  struct Failure {
    size_t index = 0;
    FailureStage stage = FailureStage::kApply;
    absl::Status status;
  };
  struct BatchOutcome {
    int64_t applied = 0;  // records applied or skipped
    int64_t failed = 0;   // records sent to the DLQ
  };
  struct ReplayRequest {
    std::string topic;
    std::optional<absl::StatusOr<ReplayResult>> result;
  };

  absl::StatusOr<BatchOutcome> ProcessBatch(std::vector<Input>& inputs, bool replay,
                                            const std::atomic<bool>& stop);
  absl::Status TryApply(std::vector<Input>& inputs, bool replay, BatchOutcome& outcome);
  absl::StatusOr<ReplayResult> RunReplay(const std::string& dlq_topic,
                                         const std::atomic<bool>& stop);
  void ServeReplays(const std::atomic<bool>& stop);
  std::vector<kafka::TopicPartitionOffset> StartOffsets(
      const std::vector<kafka::TopicPartition>& partitions);
  void UpdateLag();
  bool SleepFor(absl::Duration duration, const std::atomic<bool>& stop);

  const Config& config_;
  Database& database_;
  SinkMetrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  prometheus::Registry& registry_;
  kafka::LogCallback kafka_log_;

  std::unique_ptr<RecordDecoder> decoder_;
  RecordMapper mapper_;
  TableManager tables_;
  TableWriter writer_;
  OffsetTable offsets_;
  std::unique_ptr<DeadLetterWriter> dead_letters_;
  std::unique_ptr<kafka::Consumer> consumer_;

  // Loop thread only.
  std::map<kafka::TopicPartition, int64_t> positions_;  // next offset to apply
  std::set<kafka::TopicPartition> assigned_;
  std::vector<SinkRecord> records_;
  DecodedRecord decoded_;
  bool consumer_paused_ = false;
  int64_t reported_tables_created_ = 0;
  int64_t reported_columns_added_ = 0;

  // Shared with the admin threads.
  std::atomic<bool> pause_requested_{false};
  std::mutex mutex_;
  std::condition_variable replay_done_;
  std::deque<ReplayRequest*> replays_;
  struct TableStatus {
    int64_t upserted = 0;
    int64_t deleted = 0;
    int64_t dead_letters = 0;
  };
  std::map<std::string, TableStatus> table_status_;
  struct PartitionStatus {
    int64_t next_offset = -1;
    int64_t lag = -1;
  };
  std::map<kafka::TopicPartition, PartitionStatus> partition_status_;
  std::string last_error_;
  bool degraded_ = false;
};

}  // namespace cdcflow::mysql_sink
