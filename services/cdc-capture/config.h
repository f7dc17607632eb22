#pragma once

// cdc-capture's configuration. Section `connector` keeps Debezium's PostgreSQL connector key
// names, so a Debezium connector config translates key for key; `kafka` is the producer;
// `logging`, `metrics`, `admin` are the common sections.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/config/config.h"
#include "libs/grpc/admin_server.h"
#include "libs/logging/logging.h"
#include "libs/metrics/metrics_server.h"
#include "services/cdc-capture/events/encoder.h"

namespace cdcflow::cdc_capture {

struct ConnectorConfig {
  std::string hostname = "127.0.0.1";                      // database.hostname
  int port = 5432;                                         // database.port
  std::string user;                                        // database.user
  std::string password;                                    // database.password (secret)
  std::string dbname;                                      // database.dbname
  std::string topic_prefix;                                // topic.prefix
  std::string slot_name = "cdcflow";                       // slot.name
  std::string publication_name = "cdcflow_publication";    // publication.name
  std::string publication_autocreate_mode = "all_tables";  // all_tables|filtered|disabled
  std::vector<std::string> table_include_list;             // regexes on "schema.table"
  std::vector<std::string> table_exclude_list;
  std::string snapshot_mode = "initial";  // initial|never|initial_only|always
  int snapshot_fetch_size = 10240;
  int incremental_snapshot_chunk_size = 1024;           // incremental.snapshot.chunk.size
  std::string message_key_columns;                      // "schema.table:col,col;…"
  std::vector<std::string> skipped_operations = {"t"};  // c,u,d,t; "none" = skip nothing
  int64_t heartbeat_interval_ms = 0;                    // 0 = no heartbeats
  int64_t status_interval_ms = 10000;                   // standby status at least this often
  std::string decimal_handling_mode = "precise";
  std::string time_precision_mode = "adaptive";
  std::string binary_handling_mode = "bytes";
  std::string interval_handling_mode = "numeric";
  bool tombstones_on_delete = true;
  bool key_schemas_enable = true;    // key.converter.schemas.enable
  bool value_schemas_enable = true;  // value.converter.schemas.enable
  // ExtractNewRecordState (the seed pipeline's "unwrap" transform).
  bool unwrap_enabled = false;  // transforms.unwrap.enabled
  std::string delete_tombstone_handling_mode = "rewrite";
  std::vector<std::string> unwrap_add_fields = {"op", "source_table", "ts_ms"};
  // Kafka Connect's topic.creation.default.* (KIP-158), key after the prefix → value:
  // `partitions` and `replication.factor` (-1: the broker's default), then any topic config.
  std::map<std::string, std::string> topic_creation_default;
};

// How cdc-capture creates the topics it writes to, as Kafka Connect does for a source
// connector with topic.creation.default.* set. A topic that exists is left as it is.
struct TopicCreation {
  int partitions = -1;                         // -1: the broker's num.partitions
  int replication_factor = -1;                 // -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;  // e.g. cleanup.policy, retention.ms
};

struct KafkaConfig {
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::map<std::string, std::string> properties;  // any librdkafka producer property
  // In-flight bounds before WAL reading pauses. 4 MiB is a few 1 MB (batch.size) requests: the
  // idempotent producer of librdkafka 2.0.2 sends one produce request per partition at a time,
  // and while queued messages older than linger.ms wait behind it, its broker thread spins on
  // poll() (~150k calls/s measured); the longer the backlog, the longer they wait. 16 MiB cost
  // 1-1.5 us more CPU per event and 14 MB more RSS, with no gain in rate.
  int64_t max_queue_size = 20000;                                  // events
  int64_t max_queue_size_in_bytes = 4 << 20;                       // bytes
  std::string offset_storage_topic = "__cdcflow-capture-offsets";  // offset.storage.topic
};

struct Config {
  ConnectorConfig connector;
  KafkaConfig kafka;
  logging::LoggingOptions logging;
  metrics::MetricsOptions metrics{.address = "127.0.0.1", .port = 9101};
  rpc::AdminServerOptions admin{.address = "127.0.0.1", .port = 50051};

  // libpq connection string (password included: never log it; see pg::RedactConninfo).
  std::string Conninfo() const;
  events::EncoderOptions Encoder() const;
};

// The topic creation settings, none when no topic.creation.default.* key is set (topics are
// then left to the broker's auto-creation); an error naming the key when they are invalid.
absl::StatusOr<std::optional<TopicCreation>> ParseTopicCreation(const ConnectorConfig& connector);

void BindConfig(config::ConfigSpec& spec, Config* config);

// Cross-field checks the spec cannot express (regexes compile, key columns parse).
absl::Status Validate(const Config& config);

}  // namespace cdcflow::cdc_capture
