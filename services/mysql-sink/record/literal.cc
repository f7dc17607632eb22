#include "services/mysql-sink/record/literal.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink {
namespace {

// What follows the backslash for each byte MariaDB needs escaped in a quoted string, else 0.
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> t{};
  t[0x00] = '0';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\\'] = '\\';
  t['\''] = '\'';
  t[0x1a] = 'Z';
  return t;
}();

constexpr char kHex[] = "0123456789abcdef";

// Base64 alphabet value of each byte, or -1.
constexpr std::array<int8_t, 256> kBase64Values = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}();

// The date range MariaDB's DATE/DATETIME literals can spell: 0000-01-01 .. 9999-12-31.
constexpr int64_t kMinDays = -719528;
constexpr int64_t kMaxDays = 2932896;
constexpr int64_t kSecondsPerDay = 86400;
// MariaDB's TIME range: ±838:59:59.999999.
constexpr uint64_t kMaxTimeMicros =
    838ULL * 3600'000'000ULL + 59ULL * 60'000'000ULL + 59ULL * 1'000'000ULL + 999'999ULL;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's civil_from_days / days_from_civil (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Writes `value` as exactly `width` decimal digits ending at p + width.
void PutDigits(char* p, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Appends 'YYYY-MM-DD' (when with_time: 'YYYY-MM-DD HH:MM:SS.ffffff'); days must be in range.
void AppendDateTime(int64_t days, bool with_time, int64_t second_of_day, int64_t micros,
                    std::string& out) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  char buf[28];
  buf[0] = '\'';
  PutDigits(buf + 1, static_cast<uint64_t>(y), 4);
  buf[5] = '-';
  PutDigits(buf + 6, m, 2);
  buf[8] = '-';
  PutDigits(buf + 9, d, 2);
  if (!with_time) {
    buf[11] = '\'';
    out.append(buf, 12);
    return;
  }
  buf[11] = ' ';
  PutDigits(buf + 12, static_cast<uint64_t>(second_of_day / 3600), 2);
  buf[14] = ':';
  PutDigits(buf + 15, static_cast<uint64_t>(second_of_day / 60 % 60), 2);
  buf[17] = ':';
  PutDigits(buf + 18, static_cast<uint64_t>(second_of_day % 60), 2);
  buf[20] = '.';
  PutDigits(buf + 21, static_cast<uint64_t>(micros), 6);
  buf[27] = '\'';
  out.append(buf, 28);
}

absl::Status DateOutOfRange() {
  return absl::InvalidArgumentError("date is outside the years 0000..9999");
}

// Appends the decimal digits of a 128-bit magnitude (no sign) into buf; returns the length.
size_t Uint128Digits(unsigned __int128 v, char* buf /* >= 40 */) {
  constexpr uint64_t k1e19 = 10'000'000'000'000'000'000ULL;
  if (v <= UINT64_MAX) {
    return static_cast<size_t>(std::to_chars(buf, buf + 40, static_cast<uint64_t>(v)).ptr - buf);
  }
  const auto hi = static_cast<uint64_t>(v / k1e19);  // < 2^64 because v < 2^128
  const auto lo = static_cast<uint64_t>(v % k1e19);
  char* p = std::to_chars(buf, buf + 20, hi).ptr;
  PutDigits(p, lo, 19);
  return static_cast<size_t>(p + 19 - buf);
}

// Appends sign, then `digits` (no leading zeros; "0" for zero) with a point `scale` digits from
// the right (zeros appended for a negative scale).
void AppendScaled(bool negative, std::string_view digits, int32_t scale, std::string& out) {
  const bool zero = digits == "0";
  if (negative && !zero) out.push_back('-');
  if (scale <= 0) {
    out.append(digits);
    if (!zero) out.append(static_cast<size_t>(-static_cast<int64_t>(scale)), '0');
    return;
  }
  const auto s = static_cast<size_t>(scale);
  if (digits.size() > s) {
    out.append(digits.substr(0, digits.size() - s));
    out.push_back('.');
    out.append(digits.substr(digits.size() - s));
  } else {
    out.append("0.");
    out.append(s - digits.size(), '0');
    out.append(digits);
  }
}

absl::Status ScaleOutOfRange() {
  return absl::InvalidArgumentError(
      absl::StrCat("decimal scale is outside -", kMaxDecimalScale, "..", kMaxDecimalScale));
}

}  // namespace

void AppendStringLiteral(std::string_view text, std::string& out) {
  out.reserve(out.size() + text.size() + 2);
  out.push_back('\'');
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char e = kEscapes[static_cast<uint8_t>(text[i])];
    if (e == 0) continue;
    out.append(text.data() + run, i - run);
    out.push_back('\\');
    out.push_back(e);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('\'');
}

