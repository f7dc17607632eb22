// mysql-sink end to end: records produced as Debezium writes them (with and without the
// schema wrapper, envelope and flattened), applied by the real binary to MariaDB, checked
// column by column.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/mysql-sink/integration/fixture.h"

namespace cdcflow::mysql_sink::it {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr absl::Duration kApplyTimeout = absl::Seconds(40);

// public.transaction_details of the seeds, as cdc-capture (and Debezium) describe it.
DebeziumTable TransactionDetails(const std::string& server) {
  return DebeziumTable(server, "transaction_details",
                       {{.field = "txn_id", .type = "int64", .optional = false}},
                       {{.field = "txn_id", .type = "int64", .optional = false},
                        {.field = "sender_account_id", .type = "int64", .optional = false},
                        {.field = "receiver_account_id", .type = "int64", .optional = false},
                        DecimalField("amount", 12, 2, false),
                        {.field = "last_modified_date",
                         .type = "int64",
                         .optional = false,
                         .name = "io.debezium.time.MicroTimestamp"},
                        {.field = "product_id", .type = "int32"},
                        {.field = "product_type_id", .type = "int32"},
                        {.field = "transactor_module_id", .type = "int32"},
                        {.field = "module_id", .type = "int32"},
                        {.field = "status", .type = "int32"}});
}

Json Txn(int64_t id, int64_t sender, int64_t receiver, const std::string& amount, int64_t micros,
         Json product, Json product_type, Json transactor, Json module, Json status) {
  return {{"txn_id", id},
          {"sender_account_id", sender},
          {"receiver_account_id", receiver},
          {"amount", DecimalBase64(amount)},
          {"last_modified_date", micros},
          {"product_id", product},
          {"product_type_id", product_type},
          {"transactor_module_id", transactor},
          {"module_id", module},
          {"status", status}};
}

OutRecord Rec(std::optional<std::string> key, std::optional<std::string> value, int partition = 0) {
  return {.key = std::move(key), .value = std::move(value), .partition = partition};
}

TEST(DecimalBase64Test, MatchesConnectEncoding) {
  // The example event of deploy/local: "BsRO" is 443470 unscaled, 4434.70 at scale 2.
  EXPECT_EQ(DecimalBase64("4434.70"), "BsRO");
  EXPECT_EQ(DecimalBase64("0.00"), "AA==");
  EXPECT_EQ(DecimalBase64("-0.01"), "/w==");
  EXPECT_EQ(DecimalBase64("1.28"), "AIA=");  // 128 needs a sign byte
  EXPECT_EQ(MicrosToDatetime(1795267228673601), "2026-11-21 13:20:28.673601");
}

TEST_F(SinkIntegrationTest, RealEventShapeUpsertsUpdatesDeletesAndTombstonesExactRows) {
  const std::string topic = Topic("transaction_details");
  CreateTopic(topic);
  const DebeziumTable t = TransactionDetails(id());
  const int64_t ts = 1795267228673601;  // 2026-11-21 13:20:28.673601
  const Json t1 = Txn(1, 624976, 448760, "4434.70", ts, 433, 13, 7, 1, 4);
  const Json t2 = Txn(2, 1, 2, "-0.05", ts + 1, nullptr, nullptr, nullptr, nullptr, nullptr);
  const Json t3 = Txn(3, 3, 4, "9999999999.99", 0, 1, 2, 3, 4, 5);
  const Json t4 = Txn(4, 5, 6, "0.00", -1, -2147483648, 2147483647, 0, 0, 0);
  auto key = [&](int64_t id) { return t.Key({{"txn_id", id}}); };

  SinkConfig config = Config({topic});
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Rec(key(1), t.Create(t1)), Rec(key(2), t.Create(t2)), Rec(key(3), t.Create(t3)),
               Rec(key(4), t.Envelope("r", nullptr, t4))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 4}}, kApplyTimeout));

  const std::string table = TableOf(topic);
  const std::string select = absl::StrCat(
      "SELECT txn_id, sender_account_id, receiver_account_id, amount, last_modified_date, "
      "product_id, product_type_id, transactor_module_id, module_id, status FROM ",
      TestDatabase::Quote(table), " ORDER BY txn_id");
  EXPECT_THAT(db_->Rows(select),
              ElementsAre(TextRow{"1", "624976", "448760", "4434.70", "2026-11-21 13:20:28.673601",
                                  "433", "13", "7", "1", "4"},
                          TextRow{"2", "1", "2", "-0.05", "2026-11-21 13:20:28.673602", "NULL",
                                  "NULL", "NULL", "NULL", "NULL"},
                          TextRow{"3", "3", "4", "9999999999.99", "1970-01-01 00:00:00.000000", "1",
                                  "2", "3", "4", "5"},
                          TextRow{"4", "5", "6", "0.00", "1969-12-31 23:59:59.999999",
                                  "-2147483648", "2147483647", "0", "0", "0"}));
  EXPECT_THAT(
      db_->Columns(table),
      ElementsAre(ColumnInfo{"txn_id", "bigint(20)", false},
                  ColumnInfo{"sender_account_id", "bigint(20)", false},
                  ColumnInfo{"receiver_account_id", "bigint(20)", false},
                  ColumnInfo{"amount", "decimal(12,2)", false},
                  ColumnInfo{"last_modified_date", "datetime(6)", false},
                  ColumnInfo{"product_id", "int(11)", true},
                  ColumnInfo{"product_type_id", "int(11)", true},
                  ColumnInfo{"transactor_module_id", "int(11)", true},
                  ColumnInfo{"module_id", "int(11)", true}, ColumnInfo{"status", "int(11)", true}));
  EXPECT_THAT(db_->PrimaryKey(table), ElementsAre("txn_id"));

  // An update, a delete followed by its tombstone, and a lone tombstone (log compaction
  // leaves those): 2 changes, 3 and 4 go.
  const Json t2_after = Txn(2, 1, 2, "123.45", ts + 2, 7, nullptr, nullptr, nullptr, 2);
  Send(topic, {Rec(key(2), t.Update(t2, t2_after)), Rec(key(3), t.Delete(t3)),
               Rec(key(3), std::nullopt), Rec(key(4), std::nullopt)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 8}}, kApplyTimeout));
  EXPECT_THAT(db_->Rows(select),
              ElementsAre(TextRow{"1", "624976", "448760", "4434.70", "2026-11-21 13:20:28.673601",
                                  "433", "13", "7", "1", "4"},
                          TextRow{"2", "1", "2", "123.45", "2026-11-21 13:20:28.673603", "7",
                                  "NULL", "NULL", "NULL", "2"}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
  // Every record counted once; 4 + 1 rows written, 2 deleted (the tombstone of 3 finds none).
  const int port = config.metrics_port;
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_records_total", {{"topic", topic}}), 8);
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_rows_deleted_total", {{"table", table}}), 2);
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_tables_created_total"), 1);
  EXPECT_EQ(ScrapeMetric(port, "cdcflow_mysql_sink_dlq_records_total").value_or(0), 0);
}

TEST_F(SinkIntegrationTest, UpdateModeChangesExistingRowsOnlyAndDeletes) {
  const std::string topic = Topic("orders");
  CreateTopic(topic);
  const std::string table = TableOf(topic);
  db_->Exec(absl::StrCat("CREATE TABLE ", TestDatabase::Quote(table),
                         " (id BIGINT NOT NULL PRIMARY KEY, qty INT NULL, note TEXT NULL)"));
  db_->Exec(absl::StrCat("INSERT INTO ", TestDatabase::Quote(table),
                         " VALUES (1, 5, 'x'), (3, 1, 'keep')"));
  const DebeziumTable t(id(), "orders", {{.field = "id", .type = "int64", .optional = false}},
                        {{.field = "id", .type = "int64", .optional = false},
                         {.field = "qty", .type = "int32"},
                         {.field = "note", .type = "string"}});
  auto key = [&](int64_t id) { return t.Key({{"id", id}}); };
  const Json r1 = {{"id", 1}, {"qty", 5}, {"note", "x"}};
  const Json r1b = {{"id", 1}, {"qty", 7}, {"note", "it's \"new\"\\"}};
  const Json r2 = {{"id", 2}, {"qty", 9}, {"note", "absent"}};

  SinkConfig config = Config({topic});
  config.connector["insert.mode"] = "update";
  config.connector["auto.create"] = "false";
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Rec(key(1), t.Update(r1, r1b)), Rec(key(2), t.Create(r2))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 2}}, kApplyTimeout));
  const std::string select =
      absl::StrCat("SELECT id, qty, note FROM ", TestDatabase::Quote(table), " ORDER BY id");
  // Row 2 did not exist: update mode leaves it missing (and that is no error).
  EXPECT_THAT(db_->Rows(select),
              ElementsAre(TextRow{"1", "7", "it's \"new\"\\"}, TextRow{"3", "1", "keep"}));

  Send(topic, {Rec(key(1), t.Delete(r1b)), Rec(key(1), std::nullopt)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 4}}, kApplyTimeout));
  EXPECT_THAT(db_->Rows(select), ElementsAre(TextRow{"3", "1", "keep"}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkIntegrationTest, AutoCreateMapsEveryTypeAndTheCompositePrimaryKey) {
  const std::string topic = Topic("types");
  CreateTopic(topic);
  const DebeziumTable t(
      id(), "types",
      {{.field = "region", .type = "string", .optional = false},
       {.field = "id", .type = "int32", .optional = false}},
      {{.field = "region", .type = "string", .optional = false},
       {.field = "id", .type = "int32", .optional = false},
       {.field = "i8", .type = "int8"},
       {.field = "i16", .type = "int16"},
       {.field = "i64", .type = "int64"},
       {.field = "f32", .type = "float32"},
       {.field = "f64", .type = "float64"},
       {.field = "flag", .type = "boolean"},
       {.field = "name", .type = "string"},
       {.field = "blob", .type = "bytes"},
       DecimalField("price", 10, 3, true),
       {.field = "day", .type = "int32", .name = "io.debezium.time.Date"},
       {.field = "tod", .type = "int64", .name = "io.debezium.time.MicroTime"},
       {.field = "ts_ms", .type = "int64", .name = "org.apache.kafka.connect.data.Timestamp"},
       {.field = "ts_us", .type = "int64", .name = "io.debezium.time.MicroTimestamp"},
       {.field = "zts", .type = "string", .name = "io.debezium.time.ZonedTimestamp"},
       {.field = "doc", .type = "string", .name = "io.debezium.data.Json"},
       {.field = "uid", .type = "string", .name = "io.debezium.data.Uuid"},
       {.field = "required_int", .type = "int32", .optional = false}});
  const Json full = {{"region", "eu-west"},
                     {"id", 1},
                     {"i8", -128},
                     {"i16", 32767},
                     {"i64", INT64_MAX},
                     {"f32", 1.5},
                     {"f64", -2.25e10},
                     {"flag", true},
                     {"name", "naïve ✓ 'quoted' \\ back"},
                     {"blob", absl::Base64Escape(std::string("\x00\xff"
                                                             "AB",
                                                             4))},
                     {"price", DecimalBase64("-1234567.891")},
                     {"day", 19000},
                     {"tod", 45296789012},
                     {"ts_ms", 1700000000123},
                     {"ts_us", 1700000000123456},
                     {"zts", "2025-07-22T11:31:00.5+02:00"},
                     {"doc", "{\"a\": [1, 2]}"},
                     {"uid", "0b2e6c1a-0f6e-4d3a-9a53-7f1f7d2b9c11"},
                     {"required_int", 0}};
  Json sparse = {{"region", "eu-west"}, {"id", 2}, {"required_int", -1}};
  for (const char* f : {"i8", "i16", "i64", "f32", "f64", "flag", "name", "blob", "price", "day",
                        "tod", "ts_ms", "ts_us", "zts", "doc", "uid"}) {
    sparse[f] = nullptr;
  }
  SinkConfig config = Config({topic});
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Rec(t.Key({{"region", "eu-west"}, {"id", 1}}), t.Create(full)),
               Rec(t.Key({{"region", "eu-west"}, {"id", 2}}), t.Create(sparse))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 2}}, kApplyTimeout));

  const std::string table = TableOf(topic);
  EXPECT_THAT(
      db_->Columns(table),
      ElementsAre(ColumnInfo{"region", "varchar(255)", false}, ColumnInfo{"id", "int(11)", false},
                  ColumnInfo{"i8", "tinyint(4)", true}, ColumnInfo{"i16", "smallint(6)", true},
                  ColumnInfo{"i64", "bigint(20)", true}, ColumnInfo{"f32", "float", true},
                  ColumnInfo{"f64", "double", true}, ColumnInfo{"flag", "tinyint(1)", true},
                  ColumnInfo{"name", "text", true}, ColumnInfo{"blob", "longblob", true},
                  ColumnInfo{"price", "decimal(10,3)", true}, ColumnInfo{"day", "date", true},
                  ColumnInfo{"tod", "time(6)", true}, ColumnInfo{"ts_ms", "datetime(3)", true},
                  ColumnInfo{"ts_us", "datetime(6)", true}, ColumnInfo{"zts", "datetime(6)", true},
                  ColumnInfo{"doc", "longtext", true}, ColumnInfo{"uid", "char(36)", true},
                  ColumnInfo{"required_int", "int(11)", false}));
  EXPECT_THAT(db_->PrimaryKey(table), ElementsAre("region", "id"));
  EXPECT_THAT(
      db_->Rows(absl::StrCat("SELECT region, id, i8, i16, i64, f32, f64, flag, name, HEX(`blob`), "
                             "price, day, tod, ts_ms, ts_us, zts, doc, uid, required_int FROM ",
                             TestDatabase::Quote(table), " ORDER BY id")),
      ElementsAre(
          TextRow{"eu-west", "1", "-128", "32767", "9223372036854775807", "1.5", "-22500000000",
                  "1", "naïve ✓ 'quoted' \\ back", "00FF4142", "-1234567.891", "2022-01-08",
                  "12:34:56.789012", "2023-11-14 22:13:20.123", "2023-11-14 22:13:20.123456",
                  "2025-07-22 09:31:00.500000", "{\"a\": [1, 2]}",
                  "0b2e6c1a-0f6e-4d3a-9a53-7f1f7d2b9c11", "0"},
          TextRow{"eu-west", "2", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
                  "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "-1"}));
}

TEST_F(SinkIntegrationTest, AutoEvolveAddsNullableColumnsAndNeverDropsOne) {
  const std::string topic = Topic("evolving");
  CreateTopic(topic);
  const std::vector<ConnectField> key = {{.field = "id", .type = "int64", .optional = false}};
  const ConnectField id_field{.field = "id", .type = "int64", .optional = false};
  const ConnectField a{.field = "a", .type = "string"};
  // b is required in the source, yet an added column must be nullable: the rows already in
  // the table have no value for it.
  const ConnectField b{.field = "b", .type = "int32", .optional = false};
  const DebeziumTable v1(id(), "evolving", key, {id_field, a});
  const DebeziumTable v2(id(), "evolving", key, {id_field, a, b});
  const DebeziumTable v3(id(), "evolving", key, {id_field, b});
  auto k = [&](int64_t id) { return v1.Key({{"id", id}}); };

  SinkConfig config = Config({topic});
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Rec(k(1), v1.Create({{"id", 1}, {"a", "x"}}))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 1}}, kApplyTimeout));
  const std::string table = TableOf(topic);
  EXPECT_THAT(db_->Columns(table),
              ElementsAre(ColumnInfo{"id", "bigint(20)", false}, ColumnInfo{"a", "text", true}));

  Send(topic,
       {Rec(k(2), v2.Create({{"id", 2}, {"a", "y"}, {"b", 5}})),
        Rec(k(1), v2.Update({{"id", 1}, {"a", "x"}, {"b", 0}}, {{"id", 1}, {"a", "x2"}, {"b", 6}})),
        // A later schema without `a`: the column stays, the new row has it NULL, and
        // the upsert of row 2 leaves its `a` alone.
        Rec(k(3), v3.Create({{"id", 3}, {"b", 7}})),
        Rec(k(2), v3.Update({{"id", 2}, {"b", 5}}, {{"id", 2}, {"b", 8}}))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 5}}, kApplyTimeout));
  EXPECT_THAT(db_->Columns(table),
              ElementsAre(ColumnInfo{"id", "bigint(20)", false}, ColumnInfo{"a", "text", true},
                          ColumnInfo{"b", "int(11)", true}));
  EXPECT_THAT(
      db_->Rows(absl::StrCat("SELECT id, a, b FROM ", TestDatabase::Quote(table), " ORDER BY id")),
      ElementsAre(TextRow{"1", "x2", "6"}, TextRow{"2", "y", "8"}, TextRow{"3", "NULL", "7"}));
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_columns_added_total"), 1);
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_tables_created_total"), 1);
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkIntegrationTest, SchemalessEnvelopeInfersColumnsAndApplies) {
  const std::string topic = Topic("schemaless");
  CreateTopic(topic);
  const DebeziumTable t(id(), "schemaless", {}, {});
  auto key = [](int64_t id) { return Json{{"id", id}}.dump(); };
  auto env = [&](const std::string& op, const Json& before, const Json& after) {
    return t.Envelope(op, before, after, /*with_schema=*/false);
  };
  const Json r1 = {{"id", 1}, {"name", "a"}, {"score", 1.5}, {"active", true}};
  const Json r2 = {{"id", 2}, {"name", "b"}, {"score", -3}, {"active", false}};
  const Json r1b = {{"id", 1}, {"name", "a2"}, {"score", 2.25}, {"active", false}};

  SinkConfig config = Config({topic});
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Rec(key(1), env("c", nullptr, r1)), Rec(key(2), env("c", nullptr, r2))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 2}}, kApplyTimeout));
  Send(topic, {Rec(key(1), env("u", r1, r1b)), Rec(key(2), env("d", r2, nullptr)),
               Rec(key(2), std::nullopt)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 5}}, kApplyTimeout));

  const std::string table = TableOf(topic);
  // Without a schema: integers are BIGINT, other numbers DOUBLE, booleans TINYINT(1), strings
  // TEXT; nothing is known to be required but the key.
  EXPECT_THAT(
      db_->Columns(table),
      ElementsAre(ColumnInfo{"id", "bigint(20)", false}, ColumnInfo{"name", "text", true},
                  ColumnInfo{"score", "double", true}, ColumnInfo{"active", "tinyint(1)", true}));
  EXPECT_THAT(db_->PrimaryKey(table), ElementsAre("id"));
  EXPECT_THAT(db_->Rows(absl::StrCat("SELECT id, name, score, active FROM ",
                                     TestDatabase::Quote(table), " ORDER BY id")),
              ElementsAre(TextRow{"1", "a2", "2.25", "0"}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkIntegrationTest, FlattenedRowsDeleteWhenDeletedIsTrue) {
  const std::string with_schema = Topic("flat");
  const std::string schemaless = Topic("flat_nos");
  CreateTopic(with_schema);
  CreateTopic(schemaless);
  const DebeziumTable t(
      id(), "flat", {{.field = "id", .type = "int64", .optional = false}},
      {{.field = "id", .type = "int64", .optional = false}, {.field = "name", .type = "string"}});
  for (const std::string& topic : {with_schema, schemaless}) {
    const bool schema = topic == with_schema;
    auto key = [&](int64_t id) { return t.Key({{"id", id}}, schema); };
    auto row = [&](int64_t id, const std::string& name, bool deleted) {
      return t.Flattened({{"id", id}, {"name", name}}, deleted, schema);
    };
    Send(topic, {Rec(key(1), row(1, "one", false)), Rec(key(2), row(2, "two", false)),
                 Rec(key(1), row(1, "uno", false)), Rec(key(3), row(3, "three", false))});
    Send(topic, {Rec(key(2), row(2, "two", true)), Rec(key(2), std::nullopt),
                 Rec(key(3), row(3, "three", true))});
  }
  SinkConfig config = Config({with_schema, schemaless});
  ASSERT_NE(StartSink(config), nullptr);
  ASSERT_TRUE(WaitOffsets(config, with_schema, {{0, 7}}, kApplyTimeout));
  ASSERT_TRUE(WaitOffsets(config, schemaless, {{0, 7}}, kApplyTimeout));
  for (const std::string& topic : {with_schema, schemaless}) {
    SCOPED_TRACE(topic);
    const std::string table = TableOf(topic);
    EXPECT_THAT(db_->Rows(absl::StrCat("SELECT id, name, __deleted FROM ",
                                       TestDatabase::Quote(table), " ORDER BY id")),
                ElementsAre(TextRow{"1", "uno", "false"}));
    EXPECT_THAT(db_->PrimaryKey(table), ElementsAre("id"));
    EXPECT_THAT(DeadLetters(topic), IsEmpty());
  }
}

TEST_F(SinkIntegrationTest, RouteRegexNamesTablesAfterTheCapturedGroup) {
  const std::string orders = Topic("orders");
  const std::string items = Topic("order_items");
  CreateTopic(orders);
  CreateTopic(items);
  const DebeziumTable t(
      id(), "x", {{.field = "id", .type = "int64", .optional = false}},
      {{.field = "id", .type = "int64", .optional = false}, {.field = "v", .type = "string"}});
  Send(orders, {Rec(t.Key({{"id", 1}}), t.Create({{"id", 1}, {"v", "o"}}))});
  Send(items, {Rec(t.Key({{"id", 2}}), t.Create({{"id", 2}, {"v", "i"}}))});
  SinkConfig config = Config({orders, items});
  config.connector["route.regex"] = R"(\w+\.public\.(.*))";
  config.connector["route.replacement"] = "$1";
  ASSERT_NE(StartSink(config), nullptr);
  ASSERT_TRUE(WaitOffsets(config, orders, {{0, 1}}, kApplyTimeout));
  ASSERT_TRUE(WaitOffsets(config, items, {{0, 1}}, kApplyTimeout));
  EXPECT_THAT(db_->Rows("SELECT id, v FROM orders"), ElementsAre(TextRow{"1", "o"}));
  EXPECT_THAT(db_->Rows("SELECT id, v FROM order_items"), ElementsAre(TextRow{"2", "i"}));
  EXPECT_THAT(
      db_->Rows(absl::StrCat("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                             "TABLE_SCHEMA = ",
                             db_->Literal(db_->name()), " ORDER BY BINARY TABLE_NAME")),
      ElementsAre(TextRow{"__cdcflow_sink_offsets"}, TextRow{"order_items"}, TextRow{"orders"}));
}

TEST_F(SinkIntegrationTest, HostileTableAndColumnNamesAreLiteralIdentifiers) {
  const std::string topic = Topic("inj");
  CreateTopic(topic);
  db_->Exec("CREATE TABLE victim (id INT PRIMARY KEY)");
  db_->Exec("INSERT INTO victim VALUES (42)");
  // Topics cannot hold such characters, so the table name gets them from table.name.format.
  const std::string table = "x`; DROP TABLE victim; --'\"inj";
  const std::string col_a = "a`; DROP TABLE victim; --";
  const std::string col_b = "b'); DROP TABLE victim; --";
  const std::string col_c = "c\"; DROP TABLE victim; #";
  const std::string col_d = "d`) ; DROP TABLE victim; -- evolve";
  const std::vector<ConnectField> key = {{.field = "id", .type = "int64", .optional = false}};
  const ConnectField id_field{.field = "id", .type = "int64", .optional = false};
  const DebeziumTable v1(id(), "inj", key,
                         {id_field,
                          {.field = col_a, .type = "string"},
                          {.field = col_b, .type = "string"},
                          {.field = col_c, .type = "int32"}});
  const DebeziumTable v2(id(), "inj", key,
                         {id_field,
                          {.field = col_a, .type = "string"},
                          {.field = col_b, .type = "string"},
                          {.field = col_c, .type = "int32"},
                          {.field = col_d, .type = "string"}});
  const std::string hostile_value = "'); DROP TABLE victim; -- \\' `x` \"y\"";
  auto k = [&](int64_t id) { return v1.Key({{"id", id}}); };
  SinkConfig config = Config({topic});
  config.connector["route.regex"] = R"(.*\.(inj))";
  config.connector["route.replacement"] = "$1";
  config.connector["table.name.format"] = "x`; DROP TABLE victim; --'\"${topic}";
  ASSERT_NE(StartSink(config), nullptr);
  Send(topic, {Rec(k(1), v1.Create({{"id", 1}, {col_a, hostile_value}, {col_b, "b1"}, {col_c, 1}})),
               Rec(k(2), v1.Create({{"id", 2}, {col_a, "a2"}, {col_b, hostile_value}, {col_c, 2}})),
               Rec(k(3), v1.Create({{"id", 3}, {col_a, "a3"}, {col_b, "b3"}, {col_c, 3}}))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 3}}, kApplyTimeout));
  Send(topic, {Rec(k(3), v1.Delete({{"id", 3}, {col_a, "a3"}, {col_b, "b3"}, {col_c, 3}})),
               Rec(k(1), v2.Update({{"id", 1}, {col_a, hostile_value}, {col_b, "b1"}, {col_c, 1}},
                                   {{"id", 1},
                                    {col_a, hostile_value},
                                    {col_b, "b1"},
                                    {col_c, 10},
                                    {col_d, hostile_value}}))});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 5}}, kApplyTimeout));

  EXPECT_TRUE(db_->TableExists("victim"));
  EXPECT_THAT(db_->Rows("SELECT id FROM victim"), ElementsAre(TextRow{"42"}));
  EXPECT_TRUE(db_->TableExists(table)) << "the table is named literally";
  EXPECT_THAT(db_->Columns(table),
              ElementsAre(ColumnInfo{"id", "bigint(20)", false}, ColumnInfo{col_a, "text", true},
                          ColumnInfo{col_b, "text", true}, ColumnInfo{col_c, "int(11)", true},
                          ColumnInfo{col_d, "text", true}));
  EXPECT_THAT(db_->Rows(absl::StrCat("SELECT id, ", TestDatabase::Quote(col_a), ", ",
                                     TestDatabase::Quote(col_b), ", ", TestDatabase::Quote(col_c),
                                     ", ", TestDatabase::Quote(col_d), " FROM ",
                                     TestDatabase::Quote(table), " ORDER BY id")),
              ElementsAre(TextRow{"1", hostile_value, "b1", "10", hostile_value},
                          TextRow{"2", "a2", hostile_value, "2", "NULL"}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkIntegrationTest, PkModeRecordValueKeysOnTheListedFields) {
  const std::string topic = Topic("stock");
  CreateTopic(topic);
  const DebeziumTable t(id(), "stock", {},
                        {{.field = "region", .type = "string", .optional = false},
                         {.field = "code", .type = "int32", .optional = false},
                         {.field = "qty", .type = "int32"},
                         {.field = "note", .type = "string"}});
  auto row = [](const std::string& region, int code, int qty) {
    return Json{{"region", region}, {"code", code}, {"qty", qty}, {"note", region + "-note"}};
  };
  SinkConfig config = Config({topic});
  config.connector["pk.mode"] = "record_value";
  config.connector["pk.fields"] = "region,code";
  ASSERT_NE(StartSink(config), nullptr);
  // No Kafka key at all: the key comes from the value. A delete carries the old row; the
  // tombstone after it has nothing to key on and nothing left to do.
  Send(topic,
       {Rec(std::nullopt, t.Create(row("eu", 1, 5))), Rec(std::nullopt, t.Create(row("eu", 2, 3))),
        Rec(std::nullopt, t.Create(row("us", 1, 9))),
        Rec(std::nullopt, t.Update(row("eu", 1, 5), row("eu", 1, 6))),
        Rec(std::nullopt, t.Delete(row("us", 1, 9))),
        Rec(R"({"region":"us","code":1})", std::nullopt)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 6}}, kApplyTimeout));
  const std::string table = TableOf(topic);
  EXPECT_THAT(db_->PrimaryKey(table), ElementsAre("region", "code"));
  EXPECT_THAT(
      db_->Columns(table),
      ElementsAre(ColumnInfo{"region", "varchar(255)", false}, ColumnInfo{"code", "int(11)", false},
                  ColumnInfo{"qty", "int(11)", true}, ColumnInfo{"note", "text", true}));
  EXPECT_THAT(db_->Rows(absl::StrCat("SELECT region, code, qty, note FROM ",
                                     TestDatabase::Quote(table), " ORDER BY region, code")),
              ElementsAre(TextRow{"eu", "1", "6", "eu-note"}, TextRow{"eu", "2", "3", "eu-note"}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkIntegrationTest, PkModeKafkaKeepsEveryRecordAsARow) {
  const std::string topic = Topic("audit");
  CreateTopic(topic, 2);
  const DebeziumTable t(
      id(), "audit", {{.field = "id", .type = "int64", .optional = false}},
      {{.field = "id", .type = "int64", .optional = false}, {.field = "v", .type = "string"}});
  auto key = [&](int64_t id) { return t.Key({{"id", id}}); };
  const Json a = {{"id", 1}, {"v", "a"}};
  const Json b = {{"id", 1}, {"v", "b"}};
  SinkConfig config = Config({topic});
  config.connector["pk.mode"] = "kafka";
  config.connector["insert.mode"] = "insert";
  config.connector["delete.enabled"] = "false";
  ASSERT_NE(StartSink(config), nullptr);
  // The same key twice is two rows; deletes and tombstones are not applied.
  Send(topic,
       {Rec(key(1), t.Create(a), 0), Rec(key(1), t.Update(a, b), 0), Rec(key(1), t.Delete(b), 0),
        Rec(key(1), std::nullopt, 0), Rec(key(7), t.Create({{"id", 7}, {"v", "p1"}}), 1)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 4}, {1, 1}}, kApplyTimeout));
  const std::string table = TableOf(topic);
  EXPECT_THAT(db_->PrimaryKey(table),
              ElementsAre("__connect_topic", "__connect_partition", "__connect_offset"));
  EXPECT_THAT(db_->Columns(table),
              ElementsAre(ColumnInfo{"id", "bigint(20)", false}, ColumnInfo{"v", "text", true},
                          ColumnInfo{"__connect_topic", "varchar(255)", false},
                          ColumnInfo{"__connect_partition", "int(11)", false},
                          ColumnInfo{"__connect_offset", "bigint(20)", false}));
  EXPECT_THAT(db_->Rows(absl::StrCat("SELECT __connect_topic, __connect_partition, "
                                     "__connect_offset, id, v FROM ",
                                     TestDatabase::Quote(table),
                                     " ORDER BY __connect_partition, __connect_offset")),
              ElementsAre(TextRow{topic, "0", "0", "1", "a"}, TextRow{topic, "0", "1", "1", "b"},
                          TextRow{topic, "1", "0", "7", "p1"}));
  EXPECT_THAT(DeadLetters(topic), IsEmpty());
}

