#pragma once

// Type mapping: PostgreSQL column type (OID + typmod + resolved PgType) → the Kafka Connect
// schema Debezium's PostgreSQL connector declares for it, and TEXT-format value → the JSON that
// Connect's JsonConverter writes for Debezium's converted value. One converter per column,
// built when a table's schema is (re)cached; AppendText runs per value and allocates nothing
// once the scratch buffers are warm.
//
// Follows Debezium's "Data type mappings" (PostgresValueConverter, JdbcValueConverters) for
// decimal.handling.mode, time.precision.mode, binary.handling.mode and interval.handling.mode.
// Types the encoder does not know are sent as plain strings (their text form) and reported
// through `unknown_oid` (Debezium would drop such a column unless include.unknown.datatypes).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/cdc-capture/events/connect_schema.h"
#include "services/cdc-capture/events/encoder.h"
#include "services/cdc-capture/events/pg_text.h"
#include "services/cdc-capture/events/table_schema.h"

namespace cdcflow::cdc_capture::events {

struct ConverterOptions {
  DecimalMode decimal_mode = DecimalMode::kPrecise;
  TimePrecisionMode time_precision_mode = TimePrecisionMode::kAdaptive;
  BinaryMode binary_mode = BinaryMode::kBytes;
  IntervalMode interval_mode = IntervalMode::kNumeric;
};

// Reusable buffers for conversions (one per encoder).
struct ConversionScratch {
  pgtext::Decimal decimal;
  std::string bytes;
  std::string text;
  pgtext::ArrayElements array;
};

// Debezium's placeholder for unchanged TOASTed values (unavailable.value.placeholder default).
inline constexpr absl::string_view kUnavailableValuePlaceholder = "__debezium_unavailable_value";

class ValueConverter {
 public:
  enum class Kind {
    kBoolean,
    kBit1,  // bit(1) / varbit(1): boolean
    kInt16,
    kInt32,
    kInt64,
    kOid,  // oid: int64
    kFloat32,
    kFloat64,
    kNumeric,
    kMoney,
    kString,  // text-like, uuid, json, xml, enums, inet, ranges, unknown types …
    kBytea,
    kDate,
    kTime,
    kTimestamp,
    kTimestampTz,
    kTimeTz,
    kInterval,
    kBits,
    kArray,
  };

  // The converter for `column`. When the column's type (or its array element type) is not one
  // the encoder knows, the column is mapped to a string and *unknown_oid is set to that OID.
  static std::unique_ptr<ValueConverter> ForColumn(const ColumnSchema& column,
                                                   const ConverterOptions& options,
                                                   uint32_t* unknown_oid);

  const ConnectSchema& schema() const { return schema_; }
  Kind kind() const { return kind_; }

  // Appends the JSON value for a TEXT-format datum; kInvalidArgument (with a short reason, no
  // column name, no value) when the text is not a valid value of the type.
  absl::Status AppendText(absl::string_view text, std::string& out,
                          ConversionScratch& scratch) const;
  // The value Debezium emits for an unchanged TOASTed datum ('u').
  void AppendUnchangedToast(std::string& out) const;
  // The value Debezium emits for a NOT NULL column that arrived without a value (e.g. non-key
  // columns of a key-only old tuple): the type's zero ("fallback") value.
  void AppendFallback(std::string& out) const;

 private:
  ValueConverter() = default;

  static std::unique_ptr<ValueConverter> Build(uint32_t oid, int32_t typmod, const PgType* type,
                                               const PgType* element_type, bool optional,
                                               const ConverterOptions& options,
                                               uint32_t* unknown_oid);
  static std::unique_ptr<ValueConverter> BuildBuiltin(uint32_t oid, int32_t typmod, bool optional,
                                                      const ConverterOptions& options,
                                                      uint32_t* unknown_oid);
  static std::unique_ptr<ValueConverter> MakeString(bool optional, absl::string_view logical_name);

  absl::Status AppendNumeric(absl::string_view text, std::string& out,
                             ConversionScratch& scratch) const;
  absl::Status AppendMoney(absl::string_view text, std::string& out,
                           ConversionScratch& scratch) const;
  absl::Status AppendArray(absl::string_view text, std::string& out,
                           ConversionScratch& scratch) const;
  void AppendZonedTimestamp(int64_t epoch_micros, std::string& out) const;
  void AppendIntervalValue(const pgtext::Interval& interval, std::string& out) const;
  bool IsJsonString() const { return schema_.type == "string"; }

  Kind kind_ = Kind::kString;
  ConnectSchema schema_;
  ConverterOptions options_;
  bool micros_ = false;                      // time/timestamp: µs (true) or ms (false)
  bool variable_scale_ = false;              // numeric without typmod (VariableScaleDecimal)
  int scale_ = 0;                            // numeric scale
  int fraction_width_ = 6;                   // timestamptz: digits of the fraction
  std::unique_ptr<ValueConverter> element_;  // arrays
};

}  // namespace cdcflow::cdc_capture::events
