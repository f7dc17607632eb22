#include "services/cdc-capture/events/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace cdcflow::cdc_capture::events::json {
namespace {

// 0 = copy as is; 1 = needs escaping (control, '"', '\\'); 2 = start of a multi-byte sequence.
constexpr std::array<uint8_t, 256> MakeClassTable() {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 0x20; ++i) t[i] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int i = 0x80; i < 0x100; ++i) t[i] = 2;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClassTable();

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

void AppendControl(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out.append("\\\"", 2);
      return;
    case '\\':
      out.append("\\\\", 2);
      return;
    case '\b':
      out.append("\\b", 2);
      return;
    case '\t':
      out.append("\\t", 2);
      return;
    case '\n':
      out.append("\\n", 2);
      return;
    case '\f':
      out.append("\\f", 2);
      return;
    case '\r':
      out.append("\\r", 2);
      return;
    default: {
      char buf[6] = {'\\', 'u', '0', '0', kHexUpper[c >> 4], kHexUpper[c & 0xF]};
      out.append(buf, 6);
    }
  }
}

// Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0 when invalid; on
// invalid input `consumed` is the length of the maximal ill-formed subpart (>= 1).
size_t ValidUtf8Length(const unsigned char* p, const unsigned char* end, size_t& consumed) {
  const unsigned char c = p[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    need = 2;
  } else if (c == 0xED) {
    need = 2;
    hi = 0x9F;
  } else if (c == 0xF0) {
    need = 3;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3;
    hi = 0x8F;
  } else {
    consumed = 1;
    return 0;
  }
  size_t i = 1;
  for (; i <= need; ++i) {
    if (p + i >= end) break;
    const unsigned char b = p[i];
    const unsigned char min = i == 1 ? lo : 0x80;
    const unsigned char max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) break;
  }
  if (i == need + 1) return need + 1;
  consumed = i;
  return 0;
}

template <typename T>
void ShortestDigitsImpl(T value, std::string& digits, int& exponent) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  // buf: [-]d[.ddd]e(+|-)xx
  const char* p = buf;
  const char* end = res.ptr;
  if (*p == '-') ++p;
  digits.clear();
  while (p < end && *p != 'e') {
    if (*p != '.') digits.push_back(*p);
    ++p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp);
  // Java (JDK 19+): when one digit suffices, the closest decimal of length <= 2 is chosen.
  if (digits.size() == 1) {
    char buf2[64];
    auto res2 = std::to_chars(buf2, buf2 + sizeof(buf2), value, std::chars_format::scientific, 1);
    const char* q = buf2;
    if (*q == '-') ++q;
    std::string two;
    while (q < res2.ptr && *q != 'e') {
      if (*q != '.') two.push_back(*q);
      ++q;
    }
    int exp2 = 0;
    std::from_chars(q + 1 + (q[1] == '+' ? 1 : 0), res2.ptr, exp2);
    if (two.size() == 2 && two[1] != '0') {
      T back{};
      std::from_chars(buf2, res2.ptr, back);
      if (back == value) {
        digits = two;
        exp = exp2;
      }
    }
  }
  exponent = exp;
}

template <typename T>
std::string JavaToString(T value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  std::string digits;
  int exp = 0;
  ShortestDigitsImpl(value, digits, exp);
  std::string out;
  if (value < 0) out.push_back('-');
  const T magnitude = std::fabs(value);
  if (magnitude >= static_cast<T>(1e-3) && magnitude < static_cast<T>(1e7)) {
    if (exp >= 0) {
      const size_t int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out.append(digits);
        out.append(int_len - digits.size(), '0');
        out.append(".0");
      } else {
        out.append(digits, 0, int_len);
        out.push_back('.');
        out.append(digits, int_len, std::string::npos);
      }
    } else {
      out.append("0.");
      out.append(static_cast<size_t>(-exp - 1), '0');
      out.append(digits);
    }
  } else {
    out.push_back(digits[0]);
    out.push_back('.');
    if (digits.size() > 1) {
      out.append(digits, 1, std::string::npos);
    } else {
      out.push_back('0');
    }
    out.push_back('E');
    char buf[16];
    auto r = std::to_chars(buf, buf + sizeof(buf), exp);
    out.append(buf, r.ptr);
  }
  return out;
}

}  // namespace

void AppendEscaped(std::string& out, absl::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  const auto* run = p;
  while (p < end) {
    const uint8_t cls = kClass[*p];
    if (cls == 0) {
      ++p;
      continue;
    }
    if (cls == 1) {
      out.append(reinterpret_cast<const char*>(run), p - run);
      AppendControl(out, *p);
      ++p;
      run = p;
      continue;
    }
    size_t consumed = 0;
    const size_t len = ValidUtf8Length(p, end, consumed);
    if (len != 0) {
      p += len;
      continue;
    }
    out.append(reinterpret_cast<const char*>(run), p - run);
    out.append(kReplacement, 3);
    p += consumed;
    run = p;
  }
  out.append(reinterpret_cast<const char*>(run), p - run);
}

void AppendString(std::string& out, absl::string_view text) {
  out.push_back('"');
  AppendEscaped(out, text);
  out.push_back('"');
}

void AppendInt(std::string& out, int64_t value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, r.ptr);
}

void AppendDouble(std::string& out, double value) {
  if (std::isnan(value) || std::isinf(value)) {
    out.push_back('"');
    out.append(JavaDoubleToString(value));
    out.push_back('"');
    return;
  }
  out.append(JavaDoubleToString(value));
}

void AppendFloat(std::string& out, float value) {
  if (std::isnan(value) || std::isinf(value)) {
    out.push_back('"');
    out.append(JavaFloatToString(value));
    out.push_back('"');
    return;
  }
  out.append(JavaFloatToString(value));
}

std::string JavaDoubleToString(double value) { return JavaToString(value); }
std::string JavaFloatToString(float value) { return JavaToString(value); }

void ShortestDigits(double value, std::string& digits, int& exponent) {
  ShortestDigitsImpl(value, digits, exponent);
}

void AppendBase64(std::string& out, absl::string_view bytes, bool url_safe) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url_safe ? kUrl : kStd;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const size_t old = out.size();
  out.resize(old + (n + 2) / 3 * 4);
  char* w = out.data() + old;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *w++ = alphabet[v >> 18];
    *w++ = alphabet[(v >> 12) & 63];
    *w++ = alphabet[(v >> 6) & 63];
    *w++ = alphabet[v & 63];
  }
  if (i < n) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < n) v |= uint32_t{p[i + 1]} << 8;
    *w++ = alphabet[v >> 18];
    *w++ = alphabet[(v >> 12) & 63];
    *w++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    *w++ = '=';
  }
}

void AppendHex(std::string& out, absl::string_view bytes) {
  const size_t old = out.size();
  out.resize(old + bytes.size() * 2);
  char* w = out.data() + old;
  for (unsigned char c : bytes) {
    *w++ = kHexLower[c >> 4];
    *w++ = kHexLower[c & 0xF];
  }
}

}  // namespace cdcflow::cdc_capture::events::json
