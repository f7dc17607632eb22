// Debezium envelopes, keys, tombstones and ExtractNewRecordState output.
//
// The expected events are reconstructed from Debezium's documentation, "Debezium connector for
// PostgreSQL" → "Data change events" (subsections "Change event keys", "Change event values":
// "create events", "update events", "Primary key updates", "delete events", "Tombstone events",
// "truncate events") and "New Record State Extraction" (delete.tombstone.handling.mode,
// add.fields), in the exact form Debezium 3.1.3.Final prints with the JSON converter (field
// order, "optional" flags, schema versions) for the tutorial's inventory.customers table.

#include "services/cdc-capture/events/encoder.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "tests/cdc-capture/events/reference_table.h"

namespace cdcflow::cdc_capture::events {
namespace {

using pgoutput::Tuple;
using pgoutput::TupleValue;
using pgoutput::ValueKind;
using ::testing::HasSubstr;

constexpr const char* kNull = nullptr;
const char kToast[] = "<unchanged toast>";

Tuple Row(std::vector<const char*> values) {
  Tuple t;
  for (const char* v : values) {
    TupleValue tv;
    if (v == nullptr) {
      tv.kind = ValueKind::kNull;
    } else if (v == kToast) {
      tv.kind = ValueKind::kUnchangedToast;
    } else {
      tv.kind = ValueKind::kText;
      tv.data = v;
    }
    t.push_back(tv);
  }
  return t;
}

ColumnSchema Column(std::string name, uint32_t oid, bool optional, int32_t typmod = -1) {
  ColumnSchema c;
  c.name = std::move(name);
  c.type_oid = oid;
  c.type_modifier = typmod;
  c.optional = optional;
  return c;
}

// CREATE TABLE inventory.customers (id SERIAL PRIMARY KEY, first_name VARCHAR(255) NOT NULL,
// last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL) — the docs' example table.
TableSchema Customers() {
  TableSchema t;
  t.relation_oid = 16390;
  t.schema = "inventory";
  t.table = "customers";
  t.replica_identity = 'f';
  t.columns = {Column("id", 23, false), Column("first_name", 1043, false, 259),
               Column("last_name", 1043, false, 259), Column("email", 1043, false, 259)};
  t.key_columns = {0};
  return t;
}

EncoderOptions Options() {
  EncoderOptions o;
  o.topic_prefix = "dbserver1";
  o.database = "postgres";
  return o;
}

// Source position and processing time of the Debezium 3.1.3 sample event.
SourcePosition Position() {
  SourcePosition p;
  p.commit_time_us = 1766925059528750;
  p.xid = 779;
  p.lsn = 34389336;
  p.last_commit_lsn = 34389280;
  return p;
}
constexpr int64_t kNowUs = 1766925059873428;

const std::string kRowSchema =
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":false,"field":"first_name"},)"
    R"({"type":"string","optional":false,"field":"last_name"},)"
    R"({"type":"string","optional":false,"field":"email"}],"optional":true,)"
    R"("name":"dbserver1.inventory.customers.Value")";

const std::string kSourceSchema =
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},)"
    R"({"type":"string","optional":false,"field":"connector"},)"
    R"({"type":"string","optional":false,"field":"name"},)"
    R"({"type":"int64","optional":false,"field":"ts_ms"},)"
    R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
    R"("parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,)"
    R"(last,false,incremental"},"default":"false","field":"snapshot"},)"
    R"({"type":"string","optional":false,"field":"db"},)"
    R"({"type":"string","optional":true,"field":"sequence"},)"
    R"({"type":"int64","optional":true,"field":"ts_us"},)"
    R"({"type":"int64","optional":true,"field":"ts_ns"},)"
    R"({"type":"string","optional":false,"field":"schema"},)"
    R"({"type":"string","optional":false,"field":"table"},)"
    R"({"type":"int64","optional":true,"field":"txId"},)"
    R"({"type":"int64","optional":true,"field":"lsn"},)"
    R"({"type":"int64","optional":true,"field":"xmin"}],"optional":false,)"
    R"("name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"})";

