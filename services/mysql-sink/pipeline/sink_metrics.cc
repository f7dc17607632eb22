#include "services/mysql-sink/pipeline/sink_metrics.h"

namespace cdcflow::mysql_sink {
namespace {

prometheus::Counter& Counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}
prometheus::Family<prometheus::Counter>& Counters(prometheus::Registry& r, const char* name,
                                                  const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Gauge& Gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

SinkMetrics::SinkMetrics(prometheus::Registry& r)
    : records(Counters(r, "cdcflow_mysql_sink_records_total", "Kafka records consumed, by topic")),
      rows_upserted(Counters(r, "cdcflow_mysql_sink_rows_upserted_total",
                             "Rows inserted or updated, by table (after reduction)")),
      rows_deleted(Counters(r, "cdcflow_mysql_sink_rows_deleted_total", "Rows deleted, by table")),
      records_skipped(Counters(r, "cdcflow_mysql_sink_records_skipped_total",
                               "Records with nothing to apply, by reason")),
      dlq_records(Counters(r, "cdcflow_mysql_sink_dlq_records_total",
                           "Records sent to the dead-letter topic, by source topic and stage")),
      retries(Counter(r, "cdcflow_mysql_sink_retries_total",
                      "Batches retried after a database error (connection lost, deadlock)")),
      batches(Counter(r, "cdcflow_mysql_sink_batches_total", "Batches committed")),
      statements(Counter(r, "cdcflow_mysql_sink_statements_total", "SQL statements executed")),
      tables_created(
          Counter(r, "cdcflow_mysql_sink_tables_created_total", "Tables created (auto.create)")),
      columns_added(Counter(r, "cdcflow_mysql_sink_columns_added_total",
                            "Columns added to existing tables (auto.evolve)")),
      batch_rows(prometheus::BuildHistogram()
                     .Name("cdcflow_mysql_sink_batch_records")
                     .Help("Records per committed batch")
                     .Register(r)
                     .Add({}, prometheus::Histogram::BucketBoundaries{1, 10, 100, 500, 1000, 2000,
                                                                      3000, 5000, 10000})),
      batch_seconds(prometheus::BuildHistogram()
                        .Name("cdcflow_mysql_sink_batch_duration_seconds")
                        .Help("Time to apply and commit one batch")
                        .Register(r)
                        .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01,
                                                                         0.025, 0.05, 0.1, 0.25,
                                                                         0.5, 1, 2.5, 5, 10})),
      consumer_lag(prometheus::BuildGauge()
                       .Name("cdcflow_mysql_sink_consumer_lag_records")
                       .Help("Records between the applied position and the partition's end")
                       .Register(r)),
      paused(Gauge(r, "cdcflow_mysql_sink_paused", "1 while paused through the admin API")),
      database_up(Gauge(r, "cdcflow_mysql_sink_database_up",
                        "1 when the last database round trip succeeded")) {}

}  // namespace cdcflow::mysql_sink
