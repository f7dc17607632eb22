#pragma once

// Parsers for the PostgreSQL TEXT output format of the types the encoder converts (what
// pgoutput sends for kind 't' values with the server's default DateStyle ISO and
// IntervalStyle postgres), plus the decimal arithmetic Debezium's BigDecimal handling needs.
// Pure functions; `false` means "not a valid value of that type".

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace cdcflow::cdc_capture::events::pgtext {

// ---- numbers ----

// A decimal as Java's BigDecimal sees it: sign, coefficient digits (no leading zeros, "0" for
// zero) and scale (digits after the point), or one of numeric's special values.
struct Decimal {
  enum class Special { kNone, kNaN, kPositiveInfinity, kNegativeInfinity };
  Special special = Special::kNone;
  bool negative = false;
  std::string coeff;
  int scale = 0;
};

// numeric text: [-+]digits[.digits], "NaN", "Infinity", "-Infinity".
bool ParseDecimal(absl::string_view text, Decimal& out);

// BigDecimal.setScale(new_scale) without rounding: fails when non-zero digits would be lost.
bool SetScaleExact(Decimal& d, int new_scale);
// BigDecimal.setScale(new_scale, RoundingMode.HALF_UP).
void SetScaleHalfUp(Decimal& d, int new_scale);
// BigDecimal.stripTrailingZeros() followed by setScale(0) when the scale went negative.
void StripTrailingZeros(Decimal& d);
// BigInteger.toByteArray() of the unscaled value: minimal big-endian two's complement.
void UnscaledTwosComplement(const Decimal& d, std::string& out);
// BigDecimal.toString() (scientific notation when the adjusted exponent is below -6).
void AppendJavaBigDecimal(const Decimal& d, std::string& out);
// BigDecimal.toPlainString().
void AppendPlainDecimal(const Decimal& d, std::string& out);

bool ParseInt64(absl::string_view text, int64_t& value);
bool ParseDouble(absl::string_view text, double& value);  // also NaN, Infinity, -Infinity
bool ParseFloat(absl::string_view text, float& value);

// money text such as "$1,234.56", "-$1,234.56", "($1,234.56)": the amount as a decimal.
bool ParseMoney(absl::string_view text, Decimal& out);

// ---- dates and times ----

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

enum class Infinity { kNone, kPositive, kNegative };

// Proleptic Gregorian calendar; year 0 = 1 BC.
int64_t DaysFromCivil(int64_t year, int month, int day);
void CivilFromDays(int64_t days, int64_t& year, int& month, int& day);

// "2025-07-22", "0044-03-15 BC", "infinity", "-infinity".
bool ParseDate(absl::string_view text, int64_t& epoch_days, Infinity& infinity);
// "09:30:00", "09:30:00.123456", "24:00:00": microseconds past midnight.
bool ParseTime(absl::string_view text, int64_t& micros);
// "09:30:00.5+02", "09:30:00-03:30": local time of day and the UTC offset in seconds.
bool ParseTimeTz(absl::string_view text, int64_t& micros, int32_t& offset_seconds);
// "2025-07-22 09:30:00.123456" (optionally " BC"): microseconds since the Unix epoch.
bool ParseTimestamp(absl::string_view text, int64_t& epoch_micros, Infinity& infinity);
// "2025-07-22 11:30:00.123456+02" (offset +HH, +HH:MM or +HH:MM:SS): UTC microseconds.
bool ParseTimestampTz(absl::string_view text, int64_t& epoch_micros, Infinity& infinity);

// An interval as pgjdbc's PGInterval holds it: the fields of the text form, with the seconds
// split into whole seconds and microseconds (both carrying the sign of the time part).
struct Interval {
  int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
  int64_t whole_seconds = 0, micros = 0;
};
// IntervalStyle postgres ("1 year 2 mons -3 days +04:05:06.789"), postgres_verbose
// ("@ 1 year 2 mons ago") and iso_8601 ("P1Y2M3DT4H5M6.789S").
bool ParseInterval(absl::string_view text, Interval& out);

// ---- other types ----

// bytea in hex ("\x0a0b") or escape format.
bool ParseBytea(absl::string_view text, std::string& bytes);

// Array text "{1,2,NULL}", "{\"a b\",\"c\\\"d\"}", "[0:1]={1,2}", "{{1,2},{3,4}}" (nested arrays
// are flattened in row-major order). Element texts are unescaped into `storage`.
struct ArrayElements {
  std::string storage;
  std::vector<std::pair<uint32_t, uint32_t>> spans;  // offset, length into storage
  std::vector<bool> nulls;
  void Clear() {
    storage.clear();
    spans.clear();
    nulls.clear();
  }
  size_t size() const { return spans.size(); }
  absl::string_view element(size_t i) const {
    return absl::string_view(storage).substr(spans[i].first, spans[i].second);
  }
};
bool ParseArray(absl::string_view text, ArrayElements& out);

}  // namespace cdcflow::cdc_capture::events::pgtext
