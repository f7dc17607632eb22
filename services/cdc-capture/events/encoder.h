#pragma once

// Turns row changes into Kafka records exactly as Debezium's PostgreSQL connector (2.x/3.x)
// writes them with the JSON converter: topic `<topic.prefix>.<schema>.<table>`, key = the key
// columns as a struct, value = the envelope {before, after, source, transaction, op, ts_ms,
// ts_us, ts_ns}, with or without the Connect {"schema":…,"payload":…} wrapper; a tombstone
// after each delete; or the flattened row of ExtractNewRecordState. Pure: no I/O.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/cdc-capture/events/table_schema.h"
#include "services/cdc-capture/pgoutput/lsn.h"
#include "services/cdc-capture/pgoutput/messages.h"

namespace cdcflow::cdc_capture::events {

enum class DecimalMode { kPrecise, kDouble, kString };  // decimal.handling.mode
enum class TimePrecisionMode {
  kAdaptive,
  kAdaptiveTimeMicroseconds,
  kConnect
};                                                                // time.precision.mode
enum class BinaryMode { kBytes, kBase64, kBase64UrlSafe, kHex };  // binary.handling.mode
enum class IntervalMode { kNumeric, kString };                    // interval.handling.mode
// ExtractNewRecordState's delete.tombstone.handling.mode.
enum class DeleteHandling { kTombstone, kDrop, kRewrite, kRewriteWithTombstone };

struct FlattenOptions {
  bool enabled = false;
  DeleteHandling delete_handling = DeleteHandling::kRewrite;
  // add.fields: envelope/source fields copied into the row as `__<name>`; the seed pipeline
  // uses {"op", "source_table", "ts_ms"} (source_table = the source table's name).
  std::vector<std::string> add_fields = {"op", "source_table", "ts_ms"};
};

struct EncoderOptions {
  std::string topic_prefix = "dev";       // topic.prefix; also source.name
  std::string database = "transactions";  // source.db
  DecimalMode decimal_mode = DecimalMode::kPrecise;
  TimePrecisionMode time_precision_mode = TimePrecisionMode::kAdaptive;
  BinaryMode binary_mode = BinaryMode::kBytes;
  IntervalMode interval_mode = IntervalMode::kNumeric;
  bool key_schemas_enable = true;    // key.converter.schemas.enable
  bool value_schemas_enable = true;  // value.converter.schemas.enable
  bool tombstones_on_delete = true;  // tombstones.on.delete
  FlattenOptions flatten;
};

enum class Op : char {
  kCreate = 'c',
  kUpdate = 'u',
  kDelete = 'd',
  kRead = 'r',  // snapshot row
  kTruncate = 't',
};

// Where the change came from: fills the `source` block.
struct SourcePosition {
  int64_t commit_time_us = 0;  // source.ts_ms/ts_us/ts_ns (commit time; snapshot: read time)
  uint32_t xid = 0;            // source.txId
  Lsn lsn = 0;                 // source.lsn: this change's LSN
  Lsn last_commit_lsn = 0;     // source.sequence[0]: the previous transaction's commit LSN
  absl::string_view snapshot = "false";  // "false" | "true" | "first" | "last" | "incremental"
};

struct RowChange {
  Op op = Op::kCreate;
  // Old row: for updates/deletes; 'K' = key columns only, 'O' = whole row (REPLICA IDENTITY
  // FULL); nullptr when pgoutput sent none.
  const pgoutput::Tuple* before = nullptr;
  char before_kind = 0;
  const pgoutput::Tuple* after = nullptr;  // new row: creates, updates, snapshot reads
  SourcePosition source;
};

// One Kafka record. Buffers are reused between Encode calls (no per-event allocation once
// warmed up); a null key or value (tombstone) is has_key/has_value = false.
struct Record {
  std::string topic;
  std::string key;
  bool has_key = false;
  std::string value;
  bool has_value = false;

 private:
  friend class RecordBatch;
  // Which Connect schema prefix `value` starts with (0 = none known): the encoder then keeps
  // those ~3 KB in place for the next event of the table instead of copying them again.
  uint64_t value_prefix_id = 0;
};

// Records produced for one change, in the order they must be sent (all share one partition:
// the key's). Reused between calls: Clear() keeps the buffers' capacity.
class RecordBatch {
 public:
  void Clear() { size_ = 0; }
  Record& Add();
  // Add() with `value` set to `prefix`, which `prefix_id` (non-zero) names uniquely.
  Record& AddWithValuePrefix(uint64_t prefix_id, absl::string_view prefix);
  size_t size() const { return size_; }
  const Record& operator[](size_t i) const { return records_[i]; }

