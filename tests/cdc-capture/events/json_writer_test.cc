#include "services/cdc-capture/events/json_writer.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cdcflow::cdc_capture::events::json {
namespace {

std::string Str(absl::string_view s) {
  std::string out;
  AppendString(out, s);
  return out;
}

std::string Dbl(double v) {
  std::string out;
  AppendDouble(out, v);
  return out;
}

std::string Flt(float v) {
  std::string out;
  AppendFloat(out, v);
  return out;
}

TEST(JsonString, EscapesLikeJackson) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(Str("\b\t\n\f\r"), R"("\b\t\n\f\r")");
  EXPECT_EQ(Str(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001F\x7f\"");
  // Non-ASCII is written as raw UTF-8 (2-, 3- and 4-byte sequences).
  EXPECT_EQ(Str("café €  😀"), "\"café €  😀\"");
}

TEST(JsonString, ReplacesInvalidUtf8WithReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Str("a\xFF"
                "b"),
            "\"a" + r + "b\"");
  EXPECT_EQ(Str("\xC3"), "\"" + r + "\"");  // truncated 2-byte sequence
  EXPECT_EQ(Str("\xE2\x82"
                "x"),
            "\"" + r + "x\"");                                      // truncated 3-byte: one U+FFFD
  EXPECT_EQ(Str("\xED\xA0\x80"), "\"" + r + r + r + "\"");          // encoded surrogate: 3
  EXPECT_EQ(Str("\xC0\xAF"), "\"" + r + r + "\"");                  // overlong
  EXPECT_EQ(Str("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // above U+10FFFF
  // Whatever comes in, the output parses as JSON.
  EXPECT_TRUE(nlohmann::json::accept(Str("\xFF\xFE\x80zz\xE2\x82\xAC")));
}

TEST(JsonNumber, IntegersFullRange) {
  std::string out;
  AppendInt(out, std::numeric_limits<int64_t>::max());
  out.push_back(' ');
  AppendInt(out, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "9223372036854775807 -9223372036854775808");
}

TEST(JsonNumber, DoublesLikeJavaDoubleToString) {
  EXPECT_EQ(Dbl(0.0), "0.0");
  EXPECT_EQ(Dbl(-0.0), "-0.0");
  EXPECT_EQ(Dbl(1.0), "1.0");
  EXPECT_EQ(Dbl(100.0), "100.0");
  EXPECT_EQ(Dbl(0.1), "0.1");
  EXPECT_EQ(Dbl(1234.56), "1234.56");
  EXPECT_EQ(Dbl(-2.5), "-2.5");
  EXPECT_EQ(Dbl(0.001), "0.001");
  EXPECT_EQ(Dbl(0.0001), "1.0E-4");
  EXPECT_EQ(Dbl(9999999.0), "9999999.0");
  EXPECT_EQ(Dbl(1e7), "1.0E7");
  EXPECT_EQ(Dbl(123456789.0), "1.23456789E8");
  EXPECT_EQ(Dbl(1e-5), "1.0E-5");
  EXPECT_EQ(Dbl(1e30), "1.0E30");
  EXPECT_EQ(Dbl(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::max()), "1.7976931348623157E308");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::denorm_min()), "4.9E-324");
  EXPECT_EQ(Dbl(2e23), "2.0E23");
}

TEST(JsonNumber, NonFiniteAreQuotedStrings) {
  EXPECT_EQ(Dbl(std::nan("")), "\"NaN\"");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::infinity()), "\"Infinity\"");
  EXPECT_EQ(Dbl(-std::numeric_limits<double>::infinity()), "\"-Infinity\"");
  EXPECT_EQ(Flt(std::nanf("")), "\"NaN\"");
}

TEST(JsonNumber, FloatsLikeJavaFloatToString) {
  EXPECT_EQ(Flt(1.1f), "1.1");
  EXPECT_EQ(Flt(0.1f), "0.1");
  EXPECT_EQ(Flt(1e30f), "1.0E30");
  EXPECT_EQ(Flt(3.4028235e38f), "3.4028235E38");
  EXPECT_EQ(Flt(16777216.0f), "1.6777216E7");
  EXPECT_EQ(Flt(-0.5f), "-0.5");
}

TEST(Base64, StandardAndUrlSafeWithPadding) {
  std::string out;
  AppendBase64(out, "");
  EXPECT_EQ(out, "");
  out.clear();
  AppendBase64(out, "f");
  EXPECT_EQ(out, "Zg==");
  out.clear();
  AppendBase64(out, "fo");
  EXPECT_EQ(out, "Zm8=");
  out.clear();
  AppendBase64(out, "foo");
  EXPECT_EQ(out, "Zm9v");
  out.clear();
  AppendBase64(out, std::string("\x00\x01\xff\xfe", 4));
  EXPECT_EQ(out, "AAH//g==");
  out.clear();
  AppendBase64(out, std::string("\x00\x01\xff\xfe", 4), /*url_safe=*/true);
  EXPECT_EQ(out, "AAH__g==");
  out.clear();
  AppendHex(out, std::string("\x00\x0a\xff", 3));
  EXPECT_EQ(out, "000aff");
}

}  // namespace
}  // namespace cdcflow::cdc_capture::events::json
