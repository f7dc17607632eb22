#include "services/cdc-capture/events/pg_text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace cdcflow::cdc_capture::events::pgtext {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos].
bool FixedDigits(absl::string_view text, size_t& pos, int n, int64_t& value) {
  if (pos + n > text.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  value = v;
  return true;
}

// Reads one or more digits (at most 18).
bool Digits(absl::string_view text, size_t& pos, int64_t& value) {
  const size_t start = pos;
  int64_t v = 0;
  while (pos < text.size() && IsDigit(text[pos])) {
    if (pos - start >= 18) return false;
    v = v * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == start) return false;
  value = v;
  return true;
}

bool Expect(absl::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// "YYYY-MM-DD" with a year of 4 or more digits. Returns the year as written (before BC).
bool ParseYmd(absl::string_view text, size_t& pos, int64_t& year, int& month, int& day) {
  const size_t start = pos;
  if (!Digits(text, pos, year) || pos - start < 4) return false;
  int64_t m, d;
  if (!Expect(text, pos, '-') || !FixedDigits(text, pos, 2, m) || !Expect(text, pos, '-') ||
      !FixedDigits(text, pos, 2, d)) {
    return false;
  }
  month = static_cast<int>(m);
  day = static_cast<int>(d);
  return true;
}

// Validates month/day against the ISO year and applies " BC" found at the end of the text.
bool FinishDate(absl::string_view text, int64_t written_year, int month, int day, bool bc,
                int64_t& iso_year) {
  (void)text;
  if (written_year == 0 && bc) return false;
  iso_year = bc ? 1 - written_year : written_year;
  if (month < 1 || month > 12) return false;
  if (day < 1 || day > DaysInMonth(iso_year, month)) return false;
  return true;
}

// "HH:MM:SS[.ffffff]": microseconds of the day (hour may be 24 only with zero rest).
bool ParseClock(absl::string_view text, size_t& pos, int64_t& micros) {
  int64_t h, m, s;
  if (!FixedDigits(text, pos, 2, h) || !Expect(text, pos, ':') || !FixedDigits(text, pos, 2, m) ||
      !Expect(text, pos, ':') || !FixedDigits(text, pos, 2, s)) {
    return false;
  }
  int64_t frac = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (n < 6) frac = frac * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0 || n > 6) return false;
    for (; n < 6; ++n) frac *= 10;
  }
  if (h > 24 || m > 59 || s > 60) return false;
  micros = ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
  if (micros > kMicrosPerDay) return false;
  return true;
}

// "+HH", "+HH:MM", "+HH:MM:SS": offset east of UTC in seconds.
bool ParseOffset(absl::string_view text, size_t& pos, int32_t& offset_seconds) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return false;
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  int64_t h, m = 0, s = 0;
  if (!FixedDigits(text, pos, 2, h)) return false;
  if (Expect(text, pos, ':')) {
    if (!FixedDigits(text, pos, 2, m)) return false;
    if (Expect(text, pos, ':') && !FixedDigits(text, pos, 2, s)) return false;
  }
  if (m > 59 || s > 59) return false;
  offset_seconds = static_cast<int32_t>(sign * (h * 3600 + m * 60 + s));
  return true;
}

bool ConsumeEra(absl::string_view text, size_t& pos, bool& bc) {
  bc = false;
  if (pos == text.size()) return true;
  if (text.substr(pos) == " BC") {
    bc = true;
    pos = text.size();
    return true;
  }
  if (text.substr(pos) == " AD") {
    pos = text.size();
    return true;
  }
  return false;
}

// Combines a civil date and a time of day into Unix microseconds, with overflow checks.
bool ToEpochMicros(int64_t iso_year, int month, int day, int64_t time_micros,
                   int64_t offset_seconds, int64_t& out) {
  const __int128 days = DaysFromCivil(iso_year, month, day);
  const __int128 v =
      days * kMicrosPerDay + time_micros - __int128{offset_seconds} * kMicrosPerSecond;
  if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min()) {
    return false;
  }
  out = static_cast<int64_t>(v);
  return true;
}

