#pragma once

// MariaDB identifiers (table and column names) made safe to paste into a statement: every
// identifier the sink writes goes through QuoteIdentifier (checked, then backtick-quoted), so a
// topic or column name holding a backtick, a quote or a semicolon becomes a literal name and
// can never inject SQL.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cdcflow::mysql_sink::sql {

// MariaDB's limit for table and column names, in characters (code points), not bytes.
inline constexpr size_t kMaxIdentifierChars = 64;

// Returns `name` backtick-quoted with embedded backticks doubled: x`y -> `x``y`.
// kInvalidArgument, naming the identifier with unprintable bytes escaped, when MariaDB would
// reject it: empty, more than 64 characters, a NUL character, a trailing space, invalid UTF-8,
// or a character outside the Basic Multilingual Plane (MariaDB stores identifiers as utf8mb3,
// so an emoji in a name fails with "Invalid utf8mb3 character string").
absl::StatusOr<std::string> QuoteIdentifier(std::string_view name);

// The check alone: OK when QuoteIdentifier(name) would succeed.
absl::Status CheckIdentifier(std::string_view name);

// Appends `name` quoted to `out`, without checking it. Only for names that already passed
// CheckIdentifier (hot paths that cache the check); quoting alone is still injection-safe.
void AppendQuoted(std::string& out, std::string_view already_checked_name);

// `name` as error messages and logs show it: in double quotes, with `"`, `\` and control
// characters escaped (every non-ASCII byte too when `name` is not valid UTF-8), cut after 256
// bytes (at a character boundary) and then marked with `...`.
std::string PrintableIdentifier(std::string_view name);

}  // namespace cdcflow::mysql_sink::sql