const std::string kEnvelopeSchema =
    R"({"type":"struct","fields":[)" + kRowSchema + R"(,"field":"before"},)" + kRowSchema +
    R"(,"field":"after"},)" + kSourceSchema +
    R"(,{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},)"
    R"({"type":"int64","optional":false,"field":"total_order"},)"
    R"({"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,)"
    R"("name":"event.block","version":1,"field":"transaction"},)"
    R"({"type":"string","optional":false,"field":"op"},)"
    R"({"type":"int64","optional":true,"field":"ts_ms"},)"
    R"({"type":"int64","optional":true,"field":"ts_us"},)"
    R"({"type":"int64","optional":true,"field":"ts_ns"}],"optional":false,)"
    R"("name":"dbserver1.inventory.customers.Envelope","version":2})";

const std::string kSource =
    R"({"version":"3.1.3.Final","connector":"postgresql","name":"dbserver1",)"
    R"("ts_ms":1766925059528,"snapshot":"false","db":"postgres",)"
    R"("sequence":"[\"34389280\",\"34389336\"]","ts_us":1766925059528750,)"
    R"("ts_ns":1766925059528750000,"schema":"inventory","table":"customers","txId":779,)"
    R"("lsn":34389336,"xmin":null})";

const std::string kTimes =
    R"("ts_ms":1766925059873,"ts_us":1766925059873428,"ts_ns":1766925059873428000)";

std::string Envelope(const std::string& payload) {
  return R"({"schema":)" + kEnvelopeSchema + R"(,"payload":)" + payload + "}";
}

std::string Key(int id) {
  return R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],)"
         R"("optional":false,"name":"dbserver1.inventory.customers.Key"},"payload":{"id":)" +
         std::to_string(id) + "}}";
}

nlohmann::ordered_json Parse(const std::string& s) { return nlohmann::ordered_json::parse(s); }

class EncoderTest : public ::testing::Test {
 protected:
  absl::Status Encode(const RowChange& change) {
    batch_.Clear();
    return encoder_.Encode(table_, change, kNowUs, batch_);
  }

  EncoderOptions options_ = Options();
  TableSchema table_ = Customers();
  EventEncoder encoder_{options_};
  RecordBatch batch_;
};

// "update events" with REPLICA IDENTITY FULL: byte for byte the event Debezium 3.1.3.Final wrote
// for `UPDATE inventory.customers SET email = 'liam3@example.com' WHERE id = 1006`, except
// that (a) the id field carries no "default" (column defaults are not part of TableSchema) and
// (b) ts_ns has microsecond resolution.
TEST_F(EncoderTest, UpdateEventMatchesDebeziumOutputByteForByte) {
  Tuple before = Row({"1006", "Liam", "Han", "liam2@example.com"});
  Tuple after = Row({"1006", "Liam", "Han", "liam3@example.com"});
  RowChange c;
  c.op = Op::kUpdate;
  c.before = &before;
  c.before_kind = 'O';
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 1u);
  const Record& r = batch_[0];
  EXPECT_EQ(r.topic, "dbserver1.inventory.customers");
  ASSERT_TRUE(r.has_key);
  EXPECT_EQ(r.key, Key(1006));
  ASSERT_TRUE(r.has_value);
  const std::string expected = Envelope(
      R"({"before":{"id":1006,"first_name":"Liam","last_name":"Han","email":"liam2@example.com"},)"
      R"("after":{"id":1006,"first_name":"Liam","last_name":"Han","email":"liam3@example.com"},)"
      R"("source":)" +
      kSource + R"(,"transaction":null,"op":"u",)" + kTimes + "}");
  EXPECT_EQ(r.value, expected);
  // And it is valid JSON whose top level is exactly {schema, payload}.
  const auto json = Parse(r.value);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json["payload"]["source"]["sequence"], "[\"34389280\",\"34389336\"]");
}

TEST_F(EncoderTest, CreateEvent) {
  Tuple after = Row({"1005", "foo", "bar", "foo@bar.com"});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 1u);
  EXPECT_EQ(batch_[0].key, Key(1005));
  EXPECT_EQ(batch_[0].value,
            Envelope(R"({"before":null,"after":{"id":1005,"first_name":"foo","last_name":"bar",)"
                     R"("email":"foo@bar.com"},"source":)" +
                     kSource + R"(,"transaction":null,"op":"c",)" + kTimes + "}"));
}

