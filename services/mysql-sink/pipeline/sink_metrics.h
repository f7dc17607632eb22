#pragma once

// Every metric of mysql-sink, declared once, named the Prometheus way
// (cdcflow_mysql_sink_<what>_<unit>). Labels are bounded: table, topic, partition, reason.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdcflow::mysql_sink {

struct SinkMetrics {
  explicit SinkMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& records;          // {topic}: consumed
  prometheus::Family<prometheus::Counter>& rows_upserted;    // {table}
  prometheus::Family<prometheus::Counter>& rows_deleted;     // {table}
  prometheus::Family<prometheus::Counter>& records_skipped;  // {reason}
  prometheus::Family<prometheus::Counter>& dlq_records;      // {topic, stage}
  prometheus::Counter& retries;
  prometheus::Counter& batches;
  prometheus::Counter& statements;
  prometheus::Counter& tables_created;
  prometheus::Counter& columns_added;
  prometheus::Histogram& batch_rows;
  prometheus::Histogram& batch_seconds;
  prometheus::Family<prometheus::Gauge>& consumer_lag;  // {topic, partition}
  prometheus::Gauge& paused;
  prometheus::Gauge& database_up;
};

}  // namespace cdcflow::mysql_sink
