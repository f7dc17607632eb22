#pragma once

// The streaming replication sub-protocol carried in CopyData messages (PostgreSQL docs,
// "Streaming Replication Protocol"): XLogData ('w') and primary keepalive ('k') from the
// server, standby status update ('r') from us. Pure functions over bytes.

#include <cstdint>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/cdc-capture/pgoutput/lsn.h"

namespace cdcflow::cdc_capture::replication {

struct XLogData {
  Lsn wal_start = 0;       // WAL position of the start of `data`
  Lsn wal_end = 0;         // current end of WAL on the server
  int64_t send_time = 0;   // Unix microseconds
  absl::string_view data;  // one pgoutput message; points into the CopyData buffer
};

struct Keepalive {
  Lsn wal_end = 0;
  int64_t send_time = 0;  // Unix microseconds
  bool reply_requested = false;
};

using ServerMessage = std::variant<XLogData, Keepalive>;

absl::StatusOr<ServerMessage> ParseServerMessage(absl::string_view copy_data);

// The standby status update: positions written, flushed (what the slot may advance to) and
// applied, and our clock in Unix microseconds.
std::string StandbyStatusUpdate(Lsn written, Lsn flushed, Lsn applied, int64_t now_unix_micros,
                                bool reply_requested);

}  // namespace cdcflow::cdc_capture::replication