TEST_F(EncoderTest, UpdateWithoutOldTupleHasNullBefore) {
  Tuple after = Row({"1005", "egg", "bar", "foo@bar.com"});
  RowChange c;
  c.op = Op::kUpdate;
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 1u);
  const auto payload = Parse(batch_[0].value)["payload"];
  EXPECT_TRUE(payload["before"].is_null());
  EXPECT_EQ(payload["after"]["first_name"], "egg");
  EXPECT_EQ(payload["op"], "u");
}

// "delete events" with REPLICA IDENTITY DEFAULT: the old tuple carries only the key; Debezium
// fills NOT NULL columns it did not receive with the type's fallback value. Then the tombstone.
TEST_F(EncoderTest, DeleteWithKeyOnlyOldTupleThenTombstone) {
  Tuple before = Row({"1005", kNull, kNull, kNull});
  RowChange c;
  c.op = Op::kDelete;
  c.before = &before;
  c.before_kind = 'K';
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 2u);
  EXPECT_EQ(batch_[0].key, Key(1005));
  EXPECT_EQ(batch_[0].value,
            Envelope(R"({"before":{"id":1005,"first_name":"","last_name":"","email":""},)"
                     R"("after":null,"source":)" +
                     kSource + R"(,"transaction":null,"op":"d",)" + kTimes + "}"));
  // "Tombstone events": same key, null value.
  EXPECT_EQ(batch_[1].topic, "dbserver1.inventory.customers");
  ASSERT_TRUE(batch_[1].has_key);
  EXPECT_EQ(batch_[1].key, Key(1005));
  EXPECT_FALSE(batch_[1].has_value);
  EXPECT_EQ(batch_[1].value, "");
}

TEST_F(EncoderTest, NullableNonKeyColumnsOfKeyOnlyTupleAreNull) {
  table_.columns[1].optional = true;
  Tuple before = Row({"1005", kNull, kNull, kNull});
  RowChange c;
  c.op = Op::kDelete;
  c.before = &before;
  c.before_kind = 'K';
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  const auto payload = Parse(batch_[0].value)["payload"];
  EXPECT_EQ(payload["before"].dump(), R"({"id":1005,"first_name":null,"last_name":"","email":""})");
}

TEST_F(EncoderTest, NoTombstoneWhenDisabled) {
  options_.tombstones_on_delete = false;
  EventEncoder encoder(options_);
  Tuple before = Row({"1005", "foo", "bar", "foo@bar.com"});
  RowChange c;
  c.op = Op::kDelete;
  c.before = &before;
  c.before_kind = 'O';
  c.source = Position();
  RecordBatch batch;
  ASSERT_TRUE(encoder.Encode(table_, c, kNowUs, batch).ok());
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(Parse(batch[0].value)["payload"]["op"], "d");
}

// "Primary key updates": a DELETE event for the old key, its tombstone, a CREATE for the new key.
TEST_F(EncoderTest, PrimaryKeyChangeBecomesDeleteTombstoneCreate) {
  Tuple before = Row({"1", kNull, kNull, kNull});
  Tuple after = Row({"2", "a", "b", "c@d"});
  RowChange c;
  c.op = Op::kUpdate;
  c.before = &before;
  c.before_kind = 'K';
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 3u);
  EXPECT_EQ(batch_[0].key, Key(1));
  const auto del = Parse(batch_[0].value)["payload"];
  EXPECT_EQ(del["op"], "d");
  EXPECT_EQ(del["before"].dump(), R"({"id":1,"first_name":"","last_name":"","email":""})");
  EXPECT_TRUE(del["after"].is_null());
  EXPECT_EQ(batch_[1].key, Key(1));
  EXPECT_FALSE(batch_[1].has_value);
  EXPECT_EQ(batch_[2].key, Key(2));
  const auto create = Parse(batch_[2].value)["payload"];
  EXPECT_EQ(create["op"], "c");
  EXPECT_TRUE(create["before"].is_null());
  EXPECT_EQ(create["after"]["id"], 2);
}

