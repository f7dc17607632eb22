#include "services/mysql-sink/sql/identifier.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink::sql {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (1..4), and its code point; 0 when the
// bytes are not well-formed (bad lead or continuation byte, overlong form, surrogate, or a code
// point above U+10FFFF).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// See PrintableIdentifier; `valid_utf8` tells whether non-ASCII bytes can be shown as they are.
std::string Printable(std::string_view name, bool valid_utf8) {
  constexpr size_t kMaxShown = 256;
  const bool cut = name.size() > kMaxShown;
  if (cut) {
    size_t end = kMaxShown;  // Not inside a UTF-8 sequence: back up over continuation bytes.
    while (valid_utf8 && end > 0 && (static_cast<uint8_t>(name[end]) & 0xC0) == 0x80) --end;
    name = name.substr(0, end);
  }
  std::string out = "\"";
  for (const char c : name) {
    const auto b = static_cast<uint8_t>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (b < 0x20 || b == 0x7F || (b >= 0x80 && !valid_utf8)) {
      constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.append(cut ? "\"..." : "\"");
  return out;
}

absl::Status Invalid(std::string_view name, bool valid_utf8, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid identifier ", Printable(name, valid_utf8),
                                                 ": ", absl::string_view(why.data(), why.size())));
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    const size_t len = DecodeUtf8(s, i, cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace

std::string PrintableIdentifier(std::string_view name) { return Printable(name, ValidUtf8(name)); }

absl::Status CheckIdentifier(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("invalid identifier \"\": empty");
  size_t chars = 0;
  bool nul = false;
  bool beyond_bmp = false;
  for (size_t i = 0; i < name.size(); ++chars) {
    uint32_t cp = 0;
    const size_t len = DecodeUtf8(name, i, cp);
    if (len == 0) return Invalid(name, false, "not valid UTF-8");
    nul |= cp == 0;
    beyond_bmp |= cp > 0xFFFF;
    i += len;
  }
  // From here on the name is valid UTF-8, so its characters can be shown as they are.
  if (nul) return Invalid(name, true, "contains a NUL character");
  if (beyond_bmp) {
    return Invalid(name, true,
                   "contains a character outside the Basic Multilingual Plane, which MariaDB "
                   "does not allow in names");
  }
  if (chars > kMaxIdentifierChars) {
    return Invalid(name, true,
                   absl::StrCat("longer than ", kMaxIdentifierChars, " characters (", chars, ")"));
  }
  if (name.back() == ' ') return Invalid(name, true, "ends with a space");
  return absl::OkStatus();
}

absl::StatusOr<std::string> QuoteIdentifier(std::string_view name) {
  if (absl::Status s = CheckIdentifier(name); !s.ok()) return s;
  std::string out;
  out.reserve(name.size() + 2);
  AppendQuoted(out, name);
  return out;
}

void AppendQuoted(std::string& out, std::string_view already_checked_name) {
  std::string_view rest = already_checked_name;
  out.push_back('`');
  for (size_t tick; (tick = rest.find('`')) != std::string_view::npos;) {
    out.append(rest.data(), tick + 1);
    out.push_back('`');
    rest.remove_prefix(tick + 1);
  }
  out.append(rest);
  out.push_back('`');
}

}  // namespace cdcflow::mysql_sink::sql
