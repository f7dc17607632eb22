#pragma once

// Every metric of cdc-capture, declared once (Debezium's streaming and snapshot metrics,
// named the Prometheus way).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace cdcflow::cdc_capture {

struct CaptureMetrics {
  explicit CaptureMetrics(prometheus::Registry& registry);

  // Per table and op (c, u, d, r, t); cache the Counter& per table, Add() is not free.
  prometheus::Family<prometheus::Counter>& events;
  prometheus::Counter& transactions;
  prometheus::Counter& delivery_errors;
  prometheus::Counter& decode_errors;
  prometheus::Counter& heartbeats;
  prometheus::Gauge& milliseconds_behind_source;
  prometheus::Gauge& replication_lag_bytes;
  prometheus::Gauge& confirmed_lsn;
  prometheus::Gauge& received_lsn;
  prometheus::Gauge& queue_events;
  prometheus::Gauge& connected;
  prometheus::Gauge& paused;
  prometheus::Family<prometheus::Counter>& snapshot_rows;  // per table
  prometheus::Gauge& snapshot_running;
  prometheus::Gauge& snapshot_tables_total;
  prometheus::Gauge& snapshot_tables_done;
  prometheus::Gauge& snapshot_rows_estimated;
};

}  // namespace cdcflow::cdc_capture
