#include "services/cdc-capture/pipeline/capture_metrics.h"

namespace cdcflow::cdc_capture {

namespace {
prometheus::Gauge& Gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}
prometheus::Counter& Counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}
}  // namespace

CaptureMetrics::CaptureMetrics(prometheus::Registry& r)
    : events(prometheus::BuildCounter()
                 .Name("cdcflow_capture_events_total")
                 .Help("Change events handed to Kafka, by table and op (c, u, d, r, t).")
                 .Register(r)),
      transactions(
          Counter(r, "cdcflow_capture_transactions_total", "Committed source transactions seen.")),
      delivery_errors(Counter(r, "cdcflow_capture_delivery_errors_total",
                              "Events Kafka did not acknowledge (the service stops and resumes "
                              "from the last confirmed LSN).")),
      decode_errors(Counter(r, "cdcflow_capture_decode_errors_total",
                            "Replication messages that could not be decoded.")),
      heartbeats(Counter(r, "cdcflow_capture_heartbeats_total", "Heartbeat records sent.")),
      milliseconds_behind_source(
          Gauge(r, "cdcflow_capture_milliseconds_behind_source",
                "Commit time of the last event to the time it was handed to Kafka.")),
      replication_lag_bytes(Gauge(r, "cdcflow_capture_replication_lag_bytes",
                                  "Server WAL end minus the confirmed LSN.")),
      confirmed_lsn(Gauge(r, "cdcflow_capture_confirmed_lsn",
                          "LSN confirmed to PostgreSQL (all events at or below it are in "
                          "Kafka).")),
      received_lsn(Gauge(r, "cdcflow_capture_received_lsn", "Last LSN received.")),
      queue_events(Gauge(r, "cdcflow_capture_queue_events",
                         "Events handed to Kafka and not yet acknowledged.")),
      connected(Gauge(r, "cdcflow_capture_connected", "1 while streaming from PostgreSQL.")),
      paused(Gauge(r, "cdcflow_capture_paused", "1 while paused by an admin call.")),
      snapshot_rows(prometheus::BuildCounter()
                        .Name("cdcflow_capture_snapshot_rows_total")
                        .Help("Rows read by snapshots, by table.")
                        .Register(r)),
      snapshot_running(Gauge(r, "cdcflow_capture_snapshot_running", "1 while a snapshot runs.")),
      snapshot_tables_total(
          Gauge(r, "cdcflow_capture_snapshot_tables_total", "Tables in the running snapshot.")),
      snapshot_tables_done(Gauge(r, "cdcflow_capture_snapshot_tables_done",
                                 "Tables of the running snapshot already read.")),
      snapshot_rows_estimated(Gauge(r, "cdcflow_capture_snapshot_rows_estimated",
                                    "Planner estimate of the running snapshot's rows.")) {}

}  // namespace cdcflow::cdc_capture
