#include "services/cdc-capture/events/value_converter.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/cdc-capture/events/json_writer.h"

namespace cdcflow::cdc_capture::events {
namespace {

// Built-in type OIDs (pg_type.h).
enum : uint32_t {
  kBoolOid = 16,
  kByteaOid = 17,
  kCharOid = 18,
  kNameOid = 19,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kTextOid = 25,
  kOidOid = 26,
  kJsonOid = 114,
  kXmlOid = 142,
  kCidrOid = 650,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kMacaddr8Oid = 774,
  kMoneyOid = 790,
  kMacaddrOid = 829,
  kInetOid = 869,
  kBpcharOid = 1042,
  kVarcharOid = 1043,
  kDateOid = 1082,
  kTimeOid = 1083,
  kTimestampOid = 1114,
  kTimestamptzOid = 1184,
  kIntervalOid = 1186,
  kTimetzOid = 1266,
  kBitOid = 1560,
  kVarbitOid = 1562,
  kNumericOid = 1700,
  kUuidOid = 2950,
  kTsvectorOid = 3614,
  kJsonbOid = 3802,
  kInt4rangeOid = 3904,
  kNumrangeOid = 3906,
  kTsrangeOid = 3908,
  kTstzrangeOid = 3910,
  kDaterangeOid = 3912,
  kInt8rangeOid = 3926,
};

// Built-in array type → element type.
uint32_t BuiltinArrayElement(uint32_t oid) {
  switch (oid) {
    case 1000:
      return kBoolOid;
    case 1001:
      return kByteaOid;
    case 1002:
      return kCharOid;
    case 1003:
      return kNameOid;
    case 1005:
      return kInt2Oid;
    case 1007:
      return kInt4Oid;
    case 1009:
      return kTextOid;
    case 1014:
      return kBpcharOid;
    case 1015:
      return kVarcharOid;
    case 1016:
      return kInt8Oid;
    case 1021:
      return kFloat4Oid;
    case 1022:
      return kFloat8Oid;
    case 1028:
      return kOidOid;
    case 791:
      return kMoneyOid;
    case 143:
      return kXmlOid;
    case 199:
      return kJsonOid;
    case 651:
      return kCidrOid;
    case 775:
      return kMacaddr8Oid;
    case 1040:
      return kMacaddrOid;
    case 1041:
      return kInetOid;
    case 1182:
      return kDateOid;
    case 1183:
      return kTimeOid;
    case 1115:
      return kTimestampOid;
    case 1185:
      return kTimestamptzOid;
    case 1187:
      return kIntervalOid;
    case 1231:
      return kNumericOid;
    case 1270:
      return kTimetzOid;
    case 1561:
      return kBitOid;
    case 1563:
      return kVarbitOid;
    case 2951:
      return kUuidOid;
    case 3643:
      return kTsvectorOid;
    case 3807:
      return kJsonbOid;
    case 3905:
      return kInt4rangeOid;
    case 3907:
      return kNumrangeOid;
    case 3909:
      return kTsrangeOid;
    case 3911:
      return kTstzrangeOid;
    case 3913:
      return kDaterangeOid;
    case 3927:
      return kInt8rangeOid;
    default:
      return 0;
  }
}

// PostgreSQL's "infinity" dates and timestamps as Debezium emits them. Debezium maps them to the
// constants of the PostgreSQL JDBC driver: timestamps to 9223372036825200000 / -9223372036832400000
// (read as microseconds; milliseconds for the millisecond schemas), dates to the epoch days of
// LocalDate -5877611-06-21 / -5877611-06-22 (PostgresValueConverter.POSITIVE/NEGATIVE_INFINITY_
// LOCAL_DATE: both far in the past, which is what Debezium really sends).
constexpr int64_t kPositiveInfinityMicros = 9'223'372'036'825'200'000;
constexpr int64_t kNegativeInfinityMicros = -9'223'372'036'832'400'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int TimePrecision(int32_t typmod) { return typmod < 0 ? 6 : typmod; }

absl::Status Invalid(absl::string_view type) {
  return absl::InvalidArgumentError(absl::StrCat("not a valid ", type, " value"));
}

void AppendTwoDigits(std::string& out, int64_t v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

// HH:MM:SS of a time of day in microseconds (0 <= micros < 24h, or exactly 24h).
void AppendClock(std::string& out, int64_t micros) {
  const int64_t seconds = micros / pgtext::kMicrosPerSecond;
  AppendTwoDigits(out, seconds / 3600);
  out.push_back(':');
  AppendTwoDigits(out, seconds / 60 % 60);
  out.push_back(':');
  AppendTwoDigits(out, seconds % 60);
}

// Java's DateTimeFormatter fraction: exactly `width` digits (1..9), or for width 0 as many as
// needed without trailing zeros (ISO_LOCAL_TIME) and nothing when the fraction is zero.
void AppendFraction(std::string& out, int64_t micros_of_second, int width) {
  char digits[9];
  int64_t nanos = micros_of_second * 1000;
  for (int i = 8; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + nanos % 10);
    nanos /= 10;
  }
  if (width >= 1 && width <= 9) {
    out.push_back('.');
    out.append(digits, width);
    return;
  }
  if (micros_of_second == 0) return;
  int n = 9;
  while (n > 0 && digits[n - 1] == '0') --n;
  out.push_back('.');
  out.append(digits, n);
}

// ISO_LOCAL_DATE's year: 4 digits at least, '+' above 9999, '-' before the year.
void AppendIsoYear(std::string& out, int64_t year) {
  if (year > 9999) out.push_back('+');
  if (year < 0) out.push_back('-');
  const int64_t abs_year = year < 0 ? -year : year;
  std::string digits = std::to_string(abs_year);
  if (digits.size() < 4) out.append(4 - digits.size(), '0');
  out.append(digits);
}

// Java's (long) cast of a double.
int64_t JavaDoubleToLong(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

}  // namespace

std::unique_ptr<ValueConverter> ValueConverter::ForColumn(const ColumnSchema& column,
                                                          const ConverterOptions& options,
                                                          uint32_t* unknown_oid) {
  *unknown_oid = 0;
  const PgType* type = column.type ? &*column.type : nullptr;
  const PgType* element = column.element_type ? &*column.element_type : nullptr;
  return Build(type ? type->oid : column.type_oid, column.type_modifier, type, element,
               column.optional, options, unknown_oid);
}

std::unique_ptr<ValueConverter> ValueConverter::MakeString(bool optional,
                                                           absl::string_view logical_name) {
  std::unique_ptr<ValueConverter> c(new ValueConverter());
  c->kind_ = Kind::kString;
  c->schema_ = logical_name.empty() ? PrimitiveSchema("string", optional)
                                    : NamedSchema("string", optional, logical_name, 1);
  return c;
}

std::unique_ptr<ValueConverter> ValueConverter::Build(uint32_t oid, int32_t typmod,
                                                      const PgType* type,
                                                      const PgType* element_type, bool optional,
                                                      const ConverterOptions& options,
                                                      uint32_t* unknown_oid) {
  if (type != nullptr) {
    if (type->kind == 'e') {
      std::unique_ptr<ValueConverter> c = MakeString(optional, "io.debezium.data.Enum");
      c->schema_.parameters.emplace_back("allowed", absl::StrJoin(type->enum_labels, ","));
      c->options_ = options;
      return c;
    }
    if (type->kind == 'd' && type->base_oid != 0) {
      // A domain is converted as its base type (only built-in bases are known here).
      return Build(type->base_oid, typmod, nullptr, nullptr, optional, options, unknown_oid);
    }
    if (type->element_oid != 0) {
      std::unique_ptr<ValueConverter> c(new ValueConverter());
      c->kind_ = Kind::kArray;
      c->options_ = options;
      const PgType* elem = element_type != nullptr && element_type->oid == type->element_oid
                               ? element_type
                               : nullptr;
      c->element_ = Build(type->element_oid, typmod, elem, nullptr, true, options, unknown_oid);
      c->schema_ = PrimitiveSchema("array", optional);
      c->schema_.items.push_back(c->element_->schema_);
      return c;
    }
    if (type->name == "citext") return MakeString(optional, "");
  }
  return BuildBuiltin(oid, typmod, optional, options, unknown_oid);
}

std::unique_ptr<ValueConverter> ValueConverter::BuildBuiltin(uint32_t oid, int32_t typmod,
                                                             bool optional,
                                                             const ConverterOptions& options,
                                                             uint32_t* unknown_oid) {
  std::unique_ptr<ValueConverter> c(new ValueConverter());
  c->options_ = options;
  const bool adaptive = options.time_precision_mode != TimePrecisionMode::kConnect;
  switch (oid) {
    case kBoolOid:
      c->kind_ = Kind::kBoolean;
      c->schema_ = PrimitiveSchema("boolean", optional);
      return c;
    case kInt2Oid:
      c->kind_ = Kind::kInt16;
      c->schema_ = PrimitiveSchema("int16", optional);
      return c;
    case kInt4Oid:
      c->kind_ = Kind::kInt32;
      c->schema_ = PrimitiveSchema("int32", optional);
      return c;
    case kInt8Oid:
      c->kind_ = Kind::kInt64;
      c->schema_ = PrimitiveSchema("int64", optional);
      return c;
    case kOidOid:
      c->kind_ = Kind::kOid;
      c->schema_ = PrimitiveSchema("int64", optional);
      return c;
    case kFloat4Oid:
      c->kind_ = Kind::kFloat32;
      c->schema_ = PrimitiveSchema("float", optional);
      return c;
    case kFloat8Oid:
      c->kind_ = Kind::kFloat64;
      c->schema_ = PrimitiveSchema("double", optional);
      return c;
    case kNumericOid: {
      c->kind_ = Kind::kNumeric;
      int precision = 0;
      if (typmod >= 4) {
        precision = ((typmod - 4) >> 16) & 0xFFFF;
        c->scale_ = (typmod - 4) & 0xFFFF;
      }
      // Debezium: no typmod (precision 0, scale 0) means variable scale.
      c->variable_scale_ = precision == 0 && c->scale_ == 0;
      switch (options.decimal_mode) {
        case DecimalMode::kPrecise:
          if (c->variable_scale_) {
            c->schema_ =
                NamedSchema("struct", optional, "io.debezium.data.VariableScaleDecimal", 1);
            c->schema_.doc = "Variable scaled decimal";
            c->schema_.fields.push_back({"scale", PrimitiveSchema("int32", false)});
            c->schema_.fields.push_back({"value", PrimitiveSchema("bytes", false)});
          } else {
            c->schema_ = NamedSchema("bytes", optional, "org.apache.kafka.connect.data.Decimal", 1);
            c->schema_.parameters.emplace_back("scale", std::to_string(c->scale_));
            c->schema_.parameters.emplace_back("connect.decimal.precision",
                                               std::to_string(precision));
          }
          break;
        case DecimalMode::kDouble:
          c->schema_ = PrimitiveSchema("double", optional);
          break;
        case DecimalMode::kString:
          c->schema_ = PrimitiveSchema("string", optional);
          break;
      }
      return c;
    }
    case kMoneyOid:
      c->kind_ = Kind::kMoney;
      c->scale_ = 2;  // money.fraction.digits default
      switch (options.decimal_mode) {
        case DecimalMode::kPrecise:
          c->schema_ = NamedSchema("bytes", optional, "org.apache.kafka.connect.data.Decimal", 1);
          c->schema_.parameters.emplace_back("scale", "2");
          break;
        case DecimalMode::kDouble:
          c->schema_ = PrimitiveSchema("double", optional);
          break;
        case DecimalMode::kString:
          c->schema_ = PrimitiveSchema("string", optional);
          break;
      }
      return c;
    case kCharOid:
    case kNameOid:
    case kTextOid:
    case kBpcharOid:
    case kVarcharOid:
    case kInetOid:
    case kCidrOid:
    case kMacaddrOid:
    case kMacaddr8Oid:
    case kInt4rangeOid:
    case kNumrangeOid:
    case kTsrangeOid:
    case kTstzrangeOid:
    case kDaterangeOid:
    case kInt8rangeOid:
      return MakeString(optional, "");
    case kUuidOid:
      return MakeString(optional, "io.debezium.data.Uuid");
    case kJsonOid:
    case kJsonbOid:
      return MakeString(optional, "io.debezium.data.Json");
    case kXmlOid:
      return MakeString(optional, "io.debezium.data.Xml");
    case kTsvectorOid:
      return MakeString(optional, "io.debezium.data.Tsvector");
    case kByteaOid:
      c->kind_ = Kind::kBytea;
      c->schema_ =
          PrimitiveSchema(options.binary_mode == BinaryMode::kBytes ? "bytes" : "string", optional);
      return c;
    case kDateOid:
      c->kind_ = Kind::kDate;
      c->schema_ = adaptive
                       ? NamedSchema("int32", optional, "io.debezium.time.Date", 1)
                       : NamedSchema("int32", optional, "org.apache.kafka.connect.data.Date", 1);
      return c;
    case kTimeOid:
      c->kind_ = Kind::kTime;
      if (options.time_precision_mode == TimePrecisionMode::kAdaptiveTimeMicroseconds ||
          (options.time_precision_mode == TimePrecisionMode::kAdaptive &&
           TimePrecision(typmod) > 3)) {
        c->micros_ = true;
        c->schema_ = NamedSchema("int64", optional, "io.debezium.time.MicroTime", 1);
      } else if (adaptive) {
        c->schema_ = NamedSchema("int32", optional, "io.debezium.time.Time", 1);
      } else {
        c->schema_ = NamedSchema("int32", optional, "org.apache.kafka.connect.data.Time", 1);
      }
      return c;
    case kTimestampOid:
      c->kind_ = Kind::kTimestamp;
      if (adaptive && TimePrecision(typmod) > 3) {
        c->micros_ = true;
        c->schema_ = NamedSchema("int64", optional, "io.debezium.time.MicroTimestamp", 1);
      } else if (adaptive) {
        c->schema_ = NamedSchema("int64", optional, "io.debezium.time.Timestamp", 1);
      } else {
        c->schema_ = NamedSchema("int64", optional, "org.apache.kafka.connect.data.Timestamp", 1);
      }
      return c;
    case kTimestamptzOid:
      c->kind_ = Kind::kTimestampTz;
      c->fraction_width_ = TimePrecision(typmod);
      c->schema_ = NamedSchema("string", optional, "io.debezium.time.ZonedTimestamp", 1);
      return c;
    case kTimetzOid:
      c->kind_ = Kind::kTimeTz;
      c->schema_ = NamedSchema("string", optional, "io.debezium.time.ZonedTime", 1);
      return c;
    case kIntervalOid:
      c->kind_ = Kind::kInterval;
      c->schema_ = options.interval_mode == IntervalMode::kNumeric
                       ? NamedSchema("int64", optional, "io.debezium.time.MicroDuration", 1)
                       : NamedSchema("string", optional, "io.debezium.time.Interval", 1);
      return c;
    case kBitOid:
    case kVarbitOid: {
      // bit(n): typmod n; varbit without a length: pgjdbc's unknown length (Integer.MAX_VALUE).
      const int64_t length = typmod >= 0 ? typmod : (oid == kVarbitOid ? 2147483647 : 1);
      if (length > 1) {
        c->kind_ = Kind::kBits;
        c->schema_ = NamedSchema("bytes", optional, "io.debezium.data.Bits", 1);
        c->schema_.parameters.emplace_back("length", std::to_string(length));
      } else {
        c->kind_ = Kind::kBit1;
        c->schema_ = PrimitiveSchema("boolean", optional);
      }
      return c;
    }
    default:
      break;
  }
  if (const uint32_t element = BuiltinArrayElement(oid); element != 0) {
    c->kind_ = Kind::kArray;
    c->element_ = BuildBuiltin(element, typmod, true, options, unknown_oid);
    c->schema_ = PrimitiveSchema("array", optional);
    c->schema_.items.push_back(c->element_->schema_);
    return c;
  }
  *unknown_oid = oid;
  return MakeString(optional, "");
}

absl::Status ValueConverter::AppendText(absl::string_view text, std::string& out,
                                        ConversionScratch& scratch) const {
  switch (kind_) {
    case Kind::kString:
      json::AppendString(out, text);
      return absl::OkStatus();
    case Kind::kBoolean:
      if (text == "t") {
        out.append("true");
      } else if (text == "f") {
        out.append("false");
      } else {
        return Invalid("boolean");
      }
      return absl::OkStatus();
    case Kind::kBit1:
      if (text == "1") {
        out.append("true");
      } else if (text == "0") {
        out.append("false");
      } else {
        return Invalid("bit");
      }
      return absl::OkStatus();
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kOid: {
      int64_t v;
      if (!pgtext::ParseInt64(text, v)) return Invalid("integer");
      if ((kind_ == Kind::kInt16 && (v < -32768 || v > 32767)) ||
          (kind_ == Kind::kInt32 &&
           (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())) ||
          (kind_ == Kind::kOid && (v < 0 || v > 4294967295LL))) {
        return absl::InvalidArgumentError("integer out of range");
      }
      // PostgreSQL writes integers canonically (no '+', no leading zeros), as JSON does: its
      // text can be copied, saving a conversion back to digits.
      const absl::string_view digits = text[0] == '-' ? text.substr(1) : text;
      if (digits[0] != '0' || text == "0") {
        out.append(text.data(), text.size());
      } else {
        json::AppendInt(out, v);
      }
      return absl::OkStatus();
    }
    case Kind::kFloat32: {
      float v;
      if (!pgtext::ParseFloat(text, v)) return Invalid("real");
      json::AppendFloat(out, v);
      return absl::OkStatus();
    }
    case Kind::kFloat64: {
      double v;
      if (!pgtext::ParseDouble(text, v)) return Invalid("double precision");
      json::AppendDouble(out, v);
      return absl::OkStatus();
    }
    case Kind::kNumeric:
      return AppendNumeric(text, out, scratch);
    case Kind::kMoney:
      return AppendMoney(text, out, scratch);
    case Kind::kBytea: {
      if (!pgtext::ParseBytea(text, scratch.bytes)) return Invalid("bytea");
      out.push_back('"');
      switch (options_.binary_mode) {
        case BinaryMode::kBytes:
        case BinaryMode::kBase64:
          json::AppendBase64(out, scratch.bytes, false);
          break;
        case BinaryMode::kBase64UrlSafe:
          json::AppendBase64(out, scratch.bytes, true);
          break;
        case BinaryMode::kHex:
          json::AppendHex(out, scratch.bytes);
          break;
      }
      out.push_back('"');
      return absl::OkStatus();
    }
    case Kind::kDate: {
      int64_t days;
      pgtext::Infinity inf;
      if (!pgtext::ParseDate(text, days, inf)) return Invalid("date");
      if (inf == pgtext::Infinity::kPositive) days = pgtext::DaysFromCivil(-5877611, 6, 21);
      if (inf == pgtext::Infinity::kNegative) days = pgtext::DaysFromCivil(-5877611, 6, 22);
      if (days < std::numeric_limits<int32_t>::min() ||
          days > std::numeric_limits<int32_t>::max()) {
        return absl::InvalidArgumentError("date out of range");
      }
      json::AppendInt(out, days);
      return absl::OkStatus();
    }
    case Kind::kTime: {
      int64_t micros;
      if (!pgtext::ParseTime(text, micros)) return Invalid("time");
      json::AppendInt(out, micros_ ? micros : micros / 1000);
      return absl::OkStatus();
    }
    case Kind::kTimestamp: {
      int64_t micros;
      pgtext::Infinity inf;
      if (!pgtext::ParseTimestamp(text, micros, inf)) return Invalid("timestamp");
      if (inf == pgtext::Infinity::kPositive) micros = kPositiveInfinityMicros;
      if (inf == pgtext::Infinity::kNegative) micros = kNegativeInfinityMicros;
      json::AppendInt(out, micros_ ? micros : FloorDiv(micros, 1000));
      return absl::OkStatus();
    }
    case Kind::kTimestampTz: {
      int64_t micros;
      pgtext::Infinity inf;
      if (!pgtext::ParseTimestampTz(text, micros, inf)) return Invalid("timestamp with time zone");
      if (inf == pgtext::Infinity::kPositive) {
        out.append("\"infinity\"");
      } else if (inf == pgtext::Infinity::kNegative) {
        out.append("\"-infinity\"");
      } else {
        AppendZonedTimestamp(micros, out);
      }
      return absl::OkStatus();
    }
    case Kind::kTimeTz: {
      int64_t micros;
      int32_t offset;
      if (!pgtext::ParseTimeTz(text, micros, offset)) return Invalid("time with time zone");
      if (micros == pgtext::kMicrosPerDay && offset == 0) {
        out.append("\"24:00:00Z\"");  // PostgresTimeBoundary: the end-of-day boundary at UTC
        return absl::OkStatus();
      }
      int64_t utc = micros - int64_t{offset} * pgtext::kMicrosPerSecond;
      utc %= pgtext::kMicrosPerDay;
      if (utc < 0) utc += pgtext::kMicrosPerDay;
      out.push_back('"');
      AppendClock(out, utc);
      AppendFraction(out, utc % pgtext::kMicrosPerSecond, 0);
      out.append("Z\"");
      return absl::OkStatus();
    }
    case Kind::kInterval: {
      pgtext::Interval interval;
      if (!pgtext::ParseInterval(text, interval)) return Invalid("interval");
      AppendIntervalValue(interval, out);
      return absl::OkStatus();
    }
    case Kind::kBits: {
      // The text's last character is bit 0; bytes little-endian, as many as the highest set
      // bit needs (PostgresValueConverter.convertBits).
      std::string& bytes = scratch.bytes;
      bytes.clear();
      const size_t n = text.size();
      for (size_t i = 0; i < n; ++i) {
        const char ch = text[n - 1 - i];
        if (ch != '0' && ch != '1') return Invalid("bit string");
        if (ch == '1') {
          if (bytes.size() <= i / 8) bytes.resize(i / 8 + 1, '\0');
          bytes[i / 8] = static_cast<char>(bytes[i / 8] | (1 << (i % 8)));
        }
      }
      out.push_back('"');
      json::AppendBase64(out, bytes);
      out.push_back('"');
      return absl::OkStatus();
    }
    case Kind::kArray:
      return AppendArray(text, out, scratch);
  }
  return absl::InternalError("unhandled type");
}

absl::Status ValueConverter::AppendNumeric(absl::string_view text, std::string& out,
                                           ConversionScratch& scratch) const {
  pgtext::Decimal& d = scratch.decimal;
  if (!pgtext::ParseDecimal(text, d)) return Invalid("numeric");
  using Special = pgtext::Decimal::Special;
  if (d.special != Special::kNone) {
    switch (options_.decimal_mode) {
      case DecimalMode::kPrecise:
        return absl::InvalidArgumentError(
            "NaN/Infinity cannot be sent with decimal.handling.mode=precise (use string or "
            "double)");
      case DecimalMode::kDouble:
        out.append(d.special == Special::kNaN                ? "\"NaN\""
                   : d.special == Special::kPositiveInfinity ? "\"Infinity\""
                                                             : "\"-Infinity\"");
        return absl::OkStatus();
      case DecimalMode::kString:
        // SpecialValueDecimal.toString(): the enum constant's name.
        out.append(d.special == Special::kNaN                ? "\"NAN\""
                   : d.special == Special::kPositiveInfinity ? "\"POSITIVE_INFINITY\""
                                                             : "\"NEGATIVE_INFINITY\"");
        return absl::OkStatus();
    }
  }
  switch (options_.decimal_mode) {
    case DecimalMode::kPrecise:
      if (variable_scale_) {
        pgtext::StripTrailingZeros(d);
        pgtext::UnscaledTwosComplement(d, scratch.bytes);
        out.append("{\"scale\":");
        json::AppendInt(out, d.scale);
        out.append(",\"value\":\"");
        json::AppendBase64(out, scratch.bytes);
        out.append("\"}");
        return absl::OkStatus();
      }
      if (!pgtext::SetScaleExact(d, scale_)) {
        return absl::InvalidArgumentError(
            "numeric value has more fractional digits than its scale");
      }
      pgtext::UnscaledTwosComplement(d, scratch.bytes);
      out.push_back('"');
      json::AppendBase64(out, scratch.bytes);
      out.push_back('"');
      return absl::OkStatus();
    case DecimalMode::kDouble: {
      double v;
      if (!pgtext::ParseDouble(text, v)) return Invalid("numeric");
      json::AppendDouble(out, v);
      return absl::OkStatus();
    }
    case DecimalMode::kString:
      if (!variable_scale_ && d.scale < scale_) pgtext::SetScaleExact(d, scale_);
      out.push_back('"');
      pgtext::AppendJavaBigDecimal(d, out);
      out.push_back('"');
      return absl::OkStatus();
  }
  return absl::InternalError("unhandled decimal mode");
}

absl::Status ValueConverter::AppendMoney(absl::string_view text, std::string& out,
                                         ConversionScratch& scratch) const {
  pgtext::Decimal& d = scratch.decimal;
  if (!pgtext::ParseMoney(text, d)) return Invalid("money");
  // Debezium reads money through pgjdbc's PGmoney, i.e. as a double.
  scratch.text.clear();
  pgtext::AppendPlainDecimal(d, scratch.text);
  double v;
  if (!pgtext::ParseDouble(scratch.text, v)) return Invalid("money");
  switch (options_.decimal_mode) {
    case DecimalMode::kPrecise:
      pgtext::SetScaleHalfUp(d, scale_);
      pgtext::UnscaledTwosComplement(d, scratch.bytes);
      out.push_back('"');
      json::AppendBase64(out, scratch.bytes);
      out.push_back('"');
      return absl::OkStatus();
    case DecimalMode::kDouble:
      json::AppendDouble(out, v);
      return absl::OkStatus();
    case DecimalMode::kString:
      out.push_back('"');
      out.append(json::JavaDoubleToString(v));
      out.push_back('"');
      return absl::OkStatus();
  }
  return absl::InternalError("unhandled decimal mode");
}

absl::Status ValueConverter::AppendArray(absl::string_view text, std::string& out,
                                         ConversionScratch& scratch) const {
  pgtext::ArrayElements& elements = scratch.array;
  if (!pgtext::ParseArray(text, elements)) return Invalid("array");
  out.push_back('[');
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (elements.nulls[i]) {
      out.append("null");
      continue;
    }
    absl::Status st = element_->AppendText(elements.element(i), out, scratch);
    if (!st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("array element ", i + 1, ": ", st.message()));
    }
  }
  out.push_back(']');
  return absl::OkStatus();
}