TEST_F(EncoderTest, FullOldTupleWithChangedKeyIsAlsoAKeyChange) {
  Tuple before = Row({"1", "a", "b", "c@d"});
  Tuple after = Row({"7", "a", "b", "c@d"});
  RowChange c;
  c.op = Op::kUpdate;
  c.before = &before;
  c.before_kind = 'O';
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 3u);
  EXPECT_EQ(Parse(batch_[0].value)["payload"]["before"]["first_name"], "a");
  EXPECT_EQ(Parse(batch_[2].value)["payload"]["after"]["id"], 7);
}

// "truncate events": null key, before and after null, op "t".
TEST_F(EncoderTest, TruncateEvent) {
  RowChange c;
  c.op = Op::kTruncate;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 1u);
  EXPECT_FALSE(batch_[0].has_key);
  EXPECT_EQ(batch_[0].value, Envelope(R"({"before":null,"after":null,"source":)" + kSource +
                                      R"(,"transaction":null,"op":"t",)" + kTimes + "}"));
}

TEST_F(EncoderTest, SnapshotReadEvent) {
  Tuple after = Row({"1001", "Sally", "Thomas", "sally.thomas@acme.com"});
  RowChange c;
  c.op = Op::kRead;
  c.after = &after;
  c.source = Position();
  c.source.snapshot = "first";
  c.source.last_commit_lsn = 0;  // no commit seen yet: sequence [null, lsn]
  ASSERT_TRUE(Encode(c).ok());
  const auto payload = Parse(batch_[0].value)["payload"];
  EXPECT_EQ(payload["op"], "r");
  EXPECT_EQ(payload["source"]["snapshot"], "first");
  EXPECT_EQ(payload["source"]["sequence"], "[null,\"34389336\"]");
}

TEST_F(EncoderTest, SchemasDisabledWritesBarePayloads) {
  options_.key_schemas_enable = false;
  options_.value_schemas_enable = false;
  EventEncoder encoder(options_);
  Tuple after = Row({"1005", "foo", "bar", "foo@bar.com"});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &after;
  c.source = Position();
  RecordBatch batch;
  ASSERT_TRUE(encoder.Encode(table_, c, kNowUs, batch).ok());
  EXPECT_EQ(batch[0].key, R"({"id":1005})");
  EXPECT_EQ(batch[0].value,
            R"({"before":null,"after":{"id":1005,"first_name":"foo","last_name":"bar",)"
            R"("email":"foo@bar.com"},"source":)" +
                kSource + R"(,"transaction":null,"op":"c",)" + kTimes + "}");
}

TEST_F(EncoderTest, TableWithoutKeyHasNullKeys) {
  table_.key_columns.clear();
  Tuple row = Row({"1", "a", "b", "c@d"});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &row;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 1u);
  EXPECT_FALSE(batch_[0].has_key);
  EXPECT_TRUE(batch_[0].has_value);

  c.op = Op::kDelete;
  c.after = nullptr;
  c.before = &row;
  c.before_kind = 'O';
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(batch_.size(), 2u);  // Debezium emits the tombstone even without a key
  EXPECT_FALSE(batch_[0].has_key);
  EXPECT_FALSE(batch_[1].has_key);
  EXPECT_FALSE(batch_[1].has_value);
}

TEST_F(EncoderTest, UnchangedToastBecomesPlaceholder) {
  Tuple before = Row({"1", "a", "b", "c@d"});
  Tuple after = Row({"1", "z", "b", kToast});
  RowChange c;
  c.op = Op::kUpdate;
  c.before = &before;
  c.before_kind = 'O';
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  EXPECT_EQ(Parse(batch_[0].value)["payload"]["after"]["email"], "__debezium_unavailable_value");
}

