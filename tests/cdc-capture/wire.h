#pragma once

// Builds pgoutput / replication byte strings for tests, big-endian as on the wire.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace cdcflow::cdc_capture::testing {

class Wire {
 public:
  explicit Wire(char type) { bytes_.push_back(type); }
  Wire& U8(uint8_t v) {
    bytes_.push_back(static_cast<char>(v));
    return *this;
  }
  Wire& U16(uint16_t v) { return Int(v, 2); }
  Wire& U32(uint32_t v) { return Int(v, 4); }
  Wire& U64(uint64_t v) { return Int(v, 8); }
  Wire& Str(absl::string_view s) {
    bytes_.append(s.data(), s.size());
    bytes_.push_back('\0');
    return *this;
  }
  Wire& Raw(absl::string_view s) {
    bytes_.append(s.data(), s.size());
    return *this;
  }
  // A text column value.
  Wire& Text(absl::string_view s) {
    U8('t');
    U32(static_cast<uint32_t>(s.size()));
    return Raw(s);
  }
  const std::string& bytes() const { return bytes_; }

 private:
  Wire& Int(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bytes_.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  std::string bytes_;
};

}  // namespace cdcflow::cdc_capture::testing
