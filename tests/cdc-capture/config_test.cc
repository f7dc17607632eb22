#include "services/cdc-capture/config.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

#include "services/cdc-capture/pipeline/kafka_event_sink.h"
#include "services/cdc-capture/pipeline/table_filter.h"
#include "services/cdc-capture/source/catalog.h"

namespace cdcflow::cdc_capture {
namespace {

absl::Status Load(Config& c, const std::string& yaml) {
  config::ConfigSpec spec;
  BindConfig(spec, &c);
  absl::Status s = spec.LoadString(yaml, config::Environment::FromMap({}));
  if (!s.ok()) return s;
  return Validate(c);
}

constexpr char kMinimal[] =
    "connector: {database.user: admin, database.dbname: transactions, topic.prefix: dev}\n";

TEST(CaptureConfig, DebeziumKeysMapOntoTheConfig) {
  Config c;
  ASSERT_TRUE(Load(c, std::string(kMinimal) + R"(
kafka: {bootstrap.servers: "k:1", properties: {linger.ms: "1"}}
metrics: {port: 19101}
)")
                  .ok());
  EXPECT_EQ(c.connector.topic_prefix, "dev");
  EXPECT_EQ(c.connector.snapshot_mode, "initial");
  EXPECT_EQ(c.connector.skipped_operations, std::vector<std::string>{"t"});
  EXPECT_EQ(c.kafka.bootstrap_servers, "k:1");
  EXPECT_EQ(c.metrics.port, 19101);
  EXPECT_EQ(c.admin.port, 50051);
  EXPECT_EQ(c.Conninfo(),
            "host='127.0.0.1' port=5432 dbname='transactions' user='admin' "
            "application_name='cdcflow-cdc-capture' connect_timeout=10");
}

TEST(CaptureConfig, ConninfoQuotesValues) {
  Config c;
  c.connector.user = "o'neil";
  c.connector.password = R"(p\w d)";
  c.connector.dbname = "db";
  EXPECT_EQ(c.Conninfo(),
            R"(host='127.0.0.1' port=5432 dbname='db' user='o\'neil' password='p\\w d' )"
            "application_name='cdcflow-cdc-capture' connect_timeout=10");
}

TEST(CaptureConfig, EncoderOptionsFollowTheModes) {
  Config c;
  ASSERT_TRUE(Load(c, std::string(kMinimal) + R"(
connector:
  database.user: admin
  database.dbname: transactions
  topic.prefix: shop
  decimal.handling.mode: string
  time.precision.mode: connect
  binary.handling.mode: hex
  tombstones.on.delete: false
  transforms.unwrap.enabled: true
  transforms.unwrap.delete.tombstone.handling.mode: drop
)")
                  .ok());
  events::EncoderOptions o = c.Encoder();
  EXPECT_EQ(o.topic_prefix, "shop");
  EXPECT_EQ(o.database, "transactions");
  EXPECT_EQ(o.decimal_mode, events::DecimalMode::kString);
  EXPECT_EQ(o.time_precision_mode, events::TimePrecisionMode::kConnect);
  EXPECT_EQ(o.binary_mode, events::BinaryMode::kHex);
  EXPECT_FALSE(o.tombstones_on_delete);
  EXPECT_TRUE(o.flatten.enabled);
  EXPECT_EQ(o.flatten.delete_handling, events::DeleteHandling::kDrop);
}

TEST(CaptureConfig, BadValuesAreNamed) {
  Config a;
  EXPECT_EQ(Load(a, "connector: {database.user: a, database.dbname: d}").message(),
            "connector.topic.prefix: missing required key (set it in the config file or "
            "CDCFLOW_CONNECTOR_TOPIC_PREFIX)");
  Config b;
  EXPECT_EQ(Load(b, std::string(kMinimal) + "connector: {database.user: a, database.dbname: d, "
                                            "topic.prefix: p, snapshot.mode: sometimes}")
                .message(),
            "connector.snapshot.mode: must be one of initial|never|initial_only|always, got "
            "\"sometimes\"");
  Config c;
  EXPECT_EQ(Load(c,
                 "connector: {database.user: a, database.dbname: d, topic.prefix: p, "
                 "table.include.list: \"public.(\"}")
                .message()
                .substr(0, 62),
            "connector.table.include.list: invalid regex \"public.(\": Mismat");
  Config d;
  EXPECT_EQ(Load(d,
                 "connector: {database.user: a, database.dbname: d, topic.prefix: p, "
                 "skipped.operations: \"c,x\"}")
                .message(),
            "connector.skipped.operations: must list c, u, d, t or none, got \"x\"");
  Config e;
  EXPECT_EQ(Load(e,
                 "connector: {database.user: a, database.dbname: d, topic.prefix: p, "
                 "publication.autocreate.mode: filtered}")
                .message(),
            "connector.table.include.list: required when publication.autocreate.mode is "
            "filtered");
  Config f;
  EXPECT_EQ(Load(f,
                 "connector: {database.user: a, database.dbname: d, topic.prefix: p, "
                 "message.key.columns: \"public.t\"}")
                .message(),
            "message.key.columns: expected <schema>.<table>:<col>[,<col>…], got \"public.t\"");
}

TEST(CaptureConfig, TopicCreationAsKafkaConnect) {
  Config none;
  ASSERT_TRUE(Load(none, kMinimal).ok());
  absl::StatusOr<std::optional<TopicCreation>> off = ParseTopicCreation(none.connector);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->has_value());  // left to the broker's auto-creation