void ValueConverter::AppendZonedTimestamp(int64_t epoch_micros, std::string& out) const {
  const int64_t days = FloorDiv(epoch_micros, pgtext::kMicrosPerDay);
  const int64_t time = epoch_micros - days * pgtext::kMicrosPerDay;
  int64_t year;
  int month, day;
  pgtext::CivilFromDays(days, year, month, day);
  out.push_back('"');
  AppendIsoYear(out, year);
  out.push_back('-');
  AppendTwoDigits(out, month);
  out.push_back('-');
  AppendTwoDigits(out, day);
  out.push_back('T');
  AppendClock(out, time);
  // ZonedTimestamp.toIsoString: exactly `precision` fraction digits (1..9); precision 0 falls
  // back to ISO_OFFSET_DATE_TIME (no trailing zeros, nothing when zero).
  AppendFraction(out, time % pgtext::kMicrosPerSecond, fraction_width_);
  out.append("Z\"");
}

void ValueConverter::AppendIntervalValue(const pgtext::Interval& iv, std::string& out) const {
  // PGInterval.getSeconds(): whole seconds + microseconds / 1e6, as a double.
  const double seconds = static_cast<double>(static_cast<int32_t>(iv.whole_seconds)) +
                         static_cast<double>(static_cast<int32_t>(iv.micros)) / 1000000.0;
  const auto years = static_cast<int32_t>(iv.years);
  const auto months = static_cast<int32_t>(iv.months);
  const auto days = static_cast<int32_t>(iv.days);
  const auto hours = static_cast<int32_t>(iv.hours);
  const auto minutes = static_cast<int32_t>(iv.minutes);
  if (options_.interval_mode == IntervalMode::kNumeric) {
    // MicroDuration.durationMicros with DAYS_PER_MONTH_AVG = 365.25 / 12 (30.4375), computed
    // in doubles exactly as Debezium does and truncated like Java's (long) cast.
    const double days_per_month = 365.25 / 12.0;
    const double number_of_days =
        static_cast<double>(years * 12 + months) * days_per_month + static_cast<double>(days);
    const double number_of_seconds = ((number_of_days * 24 + hours) * 60 + minutes) * 60 + seconds;
    json::AppendInt(out, JavaDoubleToLong(number_of_seconds * 1e6 + 0));
    return;
  }
  // Interval.toIsoString: "P<y>Y<m>M<d>DT<h>H<min>M<s>S" with the seconds as
  // BigDecimal.valueOf(seconds), at most 9 fraction digits, trailing zeros stripped.
  out.push_back('"');
  out.push_back('P');
  json::AppendInt(out, years);
  out.push_back('Y');
  json::AppendInt(out, months);
  out.push_back('M');
  json::AppendInt(out, days);
  out.append("DT");
  json::AppendInt(out, hours);
  out.push_back('H');
  json::AppendInt(out, minutes);
  out.push_back('M');
  if (seconds == 0) {
    out.push_back('0');
  } else {
    pgtext::Decimal d;
    int exp = 0;
    json::ShortestDigits(seconds, d.coeff, exp);
    d.negative = seconds < 0;
    d.scale = static_cast<int>(d.coeff.size()) - 1 - exp;
    if (d.scale > 9) {
      d.coeff.erase(d.coeff.size() - static_cast<size_t>(d.scale - 9));  // RoundingMode.DOWN
      if (d.coeff.empty()) d.coeff.assign(1, '0');
      d.scale = 9;
    }
    pgtext::StripTrailingZeros(d);
    if (d.coeff == "0") d.negative = false;
    pgtext::AppendPlainDecimal(d, out);
  }
  out.append("S\"");
}