TEST_F(SinkIntegrationTest, PauseStopsApplyingResumeCatchesUpAndStatusReportsComponents) {
  const std::string topic = Topic("paused");
  CreateTopic(topic);
  const DebeziumTable t(id(), "paused", {{.field = "id", .type = "int64", .optional = false}},
                        {{.field = "id", .type = "int64", .optional = false}});
  auto rec = [&](int64_t id) { return Rec(t.Key({{"id", id}}), t.Create({{"id", id}})); };
  SinkConfig config = Config({topic});
  SinkProcess* sink = StartSink(config);
  ASSERT_NE(sink, nullptr);
  Send(topic, {rec(1), rec(2), rec(3)});
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 3}}, kApplyTimeout));
  const std::string table = TableOf(topic);

  auto admin = AdminStub(config.admin_port);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::PauseRequest request;
    request.set_reason("integration test");
    v1::PauseResponse response;
    ASSERT_TRUE(admin->Pause(&ctx, request, &response).ok());
    EXPECT_TRUE(response.changed());
  }
  {
    grpc::ClientContext ctx;
    v1::PauseResponse response;
    ASSERT_TRUE(admin->Pause(&ctx, v1::PauseRequest(), &response).ok());
    EXPECT_FALSE(response.changed()) << "already paused";
  }
  ASSERT_TRUE(testutil::WaitFor(
      [&] { return ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_paused") == 1; },
      absl::Seconds(10)));
  Send(topic, {rec(4), rec(5)});
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(db_->Count(table), 3) << "nothing is applied while paused";
  EXPECT_EQ(db_->Offsets(config.GroupId(), topic), (std::map<int, int64_t>{{0, 3}}));

  v1::GetStatusResponse status;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(admin->GetStatus(&ctx, v1::GetStatusRequest(), &status).ok());
  }
  EXPECT_EQ(status.state(), v1::COMPONENT_STATE_PAUSED);
  std::map<std::string, const v1::ComponentStatus*> components;
  for (const v1::ComponentStatus& c : status.components()) components[c.name()] = &c;
  ASSERT_TRUE(components.contains("consumer")) << status.DebugString();
  ASSERT_TRUE(components.contains("table:" + table)) << status.DebugString();
  ASSERT_TRUE(components.contains(absl::StrCat("partition:", topic, "/0"))) << status.DebugString();
  EXPECT_EQ(components["consumer"]->attributes().at("group_id"), config.GroupId());
  EXPECT_EQ(components["consumer"]->counters().at("assigned_partitions"), 1);
  EXPECT_EQ(components["table:" + table]->counters().at("rows_upserted"), 3);
  EXPECT_EQ(components["table:" + table]->counters().at("dead_letters"), 0);
  EXPECT_EQ(components[absl::StrCat("partition:", topic, "/0")]->counters().at("next_offset"), 3);

  {
    grpc::ClientContext ctx;
    v1::ResumeResponse response;
    ASSERT_TRUE(admin->Resume(&ctx, v1::ResumeRequest(), &response).ok());
    EXPECT_TRUE(response.changed());
  }
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 5}}, kApplyTimeout));
  EXPECT_EQ(db_->Count(table), 5);
  EXPECT_EQ(ScrapeMetric(config.metrics_port, "cdcflow_mysql_sink_paused"), 0);
  {
    grpc::ClientContext ctx;
    status.Clear();
    ASSERT_TRUE(admin->GetStatus(&ctx, v1::GetStatusRequest(), &status).ok());
    EXPECT_EQ(status.state(), v1::COMPONENT_STATE_RUNNING);
  }
}

