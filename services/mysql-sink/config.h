#pragma once

// mysql-sink's configuration. Section `connector` keeps the key names of Confluent's JDBC sink
// connector (and Kafka Connect's error handling keys), so a JDBC sink config translates key for
// key; `connection.url` is split into host/port/database. `kafka` is the consumer (and the
// dead-letter producer); `logging`, `metrics`, `admin` are the common sections.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/config/config.h"
#include "libs/grpc/admin_server.h"
#include "libs/logging/logging.h"
#include "libs/metrics/metrics_server.h"
#include "libs/mysql/connection.h"
#include "services/mysql-sink/sql/statements.h"

namespace cdcflow::mysql_sink {

enum class PkMode { kNone, kKafka, kRecordKey, kRecordValue };

struct ConnectorConfig {
  // Kafka Connect's connector name: the consumer group is `connect-<name>`, as in Connect.
  std::string name = "mysql-sink";
  std::vector<std::string> topics;  // topics (comma-separated) ...
  std::string topics_regex;         // ... or topics.regex (exactly one of them)
  std::string connection_host = "127.0.0.1";
  int connection_port = 3306;
  std::string connection_user;
  std::string connection_password;  // secret
  std::string connection_database;
  std::string insert_mode = "upsert";  // insert | upsert | update
  std::string pk_mode = "record_key";  // none | kafka | record_key | record_value
  std::vector<std::string> pk_fields;
  bool delete_enabled = true;
  int batch_size = 3000;
  // Decoded records held ahead of the database (about 400 bytes each, ~12 MB): a third of a
  // second of work at full speed, so a fetch that comes late does not leave it idle.
  int max_buffered_records = 30000;
  std::string table_name_format = "${topic}";
  std::string route_regex;        // RegexRouter: a topic matching it wholly is renamed ...
  std::string route_replacement;  // ... to this, with $1..$9
  bool auto_create = true;
  bool auto_evolve = true;
  std::string errors_tolerance = "none";  // none | all
  // Where rejected records go; ${topic} is the record's topic.
  std::string dlq_topic = "${topic}.DLQ";  // errors.deadletterqueue.topic.name
  int max_retries = 10;
  int64_t retry_backoff_ms = 3000;
  std::string offsets_table = "__cdcflow_sink_offsets";
};

struct KafkaConfig {
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::map<std::string, std::string> properties;  // any librdkafka consumer property
  std::string auto_offset_reset = "earliest";     // where a partition new to the sink starts
};

struct Config {
  ConnectorConfig connector;
  KafkaConfig kafka;
  logging::LoggingOptions logging;
  metrics::MetricsOptions metrics{.address = "127.0.0.1", .port = 9104};
  rpc::AdminServerOptions admin{.address = "127.0.0.1", .port = 50054};

  std::string GroupId() const { return "connect-" + connector.name; }
  sql::InsertMode GetInsertMode() const;
  PkMode GetPkMode() const;
  mysql::ConnectOptions Connection() const;
};

void BindConfig(config::ConfigSpec& spec, Config* config);

// Cross-field checks the spec cannot express, naming the key: exactly one of topics and
// topics.regex; regexes compile; pk.fields for record_value; update/delete need a key.
absl::Status Validate(const Config& config);

}  // namespace cdcflow::mysql_sink
