#pragma once

// The capture loop: PostgreSQL replication slot -> pgoutput decoder -> Debezium encoder ->
// EventSink (Kafka), with the snapshot first when one is due. It confirms to PostgreSQL only
// what DeliveryTracker says Kafka has acknowledged.
//
// One session = one pair of connections, from connect to error or stop. The caller runs
// sessions in a loop with backoff (RunForever); before a new session starts, every record of
// the previous one has its delivery report, so nothing in flight is ever forgotten.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "libs/logging/fmt_absl.h"

#include "absl/status/status.h"
#include "cdcflow/v1/admin.pb.h"
#include "libs/common/clock.h"
#include "libs/common/retry.h"
#include "services/cdc-capture/config.h"
#include "services/cdc-capture/events/encoder.h"
#include "services/cdc-capture/pipeline/capture_metrics.h"
#include "services/cdc-capture/pipeline/delivery_tracker.h"
#include "services/cdc-capture/pipeline/event_sink.h"
#include "services/cdc-capture/pipeline/incremental_snapshot.h"
#include "services/cdc-capture/pipeline/offset_store.h"
#include "services/cdc-capture/pipeline/table_filter.h"

namespace cdcflow::cdc_capture {

namespace source {
class Catalog;
}
namespace replication {
class ReplicationConnection;
}

// Token of records that no transaction waits for (heartbeats).
inline constexpr uint64_t kUntrackedToken = ~uint64_t{0};

class Capture {
 public:
  Capture(const Config& config, EventSink& sink, CaptureMetrics& metrics,
          std::shared_ptr<spdlog::logger> log, common::Clock& clock);
  ~Capture();

  // Sessions until `stop`, reconnecting with backoff after retriable errors. Returns OK on
  // stop (or after the snapshot with snapshot.mode initial_only), the error otherwise
  // (wrong credentials, wal_level, missing privilege, unknown table: not worth retrying).
  absl::Status RunForever(const std::atomic<bool>& stop);

  // Where the snapshot's completion is recorded. Without one, an existing slot is taken to
  // have completed its snapshot (a snapshot interrupted by a crash is then not redone).
  void set_offset_store(OffsetStore* store) { offsets_ = store; }

  // One session (exposed for tests).
  absl::Status RunSession(const std::atomic<bool>& stop);

  // The sink's delivery callback.
  void OnDelivered(uint64_t token, const absl::Status& status);

  // Admin.
  // Queues an incremental snapshot of "schema.table" names; kInvalidArgument names a table
  // that is not captured. Returns how many tables are queued in all.
  absl::StatusOr<int> ExecuteSnapshot(const std::vector<std::string>& tables);
  bool Pause();
  bool Resume();
  void FillStatus(cdcflow::v1::GetStatusResponse& status);

  // For tests and the graceful shutdown: what was last confirmed to PostgreSQL.
  Lsn confirmed_lsn() const { return confirmed_lsn_.load(); }

 private:
  struct TableState;
  struct Session;

  absl::Status Prepare(Session& s);
  absl::Status EnsurePublication(Session& s);
  absl::Status RunSnapshot(Session& s, const std::string& snapshot_name, Lsn consistent_point,
                           const std::atomic<bool>& stop);
  absl::Status Stream(Session& s, const std::atomic<bool>& stop);
  absl::Status HandleXLogData(Session& s, Lsn lsn, absl::string_view data);
  absl::Status HandleRelation(Session& s, const pgoutput::Relation& relation);
  absl::Status ReadIncrementalChunk(Session& s);
  absl::Status EmitIncrementalRows(Session& s, Lsn lsn,
                                   const std::vector<IncrementalSnapshot::Row>& rows);
  void EvictFromIncrementalChunk(const TableState& table, const events::RowChange& change);
  absl::Status Emit(Session& s, TableState& table, const events::RowChange& change, uint64_t token,
                    const std::atomic<bool>* stop);
  absl::Status SendAll(Session& s, const std::atomic<bool>* stop, uint64_t token);
  // `now`: the caller's clock reading, when it has a fresh one (one read per message).
  absl::Status MaybeSendStatus(Session& s, bool force, std::optional<absl::Time> now = {});
  absl::Status MaybeHeartbeat(Session& s, absl::Time now);
  absl::Status WaitForInFlight(Session& s, const std::atomic<bool>& stop);
  absl::Status DrainSink(absl::Duration timeout);
  bool Skipped(events::Op op) const;

  const Config config_;
  EventSink& sink_;
  CaptureMetrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  common::Clock& clock_;
  events::EventEncoder encoder_;
  TableFilter filter_;
  OffsetStore* offsets_ = nullptr;
  IncrementalSnapshot incremental_;
  const std::string watermark_prefix_;  // logical message prefix of this slot's watermarks

  // The current session's tracker; delivery reports arrive on the producer's thread.
  std::mutex tracker_mu_;
  std::shared_ptr<DeliveryTracker> tracker_;
  std::mutex error_mu_;
  absl::Status delivery_error_;
  std::atomic<bool> has_delivery_error_{false};

  std::atomic<bool> paused_{false};
  std::atomic<bool> streaming_{false};
  std::atomic<Lsn> confirmed_lsn_{0};
  std::atomic<Lsn> received_lsn_{0};
  std::atomic<Lsn> server_wal_end_{0};
  std::atomic<int64_t> snapshot_rows_done_{0};
  std::atomic<bool> initial_only_done_{false};

  // The event counters of each table ("schema.table"; ops c u d r t): the Prometheus
  // counters themselves, so GetStatus reads the same numbers the metrics show and the hot
  // path increments one counter, without a lock.
  prometheus::Counter& EventCounter(const std::string& table, int op);
  std::mutex counts_mu_;  // guards event_counters_ and last_error_
  std::map<std::string, std::array<prometheus::Counter*, 5>> event_counters_;
  std::string last_error_;
};

}  // namespace cdcflow::cdc_capture
