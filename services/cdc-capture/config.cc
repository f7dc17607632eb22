#include "services/cdc-capture/config.h"

#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/cdc-capture/source/catalog.h"

namespace cdcflow::cdc_capture {

void BindConfig(config::ConfigSpec& spec, Config* c) {
  ConnectorConfig& k = c->connector;
  spec.Bind("connector", "database.hostname", &k.hostname);
  spec.Bind("connector", "database.port", &k.port, {.min = 1, .max = 65535});
  spec.Bind("connector", "database.user", &k.user, {.required = true});
  spec.Bind("connector", "database.password", &k.password, {.secret = true});
  spec.Bind("connector", "database.dbname", &k.dbname, {.required = true});
  spec.Bind("connector", "topic.prefix", &k.topic_prefix, {.required = true});
  spec.Bind("connector", "slot.name", &k.slot_name);
  spec.Bind("connector", "publication.name", &k.publication_name);
  spec.Bind("connector", "publication.autocreate.mode", &k.publication_autocreate_mode,
            {.one_of = {"all_tables", "filtered", "disabled"}});
  spec.Bind("connector", "table.include.list", &k.table_include_list);
  spec.Bind("connector", "table.exclude.list", &k.table_exclude_list);
  spec.Bind("connector", "snapshot.mode", &k.snapshot_mode,
            {.one_of = {"initial", "never", "initial_only", "always"}});
  spec.Bind("connector", "snapshot.fetch.size", &k.snapshot_fetch_size, {.min = 1});
  spec.Bind("connector", "incremental.snapshot.chunk.size", &k.incremental_snapshot_chunk_size,
            {.min = 1});
  spec.Bind("connector", "message.key.columns", &k.message_key_columns);
  spec.Bind("connector", "skipped.operations", &k.skipped_operations);
  spec.Bind("connector", "heartbeat.interval.ms", &k.heartbeat_interval_ms, {.min = 0});
  spec.Bind("connector", "status.update.interval.ms", &k.status_interval_ms, {.min = 1});
  spec.Bind("connector", "decimal.handling.mode", &k.decimal_handling_mode,
            {.one_of = {"precise", "double", "string"}});
  spec.Bind("connector", "time.precision.mode", &k.time_precision_mode,
            {.one_of = {"adaptive", "adaptive_time_microseconds", "connect"}});
  spec.Bind("connector", "binary.handling.mode", &k.binary_handling_mode,
            {.one_of = {"bytes", "base64", "base64-url-safe", "hex"}});
  spec.Bind("connector", "interval.handling.mode", &k.interval_handling_mode,
            {.one_of = {"numeric", "string"}});
  spec.Bind("connector", "tombstones.on.delete", &k.tombstones_on_delete);
  spec.Bind("connector", "key.converter.schemas.enable", &k.key_schemas_enable);
  spec.Bind("connector", "value.converter.schemas.enable", &k.value_schemas_enable);
  spec.Bind("connector", "transforms.unwrap.enabled", &k.unwrap_enabled);
  spec.Bind("connector", "transforms.unwrap.delete.tombstone.handling.mode",
            &k.delete_tombstone_handling_mode,
            {.one_of = {"tombstone", "drop", "rewrite", "rewrite-with-tombstone"}});
  spec.Bind("connector", "transforms.unwrap.add.fields", &k.unwrap_add_fields);
  spec.BindPrefix("connector", "topic.creation.default.", &k.topic_creation_default);

  spec.Bind("kafka", "bootstrap.servers", &c->kafka.bootstrap_servers);
  spec.Bind("kafka", "properties", &c->kafka.properties);
  spec.Bind("kafka", "max.queue.size", &c->kafka.max_queue_size, {.min = 1});
  spec.Bind("kafka", "max.queue.size.in.bytes", &c->kafka.max_queue_size_in_bytes, {.min = 1024});
  spec.Bind("kafka", "offset.storage.topic", &c->kafka.offset_storage_topic);

  logging::BindLoggingOptions(spec, &c->logging);
  metrics::BindMetricsOptions(spec, &c->metrics);
  rpc::BindAdminServerOptions(spec, &c->admin);
}

absl::Status Validate(const Config& c) {
  for (const auto* list : {&c.connector.table_include_list, &c.connector.table_exclude_list}) {
    for (const std::string& re : *list) {
      try {
        std::regex compiled(re);
      } catch (const std::regex_error& e) {
        return absl::InvalidArgumentError(absl::StrCat(list == &c.connector.table_include_list
                                                           ? "connector.table.include.list"
                                                           : "connector.table.exclude.list",
                                                       ": invalid regex \"", re, "\": ", e.what()));
      }
    }
  }
  for (const std::string& op : c.connector.skipped_operations) {
    if (op != "c" && op != "u" && op != "d" && op != "t" && op != "none") {
      return absl::InvalidArgumentError(absl::StrCat(
          "connector.skipped.operations: must list c, u, d, t or none, got \"", op, "\""));
    }
  }
  if (c.connector.publication_autocreate_mode == "filtered" &&
      c.connector.table_include_list.empty()) {
    return absl::InvalidArgumentError(
        "connector.table.include.list: required when publication.autocreate.mode is filtered");
  }
  RETURN_IF_ERROR(ParseTopicCreation(c.connector).status());
  return source::ParseMessageKeyColumns(c.connector.message_key_columns).status();
}

absl::StatusOr<std::optional<TopicCreation>> ParseTopicCreation(const ConnectorConfig& connector) {
  constexpr absl::string_view kPrefix = "connector.topic.creation.default.";
  if (connector.topic_creation_default.empty()) return std::nullopt;
  TopicCreation t;
  // Kafka Connect requires both once the connector asks for topic creation at all.
  for (const char* key : {"replication.factor", "partitions"}) {
    auto it = connector.topic_creation_default.find(key);
    if (it == connector.topic_creation_default.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kPrefix, key, ": required when any topic.creation.default.* key is set"));
    }
    int value = 0;
    if (!absl::SimpleAtoi(it->second, &value) || (value < 1 && value != -1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kPrefix, key, ": must be a positive integer or -1 (the broker's default), got \"",
          it->second, "\""));
    }
    (key == absl::string_view("partitions") ? t.partitions : t.replication_factor) = value;
  }
  for (const auto& [key, value] : connector.topic_creation_default) {
    if (key == "partitions" || key == "replication.factor") continue;
    if (key == "include" || key == "exclude") {
      // In Kafka Connect only named groups (topic.creation.groups) select topics.
      return absl::InvalidArgumentError(
          absl::StrCat(kPrefix, key,
                       ": the default group takes every topic; named groups "
                       "(topic.creation.groups) are not supported"));
    }
    t.configs[key] = value;
  }
  return t;
}

