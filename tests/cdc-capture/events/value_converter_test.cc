// Type mapping: Connect schema and JSON value per PostgreSQL type, as described in Debezium's
// PostgreSQL connector documentation, section "Data type mappings" (basic, temporal, TIMESTAMP,
// decimal, HSTORE-less "network address", "PostGIS"-less, "toasted values" and "domain"/"enum"
// subsections), and PostgresValueConverter / JdbcValueConverters for the exact encodings.

#include "services/cdc-capture/events/value_converter.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cdcflow::cdc_capture::events {
namespace {

ColumnSchema Col(uint32_t oid, int32_t typmod = -1, bool optional = true) {
  ColumnSchema c;
  c.name.push_back('c');
  c.type_oid = oid;
  c.type_modifier = typmod;
  c.optional = optional;
  return c;
}

int32_t NumericTypmod(int precision, int scale) { return ((precision << 16) | scale) + 4; }

struct Converted {
  std::string schema;
  std::string value;  // or "ERROR: <message>"
};

Converted Convert(const ColumnSchema& col, absl::string_view text, ConverterOptions options = {}) {
  uint32_t unknown = 0;
  std::unique_ptr<ValueConverter> c = ValueConverter::ForColumn(col, options, &unknown);
  ConversionScratch scratch;
  Converted out;
  out.schema = SchemaJson(c->schema());
  absl::Status st = c->AppendText(text, out.value, scratch);
  if (!st.ok()) out.value = "ERROR: " + std::string(st.message());
  return out;
}

std::string Value(const ColumnSchema& col, absl::string_view text, ConverterOptions options = {}) {
  return Convert(col, text, options).value;
}

std::string Schema(const ColumnSchema& col, ConverterOptions options = {}) {
  uint32_t unknown = 0;
  return SchemaJson(ValueConverter::ForColumn(col, options, &unknown)->schema());
}

std::string Toast(const ColumnSchema& col, ConverterOptions options = {}) {
  uint32_t unknown = 0;
  std::string out;
  ValueConverter::ForColumn(col, options, &unknown)->AppendUnchangedToast(out);
  return out;
}

std::string Fallback(const ColumnSchema& col, ConverterOptions options = {}) {
  uint32_t unknown = 0;
  std::string out;
  ValueConverter::ForColumn(col, options, &unknown)->AppendFallback(out);
  return out;
}

ConverterOptions Decimal(DecimalMode m) {
  ConverterOptions o;
  o.decimal_mode = m;
  return o;
}
ConverterOptions Time(TimePrecisionMode m) {
  ConverterOptions o;
  o.time_precision_mode = m;
  return o;
}
ConverterOptions Binary(BinaryMode m) {
  ConverterOptions o;
  o.binary_mode = m;
  return o;
}
ConverterOptions IntervalAs(IntervalMode m) {
  ConverterOptions o;
  o.interval_mode = m;
  return o;
}

TEST(TypeMapping, BooleanAndIntegers) {
  EXPECT_EQ(Schema(Col(16, -1, false)), R"({"type":"boolean","optional":false})");
  EXPECT_EQ(Value(Col(16), "t"), "true");
  EXPECT_EQ(Value(Col(16), "f"), "false");
  EXPECT_EQ(Value(Col(16), "yes"), "ERROR: not a valid boolean value");

  EXPECT_EQ(Schema(Col(21)), R"({"type":"int16","optional":true})");
  EXPECT_EQ(Value(Col(21), "-32768"), "-32768");
  EXPECT_EQ(Value(Col(21), "32768"), "ERROR: integer out of range");
  EXPECT_EQ(Schema(Col(23)), R"({"type":"int32","optional":true})");
  EXPECT_EQ(Value(Col(23), "2147483647"), "2147483647");
  EXPECT_EQ(Value(Col(23), "2147483648"), "ERROR: integer out of range");
  EXPECT_EQ(Value(Col(23), "12a"), "ERROR: not a valid integer value");
  // PostgreSQL's own text is copied as is; any other spelling is written as JSON's number.
  EXPECT_EQ(Value(Col(23), "0"), "0");
  EXPECT_EQ(Value(Col(23), "-7"), "-7");
  EXPECT_EQ(Value(Col(23), "007"), "7");
  EXPECT_EQ(Value(Col(23), "-007"), "-7");
  EXPECT_EQ(Value(Col(23), "-0"), "0");
  EXPECT_EQ(Value(Col(23), "+7"), "ERROR: not a valid integer value");
  EXPECT_EQ(Schema(Col(20)), R"({"type":"int64","optional":true})");
  EXPECT_EQ(Value(Col(20), "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(Value(Col(20), "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(Value(Col(20), "9223372036854775808"), "ERROR: not a valid integer value");
  EXPECT_EQ(Schema(Col(26)), R"({"type":"int64","optional":true})");  // oid
  EXPECT_EQ(Value(Col(26), "4294967295"), "4294967295");
}

TEST(TypeMapping, FloatingPoint) {
  EXPECT_EQ(Schema(Col(700)), R"({"type":"float","optional":true})");
  EXPECT_EQ(Value(Col(700), "1.1"), "1.1");
  EXPECT_EQ(Value(Col(700), "1e+30"), "1.0E30");
  EXPECT_EQ(Value(Col(700), "NaN"), "\"NaN\"");
  EXPECT_EQ(Value(Col(700), "-Infinity"), "\"-Infinity\"");
  EXPECT_EQ(Schema(Col(701)), R"({"type":"double","optional":true})");
  EXPECT_EQ(Value(Col(701), "0.1"), "0.1");
  EXPECT_EQ(Value(Col(701), "100"), "100.0");
  EXPECT_EQ(Value(Col(701), "-0"), "-0.0");
  EXPECT_EQ(Value(Col(701), "1e-05"), "1.0E-5");
  EXPECT_EQ(Value(Col(701), "123456789"), "1.23456789E8");
  EXPECT_EQ(Value(Col(701), "Infinity"), "\"Infinity\"");
  EXPECT_EQ(Value(Col(701), "abc"), "ERROR: not a valid double precision value");
}

TEST(TypeMapping, NumericPrecise) {
  const ColumnSchema amount = Col(1700, NumericTypmod(12, 2), false);
  EXPECT_EQ(Schema(amount),
            R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal",)"
            R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"}})");
  EXPECT_EQ(Value(amount, "1234.56"), "\"AeJA\"");
  EXPECT_EQ(Value(amount, "-1234.56"), "\"/h3A\"");
  EXPECT_EQ(Value(amount, "0.00"), "\"AA==\"");
  EXPECT_EQ(Value(amount, "100.00"), "\"JxA=\"");
  EXPECT_EQ(Value(amount, "1.5"), "\"AJY=\"");  // scale adjusted up to 2: 150
  EXPECT_EQ(Value(amount, "1.505"),
            "ERROR: numeric value has more fractional digits than its scale");
  EXPECT_EQ(Value(amount, "NaN"),
            "ERROR: NaN/Infinity cannot be sent with decimal.handling.mode=precise (use string "
            "or double)");
  const ColumnSchema big = Col(1700, NumericTypmod(38, 0));
  EXPECT_EQ(Value(big, "99999999999999999999999999999999999999"), "\"SztMqFqGxHoJiiI//////w==\"");
  EXPECT_EQ(Value(big, "-12345678901234567890123"), "\"/WK9SbGJjr27NQ==\"");
}

TEST(TypeMapping, NumericWithoutTypmodIsVariableScaleDecimal) {
  const ColumnSchema n = Col(1700);
  EXPECT_EQ(Schema(n),
            R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
            R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
            R"("name":"io.debezium.data.VariableScaleDecimal","version":1,)"
            R"("doc":"Variable scaled decimal"})");
  EXPECT_EQ(Value(n, "1.500"), R"({"scale":1,"value":"Dw=="})");
  EXPECT_EQ(Value(n, "1000"), R"({"scale":0,"value":"A+g="})");
  EXPECT_EQ(Value(n, "-0.005"), R"({"scale":3,"value":"+w=="})");
  EXPECT_EQ(Value(n, "0.000"), R"({"scale":0,"value":"AA=="})");
}

TEST(TypeMapping, NumericDoubleAndStringModes) {
  const ColumnSchema amount = Col(1700, NumericTypmod(12, 2));
  const ConverterOptions dbl = Decimal(DecimalMode::kDouble);
  EXPECT_EQ(Schema(amount, dbl), R"({"type":"double","optional":true})");
  EXPECT_EQ(Value(amount, "1234.56", dbl), "1234.56");
  EXPECT_EQ(Value(amount, "-0.10", dbl), "-0.1");
  EXPECT_EQ(Value(amount, "NaN", dbl), "\"NaN\"");
  const ConverterOptions str = Decimal(DecimalMode::kString);
  EXPECT_EQ(Schema(amount, str), R"({"type":"string","optional":true})");
  EXPECT_EQ(Value(amount, "1234.50", str), "\"1234.50\"");
  EXPECT_EQ(Value(amount, "-0.10", str), "\"-0.10\"");
  EXPECT_EQ(Value(amount, "NaN", str), "\"NAN\"");
  EXPECT_EQ(Value(amount, "Infinity", str), "\"POSITIVE_INFINITY\"");
  EXPECT_EQ(Value(Col(1700, NumericTypmod(20, 10)), "0.0000000000", str), "\"0E-10\"");
  EXPECT_EQ(Value(Col(1700), "0.0000001", str), "\"1E-7\"");
}

TEST(TypeMapping, Money) {
  const ColumnSchema m = Col(790);
  EXPECT_EQ(Schema(m),
            R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
            R"("version":1,"parameters":{"scale":"2"}})");
  EXPECT_EQ(Value(m, "$1,234.56"), "\"AeJA\"");
  EXPECT_EQ(Value(m, "-$1,234.56"), "\"/h3A\"");
  EXPECT_EQ(Value(m, "($5.00)"), "\"/gw=\"");
  EXPECT_EQ(Value(m, "$1,234.56", Decimal(DecimalMode::kDouble)), "1234.56");
  EXPECT_EQ(Value(m, "$10,000,000.00", Decimal(DecimalMode::kString)), "\"1.0E7\"");
}

TEST(TypeMapping, CharacterTypesAndStringLikeTypes) {
  for (uint32_t oid : {25u, 1043u, 1042u, 19u, 18u, 869u, 650u, 829u, 774u, 3904u, 3912u}) {
    EXPECT_EQ(Schema(Col(oid)), R"({"type":"string","optional":true})") << oid;
  }
  EXPECT_EQ(Value(Col(1042, 9), "ab       "), "\"ab       \"");
  EXPECT_EQ(Value(Col(25), "line\nbreak \"q\" \\ é"), R"("line\nbreak \"q\" \\ é")");
  EXPECT_EQ(Value(Col(869), "192.168.0.1/24"), "\"192.168.0.1/24\"");
  EXPECT_EQ(Schema(Col(2950)),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1})");
  EXPECT_EQ(Value(Col(2950), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
  EXPECT_EQ(Schema(Col(3802)),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1})");
  EXPECT_EQ(Schema(Col(114)),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1})");
  EXPECT_EQ(Value(Col(3802), R"({"a": [1, "x"]})"), R"("{\"a\": [1, \"x\"]}")");
  EXPECT_EQ(Schema(Col(142)),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Xml","version":1})");
  EXPECT_EQ(Schema(Col(3614)),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Tsvector","version":1})");
}

TEST(TypeMapping, Date) {
  EXPECT_EQ(Schema(Col(1082)),
            R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1})");
  EXPECT_EQ(Schema(Col(1082), Time(TimePrecisionMode::kConnect)),
            R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date",)"
            R"("version":1})");
  EXPECT_EQ(Value(Col(1082), "2025-07-22"), "20291");
  EXPECT_EQ(Value(Col(1082), "1969-12-31"), "-1");
  EXPECT_EQ(Value(Col(1082), "0044-03-15 BC"), "-735160");
  // PostgresValueConverter.POSITIVE/NEGATIVE_INFINITY_LOCAL_DATE (-5877611-06-21/22).
  EXPECT_EQ(Value(Col(1082), "infinity"), "-2147472692");
  EXPECT_EQ(Value(Col(1082), "-infinity"), "-2147472691");
  EXPECT_EQ(Value(Col(1082), "2025-02-30"), "ERROR: not a valid date value");
}

TEST(TypeMapping, Time) {
  // No typmod = precision 6: MicroTime; time(0..3): Time (ms, int32).
  EXPECT_EQ(Schema(Col(1083)),
            R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1})");
  EXPECT_EQ(Value(Col(1083), "09:30:00.123456"), "34200123456");
  EXPECT_EQ(Value(Col(1083), "24:00:00"), "86400000000");
  EXPECT_EQ(Schema(Col(1083, 3)),
            R"({"type":"int32","optional":true,"name":"io.debezium.time.Time","version":1})");
  EXPECT_EQ(Value(Col(1083, 3), "09:30:00.123"), "34200123");
  EXPECT_EQ(Schema(Col(1083, 3), Time(TimePrecisionMode::kAdaptiveTimeMicroseconds)),
            R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1})");
  EXPECT_EQ(Value(Col(1083, 3), "09:30:00.123", Time(TimePrecisionMode::kAdaptiveTimeMicroseconds)),
            "34200123000");
  EXPECT_EQ(Schema(Col(1083), Time(TimePrecisionMode::kConnect)),
            R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Time",)"
            R"("version":1})");
  EXPECT_EQ(Value(Col(1083), "09:30:00.123456", Time(TimePrecisionMode::kConnect)), "34200123");
}