void AppendBytesLiteral(std::string_view bytes, std::string& out) {
  const size_t base = out.size();
  out.resize(base + 2 * bytes.size() + 3);
  char* p = out.data() + base;
  *p++ = 'X';
  *p++ = '\'';
  for (const char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 0xf];
  }
  *p = '\'';
}

void AppendBoolLiteral(bool value, std::string& out) { out.push_back(value ? '1' : '0'); }

void AppendIntLiteral(int64_t value, std::string& out) {
  char buf[24];
  out.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), value).ptr - buf));
}

void AppendUintLiteral(uint64_t value, std::string& out) {
  char buf[24];
  out.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), value).ptr - buf));
}

namespace {
template <typename T>
absl::Status AppendFloating(T value, std::string& out) {
  if (std::isnan(value)) return absl::InvalidArgumentError("NaN cannot be stored in MariaDB");
  if (std::isinf(value)) {
    return absl::InvalidArgumentError(value > 0 ? "Infinity cannot be stored in MariaDB"
                                                : "-Infinity cannot be stored in MariaDB");
  }
  char buf[64];
  out.append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), value).ptr - buf));
  return absl::OkStatus();
}
}  // namespace

absl::Status AppendDoubleLiteral(double value, std::string& out) {
  return AppendFloating(value, out);
}

absl::Status AppendFloatLiteral(float value, std::string& out) {
  return AppendFloating(value, out);
}

bool AppendBase64Decoded(std::string_view base64, std::string& out) {
  size_t n = base64.size();
  size_t padding = 0;
  while (n > 0 && padding < 2 && base64[n - 1] == '=') {
    --n;
    ++padding;
  }
  if (padding > 0 && base64.size() % 4 != 0) return false;
  if (n % 4 == 1) return false;
  const size_t base = out.size();
  out.resize(base + n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
  auto* dst = reinterpret_cast<uint8_t*>(out.data() + base);
  const auto* src = reinterpret_cast<const uint8_t*>(base64.data());
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const int a = kBase64Values[src[i]], b = kBase64Values[src[i + 1]],
              c = kBase64Values[src[i + 2]], d = kBase64Values[src[i + 3]];
    if ((a | b | c | d) < 0) {
      out.resize(base);
      return false;
    }
    const uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    *dst++ = static_cast<uint8_t>(v >> 16);
    *dst++ = static_cast<uint8_t>(v >> 8);
    *dst++ = static_cast<uint8_t>(v);
  }
  if (i < n) {
    const int a = kBase64Values[src[i]], b = kBase64Values[src[i + 1]];
    const int c = n - i == 3 ? kBase64Values[src[i + 2]] : 0;
    if ((a | b | c) < 0) {
      out.resize(base);
      return false;
    }
    const uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6);
    *dst++ = static_cast<uint8_t>(v >> 16);
    if (n - i == 3) *dst++ = static_cast<uint8_t>(v >> 8);
  }
  return true;
}

absl::Status AppendBase64BytesLiteral(std::string_view base64, std::string& out) {
  const size_t base = out.size();
  if (!AppendBase64Decoded(base64, out)) {
    return absl::InvalidArgumentError("bytes is not valid base64");
  }
  // Expand in place, from the last byte backwards: byte i's hex lands at or after base + 2 + 2i,
  // beyond every byte not yet read.
  const size_t n = out.size() - base;
  out.resize(base + 2 * n + 3);
  char* p = out.data() + base;
  for (size_t i = n; i-- > 0;) {
    const auto b = static_cast<uint8_t>(p[i]);
    p[2 + 2 * i] = kHex[b >> 4];
    p[3 + 2 * i] = kHex[b & 0xf];
  }
  p[0] = 'X';
  p[1] = '\'';
  p[2 * n + 2] = '\'';
  return absl::OkStatus();
}

