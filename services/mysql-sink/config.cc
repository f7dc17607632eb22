#include "services/mysql-sink/config.h"

#include <regex>

#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink {

void BindConfig(config::ConfigSpec& spec, Config* c) {
  ConnectorConfig& k = c->connector;
  spec.Bind("connector", "name", &k.name);
  spec.Bind("connector", "topics", &k.topics);
  spec.Bind("connector", "topics.regex", &k.topics_regex);
  spec.Bind("connector", "connection.host", &k.connection_host);
  spec.Bind("connector", "connection.port", &k.connection_port, {.min = 1, .max = 65535});
  spec.Bind("connector", "connection.user", &k.connection_user, {.required = true});
  spec.Bind("connector", "connection.password", &k.connection_password, {.secret = true});
  spec.Bind("connector", "connection.database", &k.connection_database, {.required = true});
  spec.Bind("connector", "insert.mode", &k.insert_mode, {.one_of = {"insert", "upsert", "update"}});
  spec.Bind("connector", "pk.mode", &k.pk_mode,
            {.one_of = {"none", "kafka", "record_key", "record_value"}});
  spec.Bind("connector", "pk.fields", &k.pk_fields);
  spec.Bind("connector", "delete.enabled", &k.delete_enabled);
  spec.Bind("connector", "batch.size", &k.batch_size, {.min = 1, .max = 100000});
  spec.Bind("connector", "max.buffered.records", &k.max_buffered_records, {.min = 1});
  spec.Bind("connector", "table.name.format", &k.table_name_format);
  spec.Bind("connector", "route.regex", &k.route_regex);
  spec.Bind("connector", "route.replacement", &k.route_replacement);
  spec.Bind("connector", "auto.create", &k.auto_create);
  spec.Bind("connector", "auto.evolve", &k.auto_evolve);
  spec.Bind("connector", "errors.tolerance", &k.errors_tolerance, {.one_of = {"none", "all"}});
  spec.Bind("connector", "errors.deadletterqueue.topic.name", &k.dlq_topic);
  spec.Bind("connector", "max.retries", &k.max_retries, {.min = 0});
  spec.Bind("connector", "retry.backoff.ms", &k.retry_backoff_ms, {.min = 0});
  spec.Bind("connector", "offsets.table", &k.offsets_table);

  spec.Bind("kafka", "bootstrap.servers", &c->kafka.bootstrap_servers);
  spec.Bind("kafka", "properties", &c->kafka.properties);
  spec.Bind("kafka", "auto.offset.reset", &c->kafka.auto_offset_reset,
            {.one_of = {"earliest", "latest"}});

  logging::BindLoggingOptions(spec, &c->logging);
  metrics::BindMetricsOptions(spec, &c->metrics);
  rpc::BindAdminServerOptions(spec, &c->admin);
}

sql::InsertMode Config::GetInsertMode() const {
  if (connector.insert_mode == "insert") return sql::InsertMode::kInsert;
  if (connector.insert_mode == "update") return sql::InsertMode::kUpdate;
  return sql::InsertMode::kUpsert;
}

PkMode Config::GetPkMode() const {
  if (connector.pk_mode == "none") return PkMode::kNone;
  if (connector.pk_mode == "kafka") return PkMode::kKafka;
  if (connector.pk_mode == "record_value") return PkMode::kRecordValue;
  return PkMode::kRecordKey;
}

mysql::ConnectOptions Config::Connection() const {
  return {.host = connector.connection_host,
          .port = connector.connection_port,
          .user = connector.connection_user,
          .password = connector.connection_password,
          .database = connector.connection_database};
}

absl::Status Validate(const Config& c) {
  const ConnectorConfig& k = c.connector;
  if (k.topics.empty() == k.topics_regex.empty()) {
    return absl::InvalidArgumentError(
        "connector.topics: set exactly one of connector.topics and connector.topics.regex");
  }
  for (const std::string* re : {&k.topics_regex, &k.route_regex}) {
    if (re->empty()) continue;
    try {
      std::regex compiled(*re);
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(
          absl::StrCat(re == &k.topics_regex ? "connector.topics.regex" : "connector.route.regex",
                       ": invalid regex \"", *re, "\": ", e.what()));
    }
  }
  if (k.route_regex.empty() != k.route_replacement.empty()) {
    return absl::InvalidArgumentError(
        "connector.route.replacement: route.regex and route.replacement go together");
  }
  if (k.table_name_format.empty()) {
    return absl::InvalidArgumentError("connector.table.name.format: must not be empty");
  }
  if (k.dlq_topic.empty()) {
    return absl::InvalidArgumentError(
        "connector.errors.deadletterqueue.topic.name: must not be empty");
  }
  const PkMode pk = c.GetPkMode();
  if (pk == PkMode::kRecordValue && k.pk_fields.empty()) {
    return absl::InvalidArgumentError(
        "connector.pk.fields: pk.mode record_value needs the primary-key fields");
  }
  if (pk == PkMode::kNone && c.GetInsertMode() != sql::InsertMode::kInsert) {
    return absl::InvalidArgumentError(absl::StrCat("connector.insert.mode: ", k.insert_mode,
                                                   " needs a primary key; pk.mode is none"));
  }
  if (pk == PkMode::kNone && k.delete_enabled) {
    return absl::InvalidArgumentError(
        "connector.delete.enabled: deletes need a primary key; pk.mode is none");
  }
  if (pk == PkMode::kKafka && k.delete_enabled) {
    return absl::InvalidArgumentError(
        "connector.delete.enabled: deletes need a record key; pk.mode is kafka");
  }
  if (k.max_buffered_records < k.batch_size) {
    return absl::InvalidArgumentError(
        "connector.max.buffered.records: must be at least connector.batch.size");
  }
  if (k.offsets_table.empty() || k.offsets_table.size() > 64) {
    return absl::InvalidArgumentError("connector.offsets.table: 1 to 64 characters");
  }
  return absl::OkStatus();
}

}  // namespace cdcflow::mysql_sink