TEST(TypeMapping, Timestamp) {
  EXPECT_EQ(Schema(Col(1114, -1, false)),
            R"({"type":"int64","optional":false,"name":"io.debezium.time.MicroTimestamp",)"
            R"("version":1})");
  EXPECT_EQ(Value(Col(1114), "2025-07-22 09:30:00"), "1753176600000000");
  EXPECT_EQ(Value(Col(1114), "2025-07-22 09:30:00.123"), "1753176600123000");
  EXPECT_EQ(Value(Col(1114), "2025-07-22 09:30:00.123456"), "1753176600123456");
  EXPECT_EQ(Value(Col(1114), "0044-03-15 12:00:00 BC"), "-63517780800000000");
  EXPECT_EQ(Value(Col(1114), "infinity"), "9223372036825200000");
  EXPECT_EQ(Value(Col(1114), "-infinity"), "-9223372036832400000");
  EXPECT_EQ(Schema(Col(1114, 3)),
            R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1})");
  EXPECT_EQ(Value(Col(1114, 3), "2025-07-22 09:30:00.123"), "1753176600123");
  EXPECT_EQ(Value(Col(1114, 3), "1969-12-31 23:59:59.999"), "-1");
  EXPECT_EQ(Value(Col(1114, 3), "infinity"), "9223372036825200");
  const ConverterOptions connect = Time(TimePrecisionMode::kConnect);
  EXPECT_EQ(Schema(Col(1114), connect),
            R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp",)"
            R"("version":1})");
  EXPECT_EQ(Value(Col(1114), "2025-07-22 09:30:00.123456", connect), "1753176600123");
  EXPECT_EQ(Value(Col(1114), "1969-12-31 23:59:59.9995", connect), "-1");  // floor
  EXPECT_EQ(Value(Col(1114), "2025-07-22"), "ERROR: not a valid timestamp value");
}