 private:
  friend class EventEncoder;
  Record& Next();  // the next record, cleared but for `value`
  // Drops the records added after the first `n` (used to undo a change that failed midway).
  void Truncate(size_t n) {
    if (n < size_) size_ = n;
  }

  std::vector<Record> records_;
  size_t size_ = 0;
};

struct ConversionScratch;  // value_converter.h
struct AddedField;         // a resolved add.fields entry (encoder.cc)

class EventEncoder {
 public:
  explicit EventEncoder(EncoderOptions options);
  ~EventEncoder();
  EventEncoder(const EventEncoder&) = delete;
  EventEncoder& operator=(const EventEncoder&) = delete;

  // Told once per type OID the encoder does not know, with the first column that has it
  // ("schema.table.column"); such columns are sent as strings (their PostgreSQL text form).
  using UnknownTypeCallback =
      std::function<void(uint32_t type_oid, absl::string_view qualified_column)>;
  void set_unknown_type_callback(UnknownTypeCallback callback) {
    unknown_type_callback_ = std::move(callback);
  }

  // Appends the records for one change to `out`:
  //   create/read/update -> 1 record; delete -> delete + tombstone (unless disabled);
  //   update that changes the key -> delete(old key) + tombstone + create(new key), as
  //   Debezium does; truncate -> 1 record with a null key; flattened output per FlattenOptions.
  // `now_us` fills the envelope's ts_ms/ts_us/ts_ns (processing time).
  // kInvalidArgument when a value cannot be converted (the message names table and column).
  absl::Status Encode(const TableSchema& table, const RowChange& change, int64_t now_us,
                      RecordBatch& out);

  const EncoderOptions& options() const { return options_; }

 private:
  struct TableCache;  // per table: topic, converters, schema JSON (encoder.cc)

  TableCache& CacheFor(const TableSchema& table);
  absl::Status EncodeChange(const TableCache& cache, const RowChange& change, int64_t now_us,
                            RecordBatch& out);
  absl::Status AddEnvelope(const TableCache& cache, Op op, const pgoutput::Tuple* before,
                           const pgoutput::Tuple* after, const pgoutput::Tuple* key_from,
                           const RowChange& change, int64_t now_us, RecordBatch& out);
  absl::Status AddFlattened(const TableCache& cache, Op op, const pgoutput::Tuple& row,
                            bool deleted, const RowChange& change, int64_t now_us,
                            RecordBatch& out);
  void AddTombstone(const TableCache& cache, const pgoutput::Tuple* key_from, RecordBatch& out);
  absl::Status AppendKey(const TableCache& cache, const pgoutput::Tuple* key_from, Record& record);
  absl::Status AppendRowFields(const TableCache& cache, const pgoutput::Tuple& tuple,
                               std::string& out);
  void AppendSource(const TableCache& cache, const RowChange& change, std::string& out);

  // The source block's text that is the same for all events of a transaction (all but the
  // LSN), kept between events.
  struct SourceMemo {
    uint64_t cache_id = 0;
    int64_t commit_time_us = 0;
    uint32_t xid = 0;
    Lsn last_commit_lsn = 0;
    std::string snapshot;
    std::string head;  // {"version":…,"ts_ms":…,"snapshot":…,"db":…,"sequence":"["<last>",
    std::string middle;  // ]","ts_us":…,"ts_ns":…,"schema":…,"table":…,"txId":…,"lsn":
  };

  EncoderOptions options_;
  std::vector<AddedField> added_fields_;
  std::unordered_map<uint32_t, std::unique_ptr<TableCache>> tables_;
  TableCache* last_table_ = nullptr;  // the table of the last event (a fast path)
  uint64_t next_cache_id_ = 0;
  SourceMemo source_memo_;
  std::unique_ptr<ConversionScratch> scratch_;
  std::unordered_set<uint32_t> reported_unknown_types_;
  UnknownTypeCallback unknown_type_callback_;
};

}  // namespace cdcflow::cdc_capture::events