TEST_F(EncoderTest, MalformedValueIsInvalidArgumentNamingTableAndColumn) {
  Tuple ok = Row({"1", "a", "b", "c@d"});
  RowChange good;
  good.op = Op::kCreate;
  good.after = &ok;
  good.source = Position();
  ASSERT_TRUE(encoder_.Encode(table_, good, kNowUs, batch_).ok());
  ASSERT_EQ(batch_.size(), 1u);

  Tuple bad = Row({"1x", "a", "b", "c@d"});
  RowChange c = good;
  c.after = &bad;
  absl::Status st = encoder_.Encode(table_, c, kNowUs, batch_);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("inventory.customers.id"));
  EXPECT_EQ(batch_.size(), 1u);  // nothing of the failed change is left behind

  Tuple short_row = Row({"1", "a"});
  c.after = &short_row;
  st = encoder_.Encode(table_, c, kNowUs, batch_);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("inventory.customers"));

  TupleValue binary;
  binary.kind = ValueKind::kBinary;
  Tuple bin = Row({"1", "a", "b", "c@d"});
  bin[3] = binary;
  c.after = &bin;
  st = encoder_.Encode(table_, c, kNowUs, batch_);
  EXPECT_THAT(st.message(), HasSubstr("inventory.customers.email"));
}

TEST_F(EncoderTest, SchemaCacheFollowsRelationChanges) {
  Tuple row = Row({"1", "a", "b", "c@d"});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &row;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  EXPECT_THAT(batch_[0].value, HasSubstr(R"({"type":"int32","optional":false,"field":"id"})"));
  table_.columns[0].type_oid = 20;  // ALTER COLUMN id TYPE bigint
  ASSERT_TRUE(Encode(c).ok());
  EXPECT_THAT(batch_[0].value, HasSubstr(R"({"type":"int64","optional":false,"field":"id"})"));
}

// The encoder keeps text between events (the table's cache, the schema prefix in the reused
// record buffers, the transaction's source block): a long-lived encoder and batch must write
// exactly what a fresh encoder writes for each change, across tables, transactions, schema
// changes (new revisions), both converters' output shapes and flattening.
TEST(EncoderReuse, LongLivedEncoderWritesWhatAFreshOneWrites) {
  TableSchema customers = Customers();
  customers.revision = NextTableRevision();
  TableSchema orders;
  orders.relation_oid = 16400;
  orders.schema = "inventory";
  orders.table = "orders";
  orders.columns = {Column("id", 20, false), Column("qty", 21, true), Column("note", 25, true)};
  orders.key_columns = {0};
  orders.revision = NextTableRevision();
  TableSchema customers_v2 = customers;  // ALTER TABLE … ADD COLUMN
  customers_v2.columns.push_back(Column("vip", 16, true));
  customers_v2.revision = NextTableRevision();

  const Tuple c1 = Row({"1001", "Sally", "Thomas", "sally@example.com"});
  const Tuple c2 = Row({"1002", "George", "Bailey", "gbailey@foobar.com"});
  const Tuple c2_v2 = Row({"1002", "George", "Bailey", "gb@foobar.com", "t"});
  const Tuple o1 = Row({"-9000000000", "0", "x"});
  const Tuple o2 = Row({"7", "-32768", kNull});
  struct Step {
    const TableSchema* table;
    Op op;
    const Tuple* before;
    const Tuple* after;
    uint32_t xid;
    Lsn lsn;
    absl::string_view snapshot;
  };
  const std::vector<Step> steps = {
      {&customers, Op::kRead, nullptr, &c1, 0, 100, "first"},
      {&customers, Op::kRead, nullptr, &c2, 0, 100, "last"},
      {&customers, Op::kCreate, nullptr, &c1, 780, 200, "false"},
      {&orders, Op::kCreate, nullptr, &o1, 780, 210, "false"},
      {&customers, Op::kUpdate, &c1, &c2, 780, 220, "false"},  // key change: 3 records
      {&orders, Op::kDelete, &o1, nullptr, 781, 300, "false"},
      {&orders, Op::kCreate, nullptr, &o2, 781, 310, "false"},
      {&customers_v2, Op::kCreate, nullptr, &c2_v2, 782, 400, "false"},
      {&customers_v2, Op::kDelete, &c2_v2, nullptr, 782, 410, "false"},
      {&customers, Op::kTruncate, nullptr, nullptr, 783, 500, "false"},
  };
  for (bool schemas : {true, false}) {
    for (bool flatten : {false, true}) {
      SCOPED_TRACE(absl::StrCat("schemas ", schemas, ", flatten ", flatten));
      EncoderOptions options = Options();
      options.key_schemas_enable = options.value_schemas_enable = schemas;
      options.flatten.enabled = flatten;
      EventEncoder long_lived(options);
      RecordBatch reused;
      Lsn last_commit = 90;
      for (size_t i = 0; i < steps.size(); ++i) {
        SCOPED_TRACE(absl::StrCat("step ", i));
        const Step& st = steps[i];
        RowChange change;
        change.op = st.op;
        change.before = st.before;
        change.before_kind = st.before != nullptr ? 'O' : 0;
        change.after = st.after;
        change.source = {.commit_time_us = 1766925059000000 + st.xid * 1000,
                         .xid = st.xid,
                         .lsn = st.lsn,
                         .last_commit_lsn = last_commit,
                         .snapshot = st.snapshot};
        const int64_t now = 1766925059873428 + static_cast<int64_t>(i);
        reused.Clear();
        ASSERT_TRUE(long_lived.Encode(*st.table, change, now, reused).ok());
        EventEncoder fresh(options);
        RecordBatch expected;
        ASSERT_TRUE(fresh.Encode(*st.table, change, now, expected).ok());
        ASSERT_EQ(reused.size(), expected.size());
        for (size_t r = 0; r < expected.size(); ++r) {
          EXPECT_EQ(reused[r].topic, expected[r].topic);
          EXPECT_EQ(reused[r].has_key, expected[r].has_key);
          EXPECT_EQ(reused[r].key, expected[r].key);
          EXPECT_EQ(reused[r].has_value, expected[r].has_value);
          if (expected[r].has_value) {
            EXPECT_EQ(reused[r].value, expected[r].value);
          }
        }
        if (i + 1 < steps.size() && steps[i + 1].xid != st.xid) last_commit = st.lsn + 5;
      }
    }
  }
}

