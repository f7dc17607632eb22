#pragma once

// The replication connection (libpq, `replication=database`): slot management and the
// COPY BOTH stream of START_REPLICATION. Owns the libpq buffer of the last message read, so
// the view returned by Read() stays valid until the next Read().

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/pg/connection.h"
#include "services/cdc-capture/pgoutput/lsn.h"

namespace cdcflow::cdc_capture::replication {

struct SystemInfo {
  std::string system_id;
  int timeline = 0;
  Lsn wal_position = 0;
  std::string database;
};

struct SlotInfo {
  std::string name;
  std::string plugin;
  std::string database;
  Lsn confirmed_flush = 0;
  Lsn restart_lsn = 0;
  bool active = false;
};

struct CreatedSlot {
  Lsn consistent_point = 0;
  std::string snapshot_name;  // empty unless exported
};

class ReplicationConnection {
 public:
  // `conninfo` without `replication=…`; it is added here.
  static absl::StatusOr<std::unique_ptr<ReplicationConnection>> Connect(
      const std::string& conninfo);

  absl::StatusOr<SystemInfo> IdentifySystem();
  absl::StatusOr<std::optional<SlotInfo>> FindSlot(const std::string& slot);
  // With `export_snapshot`, the snapshot stays importable (SET TRANSACTION SNAPSHOT) until
  // this connection runs its next command.
  absl::StatusOr<CreatedSlot> CreateSlot(const std::string& slot, bool export_snapshot);
  absl::Status DropSlot(const std::string& slot);

  // START_REPLICATION SLOT slot LOGICAL start (proto_version '1', publication_names …,
  // messages 'true'). After it, only Read/SendStatus may be used.
  absl::Status StartReplication(const std::string& slot, Lsn start,
                                const std::vector<std::string>& publications);

  // The next CopyData message, or nullopt when none arrived within `timeout`.
  // kUnavailable when the server ended the stream or the connection broke.
  absl::StatusOr<std::optional<absl::string_view>> Read(absl::Duration timeout);

  // Sends a standby status update (flushed = what the slot may advance to).
  absl::Status SendStatus(Lsn written, Lsn flushed, bool reply_requested);

  pg::Connection& sql() { return *conn_; }
  ~ReplicationConnection();

 private:
  explicit ReplicationConnection(std::unique_ptr<pg::Connection> conn) : conn_(std::move(conn)) {}
  void FreeBuffer();

  std::unique_ptr<pg::Connection> conn_;
  char* buffer_ = nullptr;  // from PQgetCopyData; freed on the next Read
};

}  // namespace cdcflow::cdc_capture::replication
