#pragma once

// The sink's view of one Kafka record after decoding: typed fields (from the Kafka Connect
// schema, or inferred from JSON when a record carries none) and each value already rendered as
// a MySQL/MariaDB SQL literal. Rendering once at decode time keeps the SQL builder a plain
// concatenation and the hot path free of per-cell allocations (one buffer per row).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace cdcflow::mysql_sink {

// A field's type as the target database needs it (auto.create / auto.evolve). Connect logical
// types collapse onto these; see record/README.md for the full mapping.
enum class FieldType : uint8_t {
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kBoolean,
  kString,
  kBytes,
  kDecimal,          // org.apache.kafka.connect.data.Decimal: precision (0 = unknown), scale
  kVariableDecimal,  // io.debezium.data.VariableScaleDecimal: scale differs per value
  kDate,             // days since the epoch → DATE
  kTime,             // time of day → TIME(fsp)
  kDateTime,         // Timestamp / MicroTimestamp / NanoTimestamp → DATETIME(fsp)
  kZonedTimestamp,   // io.debezium.time.ZonedTimestamp → DATETIME(6) in UTC
  kJson,             // io.debezium.data.Json, or a struct/array/map value → JSON text
  kUuid,             // io.debezium.data.Uuid → CHAR(36)
};

struct Field {
  std::string name;
  FieldType type = FieldType::kString;
  bool optional = true;
  int precision = 0;  // kDecimal: connect.decimal.precision, 0 when the schema has none
  int scale = 0;      // kDecimal: digits after the point
  int fsp = 0;        // kTime, kDateTime, kZonedTimestamp: fractional-second digits (0, 3, 6)

  friend bool operator==(const Field&, const Field&) = default;
};

// The fields of a row (a record key or a record value), in order.
struct Schema {
  std::vector<Field> fields;
  // False when the record had no Connect schema and the types were inferred from JSON values.
  bool declared = true;
  // Equal for equal field lists: lets callers cache per-schema work (DDL checks, SQL prefixes).
  uint64_t fingerprint = 0;

  // Index of the field named `name`, or nullopt.
  std::optional<size_t> Find(std::string_view name) const {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == name) return i;
    }
    return std::nullopt;
  }
};

// A row's values as SQL literals, in its Schema's field order, kept in one buffer:
// `NULL`, `42`, `-1.5e3`, `1`/`0` (boolean), `'text'` (escaped), `X'00ff'`,
// `'2025-07-22 09:30:00.123456'`, `12.50` (decimal). Safe to paste into a statement as is.
class Row {
 public:
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view literal(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(buffer_).substr(begin, ends_[i] - begin);
  }
  // Builder: write a cell's literal at the end of buffer(), then call EndCell().
  std::string& buffer() { return buffer_; }
  void EndCell() { ends_.push_back(static_cast<uint32_t>(buffer_.size())); }
  void AppendLiteral(std::string_view literal) {
    buffer_.append(literal);
    EndCell();
  }
  // Keeps the capacity, so a decoder can reuse one Row per record without allocating.
  void Clear() {
    buffer_.clear();
    ends_.clear();
  }

 private:
  std::string buffer_;
  std::vector<uint32_t> ends_;
};

// What a change does to the target row.
enum class Op : uint8_t {
  kUpsert,  // Debezium op c, u or r; a flattened row that is not deleted
  kDelete,  // op d; a tombstone; a flattened row with __deleted = "true"
  kSkip,    // nothing to apply: op t (truncate), m (message), a schema-change event
};

// One decoded Kafka record. Reused across records: decoders overwrite every member.
struct DecodedRecord {
  Op op = Op::kSkip;
  // Null when the Kafka key is null.
  std::shared_ptr<const Schema> key_schema;
  Row key;
  // kUpsert: the new row (Debezium `after`, or the flattened row with its `__` fields).
  // kDelete: the old row when the event has one (`before`, or the flattened row); a
  // tombstone leaves value_schema null and value empty.
  std::shared_ptr<const Schema> value_schema;
  Row value;
  // The value was Debezium's flattened form (ExtractNewRecordState), not the envelope.
  bool flattened = false;
  // Why kSkip, for logs and metrics ("truncate", "message", ...).
  std::string_view skip_reason;
};

// Turns a Kafka record's bytes into a DecodedRecord. One implementation per wire format (JSON
// today; Avro and Protobuf through the schema registry later). Not thread-safe: one decoder
// per consuming thread. kInvalidArgument names what is wrong and where, e.g.
// `value: field "amount": Decimal is not valid base64`.
class RecordDecoder {
 public:
  virtual ~RecordDecoder() = default;
  // `key` / `value` are nullopt for a null key / null value (tombstone).
  virtual absl::Status Decode(std::optional<std::string_view> key,
                              std::optional<std::string_view> value, DecodedRecord& out) = 0;
};

}  // namespace cdcflow::mysql_sink