TEST(TypeMapping, TimestampWithTimeZone) {
  EXPECT_EQ(Schema(Col(1184)),
            R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp",)"
            R"("version":1})");
  // Default precision 6: always six fraction digits, in UTC.
  EXPECT_EQ(Value(Col(1184), "2025-07-22 11:30:00.123456+02"), "\"2025-07-22T09:30:00.123456Z\"");
  EXPECT_EQ(Value(Col(1184), "2025-07-22 09:30:00+00"), "\"2025-07-22T09:30:00.000000Z\"");
  EXPECT_EQ(Value(Col(1184), "2025-07-22 15:00:00.5+05:30"), "\"2025-07-22T09:30:00.500000Z\"");
  EXPECT_EQ(Value(Col(1184), "2025-07-22 00:30:00-10"), "\"2025-07-22T10:30:00.000000Z\"");
  // timestamptz(3) and timestamptz(0).
  EXPECT_EQ(Value(Col(1184, 3), "2025-07-22 11:30:00.123+02"), "\"2025-07-22T09:30:00.123Z\"");
  EXPECT_EQ(Value(Col(1184, 3), "2025-07-22 11:30:00+02"), "\"2025-07-22T09:30:00.000Z\"");
  EXPECT_EQ(Value(Col(1184, 0), "2025-07-22 11:30:00+02"), "\"2025-07-22T09:30:00Z\"");
  EXPECT_EQ(Value(Col(1184), "0044-03-15 12:00:00+00 BC"), "\"-0043-03-15T12:00:00.000000Z\"");
  EXPECT_EQ(Value(Col(1184), "10000-01-01 00:00:00+00"), "\"+10000-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(Value(Col(1184), "infinity"), "\"infinity\"");
  EXPECT_EQ(Value(Col(1184), "-infinity"), "\"-infinity\"");
}

