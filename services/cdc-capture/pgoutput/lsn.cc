#include "services/cdc-capture/pgoutput/lsn.h"

#include <cstdio>

#include "absl/strings/numbers.h"

namespace cdcflow::cdc_capture {

std::string FormatLsn(Lsn lsn) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%X/%X", static_cast<uint32_t>(lsn >> 32),
                static_cast<uint32_t>(lsn));
  return buf;
}

std::optional<Lsn> ParseLsn(absl::string_view text) {
  const size_t slash = text.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == text.size()) {
    return std::nullopt;
  }
  uint32_t hi, lo;
  if (!absl::SimpleHexAtoi(text.substr(0, slash), &hi) ||
      !absl::SimpleHexAtoi(text.substr(slash + 1), &lo)) {
    return std::nullopt;
  }
  return (static_cast<Lsn>(hi) << 32) | lo;
}

}  // namespace cdcflow::cdc_capture