TEST_F(EncoderTest, UnknownTypeReportedOncePerOid) {
  std::vector<std::pair<uint32_t, std::string>> reported;
  encoder_.set_unknown_type_callback([&](uint32_t oid, absl::string_view column) {
    reported.emplace_back(oid, std::string(column));
  });
  table_.columns.push_back(Column("location", 600, true));   // point
  table_.columns.push_back(Column("location2", 600, true));  // point again
  Tuple row = Row({"1", "a", "b", "c@d", "(1,2)", kNull});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &row;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_TRUE(Encode(c).ok());
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].first, 600u);
  EXPECT_EQ(reported[0].second, "inventory.customers.location");
  EXPECT_EQ(Parse(batch_[0].value)["payload"]["after"]["location"], "(1,2)");
}

TEST_F(EncoderTest, TopicNamesAreSanitizedLikeDebezium) {
  table_.table = "my table$";
  Tuple row = Row({"1", "a", "b", "c@d"});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &row;
  c.source = Position();
  ASSERT_TRUE(Encode(c).ok());
  EXPECT_EQ(batch_[0].topic, "dbserver1.inventory.my_table_");
  EXPECT_EQ(Parse(batch_[0].value)["payload"]["source"]["table"], "my table$");
}

// ---- ExtractNewRecordState ----

class FlattenTest : public EncoderTest {
 protected:
  void Configure(DeleteHandling mode, std::vector<std::string> add_fields) {
    options_.flatten.enabled = true;
    options_.flatten.delete_handling = mode;
    options_.flatten.add_fields = std::move(add_fields);
    flat_ = std::make_unique<EventEncoder>(options_);
  }
  absl::Status EncodeFlat(const RowChange& change) {
    batch_.Clear();
    return flat_->Encode(table_, change, kNowUs, batch_);
  }
  RowChange Create() {
    RowChange c;
    c.op = Op::kCreate;
    c.after = &row_;
    c.source = Position();
    return c;
  }
  RowChange Delete() {
    RowChange c;
    c.op = Op::kDelete;
    c.before = &row_;
    c.before_kind = 'O';
    c.source = Position();
    return c;
  }