TEST(TypeMapping, TimeWithTimeZone) {
  EXPECT_EQ(Schema(Col(1266)),
            R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTime","version":1})");
  EXPECT_EQ(Value(Col(1266), "10:15:30.5+02"), "\"08:15:30.5Z\"");
  EXPECT_EQ(Value(Col(1266), "10:15:30.123456+02"), "\"08:15:30.123456Z\"");
  EXPECT_EQ(Value(Col(1266), "10:15:00+00"), "\"10:15:00Z\"");
  EXPECT_EQ(Value(Col(1266), "23:30:00-01"), "\"00:30:00Z\"");
  EXPECT_EQ(Value(Col(1266), "00:30:00+01"), "\"23:30:00Z\"");
  EXPECT_EQ(Value(Col(1266), "24:00:00+00"), "\"24:00:00Z\"");
}

TEST(TypeMapping, Interval) {
  EXPECT_EQ(Schema(Col(1186)),
            R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration",)"
            R"("version":1})");
  // MicroDuration: months count 365.25/12 = 30.4375 days.
  EXPECT_EQ(Value(Col(1186), "1 year 2 mons 3 days 04:05:06.789"), "37091106789000");
  EXPECT_EQ(Value(Col(1186), "1 mon"), "2629800000000");
  EXPECT_EQ(Value(Col(1186), "-1 days +02:00:00"), "-79200000000");
  EXPECT_EQ(Value(Col(1186), "00:00:00"), "0");
  EXPECT_EQ(Value(Col(1186), "-00:00:01.5"), "-1500000");
  const ConverterOptions iso = IntervalAs(IntervalMode::kString);
  EXPECT_EQ(Schema(Col(1186), iso),
            R"({"type":"string","optional":true,"name":"io.debezium.time.Interval","version":1})");
  EXPECT_EQ(Value(Col(1186), "1 year 2 mons 3 days 04:05:06.789", iso), "\"P1Y2M3DT4H5M6.789S\"");
  EXPECT_EQ(Value(Col(1186), "00:00:00", iso), "\"P0Y0M0DT0H0M0S\"");
  EXPECT_EQ(Value(Col(1186), "-00:00:01.5", iso), "\"P0Y0M0DT0H0M-1.5S\"");
  EXPECT_EQ(Value(Col(1186), "00:00:00.000001", iso), "\"P0Y0M0DT0H0M0.000001S\"");
  EXPECT_EQ(Value(Col(1186), "soon", iso), "ERROR: not a valid interval value");
}