  // The seed connector's settings, plus a topic config.
  Config c;
  ASSERT_TRUE(Load(c, R"(
connector:
  database.user: admin
  database.dbname: transactions
  topic.prefix: dev
  topic.creation.default.partitions: 3
  topic.creation.default.replication.factor: -1
  topic.creation.default.cleanup.policy: compact
)")
                  .ok());
  absl::StatusOr<std::optional<TopicCreation>> t = ParseTopicCreation(c.connector);
  ASSERT_TRUE(t.ok() && t->has_value()) << t.status();
  EXPECT_EQ((*t)->partitions, 3);
  EXPECT_EQ((*t)->replication_factor, -1);
  EXPECT_EQ((*t)->configs, (std::map<std::string, std::string>{{"cleanup.policy", "compact"}}));

  // Lines added to the connector section, and the error they must give.
  const std::pair<std::vector<std::string>, std::string> bad[] = {
      {{"topic.creation.default.partitions: 3"},
       "connector.topic.creation.default.replication.factor: required when any "
       "topic.creation.default.* key is set"},
      {{"topic.creation.default.retention.ms: 1000"},
       "connector.topic.creation.default.replication.factor: required"},
      {{"topic.creation.default.partitions: 0", "topic.creation.default.replication.factor: 1"},
       "connector.topic.creation.default.partitions: must be a positive integer or -1"},
      {{"topic.creation.default.partitions: 3", "topic.creation.default.replication.factor: x"},
       "connector.topic.creation.default.replication.factor: must be a positive integer or -1 "
       "(the broker's default), got \"x\""},
      {{"topic.creation.default.partitions: 1", "topic.creation.default.replication.factor: 1",
        "topic.creation.default.include: dev.*"},
       "connector.topic.creation.default.include: the default group takes every topic"},
      {{"topic.creation.groups: big"}, "connector.topic.creation.groups: unknown key"},
  };
  for (const auto& [lines, error] : bad) {
    std::string yaml =
        "connector:\n  database.user: admin\n  database.dbname: transactions\n"
        "  topic.prefix: dev\n";
    for (const std::string& line : lines) absl::StrAppend(&yaml, "  ", line, "\n");
    Config b;
    absl::Status s = Load(b, yaml);
    EXPECT_NE(s.message().find(error), absl::string_view::npos) << yaml << " → " << s;
  }
}

TEST(MessageKeyColumns, ParsesTablesAndColumns) {
  auto m = source::ParseMessageKeyColumns("public.orders: id, region ; inv.items:sku");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->size(), 2u);
  EXPECT_EQ(m->at("public.orders"), (std::vector<std::string>{"id", "region"}));
  EXPECT_EQ(m->at("inv.items"), (std::vector<std::string>{"sku"}));
  EXPECT_TRUE(source::ParseMessageKeyColumns("")->empty());
}

TEST(TableFilter, IncludeThenExcludeOnTheWholeName) {
  TableFilter all({}, {});
  EXPECT_TRUE(all.Captured("public", "anything"));

  TableFilter f({"public\\..*", "inv\\.items"}, {"public\\.audit_.*"});
  EXPECT_TRUE(f.Captured("public", "orders"));
  EXPECT_TRUE(f.Captured("inv", "items"));
  EXPECT_FALSE(f.Captured("inv", "items2"));  // whole-name match, as Debezium
  EXPECT_FALSE(f.Captured("public", "audit_log"));
  EXPECT_FALSE(f.Captured("other", "orders"));

  TableFilter exclude_only({}, {"public\\.secret"});
  EXPECT_FALSE(exclude_only.Captured("public", "secret"));
  EXPECT_TRUE(exclude_only.Captured("public", "open"));
}

TEST(CaptureConfig, ProducerDefaultsYieldToTheUsersKafkaProperties) {
  Config c;
  ASSERT_TRUE(Load(c, std::string(kMinimal) + R"(
kafka:
  max.queue.size: 500
  max.queue.size.in.bytes: 2097152
  properties: {linger.ms: "1", compression.type: zstd}
)")
                  .ok());
  kafka::Properties p = CaptureProducerProperties(c.kafka);
  EXPECT_EQ(p.at("linger.ms"), "1");
  EXPECT_EQ(p.at("compression.type"), "zstd");
  EXPECT_EQ(p.at("message.timeout.ms"), "0") << "never give up on an event";
  EXPECT_EQ(p.at("queue.buffering.max.messages"), "1500");
  EXPECT_EQ(p.at("queue.buffering.max.kbytes"), "2048");

  Config defaults;
  ASSERT_TRUE(Load(defaults, kMinimal).ok());
  kafka::Properties d = CaptureProducerProperties(defaults.kafka);
  EXPECT_EQ(d.at("linger.ms"), "10");
  EXPECT_EQ(d.at("compression.type"), "lz4");
  EXPECT_EQ(d.at("queue.buffering.max.kbytes"), "4096");
}

}  // namespace
}  // namespace cdcflow::cdc_capture
