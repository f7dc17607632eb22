#include "services/cdc-capture/replication/connection.h"

#include <poll.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "services/cdc-capture/replication/protocol.h"

namespace cdcflow::cdc_capture::replication {

absl::StatusOr<std::unique_ptr<ReplicationConnection>> ReplicationConnection::Connect(
    const std::string& conninfo) {
  ASSIGN_OR_RETURN(auto conn, pg::Connection::Connect(conninfo + " replication=database"));
  return std::unique_ptr<ReplicationConnection>(new ReplicationConnection(std::move(conn)));
}

ReplicationConnection::~ReplicationConnection() { FreeBuffer(); }

void ReplicationConnection::FreeBuffer() {
  if (buffer_ != nullptr) {
    PQfreemem(buffer_);
    buffer_ = nullptr;
  }
}

absl::StatusOr<SystemInfo> ReplicationConnection::IdentifySystem() {
  ASSIGN_OR_RETURN(pg::Result r, conn_->Exec("IDENTIFY_SYSTEM"));
  if (r.rows() != 1 || r.columns() < 4) {
    return absl::InternalError("postgres: IDENTIFY_SYSTEM returned an unexpected shape");
  }
  SystemInfo info;
  info.system_id = std::string(r.Get(0, 0));
  if (!absl::SimpleAtoi(r.Get(0, 1), &info.timeline)) info.timeline = 0;
  info.wal_position = ParseLsn(r.Get(0, 2)).value_or(0);
  info.database = r.IsNull(0, 3) ? "" : std::string(r.Get(0, 3));
  return info;
}

absl::StatusOr<std::optional<SlotInfo>> ReplicationConnection::FindSlot(const std::string& slot) {
  // Replication connections speak the simple query protocol only: no parameters.
  ASSIGN_OR_RETURN(pg::Result r,
                   conn_->Exec(absl::StrCat(
                       "SELECT slot_name, plugin, database, confirmed_flush_lsn, restart_lsn, "
                       "active FROM pg_replication_slots WHERE slot_name = ",
                       conn_->QuoteLiteral(slot))));
  if (r.rows() == 0) return std::nullopt;
  SlotInfo info;
  info.name = std::string(r.Get(0, 0));
  info.plugin = r.IsNull(0, 1) ? "" : std::string(r.Get(0, 1));
  info.database = r.IsNull(0, 2) ? "" : std::string(r.Get(0, 2));
  info.confirmed_flush = r.IsNull(0, 3) ? 0 : ParseLsn(r.Get(0, 3)).value_or(0);
  info.restart_lsn = r.IsNull(0, 4) ? 0 : ParseLsn(r.Get(0, 4)).value_or(0);
  info.active = r.Get(0, 5) == "t";
  return info;
}

absl::StatusOr<CreatedSlot> ReplicationConnection::CreateSlot(const std::string& slot,
                                                              bool export_snapshot) {
  ASSIGN_OR_RETURN(
      pg::Result r,
      conn_->Exec(absl::StrCat("CREATE_REPLICATION_SLOT ", conn_->QuoteIdentifier(slot),
                               " LOGICAL pgoutput (",
                               export_snapshot ? "SNAPSHOT 'export'" : "SNAPSHOT 'nothing'", ")")));
  if (r.rows() != 1 || r.columns() < 3) {
    return absl::InternalError("postgres: CREATE_REPLICATION_SLOT returned an unexpected shape");
  }
  CreatedSlot created;
  created.consistent_point = ParseLsn(r.Get(0, 1)).value_or(0);
  if (!r.IsNull(0, 2)) created.snapshot_name = std::string(r.Get(0, 2));
  return created;
}

absl::Status ReplicationConnection::DropSlot(const std::string& slot) {
  return conn_->Exec(absl::StrCat("DROP_REPLICATION_SLOT ", conn_->QuoteIdentifier(slot), " WAIT"))
      .status();
}

absl::Status ReplicationConnection::StartReplication(const std::string& slot, Lsn start,
                                                     const std::vector<std::string>& publications) {
  std::vector<std::string> quoted;
  for (const auto& p : publications) quoted.push_back(conn_->QuoteIdentifier(p));
  const std::string sql =
      absl::StrCat("START_REPLICATION SLOT ", conn_->QuoteIdentifier(slot), " LOGICAL ",
                   FormatLsn(start), " (proto_version '1', publication_names ",
                   conn_->QuoteLiteral(absl::StrJoin(quoted, ",")), ", messages 'true')");
  ASSIGN_OR_RETURN(pg::Result r, conn_->Exec(sql));
  if (PQresultStatus(r.get()) != PGRES_COPY_BOTH) {
    return absl::InternalError("postgres: START_REPLICATION did not enter COPY BOTH mode");
  }
  if (PQsetnonblocking(conn_->raw(), 1) != 0) {
    return absl::InternalError("postgres: cannot make the replication connection non-blocking");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<absl::string_view>> ReplicationConnection::Read(
    absl::Duration timeout) {
  FreeBuffer();
  PGconn* c = conn_->raw();
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int n = PQgetCopyData(c, &buffer_, /*async=*/1);
    if (n > 0) return absl::string_view(buffer_, static_cast<size_t>(n));
    if (n == -1) {
      // The server ended COPY: read the final result for its reason.
      pg::Result r(PQgetResult(c));
      return absl::UnavailableError(
          absl::StrCat("postgres: replication stream ended: ",
                       r.get() ? PQresultErrorMessage(r.get()) : PQerrorMessage(c)));
    }
    if (n == -2) {
      return absl::UnavailableError(
          absl::StrCat("postgres: replication stream broke: ", PQerrorMessage(c)));
    }
    // n == 0: nothing buffered; wait for the socket.
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    pollfd pfd{PQsocket(c), POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno != EINTR) {
      return absl::UnavailableError("postgres: poll on the replication socket failed");
    }
    if (ready > 0 && PQconsumeInput(c) == 0) {
      return absl::UnavailableError(
          absl::StrCat("postgres: replication connection lost: ", PQerrorMessage(c)));
    }
  }
}

absl::Status ReplicationConnection::SendStatus(Lsn written, Lsn flushed, bool reply_requested) {
  const std::string msg = StandbyStatusUpdate(written, flushed, flushed,
                                              absl::ToUnixMicros(absl::Now()), reply_requested);
  PGconn* c = conn_->raw();
  if (PQputCopyData(c, msg.data(), static_cast<int>(msg.size())) != 1 || PQflush(c) < 0) {
    return absl::UnavailableError(
        absl::StrCat("postgres: cannot send standby status: ", PQerrorMessage(c)));
  }
  return absl::OkStatus();
}

}  // namespace cdcflow::cdc_capture::replication
