#pragma once

// Decodes pgoutput messages from the bytes of one XLogData payload. Pure: no I/O, no
// PostgreSQL headers; unit-tested on byte strings. Stateful only in knowing whether it is
// inside a StreamStart..StreamStop block, where data messages carry a leading xid.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/cdc-capture/pgoutput/messages.h"

namespace cdcflow::cdc_capture::pgoutput {

class Decoder {
 public:
  // Malformed input is kInvalidArgument naming the message type and the offset; the decoder
  // never reads past `bytes`. Tuple values in the result point into `bytes`.
  absl::StatusOr<Decoded> Decode(absl::string_view bytes);

  bool in_stream() const { return in_stream_; }

 private:
  bool in_stream_ = false;
};

}  // namespace cdcflow::cdc_capture::pgoutput