TEST(TypeMapping, Bytea) {
  EXPECT_EQ(Schema(Col(17)), R"({"type":"bytes","optional":true})");
  EXPECT_EQ(Value(Col(17), "\\x0001ff"), "\"AAH/\"");
  EXPECT_EQ(Value(Col(17), "\\x"), "\"\"");
  EXPECT_EQ(Value(Col(17), "\\x0g"), "ERROR: not a valid bytea value");
  EXPECT_EQ(Schema(Col(17), Binary(BinaryMode::kBase64)), R"({"type":"string","optional":true})");
  EXPECT_EQ(Value(Col(17), "\\x0001ff", Binary(BinaryMode::kBase64)), "\"AAH/\"");
  EXPECT_EQ(Value(Col(17), "\\x0001ff", Binary(BinaryMode::kBase64UrlSafe)), "\"AAH_\"");
  EXPECT_EQ(Value(Col(17), "\\x0001ff", Binary(BinaryMode::kHex)), "\"0001ff\"");
}

TEST(TypeMapping, BitStrings) {
  EXPECT_EQ(Schema(Col(1560, 1)), R"({"type":"boolean","optional":true})");
  EXPECT_EQ(Value(Col(1560, 1), "1"), "true");
  EXPECT_EQ(Value(Col(1562, 1), "0"), "false");
  EXPECT_EQ(Schema(Col(1560, 10)),
            R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,)"
            R"("parameters":{"length":"10"}})");
  EXPECT_EQ(Value(Col(1560, 3), "101"), "\"BQ==\"");
  EXPECT_EQ(Value(Col(1560, 10), "1000000001"), "\"AQI=\"");
  EXPECT_EQ(Value(Col(1560, 3), "000"), "\"\"");
  EXPECT_EQ(Schema(Col(1562)),
            R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,)"
            R"("parameters":{"length":"2147483647"}})");
  EXPECT_EQ(Value(Col(1560, 3), "102"), "ERROR: not a valid bit string value");
}