TEST_F(SinkIntegrationTest, EveryKeyCanComeFromTheEnvironment) {
  const std::string topic = Topic("from_env");
  CreateTopic(topic);
  const DebeziumTable t(id(), "from_env", {{.field = "id", .type = "int64", .optional = false}},
                        {{.field = "id", .type = "int64", .optional = false}});
  Send(topic, {Rec(t.Key({{"id", 1}}), t.Create({{"id", 1}}))});
  SinkConfig config = Config({});  // no connector.topics in the file
  ASSERT_NE(StartSink(config, {{"CDCFLOW_CONNECTOR_TOPICS", topic},
                               {"CDCFLOW_CONNECTOR_TABLE_NAME_FORMAT", "env_${topic}"}}),
            nullptr);
  ASSERT_TRUE(WaitOffsets(config, topic, {{0, 1}}, kApplyTimeout));
  EXPECT_THAT(
      db_->Rows(absl::StrCat("SELECT id FROM ", TestDatabase::Quote("env_" + TableOf(topic)))),
      ElementsAre(TextRow{"1"}));
}

TEST_F(SinkIntegrationTest, TopicsRegexFollowsNewTopicsButNotItsOwnDeadLetters) {
  const std::string a = Topic("re_a");
  const std::string b = Topic("re_b");
  CreateTopic(a);
  const DebeziumTable t(id(), "re", {{.field = "id", .type = "int64", .optional = false}},
                        {{.field = "id", .type = "int64", .optional = false}});
  auto rec = [&](int64_t id) { return Rec(t.Key({{"id", id}}), t.Create({{"id", id}})); };
  SinkConfig config = Config({});
  config.connector["topics.regex"] = absl::StrCat(id(), R"(\.public\..*)");
  config.connector["errors.tolerance"] = "all";
  ASSERT_NE(StartSink(config), nullptr);
  // One bad record: its dead-letter topic "<a>.DLQ" matches the regex too.
  Send(a, {rec(1), Rec(t.Key({{"id", 2}}), "not json")});
  ASSERT_TRUE(WaitOffsets(config, a, {{0, 2}}, kApplyTimeout));
  CreateTopic(b);  // created after the sink subscribed
  Send(b, {rec(3)});
  ASSERT_TRUE(WaitOffsets(config, b, {{0, 1}}, kApplyTimeout));
  EXPECT_THAT(db_->Rows(absl::StrCat("SELECT id FROM ", TestDatabase::Quote(TableOf(a)))),
              ElementsAre(TextRow{"1"}));
  EXPECT_THAT(db_->Rows(absl::StrCat("SELECT id FROM ", TestDatabase::Quote(TableOf(b)))),
              ElementsAre(TextRow{"3"}));
  // The sink must not consume its own dead letters (they would fail again, into
  // "<a>.DLQ.DLQ", and so on).
  // (Should it do so anyway, each level makes a new topic: delete them all at the end.)
  std::string cascade = a + ".DLQ";
  for (int level = 2; level <= 12; ++level) topics_->Track(cascade += ".DLQ");
  absl::SleepFor(absl::Seconds(3));
  EXPECT_THAT(DeadLetters(a), SizeIs(1));
  EXPECT_THAT(db_->Offsets(config.GroupId(), a + ".DLQ"), IsEmpty());
  EXPECT_THAT(DeadLetters(a + ".DLQ"), IsEmpty());
}

}  // namespace
}  // namespace cdcflow::mysql_sink::it