void ValueConverter::AppendUnchangedToast(std::string& out) const {
  if (kind_ == Kind::kBytea) {
    switch (options_.binary_mode) {
      case BinaryMode::kBytes:  // the placeholder's bytes
        out.push_back('"');
        json::AppendBase64(out, kUnavailableValuePlaceholder);
        out.push_back('"');
        return;
      case BinaryMode::kHex:
        json::AppendString(out, kUnavailableValuePlaceholder);
        return;
      case BinaryMode::kBase64:
      case BinaryMode::kBase64UrlSafe:
        // Debezium's base64 converters do not recognise the marker and deliver null.
        out.append("null");
        return;
    }
  }
  if (kind_ == Kind::kArray) {
    // UnchangedToastedPlaceholder: text-like arrays get [placeholder], integer arrays the
    // placeholder's bytes as numbers; other arrays (which Debezium cannot represent) null.
    const std::string& t = element_->schema_.type;
    if (t == "string") {
      out.push_back('[');
      json::AppendString(out, kUnavailableValuePlaceholder);
      out.push_back(']');
    } else if (t == "int16" || t == "int32" || t == "int64") {
      out.push_back('[');
      for (size_t i = 0; i < kUnavailableValuePlaceholder.size(); ++i) {
        if (i > 0) out.push_back(',');
        json::AppendInt(out, static_cast<unsigned char>(kUnavailableValuePlaceholder[i]));
      }
      out.push_back(']');
    } else {
      out.append("null");
    }
    return;
  }
  if (IsJsonString()) {
    json::AppendString(out, kUnavailableValuePlaceholder);
    return;
  }
  out.append("null");
}

