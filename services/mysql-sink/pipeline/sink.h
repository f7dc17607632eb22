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
// Two threads: Run applies batches on the caller's thread while a reader thread polls Kafka and
// decodes ahead into a bounded buffer. Pause, Resume, ReplayDeadLetters and FillStatus may be
// called from other threads (gRPC).

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
#include <span>
#include <string>
#include <thread>
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
  // `database` is the applier's session; `reader_database` a second one for the reader thread.
  Sink(const Config& config, Database& database, Database& reader_database, SinkMetrics& metrics,
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
  struct Failure {
    size_t index = 0;
    FailureStage stage = FailureStage::kApply;
    absl::Status status;
  };
  // One consumed record, decoded and mapped as soon as it is read: what the sink keeps between
  // Kafka and the database (~300 bytes instead of the ~4 KB JSON message, which is released at
  // once). Only a record that failed to decode or map keeps its bytes, for its dead letter;
  // one the database rejects is read again from Kafka for it.
  struct Pending {
    SinkRecord record;  // op kSkip when there is nothing to apply (or it failed)
    // Where it was read.
    std::string_view topic;  // interned (topics_)
    int32_t partition = 0;
    int64_t offset = 0;
    // Where it came from: the same, except for a replayed dead letter (its DLQ headers).
    std::string_view source_topic;
    int32_t source_partition = 0;
    int64_t source_offset = 0;
    std::optional<Failure> early_failure;  // decode or map error
    std::unique_ptr<RawRecord> raw;        // kept for early failures only
    std::string_view skip_reason;          // why kSkip (static strings)
    bool included = true;                  // false: dropped by the offset fence
  };
  struct BatchOutcome {
    int64_t applied = 0;  // records applied or skipped
    int64_t failed = 0;   // records sent to the DLQ
  };
  struct ReplayRequest {
    std::string topic;
    std::optional<absl::StatusOr<ReplayResult>> result;
  };

  // A decoder and a mapper: one per thread that decodes (the reader; a replay).
  struct Decoding {
    std::unique_ptr<RecordDecoder> decoder;
    RecordMapper mapper;
    DecodedRecord decoded;
  };
  Decoding MakeDecoding() const;
  // Decodes and maps `message` into `out`, whose coordinates are set (source_* = where the
  // record came from, which differs from where it was read for a replayed dead letter).
  static void Decode(Decoding& decoding, const kafka::Message& message, Pending& out);
  // The reader thread: Poll, decode, append to buffer_ (bounded), serve rebalances and pauses.
  void ReadLoop();
  absl::StatusOr<BatchOutcome> ProcessBatch(std::span<Pending> batch, bool replay,
                                            const std::atomic<bool>& stop);
  absl::Status TryApply(std::span<Pending> batch, bool replay, BatchOutcome& outcome);
  // The bytes of a record the database rejected, read again from Kafka for its dead letter.
  absl::StatusOr<RawRecord> Refetch(std::string_view topic, int32_t partition, int64_t offset);
  // Drops buffered records of these partitions (revoked, or sought elsewhere).
  void Forget(const std::vector<kafka::TopicPartition>& partitions);
  std::string_view Intern(std::string_view topic);
  // A topic named like this sink's dead-letter topics, when topics.regex may have matched it.
  bool IsOwnDeadLetterTopic(std::string_view topic) const;
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

  TableManager tables_;
  TableWriter writer_;
  OffsetTable offsets_;
  std::unique_ptr<DeadLetterWriter> dead_letters_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Consumer> refetcher_;  // created on the first database rejection

  // The reader's own connection: it looks offsets up on assignment while the applier writes.
  Database& reader_database_;

  // Applier thread only.
  std::vector<Pending> batch_;  // the batch being applied, taken from the front of buffer_
  int64_t reported_tables_created_ = 0;
  int64_t reported_columns_added_ = 0;

  // Reader thread only.
  bool consumer_paused_ = false;  // fetching paused (admin pause or backpressure)
  bool admin_paused_ = false;
  std::unique_ptr<Decoding> reader_decoding_;

  // Between the reader and the applier (and the admin threads), under mutex_.
  std::map<kafka::TopicPartition, int64_t> positions_;  // next offset to apply
  std::set<kafka::TopicPartition> assigned_;
  std::condition_variable buffer_changed_;
  bool reader_drained_ = false;  // the reader's last Poll emptied librdkafka's queue
  bool stop_reader_ = false;
  absl::Status reader_status_;
  std::mutex topics_mutex_;
  // Decoded records waiting for the database, in consumption order; bounded by
  // max.buffered.records. It keeps reading ahead while a batch is applied, in ~400 bytes a
  // record instead of the ~4 KB JSON message that librdkafka's own queue would hold.
  std::deque<Pending> buffer_;
  std::set<std::string, std::less<>> topics_;  // under topics_mutex_

  // Shared with the admin threads.
  std::atomic<bool> pause_requested_{false};
  std::mutex mutex_;
  std::condition_variable replay_done_;
  std::deque<ReplayRequest*> replays_;
  bool running_ = false;  // Run is serving (replays are answered)
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