void StripLeadingZeros(std::string& s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  if (i > 0) s.erase(0, i);
}

bool IsZero(const Decimal& d) { return d.coeff.size() == 1 && d.coeff[0] == '0'; }

// Adds one unit in the last place to a string of decimal digits.
void IncrementDigits(std::string& digits) {
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return;
    }
    digits[i] = '0';
  }
  digits.insert(digits.begin(), '1');
}

}  // namespace

// ---- numbers ----

bool ParseDecimal(absl::string_view text, Decimal& out) {
  out.special = Decimal::Special::kNone;
  out.negative = false;
  out.coeff.clear();
  out.scale = 0;
  if (text == "NaN") {
    out.special = Decimal::Special::kNaN;
    return true;
  }
  if (text == "Infinity") {
    out.special = Decimal::Special::kPositiveInfinity;
    return true;
  }
  if (text == "-Infinity") {
    out.special = Decimal::Special::kNegativeInfinity;
    return true;
  }
  size_t pos = 0;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    out.negative = text[pos] == '-';
    ++pos;
  }
  const size_t int_start = pos;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  const size_t int_len = pos - int_start;
  size_t frac_len = 0;
  size_t frac_start = pos;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    frac_start = pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    frac_len = pos - frac_start;
  }
  if (pos != text.size() || int_len + frac_len == 0) return false;
  out.coeff.append(text.data() + int_start, int_len);
  out.coeff.append(text.data() + frac_start, frac_len);
  out.scale = static_cast<int>(frac_len);
  StripLeadingZeros(out.coeff);
  if (out.coeff.empty()) out.coeff.assign(1, '0');
  if (IsZero(out)) out.negative = false;
  return true;
}

bool SetScaleExact(Decimal& d, int new_scale) {
  if (new_scale >= d.scale) {
    if (!IsZero(d)) d.coeff.append(static_cast<size_t>(new_scale - d.scale), '0');
    d.scale = new_scale;
    return true;
  }
  const size_t drop = static_cast<size_t>(d.scale - new_scale);
  if (IsZero(d)) {
    d.scale = new_scale;
    return true;
  }
  if (drop > d.coeff.size()) return false;  // non-zero digits would be lost
  for (size_t i = d.coeff.size() - drop; i < d.coeff.size(); ++i) {
    if (d.coeff[i] != '0') return false;
  }
  d.coeff.erase(d.coeff.size() - drop);
  if (d.coeff.empty()) d.coeff.assign(1, '0');
  d.scale = new_scale;
  return true;
}

void SetScaleHalfUp(Decimal& d, int new_scale) {
  if (new_scale >= d.scale) {
    SetScaleExact(d, new_scale);
    return;
  }
  const size_t drop = static_cast<size_t>(d.scale - new_scale);
  d.scale = new_scale;
  if (drop > d.coeff.size()) {
    d.coeff.assign(1, '0');
    d.negative = false;
    return;
  }
  const char first_dropped = d.coeff[d.coeff.size() - drop];
  d.coeff.erase(d.coeff.size() - drop);
  if (d.coeff.empty()) d.coeff.assign(1, '0');
  if (first_dropped >= '5') IncrementDigits(d.coeff);
  StripLeadingZeros(d.coeff);
  if (IsZero(d)) d.negative = false;
}

void StripTrailingZeros(Decimal& d) {
  if (IsZero(d)) {
    d.scale = 0;
    return;
  }
  while (d.scale > 0 && d.coeff.size() > 1 && d.coeff.back() == '0') {
    d.coeff.pop_back();
    --d.scale;
  }
}