void ValueConverter::AppendFallback(std::string& out) const {
  switch (kind_) {
    case Kind::kBoolean:
    case Kind::kBit1:
      out.append("false");
      return;
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kOid:
    case Kind::kDate:
    case Kind::kTime:
    case Kind::kTimestamp:
      out.push_back('0');
      return;
    case Kind::kFloat32:
    case Kind::kFloat64:
      out.append("0.0");
      return;
    case Kind::kNumeric:
    case Kind::kMoney:
      switch (options_.decimal_mode) {
        case DecimalMode::kPrecise:
          out.append(kind_ == Kind::kNumeric && variable_scale_ ? "{\"scale\":0,\"value\":\"AA==\"}"
                                                                : "\"AA==\"");
          return;
        case DecimalMode::kDouble:
          out.append("0.0");
          return;
        case DecimalMode::kString: {
          pgtext::Decimal zero;
          zero.coeff.assign(1, '0');
          zero.scale = variable_scale_ && kind_ == Kind::kNumeric ? 0 : scale_;
          out.push_back('"');
          pgtext::AppendJavaBigDecimal(zero, out);
          out.push_back('"');
          return;
        }
      }
      return;
    case Kind::kString:
    case Kind::kBytea:
    case Kind::kBits:
      out.append("\"\"");
      return;
    case Kind::kTimestampTz:
      out.append("\"1970-01-01T00:00:00Z\"");
      return;
    case Kind::kTimeTz:
      out.append("\"00:00:00Z\"");
      return;
    case Kind::kInterval:
      out.append(options_.interval_mode == IntervalMode::kNumeric ? "0" : "\"P0Y0M0DT0H0M0S\"");
      return;
    case Kind::kArray:
      out.append("[]");
      return;
  }
}

}  // namespace cdcflow::cdc_capture::events
