#pragma once

// Rendering of Kafka Connect / Debezium values as MariaDB SQL literals. Every function appends
// one complete literal to `out`, or returns kInvalidArgument and leaves `out` as it was. The
// messages name the problem but never the value's content beyond its JSON type, so they can be
// logged (the caller prefixes the side and the field: `value: field "amount": ...`).
//
// String literals use backslash escapes, so the connection must run with utf8mb4 and without
// the NO_BACKSLASH_ESCAPES sql_mode (the applier sets both).

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace cdcflow::mysql_sink {

inline constexpr std::string_view kNullLiteral = "NULL";

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// 'text' with \0 \' \\ \n \r \Z escaped; other bytes (UTF-8 included) pass through.
void AppendStringLiteral(std::string_view text, std::string& out);
// X'00ff' (lowercase hex); X'' for no bytes.
void AppendBytesLiteral(std::string_view bytes, std::string& out);
// 1 / 0.
void AppendBoolLiteral(bool value, std::string& out);
void AppendIntLiteral(int64_t value, std::string& out);
void AppendUintLiteral(uint64_t value, std::string& out);
// Shortest text that reads back as the same double / float (`1.5`, `1e+20`).
// NaN and infinities cannot be stored by MariaDB: kInvalidArgument.
absl::Status AppendDoubleLiteral(double value, std::string& out);
absl::Status AppendFloatLiteral(float value, std::string& out);

// Standard base64 (RFC 4648 alphabet, `=` padding optional) decoded and appended to `out`
// (raw bytes, not a literal). False, with `out` unchanged, when `base64` is not valid.
bool AppendBase64Decoded(std::string_view base64, std::string& out);
// X'..' of the bytes that `base64` encodes.
absl::Status AppendBase64BytesLiteral(std::string_view base64, std::string& out);

// A decimal literal (`-123.45`, `0.00`, `12300`) for unscaled * 10^-scale, where `unscaled` is
// a big-endian two's-complement integer of any length (Connect Decimal's bytes; no bytes = 0).
// |scale| must be at most kMaxDecimalScale.
inline constexpr int32_t kMaxDecimalScale = 10000;
absl::Status AppendDecimalLiteral(std::string_view unscaled, int32_t scale, std::string& out);
// The same, from the base64 text of the bytes (how JsonConverter writes a Decimal).
absl::Status AppendBase64DecimalLiteral(std::string_view base64, int32_t scale, std::string& out);
// A JSON number token (`1.5E+3`, how JsonConverter writes a Decimal with decimal.format=NUMERIC)
// as an exact plain decimal literal (`1500`): an exponent would make MariaDB read it as DOUBLE.
absl::Status AppendDecimalNumberLiteral(std::string_view json_number, std::string& out);

// 'YYYY-MM-DD' from days since 1970-01-01 (negative before). Years 0000..9999 only.
absl::Status AppendDateLiteral(int64_t days_since_epoch, std::string& out);
// 'HH:MM:SS.ffffff' (or '-HH:MM:SS.ffffff') from a time of day or duration; nanoseconds are
// truncated to microseconds. At most MariaDB's TIME range, 838:59:59.999999.
absl::Status AppendTimeLiteral(int64_t since_midnight, TimeUnit unit, std::string& out);
// 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) from a count since the epoch; nanoseconds are truncated
// to microseconds (toward the past for negative counts). Years 0000..9999 only.
absl::Status AppendTimestampLiteral(int64_t since_epoch, TimeUnit unit, std::string& out);
// An ISO-8601 date-time with an offset (`2025-07-22T11:31:00.5+02:00`, `...Z`), as Debezium's
// ZonedTimestamp writes it, converted to UTC: '2025-07-22 09:31:00.500000'.
absl::Status AppendZonedTimestampLiteral(std::string_view iso8601, std::string& out);

}  // namespace cdcflow::mysql_sink