  Tuple row_ = Row({"1005", "foo", "bar", "foo@bar.com"});
  std::unique_ptr<EventEncoder> flat_;
};

// The seed pipeline's configuration: delete.handling.mode=rewrite, add.fields=op,source_table,ts_ms
// ("source_table" taken as source.table). Debezium 3.x puts __deleted right after the row.
TEST_F(FlattenTest, RewriteModeWithSeedAddFields) {
  Configure(DeleteHandling::kRewrite, {"op", "source_table", "ts_ms"});
  const std::string schema =
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":false,"field":"first_name"},)"
      R"({"type":"string","optional":false,"field":"last_name"},)"
      R"({"type":"string","optional":false,"field":"email"},)"
      R"({"type":"string","optional":true,"field":"__deleted"},)"
      R"({"type":"string","optional":true,"field":"__op"},)"
      R"({"type":"string","optional":true,"field":"__source_table"},)"
      R"({"type":"int64","optional":true,"field":"__ts_ms"}],"optional":false,)"
      R"("name":"dbserver1.inventory.customers.Value"})";
  ASSERT_TRUE(EncodeFlat(Create()).ok());
  ASSERT_EQ(batch_.size(), 1u);
  EXPECT_EQ(batch_[0].key, Key(1005));
  EXPECT_EQ(batch_[0].value, R"({"schema":)" + schema +
                                 R"(,"payload":{"id":1005,"first_name":"foo","last_name":"bar",)"
                                 R"("email":"foo@bar.com","__deleted":"false","__op":"c",)"
                                 R"("__source_table":"customers","__ts_ms":1766925059873}})");

  ASSERT_TRUE(EncodeFlat(Delete()).ok());
  ASSERT_EQ(batch_.size(), 1u);  // the tombstone is dropped in rewrite mode
  EXPECT_EQ(batch_[0].key, Key(1005));
  EXPECT_EQ(batch_[0].value, R"({"schema":)" + schema +
                                 R"(,"payload":{"id":1005,"first_name":"foo","last_name":"bar",)"
                                 R"("email":"foo@bar.com","__deleted":"true","__op":"d",)"
                                 R"("__source_table":"customers","__ts_ms":1766925059873}})");

  RowChange truncate;
  truncate.op = Op::kTruncate;
  truncate.source = Position();
  ASSERT_TRUE(EncodeFlat(truncate).ok());
  EXPECT_EQ(batch_.size(), 0u);  // truncate events are dropped
}

TEST_F(FlattenTest, RewriteWithTombstoneKeepsTheTombstone) {
  Configure(DeleteHandling::kRewriteWithTombstone, {});
  ASSERT_TRUE(EncodeFlat(Delete()).ok());
  ASSERT_EQ(batch_.size(), 2u);
  EXPECT_EQ(Parse(batch_[0].value)["payload"]["__deleted"], "true");
  EXPECT_EQ(batch_[1].key, Key(1005));
  EXPECT_FALSE(batch_[1].has_value);
}

TEST_F(FlattenTest, TombstoneModeTurnsDeleteIntoNullValue) {
  Configure(DeleteHandling::kTombstone, {"op"});
  ASSERT_TRUE(EncodeFlat(Delete()).ok());
  ASSERT_EQ(batch_.size(), 1u);  // Debezium's own tombstone is dropped
  EXPECT_EQ(batch_[0].key, Key(1005));
  // The extracted "after" field keeps its (optional) schema, the payload is null.
  EXPECT_EQ(batch_[0].value, R"({"schema":)" + kRowSchema + R"(},"payload":null})");
  // Creates have no __deleted field outside the rewrite modes.
  ASSERT_TRUE(EncodeFlat(Create()).ok());
  const auto payload = Parse(batch_[0].value)["payload"];
  EXPECT_FALSE(payload.contains("__deleted"));
  EXPECT_EQ(payload["__op"], "c");
}

