#include "services/mysql-sink/sql/identifier.h"

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink::sql {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(QuoteIdentifier, QuotesPlainNames) {
  EXPECT_EQ(QuoteIdentifier("orders").value(), "`orders`");
  EXPECT_EQ(QuoteIdentifier("dev_public_orders").value(), "`dev_public_orders`");
  EXPECT_EQ(QuoteIdentifier("123").value(), "`123`");
  EXPECT_EQ(QuoteIdentifier(" leading space").value(), "` leading space`");
  EXPECT_EQ(QuoteIdentifier("café").value(), "`café`");
}

TEST(QuoteIdentifier, DoublesBackticks) {
  EXPECT_EQ(QuoteIdentifier("a`b").value(), "`a``b`");
  EXPECT_EQ(QuoteIdentifier("`").value(), "````");
  EXPECT_EQ(QuoteIdentifier("``x``").value(), "`````x`````");
}

TEST(QuoteIdentifier, InjectionBecomesALiteralName) {
  EXPECT_EQ(QuoteIdentifier("x`; DROP TABLE y; --").value(), "`x``; DROP TABLE y; --`");
  EXPECT_EQ(QuoteIdentifier("a'b\"c;d").value(), "`a'b\"c;d`");
  EXPECT_EQ(QuoteIdentifier("t` (a INT); DROP TABLE t2; #").value(),
            "`t`` (a INT); DROP TABLE t2; #`");
  EXPECT_EQ(QuoteIdentifier("back\\slash").value(), "`back\\slash`");
}

TEST(QuoteIdentifier, RejectsEmpty) {
  const absl::Status s = QuoteIdentifier("").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s), "invalid identifier \"\": empty");
}

TEST(QuoteIdentifier, CountsCharactersNotBytes) {
  EXPECT_EQ(QuoteIdentifier(std::string(64, 'a')).value(),
            absl::StrCat("`", std::string(64, 'a'), "`"));
  // 64 two-byte characters: 128 bytes, still within the limit.
  std::string e_acute;
  for (int i = 0; i < 64; ++i) e_acute += "é";
  EXPECT_EQ(QuoteIdentifier(e_acute).value(), absl::StrCat("`", e_acute, "`"));

  const absl::Status s = QuoteIdentifier(std::string(65, 'a')).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s), absl::StrCat("invalid identifier \"", std::string(65, 'a'),
                                     "\": longer than 64 characters (65)"));
  EXPECT_EQ(Message(QuoteIdentifier(absl::StrCat(e_acute, "é")).status()),
            absl::StrCat("invalid identifier \"", e_acute, "é\": longer than 64 characters (65)"));
}

TEST(QuoteIdentifier, RejectsNulAndShowsItEscaped) {
  const absl::Status s = QuoteIdentifier(std::string("ab\0c", 4)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s), "invalid identifier \"ab\\x00c\": contains a NUL character");
}

TEST(QuoteIdentifier, RejectsTrailingSpace) {
  const absl::Status s = QuoteIdentifier("orders ").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s), "invalid identifier \"orders \": ends with a space");
}

TEST(QuoteIdentifier, RejectsInvalidUtf8AndEscapesEveryHighByte) {
  EXPECT_EQ(Message(QuoteIdentifier("caf\xC3").status()),
            "invalid identifier \"caf\\xc3\": not valid UTF-8");
  EXPECT_EQ(Message(QuoteIdentifier("\xC3\xA9\xFF").status()),
            "invalid identifier \"\\xc3\\xa9\\xff\": not valid UTF-8");
  // Overlong encoding of '/', a UTF-16 surrogate, a code point above U+10FFFF, a stray
  // continuation byte.
  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80x"}) {
    EXPECT_EQ(QuoteIdentifier(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(QuoteIdentifier, RejectsCharactersOutsideTheBmp) {
  const absl::Status s = QuoteIdentifier("a\xF0\x9F\x98\x80").status();  // a😀
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s),
            "invalid identifier \"a\xF0\x9F\x98\x80\": contains a character outside the Basic "
            "Multilingual Plane, which MariaDB does not allow in names");
  EXPECT_EQ(QuoteIdentifier("\xEF\xBF\xBF").value(), "`\xEF\xBF\xBF`");  // U+FFFF is in it.
}

TEST(QuoteIdentifier, EscapesQuotesAndControlsInMessages) {
  EXPECT_EQ(Message(QuoteIdentifier("a\"\\\n ").status()),
            "invalid identifier \"a\\\"\\\\\\x0a \": ends with a space");
}

TEST(PrintableIdentifier, CutsLongNamesAtACharacterBoundary) {
  EXPECT_EQ(PrintableIdentifier(std::string(256, 'x')),
            absl::StrCat("\"", std::string(256, 'x'), "\""));
  EXPECT_EQ(PrintableIdentifier(std::string(257, 'x')),
            absl::StrCat("\"", std::string(256, 'x'), "\"..."));
  // 'x' then 128 two-byte characters: byte 256 is the last 'é's second byte, so the cut
  // falls before that 'é'.
  std::string name = "x";
  for (int i = 0; i < 128; ++i) name += "é";
  EXPECT_EQ(PrintableIdentifier(name), absl::StrCat("\"", name.substr(0, 255), "\"..."));
  EXPECT_EQ(PrintableIdentifier("ok"), "\"ok\"");
  EXPECT_EQ(PrintableIdentifier("a\xFF"), "\"a\\xff\"");
}

TEST(AppendQuoted, AppendsWithoutChecking) {
  std::string out = "SELECT ";
  AppendQuoted(out, "a`b");
  out += ",";
  AppendQuoted(out, "");
  EXPECT_EQ(out, "SELECT `a``b`,``");
}

}  // namespace
}  // namespace cdcflow::mysql_sink::sql
