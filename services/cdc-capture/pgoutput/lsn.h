#pragma once

// PostgreSQL log sequence numbers: a 64-bit WAL position, written "16/B374D848".

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace cdcflow::cdc_capture {

using Lsn = uint64_t;

std::string FormatLsn(Lsn lsn);
std::optional<Lsn> ParseLsn(absl::string_view text);

// PostgreSQL timestamps count microseconds from 2000-01-01; Unix from 1970-01-01.
inline constexpr int64_t kPgEpochOffsetMicros = 946'684'800'000'000;
inline int64_t PgMicrosToUnixMicros(int64_t pg_micros) { return pg_micros + kPgEpochOffsetMicros; }
inline int64_t UnixMicrosToPgMicros(int64_t unix_micros) {
  return unix_micros - kPgEpochOffsetMicros;
}

}  // namespace cdcflow::cdc_capture
