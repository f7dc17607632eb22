#include "services/cdc-capture/replication/protocol.h"

#include "absl/strings/str_cat.h"

namespace cdcflow::cdc_capture::replication {

namespace {

uint64_t ReadU64(absl::string_view b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

void AppendU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

}  // namespace

absl::StatusOr<ServerMessage> ParseServerMessage(absl::string_view b) {
  if (b.empty()) return absl::InvalidArgumentError("replication: empty CopyData message");
  switch (b[0]) {
    case 'w': {
      if (b.size() < 25) {
        return absl::InvalidArgumentError(
            absl::StrCat("replication: XLogData header needs 25 bytes, got ", b.size()));
      }
      XLogData m;
      m.wal_start = ReadU64(b, 1);
      m.wal_end = ReadU64(b, 9);
      m.send_time = PgMicrosToUnixMicros(static_cast<int64_t>(ReadU64(b, 17)));
      m.data = b.substr(25);
      return m;
    }
    case 'k': {
      if (b.size() != 18) {
        return absl::InvalidArgumentError(
            absl::StrCat("replication: keepalive must be 18 bytes, got ", b.size()));
      }
      Keepalive m;
      m.wal_end = ReadU64(b, 1);
      m.send_time = PgMicrosToUnixMicros(static_cast<int64_t>(ReadU64(b, 9)));
      m.reply_requested = b[17] != 0;
      return m;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("replication: unknown CopyData message type 0x",
                       absl::Hex(static_cast<uint8_t>(b[0]), absl::kZeroPad2)));
  }
}

std::string StandbyStatusUpdate(Lsn written, Lsn flushed, Lsn applied, int64_t now_unix_micros,
                                bool reply_requested) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  AppendU64(out, written);
  AppendU64(out, flushed);
  AppendU64(out, applied);
  AppendU64(out, static_cast<uint64_t>(UnixMicrosToPgMicros(now_unix_micros)));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

}  // namespace cdcflow::cdc_capture::replication