TEST(TypeMapping, Arrays) {
  EXPECT_EQ(Schema(Col(1007)),
            R"({"type":"array","items":{"type":"int32","optional":true},"optional":true})");
  EXPECT_EQ(Value(Col(1007), "{1,2,NULL}"), "[1,2,null]");
  EXPECT_EQ(Value(Col(1007), "{}"), "[]");
  EXPECT_EQ(Value(Col(1007), "{{1,2},{3,4}}"), "[1,2,3,4]");
  EXPECT_EQ(Value(Col(1009), R"({"a b","c\"d",NULL,"NULL",plain})"),
            R"(["a b","c\"d",null,"NULL","plain"])");
  EXPECT_EQ(Schema(Col(1231, NumericTypmod(5, 2))),
            R"({"type":"array","items":{"type":"bytes","optional":true,)"
            R"("name":"org.apache.kafka.connect.data.Decimal","version":1,)"
            R"("parameters":{"scale":"2","connect.decimal.precision":"5"}},"optional":true})");
  EXPECT_EQ(Value(Col(1231, NumericTypmod(5, 2)), "{1.50,-2.25}"), R"(["AJY=","/x8="])");
  EXPECT_EQ(Value(Col(1115), R"({"2025-07-22 09:30:00",NULL})"), "[1753176600000000,null]");
  EXPECT_EQ(Value(Col(1001), R"({"\\x0001ff"})"), R"(["AAH/"])");
  EXPECT_EQ(Value(Col(3807), R"({"{\"a\": 1}"})"), R"(["{\"a\": 1}"])");
  EXPECT_EQ(Value(Col(1007), "{1,x}"), "ERROR: array element 2: not a valid integer value");
  EXPECT_EQ(Value(Col(1007), "{1,2"), "ERROR: not a valid array value");
}

