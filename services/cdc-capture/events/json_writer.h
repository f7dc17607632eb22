#pragma once

// JSON output primitives that reproduce what Kafka Connect's JsonConverter (Jackson) writes, so
// the encoder can build events by hand into reused buffers:
// - strings: '"', '\\' and control characters escaped (\b \t \n \f \r short forms, others as
//   \u00XX with upper-case hex, as Jackson does); everything else, including non-ASCII, is
//   written as raw UTF-8. Invalid UTF-8 (possible only from a SQL_ASCII database) is replaced by
//   U+FFFD per maximal ill-formed subsequence, which is what Java's UTF-8 decoder does when
//   Debezium turns the server's bytes into a java.lang.String.
// - numbers: integers exact; doubles and floats as Java's Double.toString / Float.toString
//   (shortest round-trip digits, "1.0E10" / "0.001" notation, JDK >= 19 rules); NaN and
//   infinities as the strings "NaN", "Infinity", "-Infinity" (Jackson's default
//   QUOTE_NON_NUMERIC_NUMBERS).
// - bytes: base64 with padding, no line breaks (Jackson's MIME_NO_LINEFEEDS variant).

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace cdcflow::cdc_capture::events::json {

// Appends `text` as a quoted JSON string.
void AppendString(std::string& out, absl::string_view text);

// Appends the escaped contents of `text` without the surrounding quotes.
void AppendEscaped(std::string& out, absl::string_view text);

void AppendInt(std::string& out, int64_t value);

// A JSON number as Jackson writes a Java double / float (quoted for NaN and infinities).
void AppendDouble(std::string& out, double value);
void AppendFloat(std::string& out, float value);

// Java's Double.toString / Float.toString.
std::string JavaDoubleToString(double value);
std::string JavaFloatToString(float value);

// Shortest decimal digits that round-trip to `value` (finite, non-zero): value =
// 0.d1d2...dn * 10^(exponent + 1), i.e. d1.d2...dn * 10^exponent. Applies Java's rule that a
// one-digit result is replaced by the closest two-digit decimal when that one is closer.
void ShortestDigits(double value, std::string& digits, int& exponent);

// Base64 of `bytes` (standard or URL-safe alphabet, always padded), unquoted.
void AppendBase64(std::string& out, absl::string_view bytes, bool url_safe = false);

// Lower-case hex of `bytes`, unquoted.
void AppendHex(std::string& out, absl::string_view bytes);

}  // namespace cdcflow::cdc_capture::events::json
