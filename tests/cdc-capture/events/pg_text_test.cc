#include "services/cdc-capture/events/pg_text.h"

#include <string>

#include <gtest/gtest.h>

namespace cdcflow::cdc_capture::events::pgtext {
namespace {

std::string Java(absl::string_view text) {
  Decimal d;
  EXPECT_TRUE(ParseDecimal(text, d)) << text;
  std::string out;
  AppendJavaBigDecimal(d, out);
  return out;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string TwosComplement(absl::string_view text) {
  Decimal d;
  EXPECT_TRUE(ParseDecimal(text, d)) << text;
  std::string out;
  UnscaledTwosComplement(d, out);
  return Hex(out);
}

TEST(Decimal, ParsesNumericText) {
  Decimal d;
  ASSERT_TRUE(ParseDecimal("-001234.5600", d));
  EXPECT_TRUE(d.negative);
  EXPECT_EQ(d.coeff, "12345600");
  EXPECT_EQ(d.scale, 4);
  ASSERT_TRUE(ParseDecimal("-0.00", d));
  EXPECT_FALSE(d.negative);  // BigDecimal has no negative zero
  EXPECT_EQ(d.coeff, "0");
  ASSERT_TRUE(ParseDecimal("NaN", d));
  EXPECT_EQ(d.special, Decimal::Special::kNaN);
  ASSERT_TRUE(ParseDecimal("-Infinity", d));
  EXPECT_EQ(d.special, Decimal::Special::kNegativeInfinity);
  EXPECT_FALSE(ParseDecimal("", d));
  EXPECT_FALSE(ParseDecimal("1.2.3", d));
  EXPECT_FALSE(ParseDecimal("12a", d));
  EXPECT_FALSE(ParseDecimal("-", d));
}

TEST(Decimal, TwosComplementLikeBigIntegerToByteArray) {
  EXPECT_EQ(TwosComplement("0"), "00");
  EXPECT_EQ(TwosComplement("127"), "7f");
  EXPECT_EQ(TwosComplement("128"), "0080");
  EXPECT_EQ(TwosComplement("-128"), "80");
  EXPECT_EQ(TwosComplement("-129"), "ff7f");
  EXPECT_EQ(TwosComplement("-1"), "ff");
  EXPECT_EQ(TwosComplement("1234.56"), "01e240");
  EXPECT_EQ(TwosComplement("-1234.56"), "fe1dc0");
  EXPECT_EQ(TwosComplement("9223372036854775807"), "7fffffffffffffff");
  EXPECT_EQ(TwosComplement("-9223372036854775808"), "8000000000000000");
  // Beyond 64 bits (the arbitrary-precision path).
  EXPECT_EQ(TwosComplement("12345678901234567890123"), "029d42b64e76714244cb");
  EXPECT_EQ(TwosComplement("-12345678901234567890123"), "fd62bd49b1898ebdbb35");
  EXPECT_EQ(TwosComplement("18446744073709551616"), "010000000000000000");
  EXPECT_EQ(TwosComplement("-18446744073709551616"), "ff0000000000000000");
}

TEST(Decimal, ScaleOperationsLikeBigDecimal) {
  Decimal d;
  ASSERT_TRUE(ParseDecimal("1.5", d));
  EXPECT_TRUE(SetScaleExact(d, 3));
  EXPECT_EQ(d.coeff, "1500");
  EXPECT_TRUE(SetScaleExact(d, 1));
  EXPECT_EQ(d.coeff, "15");
  EXPECT_FALSE(SetScaleExact(d, 0));  // would need rounding

  ASSERT_TRUE(ParseDecimal("2.345", d));
  SetScaleHalfUp(d, 2);
  EXPECT_EQ(d.coeff, "235");
  ASSERT_TRUE(ParseDecimal("-2.344", d));
  SetScaleHalfUp(d, 2);
  EXPECT_EQ(d.coeff, "234");
  EXPECT_TRUE(d.negative);
  ASSERT_TRUE(ParseDecimal("9.995", d));
  SetScaleHalfUp(d, 2);
  EXPECT_EQ(d.coeff, "1000");

  ASSERT_TRUE(ParseDecimal("100.500", d));
  StripTrailingZeros(d);
  EXPECT_EQ(d.coeff, "1005");
  EXPECT_EQ(d.scale, 1);
  ASSERT_TRUE(ParseDecimal("1000", d));
  StripTrailingZeros(d);  // scale would go negative: kept at 0
  EXPECT_EQ(d.coeff, "1000");
  EXPECT_EQ(d.scale, 0);
  ASSERT_TRUE(ParseDecimal("0.000", d));
  StripTrailingZeros(d);
  EXPECT_EQ(d.coeff, "0");
  EXPECT_EQ(d.scale, 0);
}

TEST(Decimal, JavaToString) {
  EXPECT_EQ(Java("1234.50"), "1234.50");
  EXPECT_EQ(Java("-0.5"), "-0.5");
  EXPECT_EQ(Java("0.000001"), "0.000001");
  EXPECT_EQ(Java("0.0000001"), "1E-7");
  EXPECT_EQ(Java("0.00000012"), "1.2E-7");
  EXPECT_EQ(Java("0.0000000000"), "0E-10");
  EXPECT_EQ(Java("12345678901234567890.123"), "12345678901234567890.123");
}

TEST(Dates, CivilConversionsRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2025, 7, 22), 20291);
  EXPECT_EQ(DaysFromCivil(-43, 3, 15), -735160);
  for (int64_t days : {-800000LL, -1LL, 0LL, 59LL, 11016LL, 2932896LL}) {
    int64_t y;
    int m, d;
    CivilFromDays(days, y, m, d);
    EXPECT_EQ(DaysFromCivil(y, m, d), days);
  }
}

TEST(Dates, ParsesDatesAndTimestamps) {
  int64_t v;
  Infinity inf;
  ASSERT_TRUE(ParseDate("2025-07-22", v, inf));
  EXPECT_EQ(v, 20291);
  ASSERT_TRUE(ParseDate("0044-03-15 BC", v, inf));
  EXPECT_EQ(v, -735160);
  ASSERT_TRUE(ParseDate("infinity", v, inf));
  EXPECT_EQ(inf, Infinity::kPositive);
  EXPECT_FALSE(ParseDate("2025-02-29", v, inf));
  EXPECT_TRUE(ParseDate("2024-02-29", v, inf));
  EXPECT_FALSE(ParseDate("2025-13-01", v, inf));
  EXPECT_FALSE(ParseDate("25-01-01", v, inf));

  ASSERT_TRUE(ParseTimestamp("2025-07-22 09:30:00.123456", v, inf));
  EXPECT_EQ(v, 1753176600123456);
  ASSERT_TRUE(ParseTimestamp("2025-07-22 09:30:00.5", v, inf));
  EXPECT_EQ(v, 1753176600500000);
  ASSERT_TRUE(ParseTimestamp("1969-12-31 23:59:59.9995", v, inf));
  EXPECT_EQ(v, -500);
  ASSERT_TRUE(ParseTimestamp("0044-03-15 12:00:00 BC", v, inf));
  EXPECT_EQ(v, -63517780800000000);
  ASSERT_TRUE(ParseTimestamp("10000-01-01 00:00:00", v, inf));
  EXPECT_FALSE(ParseTimestamp("2025-07-22T09:30:00", v, inf));
  EXPECT_FALSE(ParseTimestamp("2025-07-22 09:30:00.1234567", v, inf));

  ASSERT_TRUE(ParseTimestampTz("2025-07-22 11:30:00.123456+02", v, inf));
  EXPECT_EQ(v, 1753176600123456);
  ASSERT_TRUE(ParseTimestampTz("2025-07-22 04:00:00-05:30", v, inf));
  EXPECT_EQ(v, 1753176600000000);
  ASSERT_TRUE(ParseTimestampTz("1850-01-01 00:00:00+00:53:28", v, inf));
  EXPECT_EQ(v, (DaysFromCivil(1850, 1, 1) * 86400 - 3208) * 1000000);
  EXPECT_FALSE(ParseTimestampTz("2025-07-22 11:30:00", v, inf));
}

TEST(Times, ParsesTimes) {
  int64_t micros;
  int32_t offset;
  ASSERT_TRUE(ParseTime("09:30:00.123456", micros));
  EXPECT_EQ(micros, 34200123456);
  ASSERT_TRUE(ParseTime("24:00:00", micros));
  EXPECT_EQ(micros, kMicrosPerDay);
  EXPECT_FALSE(ParseTime("24:00:01", micros));
  EXPECT_FALSE(ParseTime("9:30:00", micros));
  ASSERT_TRUE(ParseTimeTz("10:15:30.5+02", micros, offset));
  EXPECT_EQ(micros, 36930500000);
  EXPECT_EQ(offset, 7200);
  ASSERT_TRUE(ParseTimeTz("10:15:30-03:30", micros, offset));
  EXPECT_EQ(offset, -12600);
}

TEST(Intervals, ParsesAllOutputStyles) {
  Interval i;
  ASSERT_TRUE(ParseInterval("1 year 2 mons 3 days 04:05:06.789", i));
  EXPECT_EQ(i.years, 1);
  EXPECT_EQ(i.months, 2);
  EXPECT_EQ(i.days, 3);
  EXPECT_EQ(i.hours, 4);
  EXPECT_EQ(i.minutes, 5);
  EXPECT_EQ(i.whole_seconds, 6);
  EXPECT_EQ(i.micros, 789000);
  ASSERT_TRUE(ParseInterval("-1 years -2 mons +3 days -04:05:06", i));
  EXPECT_EQ(i.years, -1);
  EXPECT_EQ(i.months, -2);
  EXPECT_EQ(i.days, 3);
  EXPECT_EQ(i.hours, -4);
  EXPECT_EQ(i.minutes, -5);
  EXPECT_EQ(i.whole_seconds, -6);
  ASSERT_TRUE(ParseInterval("100:00:00", i));
  EXPECT_EQ(i.hours, 100);
  ASSERT_TRUE(ParseInterval("@ 1 day 2 hours 3.5 secs ago", i));
  EXPECT_EQ(i.days, -1);
  EXPECT_EQ(i.hours, -2);
  EXPECT_EQ(i.whole_seconds, -3);
  EXPECT_EQ(i.micros, -500000);
  ASSERT_TRUE(ParseInterval("P1Y2M3DT4H5M6.5S", i));
  EXPECT_EQ(i.years, 1);
  EXPECT_EQ(i.minutes, 5);
  EXPECT_EQ(i.micros, 500000);
  EXPECT_FALSE(ParseInterval("1 fortnight", i));
  EXPECT_FALSE(ParseInterval("3", i));
}

TEST(Bytea, HexAndEscapeFormats) {
  std::string b;
  ASSERT_TRUE(ParseBytea("\\x0001ff", b));
  EXPECT_EQ(b, std::string("\x00\x01\xff", 3));
  ASSERT_TRUE(ParseBytea("\\x", b));
  EXPECT_EQ(b, "");
  EXPECT_FALSE(ParseBytea("\\x0", b));
  EXPECT_FALSE(ParseBytea("\\xzz", b));
  ASSERT_TRUE(ParseBytea("ab\\\\c\\001", b));
  EXPECT_EQ(b, std::string("ab\\c\x01", 5));
}

TEST(Arrays, ParsesQuotingNullsAndNesting) {
  ArrayElements a;
  ASSERT_TRUE(ParseArray("{1,2,NULL}", a));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.element(0), "1");
  EXPECT_TRUE(a.nulls[2]);