TEST(TypeMapping, EnumsAndEnumArrays) {
  PgType mood;
  mood.oid = 16400;
  mood.schema = "public";
  mood.name = "mood";
  mood.kind = 'e';
  mood.enum_labels = {"sad", "ok", "happy"};
  ColumnSchema c = Col(16400);
  c.type = mood;
  EXPECT_EQ(Schema(c),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
            R"("parameters":{"allowed":"sad,ok,happy"}})");
  EXPECT_EQ(Value(c, "happy"), "\"happy\"");

  PgType moods;
  moods.oid = 16399;
  moods.name = "_mood";
  moods.element_oid = 16400;
  ColumnSchema a = Col(16399);
  a.type = moods;
  a.element_type = mood;
  EXPECT_EQ(
      Schema(a),
      R"({"type":"array","items":{"type":"string","optional":true,)"
      R"("name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"sad,ok,happy"}},)"
      R"("optional":true})");
  EXPECT_EQ(Value(a, "{sad,happy}"), R"(["sad","happy"])");
}

TEST(TypeMapping, DomainsUseTheirBaseType) {
  PgType positive;
  positive.oid = 16500;
  positive.name = "positive_int";
  positive.kind = 'd';
  positive.base_oid = 23;
  ColumnSchema c = Col(16500);
  c.type = positive;
  EXPECT_EQ(Schema(c), R"({"type":"int32","optional":true})");
  EXPECT_EQ(Value(c, "42"), "42");
}

TEST(TypeMapping, UnknownTypesAreStringsAndReported) {
  uint32_t unknown = 0;
  auto c = ValueConverter::ForColumn(Col(600), {}, &unknown);  // point
  EXPECT_EQ(unknown, 600u);
  EXPECT_EQ(SchemaJson(c->schema()), R"({"type":"string","optional":true})");
  EXPECT_EQ(Value(Col(600), "(1,2)"), "\"(1,2)\"");
  ValueConverter::ForColumn(Col(23), {}, &unknown);
  EXPECT_EQ(unknown, 0u);
}

TEST(TypeMapping, UnchangedToastPlaceholders) {
  EXPECT_EQ(Toast(Col(25)), "\"__debezium_unavailable_value\"");
  EXPECT_EQ(Toast(Col(3802)), "\"__debezium_unavailable_value\"");
  // bytea: the placeholder's bytes (base64 in JSON); hex mode the placeholder text; Debezium's
  // base64 converters do not recognise the marker and send null.
  EXPECT_EQ(Toast(Col(17)), "\"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==\"");
  EXPECT_EQ(Toast(Col(17), Binary(BinaryMode::kHex)), "\"__debezium_unavailable_value\"");
  EXPECT_EQ(Toast(Col(17), Binary(BinaryMode::kBase64)), "null");
  // Arrays: UnchangedToastedPlaceholder's list forms.
  EXPECT_EQ(Toast(Col(1009)), "[\"__debezium_unavailable_value\"]");
  EXPECT_EQ(Toast(Col(1007)),
            "[95,95,100,101,98,101,122,105,117,109,95,117,110,97,118,97,105,108,97,98,108,101,"
            "95,118,97,108,117,101]");
  EXPECT_EQ(Toast(Col(1000)), "null");
  EXPECT_EQ(Toast(Col(1700, NumericTypmod(10, 2))), "null");
  EXPECT_EQ(Toast(Col(1700, NumericTypmod(10, 2)), Decimal(DecimalMode::kString)),
            "\"__debezium_unavailable_value\"");
}