TEST_F(FlattenTest, DropModeDropsDeletesAndTombstones) {
  Configure(DeleteHandling::kDrop, {});
  ASSERT_TRUE(EncodeFlat(Delete()).ok());
  EXPECT_EQ(batch_.size(), 0u);
}

TEST_F(FlattenTest, AddFieldsNamingAndSchemasDisabled) {
  options_.key_schemas_enable = false;
  options_.value_schemas_enable = false;
  Configure(DeleteHandling::kRewrite,
            {"op", "table", "lsn", "source.ts_ms", "txId:xid", "transaction.id", "nonexistent"});
  RowChange c = Create();
  ASSERT_TRUE(EncodeFlat(c).ok());
  EXPECT_EQ(batch_[0].key, R"({"id":1005})");
  EXPECT_EQ(batch_[0].value,
            R"({"id":1005,"first_name":"foo","last_name":"bar","email":"foo@bar.com",)"
            R"("__deleted":"false","__op":"c","__table":"customers","__lsn":34389336,)"
            R"("__source_ts_ms":1766925059528,"__xid":779,"__transaction_id":null})");
}

TEST_F(FlattenTest, PrimaryKeyChangeIsFlattenedToo) {
  Configure(DeleteHandling::kRewrite, {"op"});
  Tuple before = Row({"1", kNull, kNull, kNull});
  Tuple after = Row({"2", "a", "b", "c@d"});
  RowChange c;
  c.op = Op::kUpdate;
  c.before = &before;
  c.before_kind = 'K';
  c.after = &after;
  c.source = Position();
  ASSERT_TRUE(EncodeFlat(c).ok());
  ASSERT_EQ(batch_.size(), 2u);
  EXPECT_EQ(Parse(batch_[0].value)["payload"].dump(),
            R"({"id":1,"first_name":"","last_name":"","email":"","__deleted":"true","__op":"d"})");
  EXPECT_EQ(
      Parse(batch_[1].value)["payload"].dump(),
      R"({"id":2,"first_name":"a","last_name":"b","email":"c@d","__deleted":"false","__op":"c"})");
}

// The reference table of the seed pipeline with its connector settings (time.precision.mode
// connect, decimal.handling.mode precise, flattened with rewrite).
TEST(ReferenceTable, TransactionDetailsAsTheSeedPipelineSeesThem) {
  const TableSchema t = test_support::TransactionDetailsSchema();
  EncoderOptions o;
  o.time_precision_mode = TimePrecisionMode::kConnect;
  o.flatten.enabled = true;
  EventEncoder encoder(o);
  Tuple row = Row({"42", "100001", "999999", "1234.56", "2025-07-22 09:30:00.123456", "7", "3", "2",
                   "1", kNull});
  RowChange c;
  c.op = Op::kCreate;
  c.after = &row;
  c.source.commit_time_us = 1753176600500000;
  c.source.xid = 1;
  c.source.lsn = 100;
  RecordBatch batch;
  ASSERT_TRUE(encoder.Encode(t, c, 1753176601000000, batch).ok());
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].topic, "dev.public.transaction_details");
  const auto value = Parse(batch[0].value);
  EXPECT_EQ(value["payload"].dump(),
            R"({"txn_id":42,"sender_account_id":100001,"receiver_account_id":999999,)"
            R"("amount":"AeJA","last_modified_date":1753176600123,"product_id":7,)"
            R"("product_type_id":3,"transactor_module_id":2,"module_id":1,"status":null,)"
            R"("__deleted":"false","__op":"c","__source_table":"transaction_details",)"
            R"("__ts_ms":1753176601000})");
  EXPECT_EQ(value["schema"]["fields"][3].dump(),
            R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal",)"
            R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},)"
            R"("field":"amount"})");
  EXPECT_EQ(value["schema"]["fields"][4].dump(),
            R"({"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp",)"
            R"("version":1,"field":"last_modified_date"})");
  EXPECT_EQ(batch[0].key,
            R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,)"
            R"("field":"txn_id"}],"optional":false,"name":"dev.public.transaction_details.Key"},)"
            R"("payload":{"txn_id":42}})");
}

}  // namespace
}  // namespace cdcflow::cdc_capture::events