  ASSERT_TRUE(ParseArray(R"({"a b","c\"d\\e",NULL,"NULL",plain,""})", a));
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a.element(0), "a b");
  EXPECT_EQ(a.element(1), "c\"d\\e");
  EXPECT_TRUE(a.nulls[2]);
  EXPECT_FALSE(a.nulls[3]);
  EXPECT_EQ(a.element(3), "NULL");
  EXPECT_EQ(a.element(4), "plain");
  EXPECT_EQ(a.element(5), "");

  ASSERT_TRUE(ParseArray("{{1,2},{3,4}}", a));
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a.element(3), "4");
  ASSERT_TRUE(ParseArray("[0:1]={7,8}", a));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_TRUE(ParseArray("{}", a));
  EXPECT_EQ(a.size(), 0u);

  EXPECT_FALSE(ParseArray("{1,2", a));
  EXPECT_FALSE(ParseArray("1,2", a));
  EXPECT_FALSE(ParseArray("{\"a}", a));
  EXPECT_FALSE(ParseArray("{1}}", a));
}

TEST(Money, ParsesCurrencyFormats) {
  Decimal d;
  ASSERT_TRUE(ParseMoney("$1,234.56", d));
  EXPECT_EQ(d.coeff, "123456");
  EXPECT_FALSE(d.negative);
  ASSERT_TRUE(ParseMoney("-$1,234.56", d));
  EXPECT_TRUE(d.negative);
  ASSERT_TRUE(ParseMoney("($5.00)", d));
  EXPECT_TRUE(d.negative);
  EXPECT_EQ(d.coeff, "500");
  EXPECT_FALSE(ParseMoney("$", d));
}

}  // namespace
}  // namespace cdcflow::cdc_capture::events::pgtext