TEST(TypeMapping, FallbackValuesForMissingNotNullValues) {
  EXPECT_EQ(Fallback(Col(23)), "0");
  EXPECT_EQ(Fallback(Col(16)), "false");
  EXPECT_EQ(Fallback(Col(25)), "\"\"");
  EXPECT_EQ(Fallback(Col(701)), "0.0");
  EXPECT_EQ(Fallback(Col(1700, NumericTypmod(12, 2))), "\"AA==\"");
  EXPECT_EQ(Fallback(Col(1700, NumericTypmod(12, 2)), Decimal(DecimalMode::kString)), "\"0.00\"");
  EXPECT_EQ(Fallback(Col(1700)), R"({"scale":0,"value":"AA=="})");
  EXPECT_EQ(Fallback(Col(1114)), "0");
  EXPECT_EQ(Fallback(Col(1184)), "\"1970-01-01T00:00:00Z\"");
  EXPECT_EQ(Fallback(Col(1266)), "\"00:00:00Z\"");
  EXPECT_EQ(Fallback(Col(1007)), "[]");
}

}  // namespace
}  // namespace cdcflow::cdc_capture::events

namespace cdcflow::cdc_capture::events {
namespace {

// Whatever text arrives, a converter either rejects it with kInvalidArgument or writes valid
// JSON: never a crash, never a broken document.
TEST(TypeMapping, GarbageIsRejectedOrValidJson) {
  const std::vector<ColumnSchema> columns = {
      Col(16),      Col(21),      Col(23),
      Col(20),      Col(26),      Col(700),
      Col(701),     Col(1700),    Col(1700, NumericTypmod(12, 2)),
      Col(790),     Col(25),      Col(17),
      Col(1082),    Col(1083),    Col(1083, 3),
      Col(1114),    Col(1114, 3), Col(1184),
      Col(1266),    Col(1186),    Col(1560, 8),
      Col(1560, 1), Col(1007),    Col(1009),
      Col(1231),    Col(1115),    Col(600)};
  const std::vector<std::string> inputs = {"",
                                           " ",
                                           "-",
                                           "+1",
                                           "1e400",
                                           "NaN",
                                           "infinity",
                                           "{",
                                           "}",
                                           "{{}",
                                           "{\"",
                                           "[1:2]",
                                           "\\x",
                                           "\\",
                                           "24:00:01",
                                           "99:99:99",
                                           "2025-00-00",
                                           "-00:00:00.0000001",
                                           "$",
                                           "()",
                                           std::string("\xFF\xFE\x00\x01", 4),
                                           "1 year x",
                                           "{1,{2}}",
                                           "0x10",
                                           "1.2.3",
                                           "t\n",
                                           "9999999999999999999999",
                                           "2025-07-22 25:00:00",
                                           "P1Y2M3DT",
                                           "@ ago"};
  ConversionScratch scratch;
  for (const ColumnSchema& col : columns) {
    for (const ConverterOptions& options :
         {ConverterOptions{}, Decimal(DecimalMode::kString), Time(TimePrecisionMode::kConnect),
          IntervalAs(IntervalMode::kString), Binary(BinaryMode::kHex)}) {
      uint32_t unknown = 0;
      auto c = ValueConverter::ForColumn(col, options, &unknown);
      for (const std::string& in : inputs) {
        std::string out;
        absl::Status st = c->AppendText(in, out, scratch);
        if (st.ok()) {
          EXPECT_TRUE(nlohmann::json::accept(out)) << col.type_oid << " " << in << " -> " << out;
        } else {
          EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << col.type_oid << " " << in;
        }
      }
    }
  }
}

}  // namespace
}  // namespace cdcflow::cdc_capture::events