absl::Status AppendDecimalLiteral(std::string_view unscaled, int32_t scale, std::string& out) {
  if (scale > kMaxDecimalScale || scale < -kMaxDecimalScale) return ScaleOutOfRange();
  const auto* bytes = reinterpret_cast<const uint8_t*>(unscaled.data());
  const size_t n = unscaled.size();
  const bool negative = n > 0 && (bytes[0] & 0x80) != 0;
  if (n <= 16) {
    unsigned __int128 v = negative ? ~static_cast<unsigned __int128>(0) : 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | bytes[i];
    if (negative) v = ~v + 1;  // the magnitude; 2^127 for the most negative value fits
    char buf[40];
    AppendScaled(negative, std::string_view(buf, Uint128Digits(v, buf)), scale, out);
    return absl::OkStatus();
  }
  // Longer than 128 bits: magnitude in base 256, then repeated division by 10^9.
  std::vector<uint8_t> mag(bytes, bytes + n);
  if (negative) {
    for (auto& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = n; i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  std::vector<uint32_t> chunks;  // base 10^9, least significant first
  size_t begin = 0;
  while (true) {
    while (begin < mag.size() && mag[begin] == 0) ++begin;
    if (begin == mag.size()) break;
    uint64_t rem = 0;
    for (size_t i = begin; i < mag.size(); ++i) {
      const uint64_t cur = rem * 256 + mag[i];
      mag[i] = static_cast<uint8_t>(cur / 1'000'000'000);
      rem = cur % 1'000'000'000;
    }
    chunks.push_back(static_cast<uint32_t>(rem));
  }
  std::string digits;
  if (chunks.empty()) {
    digits = "0";
  } else {
    digits = std::to_string(chunks.back());
    for (size_t i = chunks.size() - 1; i-- > 0;) {
      char buf[9];
      PutDigits(buf, chunks[i], 9);
      digits.append(buf, 9);
    }
  }
  AppendScaled(negative, digits, scale, out);
  return absl::OkStatus();
}

absl::Status AppendBase64DecimalLiteral(std::string_view base64, int32_t scale, std::string& out) {
  const size_t base = out.size();
  if (!AppendBase64Decoded(base64, out)) {
    return absl::InvalidArgumentError("Decimal is not valid base64");
  }
  const size_t n = out.size() - base;
  if (n <= 16) {
    char bytes[16];
    std::memcpy(bytes, out.data() + base, n);
    out.resize(base);
    return AppendDecimalLiteral(std::string_view(bytes, n), scale, out);
  }
  const std::string bytes = out.substr(base);
  out.resize(base);
  return AppendDecimalLiteral(bytes, scale, out);
}

absl::Status AppendDecimalNumberLiteral(std::string_view json_number, std::string& out) {
  const auto invalid = [] { return absl::InvalidArgumentError("Decimal is not a valid number"); };
  size_t i = 0;
  const size_t n = json_number.size();
  const auto is_digit = [&](size_t k) {
    return k < n && json_number[k] >= '0' && json_number[k] <= '9';
  };
  const bool negative = i < n && json_number[i] == '-';
  if (negative) ++i;
  const size_t int_begin = i;
  while (is_digit(i)) ++i;
  if (i == int_begin) return invalid();
  std::string digits(json_number.substr(int_begin, i - int_begin));
  int64_t scale = 0;
  if (i < n && json_number[i] == '.') {
    const size_t frac_begin = ++i;
    while (is_digit(i)) ++i;
    if (i == frac_begin) return invalid();
    digits.append(json_number.substr(frac_begin, i - frac_begin));
    scale = static_cast<int64_t>(i - frac_begin);
  }
  if (i < n && (json_number[i] == 'e' || json_number[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (json_number[i] == '+' || json_number[i] == '-')) {
      exp_negative = json_number[i] == '-';
      ++i;
    }
    const size_t exp_begin = i;
    int64_t exponent = 0;
    while (is_digit(i)) {
      if (exponent > kMaxDecimalScale * 2) return ScaleOutOfRange();
      exponent = exponent * 10 + (json_number[i] - '0');
      ++i;
    }
    if (i == exp_begin) return invalid();
    scale += exp_negative ? exponent : -exponent;
  }
  // raw JSON tokens may carry the whitespace that follows them
  while (i < n && (json_number[i] == ' ' || json_number[i] == '\t' || json_number[i] == '\n' ||
                   json_number[i] == '\r')) {
    ++i;
  }
  if (i != n) return invalid();
  if (scale > kMaxDecimalScale || scale < -kMaxDecimalScale) return ScaleOutOfRange();
  const size_t first = digits.find_first_not_of('0');
  std::string_view significant =
      first == std::string::npos ? std::string_view("0") : std::string_view(digits).substr(first);
  AppendScaled(negative, significant, static_cast<int32_t>(scale), out);
  return absl::OkStatus();
}

absl::Status AppendDateLiteral(int64_t days_since_epoch, std::string& out) {
  if (days_since_epoch < kMinDays || days_since_epoch > kMaxDays) return DateOutOfRange();
  AppendDateTime(days_since_epoch, false, 0, 0, out);
  return absl::OkStatus();
}

absl::Status AppendTimeLiteral(int64_t since_midnight, TimeUnit unit, std::string& out) {
  const bool negative = since_midnight < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(since_midnight) : static_cast<uint64_t>(since_midnight);
  uint64_t micros = 0;
  switch (unit) {
    case TimeUnit::kMillis:
      if (magnitude > kMaxTimeMicros / 1000)
        return absl::InvalidArgumentError("time is outside -838:59:59.999999..838:59:59.999999");
      micros = magnitude * 1000;
      break;
    case TimeUnit::kMicros:
      micros = magnitude;
      break;
    case TimeUnit::kNanos:
      micros = magnitude / 1000;
      break;
  }
  if (micros > kMaxTimeMicros) {
    return absl::InvalidArgumentError("time is outside -838:59:59.999999..838:59:59.999999");
  }
  const uint64_t seconds = micros / 1'000'000;
  char buf[20];
  char* p = buf;
  *p++ = '\'';
  if (negative && micros != 0) *p++ = '-';
  const uint64_t hours = seconds / 3600;
  if (hours >= 100) {
    PutDigits(p, hours, 3);
    p += 3;
  } else {
    PutDigits(p, hours, 2);
    p += 2;
  }
  *p++ = ':';
  PutDigits(p, seconds / 60 % 60, 2);
  p += 2;
  *p++ = ':';
  PutDigits(p, seconds % 60, 2);
  p += 2;
  *p++ = '.';
  PutDigits(p, micros % 1'000'000, 6);
  p += 6;
  *p++ = '\'';
  out.append(buf, static_cast<size_t>(p - buf));
  return absl::OkStatus();
}

absl::Status AppendTimestampLiteral(int64_t since_epoch, TimeUnit unit, std::string& out) {
  int64_t per_second = 1000;
  if (unit == TimeUnit::kMicros) per_second = 1'000'000;
  if (unit == TimeUnit::kNanos) per_second = 1'000'000'000;
  int64_t seconds = since_epoch / per_second;
  int64_t sub = since_epoch % per_second;
  if (sub < 0) {  // floor: the fraction of a time before the epoch counts forward
    sub += per_second;
    --seconds;
  }
  int64_t micros = sub;
  if (unit == TimeUnit::kMillis) micros = sub * 1000;
  if (unit == TimeUnit::kNanos) micros = sub / 1000;
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  if (days < kMinDays || days > kMaxDays) return DateOutOfRange();
  AppendDateTime(days, true, seconds - days * kSecondsPerDay, micros, out);
  return absl::OkStatus();
}

absl::Status AppendZonedTimestampLiteral(std::string_view iso8601, std::string& out) {
  const auto invalid = [] {
    return absl::InvalidArgumentError(
        "ZonedTimestamp is not an ISO-8601 date-time with an offset (YYYY-MM-DDTHH:MM:SS[.f]Z)");
  };
  std::string_view s = iso8601;
  size_t i = 0;
  // Reads exactly `width` digits.
  const auto number = [&](int width, int64_t& value) {
    if (i + static_cast<size_t>(width) > s.size()) return false;
    value = 0;
    for (int k = 0; k < width; ++k) {
      const char c = s[i + static_cast<size_t>(k)];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    i += static_cast<size_t>(width);
    return true;
  };
  const auto expect = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(4, year) || !expect('-') || !number(2, month) || !expect('-') || !number(2, day)) {
    return invalid();
  }
  if (!expect('T') && !expect(' ')) return invalid();
  if (!number(2, hour) || !expect(':') || !number(2, minute)) return invalid();
  if (expect(':') && !number(2, second)) return invalid();
  int64_t micros = 0;
  if (expect('.')) {
    const size_t begin = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - begin < 6) micros = micros * 10 + (s[i] - '0');
      ++i;
    }
    if (i == begin || i - begin > 9) return invalid();
    for (size_t k = i - begin; k < 6; ++k) micros *= 10;
  }
  int64_t offset_seconds = 0;
  if (!expect('Z')) {
    if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return invalid();
    const bool negative = s[i] == '-';
    ++i;
    int64_t oh = 0, om = 0, os = 0;
    if (!number(2, oh)) return invalid();
    if (i < s.size()) {
      const bool colon = expect(':');
      if (!number(2, om)) return invalid();
      if (i < s.size() && (!colon || !expect(':') || !number(2, os))) return invalid();
    }
    if (oh > 18 || om > 59 || os > 59) return invalid();
    offset_seconds = (oh * 3600 + om * 60 + os) * (negative ? -1 : 1);
  }
  if (i != s.size()) return invalid();
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59) {
    return invalid();
  }
  const int64_t local =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
          kSecondsPerDay +
      hour * 3600 + minute * 60 + second;
  const int64_t utc = local - offset_seconds;
  const int64_t days = FloorDiv(utc, kSecondsPerDay);
  if (days < kMinDays || days > kMaxDays) return DateOutOfRange();
  AppendDateTime(days, true, utc - days * kSecondsPerDay, micros, out);
  return absl::OkStatus();
}

}  // namespace cdcflow::mysql_sink
