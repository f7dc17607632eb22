#include "services/mysql-sink/record/literal.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace cdcflow::mysql_sink {
namespace {

using std::string_literals::operator""s;

std::string Str(std::string_view text) {
  std::string out;
  AppendStringLiteral(text, out);
  return out;
}

// Runs an Append* that returns a status; "ERROR: <message>" on failure, with `out` untouched.
template <typename F>
std::string Render(F f) {
  std::string out = "prefix|";
  const absl::Status s = f(out);
  if (!s.ok()) {
    EXPECT_EQ(out, "prefix|") << "a failed append must leave the buffer as it was";
    return "ERROR: " + std::string(s.message());
  }
  return out.substr(7);
}

std::string Decimal(std::string_view base64, int32_t scale) {
  return Render([&](std::string& out) { return AppendBase64DecimalLiteral(base64, scale, out); });
}
std::string DecimalNumber(std::string_view number) {
  return Render([&](std::string& out) { return AppendDecimalNumberLiteral(number, out); });
}
std::string Date(int64_t days) {
  return Render([&](std::string& out) { return AppendDateLiteral(days, out); });
}
std::string Time(int64_t v, TimeUnit unit) {
  return Render([&](std::string& out) { return AppendTimeLiteral(v, unit, out); });
}
std::string Timestamp(int64_t v, TimeUnit unit) {
  return Render([&](std::string& out) { return AppendTimestampLiteral(v, unit, out); });
}
std::string Zoned(std::string_view iso) {
  return Render([&](std::string& out) { return AppendZonedTimestampLiteral(iso, out); });
}
std::string Double(double v) {
  return Render([&](std::string& out) { return AppendDoubleLiteral(v, out); });
}
std::string Float(float v) {
  return Render([&](std::string& out) { return AppendFloatLiteral(v, out); });
}

TEST(StringLiteral, PlainTextIsQuoted) {
  EXPECT_EQ(Str("abc"), "'abc'");
  EXPECT_EQ(Str(""), "''");
}

TEST(StringLiteral, EscapesWhatMariaDbNeeds) {
  EXPECT_EQ(Str("it's"), R"('it\'s')");
  EXPECT_EQ(Str(R"(C:\dir)"), R"('C:\\dir')");
  EXPECT_EQ(Str("a\0b"s), R"('a\0b')");
  EXPECT_EQ(Str("l1\nl2\r"), R"('l1\nl2\r')");
  EXPECT_EQ(Str("\x1a"), R"('\Z')");
  // Tabs and double quotes need no escape inside single quotes.
  EXPECT_EQ(Str("a\tb\"c"), "'a\tb\"c'");
}

TEST(StringLiteral, UnicodePassesThrough) { EXPECT_EQ(Str("héllo ✓ 😀 日本"), "'héllo ✓ 😀 日本'"); }

TEST(StringLiteral, InjectionAttemptStaysInsideTheLiteral) {
  EXPECT_EQ(Str("'); DROP TABLE x; --"), R"('\'); DROP TABLE x; --')");
  EXPECT_EQ(Str(R"(\'; DROP TABLE x; --)"), R"('\\\'; DROP TABLE x; --')");
}

TEST(StringLiteral, AppendsToExistingContent) {
  std::string out = "INSERT ";
  AppendStringLiteral("x", out);
  EXPECT_EQ(out, "INSERT 'x'");
}

TEST(BytesLiteral, Hex) {
  std::string out;
  AppendBytesLiteral("\x00\xff\x10"s, out);
  EXPECT_EQ(out, "X'00ff10'");
  out.clear();
  AppendBytesLiteral("", out);
  EXPECT_EQ(out, "X''");
}

TEST(BytesLiteral, FromBase64) {
  EXPECT_EQ(Render([](std::string& out) { return AppendBase64BytesLiteral("AP8Q", out); }),
            "X'00ff10'");
  EXPECT_EQ(Render([](std::string& out) { return AppendBase64BytesLiteral("", out); }), "X''");
  EXPECT_EQ(Render([](std::string& out) { return AppendBase64BytesLiteral("AP8=", out); }),
            "X'00ff'");
  EXPECT_EQ(Render([](std::string& out) { return AppendBase64BytesLiteral("AP*Q", out); }),
            "ERROR: bytes is not valid base64");
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  std::string out;
  ASSERT_TRUE(AppendBase64Decoded("aGVsbG8=", out));
  EXPECT_EQ(out, "hello");
  out.clear();
  ASSERT_TRUE(AppendBase64Decoded("aGVsbG8", out));
  EXPECT_EQ(out, "hello");
  out.clear();
  ASSERT_TRUE(AppendBase64Decoded("aGk=", out));
  EXPECT_EQ(out, "hi");
  out.clear();
  ASSERT_TRUE(AppendBase64Decoded("+/+/", out));
  EXPECT_EQ(out, "\xfb\xff\xbf");
}

TEST(Base64, RejectsInvalidInputAndLeavesOutputAlone) {
  std::string out = "keep";
  EXPECT_FALSE(AppendBase64Decoded("a", out));
  EXPECT_FALSE(AppendBase64Decoded("aGVsbG8==", out));  // too much padding
  EXPECT_FALSE(AppendBase64Decoded("aG=k", out));
  EXPECT_FALSE(AppendBase64Decoded("aGVs bG8=", out));
  EXPECT_FALSE(AppendBase64Decoded("aGVsbG8-", out));  // URL-safe alphabet is not JsonConverter's
  out = "keep";
  EXPECT_FALSE(AppendBase64Decoded("abc=d===", out));
  EXPECT_EQ(out, "keep");
}

TEST(ScalarLiterals, BooleansAndIntegers) {
  std::string out;
  AppendBoolLiteral(true, out);
  AppendBoolLiteral(false, out);
  EXPECT_EQ(out, "10");
  out.clear();
  AppendIntLiteral(std::numeric_limits<int64_t>::min(), out);
  EXPECT_EQ(out, "-9223372036854775808");
  out.clear();
  AppendUintLiteral(std::numeric_limits<uint64_t>::max(), out);
  EXPECT_EQ(out, "18446744073709551615");
}

TEST(ScalarLiterals, FloatsAreShortestRoundTrip) {
  EXPECT_EQ(Double(1.5), "1.5");
  EXPECT_EQ(Double(0.1), "0.1");
  EXPECT_EQ(Double(1.0), "1");
  EXPECT_EQ(Double(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(Double(1e20), "1e+20");
  EXPECT_EQ(Double(123456789.125), "123456789.125");
  EXPECT_EQ(Float(0.1f), "0.1");
  // How JsonConverter widens a float32 (0.1f as a double) comes back as the float.
  EXPECT_EQ(Float(static_cast<float>(0.10000000149011612)), "0.1");
}

TEST(ScalarLiterals, NanAndInfinityAreRejected) {
  EXPECT_EQ(Double(std::nan("")), "ERROR: NaN cannot be stored in MariaDB");
  EXPECT_EQ(Double(std::numeric_limits<double>::infinity()),
            "ERROR: Infinity cannot be stored in MariaDB");
  EXPECT_EQ(Double(-std::numeric_limits<double>::infinity()),
            "ERROR: -Infinity cannot be stored in MariaDB");
  EXPECT_EQ(Float(std::numeric_limits<float>::quiet_NaN()),
            "ERROR: NaN cannot be stored in MariaDB");
}

TEST(DecimalLiteral, PositiveNegativeZero) {
  EXPECT_EQ(Decimal("MDk=", 2), "123.45");   // 0x3039 = 12345
  EXPECT_EQ(Decimal("z8c=", 2), "-123.45");  // 0xcfc7 = -12345
  EXPECT_EQ(Decimal("AA==", 2), "0.00");
  EXPECT_EQ(Decimal("", 2), "0.00");  // no bytes: zero
  EXPECT_EQ(Decimal("AA==", 0), "0");
}

TEST(DecimalLiteral, ScaleZeroSmallAndNegative) {
  EXPECT_EQ(Decimal("MDk=", 0), "12345");
  EXPECT_EQ(Decimal("BQ==", 3), "0.005");   // 5
  EXPECT_EQ(Decimal("/w==", 3), "-0.001");  // -1
  EXPECT_EQ(Decimal("MDk=", 5), "0.12345");
  EXPECT_EQ(Decimal("MDk=", 6), "0.012345");
  EXPECT_EQ(Decimal("MDk=", -2), "1234500");  // a negative Connect scale multiplies
}

TEST(DecimalLiteral, SignExtension) {
  std::string out;
  ASSERT_TRUE(AppendDecimalLiteral("\x00\xff"s, 0, out).ok());
  EXPECT_EQ(out, "255");
  out.clear();
  ASSERT_TRUE(AppendDecimalLiteral("\xff\x00"s, 0, out).ok());
  EXPECT_EQ(out, "-256");
}

TEST(DecimalLiteral, SixteenBytesUseTheFull128Bits) {
  EXPECT_EQ(Decimal("f////////////////////w==", 0), "170141183460469231731687303715884105727");
  EXPECT_EQ(Decimal("gAAAAAAAAAAAAAAAAAAAAA==", 0), "-170141183460469231731687303715884105728");
  EXPECT_EQ(Decimal("f////////////////////w==", 38), "1.70141183460469231731687303715884105727");
}

TEST(DecimalLiteral, LongerThanSixteenBytes) {
  EXPECT_EQ(Decimal("HWMp8cNcpL+rufVhAAAAAAA=", 0),  // 17 bytes: 10^40
            "10000000000000000000000000000000000000000");
  EXPECT_EQ(Decimal("0yiQH3lGwx0Il1/03V//+KQy6w==", 5),  // 19 bytes: -(10^45 + 123456789)
            "-10000000000000000000000000000000000001234.56789");
  EXPECT_EQ(Decimal("//////////////////////////8=", 2), "-0.01");  // 20 bytes of -1
}

TEST(DecimalLiteral, InvalidBase64AndScale) {
  EXPECT_EQ(Decimal("MDk", 2), "123.45");  // padding is optional
  EXPECT_EQ(Decimal("M!k=", 2), "ERROR: Decimal is not valid base64");
  EXPECT_EQ(Decimal("MDk=", 20000), "ERROR: decimal scale is outside -10000..10000");
}

TEST(DecimalLiteral, FromJsonNumber) {
  EXPECT_EQ(DecimalNumber("123.45"), "123.45");
  EXPECT_EQ(DecimalNumber("1.5E+3"), "1500");
  EXPECT_EQ(DecimalNumber("-0.5e-2"), "-0.005");
  EXPECT_EQ(DecimalNumber("12e-1"), "1.2");
  EXPECT_EQ(DecimalNumber("1e2"), "100");
  EXPECT_EQ(DecimalNumber("0"), "0");
  EXPECT_EQ(DecimalNumber("-0.00"), "0.00");
  EXPECT_EQ(DecimalNumber("00012.50 "), "12.50");
  EXPECT_EQ(DecimalNumber("98765432109876543210987654321.123456789"),
            "98765432109876543210987654321.123456789");
  EXPECT_EQ(DecimalNumber("1."), "ERROR: Decimal is not a valid number");
  EXPECT_EQ(DecimalNumber("abc"), "ERROR: Decimal is not a valid number");
  EXPECT_EQ(DecimalNumber("1e"), "ERROR: Decimal is not a valid number");
  EXPECT_EQ(DecimalNumber("1e99999"), "ERROR: decimal scale is outside -10000..10000");
}

TEST(DateLiteral, AroundTheEpochAndLimits) {
  EXPECT_EQ(Date(0), "'1970-01-01'");
  EXPECT_EQ(Date(-1), "'1969-12-31'");
  EXPECT_EQ(Date(20291), "'2025-07-22'");
  EXPECT_EQ(Date(19782), "'2024-02-29'");
  EXPECT_EQ(Date(-25567), "'1900-01-01'");
  EXPECT_EQ(Date(-719162), "'0001-01-01'");
  EXPECT_EQ(Date(-719528), "'0000-01-01'");
  EXPECT_EQ(Date(2932896), "'9999-12-31'");
  EXPECT_EQ(Date(2932897), "ERROR: date is outside the years 0000..9999");
  EXPECT_EQ(Date(-719529), "ERROR: date is outside the years 0000..9999");
}

TEST(TimeLiteral, Units) {
  EXPECT_EQ(Time(0, TimeUnit::kMillis), "'00:00:00.000000'");
  EXPECT_EQ(Time(45296789, TimeUnit::kMillis), "'12:34:56.789000'");
  EXPECT_EQ(Time(86399999999, TimeUnit::kMicros), "'23:59:59.999999'");
  EXPECT_EQ(Time(45296789123456, TimeUnit::kNanos), "'12:34:56.789123'");  // 456 ns dropped
  EXPECT_EQ(Time(86400000000, TimeUnit::kMicros), "'24:00:00.000000'");    // PostgreSQL 24:00
}

TEST(TimeLiteral, NegativeAndMariaDbRange) {
  EXPECT_EQ(Time(-1500000, TimeUnit::kMicros), "'-00:00:01.500000'");
  EXPECT_EQ(Time(3020399999999, TimeUnit::kMicros), "'838:59:59.999999'");
  EXPECT_EQ(Time(-3020399999999, TimeUnit::kMicros), "'-838:59:59.999999'");
  EXPECT_EQ(Time(3020400000000, TimeUnit::kMicros),
            "ERROR: time is outside -838:59:59.999999..838:59:59.999999");
  EXPECT_EQ(Time(std::numeric_limits<int64_t>::min(), TimeUnit::kMillis),
            "ERROR: time is outside -838:59:59.999999..838:59:59.999999");
}

TEST(TimestampLiteral, Units) {
  EXPECT_EQ(Timestamp(0, TimeUnit::kMillis), "'1970-01-01 00:00:00.000000'");
  EXPECT_EQ(Timestamp(1753176660000000, TimeUnit::kMicros), "'2025-07-22 09:31:00.000000'");
  EXPECT_EQ(Timestamp(1753176660123, TimeUnit::kMillis), "'2025-07-22 09:31:00.123000'");
  EXPECT_EQ(Timestamp(1753176660123456789, TimeUnit::kNanos), "'2025-07-22 09:31:00.123456'");
}

TEST(TimestampLiteral, NegativeEpochs) {
  EXPECT_EQ(Timestamp(-1, TimeUnit::kMillis), "'1969-12-31 23:59:59.999000'");
  EXPECT_EQ(Timestamp(-1, TimeUnit::kMicros), "'1969-12-31 23:59:59.999999'");
  EXPECT_EQ(Timestamp(-1, TimeUnit::kNanos), "'1969-12-31 23:59:59.999999'");
  EXPECT_EQ(Timestamp(-2208988800000000, TimeUnit::kMicros), "'1900-01-01 00:00:00.000000'");
  EXPECT_EQ(Timestamp(-14182940000, TimeUnit::kMillis), "'1969-07-20 20:17:40.000000'");
  EXPECT_EQ(Timestamp(-14182939999, TimeUnit::kMillis), "'1969-07-20 20:17:40.001000'");
}

TEST(TimestampLiteral, OutOfRange) {
  // Debezium's encoding of PostgreSQL 'infinity'.
  EXPECT_EQ(Timestamp(9223372036825200000, TimeUnit::kMicros),
            "ERROR: date is outside the years 0000..9999");
  EXPECT_EQ(Timestamp(std::numeric_limits<int64_t>::min(), TimeUnit::kMillis),
            "ERROR: date is outside the years 0000..9999");
}

TEST(ZonedTimestampLiteral, ConvertsToUtc) {
  EXPECT_EQ(Zoned("2025-07-22T09:31:00Z"), "'2025-07-22 09:31:00.000000'");
  EXPECT_EQ(Zoned("2025-07-22T11:31:00.5+02:00"), "'2025-07-22 09:31:00.500000'");
  EXPECT_EQ(Zoned("2025-01-01T00:30:00-05:30"), "'2025-01-01 06:00:00.000000'");
  EXPECT_EQ(Zoned("2025-01-01T01:00:00+02:00"), "'2024-12-31 23:00:00.000000'");
  EXPECT_EQ(Zoned("2024-02-28T23:00:00-01:00"), "'2024-02-29 00:00:00.000000'");
  EXPECT_EQ(Zoned("2025-07-22T09:31:00.123456789Z"), "'2025-07-22 09:31:00.123456'");
  EXPECT_EQ(Zoned("1969-12-31T23:59:59.999999Z"), "'1969-12-31 23:59:59.999999'");
  EXPECT_EQ(Zoned("2025-07-22T09:31Z"), "'2025-07-22 09:31:00.000000'");
  EXPECT_EQ(Zoned("2025-07-22T09:31:00+0130"), "'2025-07-22 08:01:00.000000'");
  EXPECT_EQ(Zoned("2025-07-22T09:31:00+01:00:30"), "'2025-07-22 08:30:30.000000'");
}

TEST(ZonedTimestampLiteral, RejectsWhatIsNotAnOffsetDateTime) {
  const std::string error =
      "ERROR: ZonedTimestamp is not an ISO-8601 date-time with an offset "
      "(YYYY-MM-DDTHH:MM:SS[.f]Z)";
  EXPECT_EQ(Zoned("2025-07-22T09:31:00"), error);  // no offset
  EXPECT_EQ(Zoned("2025-02-30T00:00:00Z"), error);
  EXPECT_EQ(Zoned("2025-07-22T24:00:00Z"), error);
  EXPECT_EQ(Zoned("infinity"), error);
  EXPECT_EQ(Zoned("2025-07-22T09:31:00.Z"), error);
  EXPECT_EQ(Zoned("2025-07-22T09:31:00Zjunk"), error);
  EXPECT_EQ(Zoned("0000-01-01T00:00:00+01:00"), "ERROR: date is outside the years 0000..9999");
}

}  // namespace
}  // namespace cdcflow::mysql_sink