std::string Config::Conninfo() const {
  // Values are single-quoted with \ and ' escaped, as libpq's conninfo syntax wants.
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char ch : v) {
      if (ch == '\\' || ch == '\'') out += '\\';
      out += ch;
    }
    return out + "'";
  };
  return absl::StrCat("host=", quote(connector.hostname), " port=", connector.port,
                      " dbname=", quote(connector.dbname), " user=", quote(connector.user),
                      connector.password.empty() ? "" : " password=" + quote(connector.password),
                      " application_name='cdcflow-cdc-capture' connect_timeout=10");
}

events::EncoderOptions Config::Encoder() const {
  events::EncoderOptions o;
  o.topic_prefix = connector.topic_prefix;
  o.database = connector.dbname;
  o.decimal_mode = connector.decimal_handling_mode == "double"   ? events::DecimalMode::kDouble
                   : connector.decimal_handling_mode == "string" ? events::DecimalMode::kString
                                                                 : events::DecimalMode::kPrecise;
  o.time_precision_mode = connector.time_precision_mode == "connect"
                              ? events::TimePrecisionMode::kConnect
                          : connector.time_precision_mode == "adaptive_time_microseconds"
                              ? events::TimePrecisionMode::kAdaptiveTimeMicroseconds
                              : events::TimePrecisionMode::kAdaptive;
  o.binary_mode = connector.binary_handling_mode == "base64" ? events::BinaryMode::kBase64
                  : connector.binary_handling_mode == "base64-url-safe"
                      ? events::BinaryMode::kBase64UrlSafe
                  : connector.binary_handling_mode == "hex" ? events::BinaryMode::kHex
                                                            : events::BinaryMode::kBytes;
  o.interval_mode = connector.interval_handling_mode == "string" ? events::IntervalMode::kString
                                                                 : events::IntervalMode::kNumeric;
  o.key_schemas_enable = connector.key_schemas_enable;
  o.value_schemas_enable = connector.value_schemas_enable;
  o.tombstones_on_delete = connector.tombstones_on_delete;
  o.flatten.enabled = connector.unwrap_enabled;
  const std::string& d = connector.delete_tombstone_handling_mode;
  o.flatten.delete_handling = d == "tombstone" ? events::DeleteHandling::kTombstone
                              : d == "drop"    ? events::DeleteHandling::kDrop
                              : d == "rewrite-with-tombstone"
                                  ? events::DeleteHandling::kRewriteWithTombstone
                                  : events::DeleteHandling::kRewrite;
  o.flatten.add_fields = connector.unwrap_add_fields;
  return o;
}

}  // namespace cdcflow::cdc_capture