void UnscaledTwosComplement(const Decimal& d, std::string& out) {
  out.clear();
  if (d.coeff.size() <= 18) {
    int64_t v = 0;
    for (char c : d.coeff) v = v * 10 + (c - '0');
    if (d.negative) v = -v;
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<unsigned char>(static_cast<uint64_t>(v) >> (56 - 8 * i));
    int start = 0;
    while (start < 7 && ((bytes[start] == 0x00 && !(bytes[start + 1] & 0x80)) ||
                         (bytes[start] == 0xFF && (bytes[start + 1] & 0x80)))) {
      ++start;
    }
    out.assign(reinterpret_cast<const char*>(bytes + start), 8 - start);
    return;
  }
  // Magnitude in base 2^32 limbs (little-endian), built 9 decimal digits at a time.
  std::vector<uint32_t> limbs;
  size_t pos = 0;
  const size_t first = d.coeff.size() % 9 == 0 ? 9 : d.coeff.size() % 9;
  size_t chunk_len = first;
  while (pos < d.coeff.size()) {
    uint32_t chunk = 0;
    uint64_t mul = 1;
    for (size_t i = 0; i < chunk_len; ++i) {
      chunk = chunk * 10 + static_cast<uint32_t>(d.coeff[pos + i] - '0');
      mul *= 10;
    }
    pos += chunk_len;
    chunk_len = 9;
    uint64_t carry = chunk;
    for (uint32_t& limb : limbs) {
      const uint64_t v = uint64_t{limb} * mul + carry;
      limb = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
    if (carry != 0) limbs.push_back(static_cast<uint32_t>(carry));
  }
  // Big-endian bytes with one extra leading sign byte.
  std::string bytes(limbs.size() * 4 + 1, '\0');
  for (size_t i = 0; i < limbs.size(); ++i) {
    for (int b = 0; b < 4; ++b) {
      bytes[bytes.size() - 1 - (i * 4 + b)] = static_cast<char>((limbs[i] >> (8 * b)) & 0xFF);
    }
  }
  if (d.negative) {
    bool carry = true;
    for (size_t i = bytes.size(); i-- > 0;) {
      unsigned char c = static_cast<unsigned char>(~static_cast<unsigned char>(bytes[i]));
      if (carry) {
        ++c;
        carry = c == 0;
      }
      bytes[i] = static_cast<char>(c);
    }
  }
  size_t start = 0;
  while (start + 1 < bytes.size()) {
    const auto b0 = static_cast<unsigned char>(bytes[start]);
    const auto b1 = static_cast<unsigned char>(bytes[start + 1]);
    if ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xFF && (b1 & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  out.assign(bytes, start, std::string::npos);
}

void AppendJavaBigDecimal(const Decimal& d, std::string& out) {
  const int64_t adjusted = static_cast<int64_t>(d.coeff.size()) - 1 - d.scale;
  if (d.scale >= 0 && adjusted >= -6) {
    AppendPlainDecimal(d, out);
    return;
  }
  if (d.negative) out.push_back('-');
  out.push_back(d.coeff[0]);
  if (d.coeff.size() > 1) {
    out.push_back('.');
    out.append(d.coeff, 1, std::string::npos);
  }
  out.push_back('E');
  if (adjusted >= 0) out.push_back('+');
  out.append(std::to_string(adjusted));
}

void AppendPlainDecimal(const Decimal& d, std::string& out) {
  if (d.negative) out.push_back('-');
  if (d.scale <= 0) {
    out.append(d.coeff);
    if (!IsZero(d)) out.append(static_cast<size_t>(-d.scale), '0');
    return;
  }
  const size_t scale = static_cast<size_t>(d.scale);
  if (d.coeff.size() > scale) {
    out.append(d.coeff, 0, d.coeff.size() - scale);
    out.push_back('.');
    out.append(d.coeff, d.coeff.size() - scale, std::string::npos);
  } else {
    out.append("0.");
    out.append(scale - d.coeff.size(), '0');
    out.append(d.coeff);
  }
}

bool ParseInt64(absl::string_view text, int64_t& value) {
  if (text.empty()) return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto r = std::from_chars(begin, end, value);
  return r.ec == std::errc() && r.ptr == end;
}

bool ParseDouble(absl::string_view text, double& value) {
  if (text.empty() || text[0] == '+') return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto r = std::from_chars(begin, end, value);
  return r.ec == std::errc() && r.ptr == end;
}

bool ParseFloat(absl::string_view text, float& value) {
  if (text.empty() || text[0] == '+') return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto r = std::from_chars(begin, end, value);
  return r.ec == std::errc() && r.ptr == end;
}

bool ParseMoney(absl::string_view text, Decimal& out) {
  bool negative = false;
  std::string cleaned;
  bool seen_digit = false;
  for (char c : text) {
    if (IsDigit(c)) {
      cleaned.push_back(c);
      seen_digit = true;
    } else if (c == '.') {
      cleaned.push_back(c);
    } else if (c == '-' || c == '(') {
      negative = true;
    } else if (c == ',' || c == ')' || c == ' ' || c == '$') {
      // grouping, currency symbol, closing parenthesis
    } else if (static_cast<unsigned char>(c) < 0x80 && absl::ascii_isalpha(c)) {
      return false;
    }
    // other bytes: non-ASCII currency symbols
  }
  if (!seen_digit) return false;
  if (!ParseDecimal(cleaned, out)) return false;
  out.negative = negative && !IsZero(out);
  return true;
}

// ---- dates and times ----

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& year, int& month, int& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = y + (month <= 2);
}

bool ParseDate(absl::string_view text, int64_t& epoch_days, Infinity& infinity) {
  infinity = Infinity::kNone;
  if (text == "infinity") {
    infinity = Infinity::kPositive;
    return true;
  }
  if (text == "-infinity") {
    infinity = Infinity::kNegative;
    return true;
  }
  size_t pos = 0;
  int64_t year;
  int month, day;
  if (!ParseYmd(text, pos, year, month, day)) return false;
  bool bc;
  if (!ConsumeEra(text, pos, bc)) return false;
  int64_t iso_year;
  if (!FinishDate(text, year, month, day, bc, iso_year)) return false;
  epoch_days = DaysFromCivil(iso_year, month, day);
  return true;
}

bool ParseTime(absl::string_view text, int64_t& micros) {
  size_t pos = 0;
  return ParseClock(text, pos, micros) && pos == text.size();
}

bool ParseTimeTz(absl::string_view text, int64_t& micros, int32_t& offset_seconds) {
  size_t pos = 0;
  return ParseClock(text, pos, micros) && ParseOffset(text, pos, offset_seconds) &&
         pos == text.size();
}

bool ParseTimestamp(absl::string_view text, int64_t& epoch_micros, Infinity& infinity) {
  infinity = Infinity::kNone;
  if (text == "infinity") {
    infinity = Infinity::kPositive;
    return true;
  }
  if (text == "-infinity") {
    infinity = Infinity::kNegative;
    return true;
  }
  size_t pos = 0;
  int64_t year, time_micros;
  int month, day;
  if (!ParseYmd(text, pos, year, month, day) || !Expect(text, pos, ' ') ||
      !ParseClock(text, pos, time_micros)) {
    return false;
  }
  bool bc;
  int64_t iso_year;
  if (!ConsumeEra(text, pos, bc) || !FinishDate(text, year, month, day, bc, iso_year)) {
    return false;
  }
  return ToEpochMicros(iso_year, month, day, time_micros, 0, epoch_micros);
}

bool ParseTimestampTz(absl::string_view text, int64_t& epoch_micros, Infinity& infinity) {
  infinity = Infinity::kNone;
  if (text == "infinity") {
    infinity = Infinity::kPositive;
    return true;
  }
  if (text == "-infinity") {
    infinity = Infinity::kNegative;
    return true;
  }
  size_t pos = 0;
  int64_t year, time_micros;
  int month, day;
  int32_t offset = 0;
  if (!ParseYmd(text, pos, year, month, day) || !Expect(text, pos, ' ') ||
      !ParseClock(text, pos, time_micros) || !ParseOffset(text, pos, offset)) {
    return false;
  }
  bool bc;
  int64_t iso_year;
  if (!ConsumeEra(text, pos, bc) || !FinishDate(text, year, month, day, bc, iso_year)) {
    return false;
  }
  return ToEpochMicros(iso_year, month, day, time_micros, offset, epoch_micros);
}

namespace {

// "[+-]H+:MM[:SS[.ffffff]]" into the interval's time fields, all carrying the sign.
bool ParseIntervalClock(absl::string_view token, Interval& out) {
  size_t pos = 0;
  int sign = 1;
  if (pos < token.size() && (token[pos] == '-' || token[pos] == '+')) {
    sign = token[pos] == '-' ? -1 : 1;
    ++pos;
  }
  int64_t h, m, s = 0, frac = 0;
  if (!Digits(token, pos, h) || !Expect(token, pos, ':') || !FixedDigits(token, pos, 2, m)) {
    return false;
  }
  if (Expect(token, pos, ':')) {
    if (!FixedDigits(token, pos, 2, s)) return false;
    if (Expect(token, pos, '.')) {
      int n = 0;
      while (pos < token.size() && IsDigit(token[pos])) {
        if (n < 6) frac = frac * 10 + (token[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0 || n > 6) return false;
      for (; n < 6; ++n) frac *= 10;
    }
  }
  if (pos != token.size()) return false;
  out.hours = sign * h;
  out.minutes = sign * m;
  out.whole_seconds = sign * s;
  out.micros = sign * frac;
  return true;
}

// "[-]digits[.digits]" seconds into whole seconds and microseconds.
bool ParseSeconds(absl::string_view text, int64_t& whole, int64_t& micros) {
  size_t pos = 0;
  int sign = 1;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    sign = text[pos] == '-' ? -1 : 1;
    ++pos;
  }
  int64_t w;
  if (!Digits(text, pos, w)) return false;
  int64_t frac = 0;
  if (Expect(text, pos, '.')) {
    int n = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (n < 6) frac = frac * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return false;
    for (; n < 6; ++n) frac *= 10;
  }
  if (pos != text.size()) return false;
  whole = sign * w;
  micros = sign * frac;
  return true;
}

bool ParseIso8601Interval(absl::string_view text, Interval& out) {
  size_t pos = 1;  // after 'P'
  bool in_time = false;
  while (pos < text.size()) {
    if (text[pos] == 'T') {
      in_time = true;
      ++pos;
      continue;
    }
    const size_t start = pos;
    if (text[pos] == '-' || text[pos] == '+') ++pos;
    while (pos < text.size() && (IsDigit(text[pos]) || text[pos] == '.')) ++pos;
    if (pos == start || pos >= text.size()) return false;
    const absl::string_view number = text.substr(start, pos - start);
    const char unit = text[pos++];
    int64_t v = 0;
    if (unit == 'S' && in_time) {
      if (!ParseSeconds(number, out.whole_seconds, out.micros)) return false;
      continue;
    }
    if (!ParseInt64(number, v)) return false;
    if (!in_time && unit == 'Y') {
      out.years = v;
    } else if (!in_time && unit == 'M') {
      out.months = v;
    } else if (!in_time && unit == 'D') {
      out.days = v;
    } else if (!in_time && unit == 'W') {
      out.days = v * 7;
    } else if (in_time && unit == 'H') {
      out.hours = v;
    } else if (in_time && unit == 'M') {
      out.minutes = v;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseInterval(absl::string_view text, Interval& out) {
  out = Interval{};
  if (text.empty()) return false;
  if (text[0] == 'P') return ParseIso8601Interval(text, out);
  bool ago = false;
  absl::string_view pending;  // a number waiting for its unit
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    const size_t start = pos;
    while (pos < text.size() && text[pos] != ' ') ++pos;
    absl::string_view token = text.substr(start, pos - start);
    if (token == "@") continue;
    if (token == "ago") {
      ago = true;
      continue;
    }
    if (pending.empty()) {
      if (token.find(':') != absl::string_view::npos) {
        if (!ParseIntervalClock(token, out)) return false;
        continue;
      }
      pending = token;
      continue;
    }
    absl::string_view number = pending;
    pending = {};
    if (!number.empty() && number[0] == '+') number.remove_prefix(1);
    if (absl::StartsWith(token, "sec")) {
      if (!ParseSeconds(number, out.whole_seconds, out.micros)) return false;
      continue;
    }
    int64_t v;
    if (!ParseInt64(number, v)) return false;
    if (absl::StartsWith(token, "year")) {
      out.years = v;
    } else if (absl::StartsWith(token, "mon")) {
      out.months = v;
    } else if (absl::StartsWith(token, "day")) {
      out.days = v;
    } else if (absl::StartsWith(token, "hour")) {
      out.hours = v;
    } else if (absl::StartsWith(token, "min")) {
      out.minutes = v;
    } else {
      return false;
    }
  }
  if (!pending.empty()) return false;
  if (ago) {
    out.years = -out.years;
    out.months = -out.months;
    out.days = -out.days;
    out.hours = -out.hours;
    out.minutes = -out.minutes;
    out.whole_seconds = -out.whole_seconds;
    out.micros = -out.micros;
  }
  return true;
}

// ---- other types ----

bool ParseBytea(absl::string_view text, std::string& bytes) {
  bytes.clear();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    if ((text.size() - 2) % 2 != 0) return false;
    bytes.resize((text.size() - 2) / 2);
    for (size_t i = 2, o = 0; i < text.size(); i += 2, ++o) {
      const int hi = hex(text[i]);
      const int lo = hex(text[i + 1]);
      if (hi < 0 || lo < 0) return false;
      bytes[o] = static_cast<char>((hi << 4) | lo);
    }
    return true;
  }
  // Escape format: "\\\\" is a backslash, "\\ooo" an octal byte, anything else literal.
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      bytes.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      bytes.push_back('\\');
      ++i;
      continue;
    }
    if (i + 3 < text.size() + 0 && text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' &&
        text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
      bytes.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                        (text[i + 3] - '0')));
      i += 3;
      continue;
    }
    return false;
  }
  return true;
}

bool ParseArray(absl::string_view text, ArrayElements& out) {
  out.Clear();
  size_t pos = 0;
  if (pos < text.size() && text[pos] == '[') {  // explicit bounds: "[0:2]={...}"
    const size_t eq = text.find('=');
    if (eq == absl::string_view::npos) return false;
    pos = eq + 1;
  }
  if (pos >= text.size() || text[pos] != '{') return false;
  int depth = 0;
  bool expect_element = false;  // after '{' or ','
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '{') {
      ++depth;
      ++pos;
      expect_element = true;
      continue;
    }
    if (c == '}') {
      if (depth == 0) return false;
      --depth;
      ++pos;
      expect_element = false;
      if (depth == 0) break;
      continue;
    }
    if (c == ',') {
      ++pos;
      expect_element = true;
      continue;
    }
    if (c == ' ') {
      ++pos;
      continue;
    }
    if (!expect_element || depth == 0) return false;
    expect_element = false;
    const uint32_t offset = static_cast<uint32_t>(out.storage.size());
    if (c == '"') {
      ++pos;
      bool closed = false;
      while (pos < text.size()) {
        const char e = text[pos];
        if (e == '\\') {
          if (pos + 1 >= text.size()) return false;
          out.storage.push_back(text[pos + 1]);
          pos += 2;
          continue;
        }
        if (e == '"') {
          ++pos;
          closed = true;
          break;
        }
        out.storage.push_back(e);
        ++pos;
      }
      if (!closed) return false;
      out.spans.emplace_back(offset, static_cast<uint32_t>(out.storage.size() - offset));
      out.nulls.push_back(false);
      continue;
    }
    bool escaped = false;
    while (pos < text.size() && text[pos] != ',' && text[pos] != '}') {
      if (text[pos] == '\\') {
        if (pos + 1 >= text.size()) return false;
        out.storage.push_back(text[pos + 1]);
        escaped = true;
        pos += 2;
        continue;
      }
      out.storage.push_back(text[pos]);
      ++pos;
    }
    while (out.storage.size() > offset && out.storage.back() == ' ') out.storage.pop_back();
    const absl::string_view element =
        absl::string_view(out.storage).substr(offset, out.storage.size() - offset);
    const bool is_null = !escaped && absl::EqualsIgnoreCase(element, "NULL");
    if (is_null) out.storage.resize(offset);
    out.spans.emplace_back(offset, static_cast<uint32_t>(out.storage.size() - offset));
    out.nulls.push_back(is_null);
  }
  if (depth != 0) return false;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  return pos == text.size();
}

}  // namespace cdcflow::cdc_capture::events::pgtext
