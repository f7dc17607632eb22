// cdc-capture end to end: the real binary reading a real PostgreSQL 15 slot and writing to the
// real Kafka of deploy/local. Each test runs in a database of its own (fixture.h) and asserts
// the exact events: ops, keys, rows, source fields, LSN relations.

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cdcflow/v1/admin.grpc.pb.h"
#include "libs/kafka/admin.h"
#include "tests/cdc-capture/integration/fixture.h"

namespace cdcflow::cdc_capture::it {
namespace {

constexpr absl::Duration kEventTimeout = absl::Seconds(30);

// The Kafka key Debezium writes for a one-column primary key (JSON converter with schemas).
std::string ExpectedKey(const std::string& topic, const std::string& field, const std::string& type,
                        int64_t value) {
  return absl::StrCat(R"({"schema":{"type":"struct","fields":[{"type":")", type,
                      R"(","optional":false,"field":")", field, R"("}],"optional":false,"name":")",
                      topic, R"(.Key"},"payload":{")", field, R"(":)", value, "}}");
}

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CDCFLOW_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The schema of field `name` inside the envelope's "after" struct.
Json AfterFieldSchema(const Event& e, const std::string& name) {
  Json value = e.ValueJson();
  for (const Json& f : value["schema"]["fields"]) {
    if (f["field"] != "after") continue;
    for (const Json& col : f["fields"]) {
      if (col["field"] == name) return col;
    }
  }
  return Json();
}

std::vector<std::string> AfterFieldNames(const Event& e) {
  std::vector<std::string> names;
  Json value = e.ValueJson();
  for (const Json& f : value["schema"]["fields"]) {
    if (f["field"] != "after") continue;
    for (const Json& col : f["fields"]) names.push_back(col["field"].get<std::string>());
  }
  return names;
}

int64_t SourceLsn(const Event& e) { return e.Payload()["source"]["lsn"].get<int64_t>(); }

using CaptureTest = CaptureIntegrationTest;

// 1. N rows before the start: N "r" events (snapshot first/true…/last), then the stream:
//    c, c+c in one transaction, u, d + tombstone, in source order with increasing LSNs.
TEST_F(CaptureTest, SnapshotThenInsertsUpdatesDeletesAndTombstoneInSourceOrder) {
  db_->Exec("CREATE TABLE t (txn_id bigint PRIMARY KEY, note text NOT NULL, qty int)");
  db_->Exec("INSERT INTO t SELECT g, 'row ' || g, g * 10 FROM generate_series(1, 5) g");
  CreateTopics({"t"});
  EventReader* reader = Reader({Topic("t")});
  ASSERT_NE(StartCapture(Config({"t"})), nullptr);

  std::vector<Event> snapshot = reader->Read(5, kEventTimeout);
  ASSERT_EQ(snapshot.size(), 5u);
  std::set<int64_t> ids;
  int64_t snapshot_lsn = -1;
  for (size_t i = 0; i < snapshot.size(); ++i) {
    const Event& e = snapshot[i];
    EXPECT_EQ(e.topic, Topic("t"));
    ASSERT_FALSE(e.tombstone());
    const Json p = e.Payload();
    const int64_t id = p["after"]["txn_id"].get<int64_t>();
    ids.insert(id);
    EXPECT_EQ(e.key, ExpectedKey(Topic("t"), "txn_id", "int64", id));
    EXPECT_EQ(p["op"], "r");
    EXPECT_TRUE(p["before"].is_null());
    EXPECT_EQ(p["after"].dump(), absl::StrCat(R"({"txn_id":)", id, R"(,"note":"row )", id,
                                              R"(","qty":)", id * 10, "}"));
    EXPECT_EQ(p["source"]["snapshot"], i == 0 ? "first" : i == 4 ? "last" : "true") << i;
    EXPECT_EQ(p["source"]["table"], "t");
    // Every snapshot event carries the slot's consistent point.
    if (i == 0) snapshot_lsn = SourceLsn(e);
    EXPECT_EQ(SourceLsn(e), snapshot_lsn);
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3, 4, 5}));
  const std::optional<SlotState> slot = db_->Slot();
  ASSERT_TRUE(slot && slot->confirmed_flush);

  db_->Exec("INSERT INTO t VALUES (6, 'six', 60)");
  db_->Exec(
      "BEGIN; INSERT INTO t VALUES (7, 'seven', 70); INSERT INTO t VALUES (8, 'eight', "
      "NULL); COMMIT");
  db_->Exec("UPDATE t SET note = 'two, updated', qty = 21 WHERE txn_id = 2");
  db_->Exec("DELETE FROM t WHERE txn_id = 3");
  db_->Exec("INSERT INTO t VALUES (9, 'marker', 90)");

  std::vector<Event> stream = reader->Read(7, kEventTimeout);
  ASSERT_EQ(stream.size(), 7u);
  struct Expected {
    std::string op;  // "" = tombstone
    int64_t key;
    std::string before;
    std::string after;
  };
  const std::vector<Expected> expected = {
      {"c", 6, "null", R"({"txn_id":6,"note":"six","qty":60})"},
      {"c", 7, "null", R"({"txn_id":7,"note":"seven","qty":70})"},
      {"c", 8, "null", R"({"txn_id":8,"note":"eight","qty":null})"},
      // REPLICA IDENTITY DEFAULT: no old row for an update.
      {"u", 2, "null", R"({"txn_id":2,"note":"two, updated","qty":21})"},
      // The delete's old row holds the key only; NOT NULL columns get Debezium's fallback.
      {"d", 3, R"({"txn_id":3,"note":"","qty":null})", "null"},
      {"", 3, "", ""},
      {"c", 9, "null", R"({"txn_id":9,"note":"marker","qty":90})"},
  };
  int64_t last_lsn = snapshot_lsn;
  for (size_t i = 0; i < expected.size(); ++i) {
    const Event& e = stream[i];
    SCOPED_TRACE(absl::StrCat("stream event ", i));
    EXPECT_EQ(e.topic, Topic("t"));
    EXPECT_EQ(e.key, ExpectedKey(Topic("t"), "txn_id", "int64", expected[i].key));
    if (expected[i].op.empty()) {
      EXPECT_TRUE(e.tombstone());
      continue;
    }
    ASSERT_FALSE(e.tombstone());
    const Json p = e.Payload();
    EXPECT_EQ(p["op"], expected[i].op);
    EXPECT_EQ(p["before"].dump(), expected[i].before);
    EXPECT_EQ(p["after"].dump(), expected[i].after);
    EXPECT_EQ(p["source"]["snapshot"], "false");
    // Source order; the first change may start exactly at the snapshot's consistent point.
    if (i == 0) {
      EXPECT_GE(SourceLsn(e), last_lsn);
    } else {
      EXPECT_GT(SourceLsn(e), last_lsn);
    }
    EXPECT_GE(static_cast<uint64_t>(SourceLsn(e)), *slot->confirmed_flush);
    last_lsn = SourceLsn(e);
  }
  // 7 and 8: one transaction.
  EXPECT_EQ(stream[1].Payload()["source"]["txId"], stream[2].Payload()["source"]["txId"]);
  EXPECT_NE(stream[0].Payload()["source"]["txId"], stream[1].Payload()["source"]["txId"]);
  EXPECT_TRUE(reader->ReadFor(absl::Milliseconds(300)).empty()) << "unexpected extra events";
}

// 1b. Keys spread over partitions; every event of a key lands on one partition, in order.
TEST_F(CaptureTest, EventsOfOneKeyShareAPartitionInSourceOrder) {
  constexpr int kKeys = 12;
  db_->Exec("CREATE TABLE t (txn_id bigint PRIMARY KEY, version int NOT NULL)");
  CreateTopics({"t"}, /*partitions=*/3);
  EventReader* reader = Reader({Topic("t")});
  ASSERT_NE(StartStreaming(Config({"t"})), nullptr);

  db_->Exec(absl::StrCat("INSERT INTO t SELECT g, 0 FROM generate_series(1, ", kKeys, ") g"));
  for (int v = 1; v <= 3; ++v) db_->Exec(absl::StrCat("UPDATE t SET version = ", v));
  db_->Exec("DELETE FROM t");

  std::vector<Event> events = reader->Read(kKeys * 6, kEventTimeout);
  ASSERT_EQ(events.size(), static_cast<size_t>(kKeys * 6));
  std::map<int64_t, std::vector<const Event*>> by_key;
  std::set<int32_t> partitions;
  for (const Event& e : events) {
    by_key[e.KeyJson()["payload"]["txn_id"].get<int64_t>()].push_back(&e);
    partitions.insert(e.partition);
  }
  ASSERT_EQ(by_key.size(), static_cast<size_t>(kKeys));
  EXPECT_GE(partitions.size(), 2u) << "12 keys should not all hash to one of 3 partitions";
  for (auto& [key, list] : by_key) {
    SCOPED_TRACE(absl::StrCat("key ", key));
    ASSERT_EQ(list.size(), 6u);
    std::sort(list.begin(), list.end(),
              [](const Event* a, const Event* b) { return a->offset < b->offset; });
    std::vector<std::string> ops;
    for (const Event* e : list) {
      EXPECT_EQ(e->partition, list[0]->partition);
      ops.push_back(e->tombstone() ? "tombstone" : e->Op());
    }
    EXPECT_EQ(ops, (std::vector<std::string>{"c", "u", "u", "u", "d", "tombstone"}));
    for (int v = 0; v <= 3; ++v) {
      EXPECT_EQ(list[v]->Payload()["after"]["version"], v);
      if (v > 0) {
        EXPECT_GT(SourceLsn(*list[v]), SourceLsn(*list[v - 1]));
      }
    }
  }
}

// 1c. Rows changed while the snapshot runs are streamed (u/d/c) and never snapshotted: the
//     snapshot reads the slot's exported snapshot, so there is no gap and no overlap.
TEST_F(CaptureTest, WritesDuringTheSnapshotAreStreamedNotSnapshotted) {
  constexpr int kRows = 20000;
  db_->Exec("CREATE TABLE ss (id int PRIMARY KEY, v int NOT NULL)");
  db_->Exec(absl::StrCat("INSERT INTO ss SELECT g, 0 FROM generate_series(1, ", kRows, ") g"));
  CreateTopics({"ss"});
  EventReader* reader = Reader({Topic("ss")});
  CaptureConfig config = Config({"ss"});
  config.connector["snapshot.fetch.size"] = "100";  // 200 round trips: writes land meanwhile
  CaptureProcess* capture = StartStreaming(config);
  ASSERT_NE(capture, nullptr);
  db_->Exec("UPDATE ss SET v = 1 WHERE id <= 500");
  db_->Exec("DELETE FROM ss WHERE id > 500 AND id <= 600");
  db_->Exec(absl::StrCat("INSERT INTO ss SELECT g, 2 FROM generate_series(", kRows + 1, ", ",
                         kRows + 500, ") g"));
  const bool overlapped = !absl::StrContains(capture->Stderr(), "snapshot done");

  std::vector<Event> events = reader->Read(kRows + 500 + 100 * 2 + 500, absl::Seconds(60));
  ASSERT_EQ(events.size(), static_cast<size_t>(kRows + 1200));
  std::map<int, int> snapshot_rows;  // id → copies
  size_t i = 0;
  for (; i < static_cast<size_t>(kRows); ++i) {
    const Json p = events[i].Payload();
    ASSERT_EQ(p["op"], "r") << i;
    EXPECT_EQ(p["after"]["v"], 0) << "a snapshot row shows a change made after the snapshot";
    ++snapshot_rows[p["after"]["id"].get<int>()];
    EXPECT_EQ(p["source"]["snapshot"], i == 0 ? "first" : i + 1 == kRows ? "last" : "true");
  }
  ASSERT_EQ(snapshot_rows.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(snapshot_rows.begin()->first, 1);
  EXPECT_EQ(snapshot_rows.rbegin()->first, kRows);
  std::map<std::string, std::set<int>> streamed;
  for (; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.tombstone()) {
      streamed["tombstone"].insert(e.KeyJson()["payload"]["id"].get<int>());
      continue;
    }
    const Json p = e.Payload();
    const Json& row = p["op"] == "d" ? p["before"] : p["after"];
    streamed[p["op"].get<std::string>()].insert(row["id"].get<int>());
    if (p["op"] == "u") {
      EXPECT_EQ(row["v"], 1);
    }
    if (p["op"] == "c") {
      EXPECT_EQ(row["v"], 2);
    }
  }
  auto range = [](int lo, int hi) {
    std::set<int> s;
    for (int k = lo; k <= hi; ++k) s.insert(k);
    return s;
  };
  EXPECT_EQ(streamed["u"], range(1, 500));
  EXPECT_EQ(streamed["d"], range(501, 600));
  EXPECT_EQ(streamed["tombstone"], range(501, 600));
  EXPECT_EQ(streamed["c"], range(kRows + 1, kRows + 500));
  EXPECT_EQ(streamed.size(), 4u);
  std::fprintf(stderr, "writes %s the snapshot\n", overlapped ? "overlapped" : "came after");
}

// 2. The reference table (deploy/local/sql/source.sql), field by field; updates' "before"
//    with REPLICA IDENTITY FULL (the whole old row) and DEFAULT (null).
TEST_F(CaptureTest, ReferenceTransactionDetailsEventsFieldByField) {
  const std::string ddl = ReadSourceFile("deploy/local/sql/source.sql");
  ASSERT_TRUE(absl::StrContains(ddl, "REPLICA IDENTITY FULL")) << "source.sql changed shape";
  db_->Exec(ddl);
  const std::string topic = Topic("transaction_details");
  CreateTopics({"transaction_details"});
  EventReader* reader = Reader({topic});
  ASSERT_NE(StartStreaming(Config({"transaction_details"})), nullptr);

  const Lsn lsn_before = db_->CurrentWalLsn();
  const int64_t ms_before = NowMs();
  db_->Exec("BEGIN");
  db_->Exec(
      "INSERT INTO public.transaction_details VALUES (42, 100001, 999999, 1234.56, "
      "'2025-07-22 09:30:00.123456', 7, 3, 2, 1, NULL)");
  const std::string xid = db_->Value("SELECT (pg_current_xact_id()::text::bigint % 4294967296)");
  db_->Exec("COMMIT");
  const int64_t ms_after = NowMs();
  const Lsn lsn_after = db_->CurrentWalLsn();

  std::vector<Event> created = reader->Read(1, kEventTimeout);
  ASSERT_EQ(created.size(), 1u);
  const Event& c = created[0];
  EXPECT_EQ(c.topic, topic);
  EXPECT_EQ(c.key, ExpectedKey(topic, "txn_id", "int64", 42));
  const Json value = c.ValueJson();
  ASSERT_EQ(value.size(), 2u);  // {"schema":…, "payload":…}
  EXPECT_EQ(value["schema"]["name"], topic + ".Envelope");
  const Json p = value["payload"];
  EXPECT_EQ(p["op"], "c");
  EXPECT_TRUE(p["before"].is_null());
  EXPECT_TRUE(p["transaction"].is_null());
  const Json& after = p["after"];
  EXPECT_EQ(after["txn_id"], 42);
  EXPECT_EQ(after["sender_account_id"], 100001);
  EXPECT_EQ(after["receiver_account_id"], 999999);
  EXPECT_EQ(after["amount"], "AeJA");  // 123456 big-endian two's complement, scale 2
  EXPECT_EQ(after["last_modified_date"], 1753176600123456);  // µs since the epoch
  EXPECT_EQ(after["product_id"], 7);
  EXPECT_EQ(after["product_type_id"], 3);
  EXPECT_EQ(after["transactor_module_id"], 2);
  EXPECT_EQ(after["module_id"], 1);
  EXPECT_TRUE(after["status"].is_null());
  EXPECT_EQ(after.size(), 10u);
  EXPECT_EQ(AfterFieldSchema(c, "amount").dump(),
            R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal",)"
            R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},)"
            R"("field":"amount"})");
  EXPECT_EQ(AfterFieldSchema(c, "last_modified_date").dump(),
            R"({"type":"int64","optional":false,"name":"io.debezium.time.MicroTimestamp",)"
            R"("version":1,"field":"last_modified_date"})");
  EXPECT_EQ(AfterFieldSchema(c, "status").dump(),
            R"({"type":"int32","optional":true,"field":"status"})");

  const Json& s = p["source"];
  EXPECT_EQ(s["version"], "3.1.3.Final");
  EXPECT_EQ(s["connector"], "postgresql");
  EXPECT_EQ(s["name"], id());
  EXPECT_EQ(s["db"], db_->name());
  EXPECT_EQ(s["schema"], "public");
  EXPECT_EQ(s["table"], "transaction_details");
  EXPECT_EQ(s["snapshot"], "false");
  EXPECT_EQ(s["txId"].dump(), xid);
  ASSERT_TRUE(s["lsn"].is_number_integer());
  const auto lsn = s["lsn"].get<uint64_t>();
  EXPECT_GE(lsn, lsn_before);  // the INSERT's record may start right there
  EXPECT_LT(lsn, lsn_after);
  // sequence: a JSON string holding [last commit LSN, this LSN] as decimal strings.
  ASSERT_TRUE(s["sequence"].is_string());
  const Json sequence = Json::parse(s["sequence"].get<std::string>());
  ASSERT_EQ(sequence.size(), 2u);
  EXPECT_EQ(sequence[1], std::to_string(lsn));
  uint64_t last_commit = 0;
  ASSERT_TRUE(sequence[0].is_string() &&
              absl::SimpleAtoi(sequence[0].get<std::string>(), &last_commit));
  EXPECT_LE(last_commit, lsn);  // equal for the first change after the slot's start
  // ts_*: the commit time, in three units.
  const int64_t ts_ms = s["ts_ms"].get<int64_t>();
  EXPECT_GE(ts_ms, ms_before - 1000);  // the server's clock: same host
  EXPECT_LE(ts_ms, ms_after + 1000);
  EXPECT_EQ(s["ts_us"].get<int64_t>() / 1000, ts_ms);
  EXPECT_EQ(s["ts_ns"].get<int64_t>(), s["ts_us"].get<int64_t>() * 1000);
  EXPECT_TRUE(s["xmin"].is_null());
  // Envelope ts_*: when cdc-capture processed it, after the commit.
  EXPECT_GE(p["ts_ms"].get<int64_t>(), ts_ms);
  EXPECT_EQ(p["ts_us"].get<int64_t>() / 1000, p["ts_ms"].get<int64_t>());

  // REPLICA IDENTITY FULL: the update's before is the whole old row.
  db_->Exec("UPDATE public.transaction_details SET status = 5, amount = 99.99 WHERE txn_id = 42");
  // DEFAULT: no old row.
  db_->Exec("ALTER TABLE public.transaction_details REPLICA IDENTITY DEFAULT");
  db_->Exec("UPDATE public.transaction_details SET status = 6 WHERE txn_id = 42");
  std::vector<Event> updates = reader->Read(2, kEventTimeout);
  ASSERT_EQ(updates.size(), 2u);
  const std::string old_row =
      R"({"txn_id":42,"sender_account_id":100001,"receiver_account_id":999999,"amount":"AeJA",)"
      R"("last_modified_date":1753176600123456,"product_id":7,"product_type_id":3,)"
      R"("transactor_module_id":2,"module_id":1,"status":null})";
  const std::string row5 =
      R"({"txn_id":42,"sender_account_id":100001,"receiver_account_id":999999,"amount":"Jw8=",)"
      R"("last_modified_date":1753176600123456,"product_id":7,"product_type_id":3,)"
      R"("transactor_module_id":2,"module_id":1,"status":5})";
  const std::string row6 =
      R"({"txn_id":42,"sender_account_id":100001,"receiver_account_id":999999,"amount":"Jw8=",)"
      R"("last_modified_date":1753176600123456,"product_id":7,"product_type_id":3,)"
      R"("transactor_module_id":2,"module_id":1,"status":6})";
  EXPECT_EQ(updates[0].Op(), "u");
  EXPECT_EQ(updates[0].Payload()["before"].dump(), old_row);
  EXPECT_EQ(updates[0].Payload()["after"].dump(), row5);
  EXPECT_EQ(updates[1].Op(), "u");
  EXPECT_TRUE(updates[1].Payload()["before"].is_null());
  EXPECT_EQ(updates[1].Payload()["after"].dump(), row6);
  EXPECT_GT(SourceLsn(updates[1]), SourceLsn(updates[0]));
}

// 3. A primary-key change: delete of the old key, its tombstone, create of the new key.
TEST_F(CaptureTest, PrimaryKeyChangeIsDeleteTombstoneCreate) {
  db_->Exec("CREATE TABLE k (id int PRIMARY KEY, name text NOT NULL, note text)");
  CreateTopics({"k"});
  EventReader* reader = Reader({Topic("k")});
  ASSERT_NE(StartStreaming(Config({"k"})), nullptr);
  db_->Exec("INSERT INTO k VALUES (1, 'one', 'n')");
  db_->Exec("UPDATE k SET id = 100, name = 'hundred' WHERE id = 1");

  std::vector<Event> events = reader->Read(4, kEventTimeout);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].Op(), "c");
  EXPECT_EQ(events[0].key, ExpectedKey(Topic("k"), "id", "int32", 1));

  EXPECT_EQ(events[1].key, ExpectedKey(Topic("k"), "id", "int32", 1));
  EXPECT_EQ(events[1].Op(), "d");
  // The old key only (REPLICA IDENTITY DEFAULT): NOT NULL name gets the fallback "".
  EXPECT_EQ(events[1].Payload()["before"].dump(), R"({"id":1,"name":"","note":null})");
  EXPECT_TRUE(events[1].Payload()["after"].is_null());

  EXPECT_EQ(events[2].key, ExpectedKey(Topic("k"), "id", "int32", 1));
  EXPECT_TRUE(events[2].tombstone());

  EXPECT_EQ(events[3].key, ExpectedKey(Topic("k"), "id", "int32", 100));
  EXPECT_EQ(events[3].Op(), "c");
  EXPECT_TRUE(events[3].Payload()["before"].is_null());
  EXPECT_EQ(events[3].Payload()["after"].dump(), R"({"id":100,"name":"hundred","note":"n"})");
  // Both halves come from one WAL change.
  EXPECT_EQ(SourceLsn(events[1]), SourceLsn(events[3]));
  EXPECT_EQ(events[1].Payload()["source"]["txId"], events[3].Payload()["source"]["txId"]);
  EXPECT_GT(SourceLsn(events[1]), SourceLsn(events[0]));
}

// 4. Many column types: the exact values and schemas Debezium defines, identical whether
//    the row comes from the snapshot (SELECT) or from the stream (pgoutput).
TEST_F(CaptureTest, ColumnTypesEncodeAsDebeziumInSnapshotAndStream) {
  db_->Exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
  db_->Exec("CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)");
  db_->Exec(
      "CREATE TABLE types (id int PRIMARY KEY, n numeric(10,3), nv numeric, i2 int2, i4 int4, "
      "i8 int8, f4 float4, f8 float8, b bool, t text, vc varchar(20), c3 char(3), d date, "
      "tm time, ts3 timestamp(3), ts timestamp, tstz timestamptz, iv interval, u uuid, j json, "
      "jb jsonb, by bytea, ia int[], ta text[], e mood, dm positive_int)");
  const std::string values =
      R"(12345.678, 3.14159, -32768, 2147483647, -9223372036854775808, 1.1, 123456789, true, )"
      R"(E'line\nbreak "q" \\ é', 'abc', 'ab', '2025-07-22', '09:30:00.123456', )"
      R"('2025-07-22 09:30:00.123', '2025-07-22 09:30:00.123456', )"
      R"('2025-07-22 11:30:00.123456+02', '1 year 2 mons 3 days 04:05:06.789', )"
      R"('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, "x"]}', '{"b": 2, "a": 1}', )"
      R"('\x0001ff', '{1,2,NULL}', '{"a b","c\"d",NULL,"NULL",plain}', 'happy', 42)";
  db_->Exec("INSERT INTO types VALUES (1, " + values + ")");
  db_->Exec("INSERT INTO types (id) VALUES (3)");  // all NULL
  CreateTopics({"types"});
  EventReader* reader = Reader({Topic("types")});
  ASSERT_NE(StartCapture(Config({"types"})), nullptr);
  std::vector<Event> snapshot = reader->Read(2, kEventTimeout);
  ASSERT_EQ(snapshot.size(), 2u);
  ASSERT_TRUE(db_->WaitSlotConsistent(absl::Seconds(10)));
  db_->Exec("INSERT INTO types VALUES (2, " + values + ")");
  std::vector<Event> stream = reader->Read(1, kEventTimeout);
  ASSERT_EQ(stream.size(), 1u);

  // field → (JSON value, field schema)
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> expected = {
      {"n",
       {R"("ALxhTg==")",
        R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
        R"("version":1,"parameters":{"scale":"3","connect.decimal.precision":"10"},"field":"n"})"}},
      {"nv",
       {R"({"scale":5,"value":"BMsv"})",
        R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
        R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
        R"("name":"io.debezium.data.VariableScaleDecimal","version":1,)"
        R"("doc":"Variable scaled decimal","field":"nv"})"}},
      {"i2", {"-32768", R"({"type":"int16","optional":true,"field":"i2"})"}},
      {"i4", {"2147483647", R"({"type":"int32","optional":true,"field":"i4"})"}},
      {"i8", {"-9223372036854775808", R"({"type":"int64","optional":true,"field":"i8"})"}},
      {"f4", {"1.1", R"({"type":"float","optional":true,"field":"f4"})"}},
      {"f8", {"123456789.0", R"({"type":"double","optional":true,"field":"f8"})"}},
      {"b", {"true", R"({"type":"boolean","optional":true,"field":"b"})"}},
      {"t", {R"("line\nbreak \"q\" \\ é")", R"({"type":"string","optional":true,"field":"t"})"}},
      {"vc", {R"("abc")", R"({"type":"string","optional":true,"field":"vc"})"}},
      {"c3", {R"("ab ")", R"({"type":"string","optional":true,"field":"c3"})"}},
      {"d",
       {"20291", R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,)"
                 R"("field":"d"})"}},
      {"tm",
       {"34200123456",
        R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,)"
        R"("field":"tm"})"}},
      {"ts3",
       {"1753176600123",
        R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,)"
        R"("field":"ts3"})"}},
      {"ts",
       {"1753176600123456",
        R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp",)"
        R"("version":1,"field":"ts"})"}},
      {"tstz",
       {R"("2025-07-22T09:30:00.123456Z")",
        R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp",)"
        R"("version":1,"field":"tstz"})"}},
      {"iv",
       {"37091106789000",
        R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration",)"
        R"("version":1,"field":"iv"})"}},
      {"u",
       {R"("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")",
        R"({"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1,)"
        R"("field":"u"})"}},
      {"j",
       {R"("{\"a\": [1, \"x\"]}")",
        R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,)"
        R"("field":"j"})"}},
      // jsonb is stored normalised: keys sorted, one space after ':' and ','.
      {"jb",
       {R"("{\"a\": 1, \"b\": 2}")",
        R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,)"
        R"("field":"jb"})"}},
      {"by", {R"("AAH/")", R"({"type":"bytes","optional":true,"field":"by"})"}},
      {"ia",
       {"[1,2,null]", R"({"type":"array","items":{"type":"int32","optional":true},"optional":true,)"
                      R"("field":"ia"})"}},
      {"ta",
       {R"(["a b","c\"d",null,"NULL","plain"])",
        R"({"type":"array","items":{"type":"string","optional":true},"optional":true,)"
        R"("field":"ta"})"}},
      {"e",
       {R"("happy")",
        R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
        R"("parameters":{"allowed":"sad,ok,happy"},"field":"e"})"}},
      {"dm", {"42", R"({"type":"int32","optional":true,"field":"dm"})"}},
  };

  const Event* full_snapshot = nullptr;
  const Event* null_snapshot = nullptr;
  for (const Event& e : snapshot) {
    const int id = e.Payload()["after"]["id"].get<int>();
    (id == 1 ? full_snapshot : null_snapshot) = &e;
  }
  ASSERT_NE(full_snapshot, nullptr);
  ASSERT_NE(null_snapshot, nullptr);
  EXPECT_EQ(full_snapshot->Op(), "r");
  EXPECT_EQ(stream[0].Op(), "c");
  for (const Event* e : std::vector<const Event*>{full_snapshot, &stream[0]}) {
    SCOPED_TRACE(e->Op() == "r" ? "snapshot row" : "streamed row");
    const Json after = e->Payload()["after"];
    ASSERT_EQ(after.size(), expected.size() + 1);
    for (const auto& [field, want] : expected) {
      EXPECT_EQ(after[field].dump(), want.first) << field;
      EXPECT_EQ(AfterFieldSchema(*e, field).dump(), want.second) << field;
    }
    // Floating point as Jackson writes it (the parsed dump above loses the notation).
    EXPECT_TRUE(absl::StrContains(*e->value, R"("f4":1.1,)")) << *e->value;
    EXPECT_TRUE(absl::StrContains(*e->value, R"("f8":1.23456789E8,)")) << *e->value;
    EXPECT_EQ(AfterFieldSchema(*e, "id").dump(),
              R"({"type":"int32","optional":false,"field":"id"})");
  }
  // NULL in every nullable column.
  const Json nulls = null_snapshot->Payload()["after"];
  for (const auto& [field, want] : expected) EXPECT_TRUE(nulls[field].is_null()) << field;
}

// 5. An unchanged TOASTed column with REPLICA IDENTITY DEFAULT: Debezium's placeholder.
TEST_F(CaptureTest, UnchangedToastColumnIsUnavailableValuePlaceholder) {
  db_->Exec("CREATE TABLE doc (id int PRIMARY KEY, title text, body text)");
  // EXTERNAL: stored out of line, uncompressed, as soon as the row exceeds ~2 kB.
  db_->Exec("ALTER TABLE doc ALTER COLUMN body SET STORAGE EXTERNAL");
  CreateTopics({"doc"});
  EventReader* reader = Reader({Topic("doc")});
  ASSERT_NE(StartStreaming(Config({"doc"})), nullptr);
  const std::string big = std::string(10000, 'x') + "end";
  db_->Exec("INSERT INTO doc VALUES (1, 't1', repeat('x', 10000) || 'end')");
  db_->Exec("UPDATE doc SET title = 't2' WHERE id = 1");
  db_->Exec("UPDATE doc SET body = 'short' WHERE id = 1");
  db_->Exec("UPDATE doc SET title = 't3' WHERE id = 1");  // body no longer TOASTed

  std::vector<Event> events = reader->Read(4, kEventTimeout);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].Op(), "c");
  EXPECT_EQ(events[0].Payload()["after"]["body"], big);
  EXPECT_EQ(events[1].Op(), "u");
  EXPECT_TRUE(events[1].Payload()["before"].is_null());
  EXPECT_EQ(events[1].Payload()["after"].dump(),
            R"({"id":1,"title":"t2","body":"__debezium_unavailable_value"})");
  EXPECT_EQ(events[2].Payload()["after"].dump(), R"({"id":1,"title":"t2","body":"short"})");
  EXPECT_EQ(events[3].Payload()["after"].dump(), R"({"id":1,"title":"t3","body":"short"})");
}

// 6a. TRUNCATE is skipped by default (skipped.operations defaults to "t").
TEST_F(CaptureTest, TruncateIsSkippedByDefault) {
  db_->Exec("CREATE TABLE tr (id int PRIMARY KEY)");
  CreateTopics({"tr"});
  EventReader* reader = Reader({Topic("tr")});
  ASSERT_NE(StartStreaming(Config({"tr"})), nullptr);
  db_->Exec("INSERT INTO tr VALUES (1)");
  db_->Exec("TRUNCATE tr");
  db_->Exec("INSERT INTO tr VALUES (2)");
  std::vector<Event> events = reader->Read(2, kEventTimeout);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].Op(), "c");
  EXPECT_EQ(events[0].Payload()["after"]["id"], 1);
  // The marker right after the truncate: nothing in between.
  EXPECT_EQ(events[1].Op(), "c");
  EXPECT_EQ(events[1].Payload()["after"]["id"], 2);
}

// 6b. skipped.operations: none → TRUNCATE is an op "t" event (null key, no rows).
TEST_F(CaptureTest, TruncateIsOpTWhenSkippedOperationsIsNone) {
  db_->Exec("CREATE TABLE tr (id int PRIMARY KEY)");
  CreateTopics({"tr"});
  EventReader* reader = Reader({Topic("tr")});
  CaptureConfig config = Config({"tr"});
  config.connector["skipped.operations"] = "none";
  ASSERT_NE(StartStreaming(config), nullptr);
  db_->Exec("INSERT INTO tr VALUES (1)");
  db_->Exec("TRUNCATE tr");
  db_->Exec("INSERT INTO tr VALUES (2)");
  std::vector<Event> events = reader->Read(3, kEventTimeout);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].Op(), "c");
  EXPECT_FALSE(events[1].key.has_value());
  ASSERT_FALSE(events[1].tombstone());
  const Json t = events[1].Payload();
  EXPECT_EQ(t["op"], "t");
  EXPECT_TRUE(t["before"].is_null());
  EXPECT_TRUE(t["after"].is_null());
  EXPECT_EQ(t["source"]["table"], "tr");
  EXPECT_GT(SourceLsn(events[1]), SourceLsn(events[0]));
  EXPECT_EQ(events[2].Op(), "c");
  EXPECT_EQ(events[2].Payload()["after"]["id"], 2);
}

// 7. ExtractNewRecordState (transforms.unwrap, delete.tombstone.handling.mode rewrite): flat
//    rows with __deleted, __op, __source_table, __ts_ms; no tombstones.
TEST_F(CaptureTest, FlattenedRowsWithRewrittenDeletes) {
  db_->Exec("CREATE TABLE f (id int PRIMARY KEY, name text)");
  db_->Exec("ALTER TABLE f REPLICA IDENTITY FULL");
  db_->Exec("INSERT INTO f VALUES (1, 'a')");
  CreateTopics({"f"});
  EventReader* reader = Reader({Topic("f")});
  CaptureConfig config = Config({"f"});
  config.connector["transforms.unwrap.enabled"] = "true";
  config.connector["transforms.unwrap.delete.tombstone.handling.mode"] = "rewrite";
  ASSERT_NE(StartCapture(config), nullptr);
  std::vector<Event> snapshot = reader->Read(1, kEventTimeout);
  ASSERT_EQ(snapshot.size(), 1u);
  ASSERT_TRUE(db_->WaitSlotConsistent(absl::Seconds(10)));
  const int64_t ms_before = NowMs();
  db_->Exec("INSERT INTO f VALUES (2, 'b')");
  db_->Exec("UPDATE f SET name = 'b2' WHERE id = 2");
  db_->Exec("DELETE FROM f WHERE id = 1");
  db_->Exec("INSERT INTO f VALUES (3, 'marker')");
  std::vector<Event> stream = reader->Read(4, kEventTimeout);
  ASSERT_EQ(stream.size(), 4u);
  const int64_t ms_after = NowMs();

  struct Expected {
    int key;
    std::string row;  // without __ts_ms
  };
  const std::vector<Expected> expected = {
      {1, R"({"id":1,"name":"a","__deleted":"false","__op":"r","__source_table":"f"})"},
      {2, R"({"id":2,"name":"b","__deleted":"false","__op":"c","__source_table":"f"})"},
      {2, R"({"id":2,"name":"b2","__deleted":"false","__op":"u","__source_table":"f"})"},
      {1, R"({"id":1,"name":"a","__deleted":"true","__op":"d","__source_table":"f"})"},
      {3, R"({"id":3,"name":"marker","__deleted":"false","__op":"c","__source_table":"f"})"},
  };
  std::vector<Event> all = std::move(snapshot);
  for (Event& e : stream) all.push_back(std::move(e));
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("record ", i));
    const Event& e = all[i];
    EXPECT_EQ(e.key, ExpectedKey(Topic("f"), "id", "int32", expected[i].key));
    ASSERT_FALSE(e.tombstone());
    const Json v = e.ValueJson();
    EXPECT_EQ(v["schema"]["name"], Topic("f") + ".Value");
    Json row = v["payload"];
    ASSERT_TRUE(row.contains("__ts_ms"));
    const int64_t ts = row["__ts_ms"].get<int64_t>();
    if (i > 0) {
      EXPECT_GE(ts, ms_before);
      EXPECT_LE(ts, ms_after);
    }
    row.erase("__ts_ms");
    EXPECT_EQ(row.dump(), expected[i].row);
  }
}

// 8. Schema changes while streaming: each next event has the new shape.
TEST_F(CaptureTest, SchemaChangesWhileStreamingShowInTheNextEvents) {
  db_->Exec("CREATE TABLE s (id int PRIMARY KEY, a text)");
  CreateTopics({"s"});
  EventReader* reader = Reader({Topic("s")});
  ASSERT_NE(StartStreaming(Config({"s"})), nullptr);
  auto next = [&]() -> Event {
    std::vector<Event> e = reader->Read(1, kEventTimeout);
    if (e.size() != 1) {
      ADD_FAILURE() << "no event";
      return Event{};
    }
    return std::move(e[0]);
  };

  db_->Exec("INSERT INTO s VALUES (1, 'one')");
  Event e = next();
  EXPECT_EQ(e.Payload()["after"].dump(), R"({"id":1,"a":"one"})");
  EXPECT_EQ(AfterFieldNames(e), (std::vector<std::string>{"id", "a"}));

  db_->Exec("ALTER TABLE s ADD COLUMN b int NOT NULL DEFAULT 7");
  db_->Exec("INSERT INTO s VALUES (2, 'two', 22)");
  e = next();
  EXPECT_EQ(e.Payload()["after"].dump(), R"({"id":2,"a":"two","b":22})");
  EXPECT_EQ(AfterFieldSchema(e, "b").dump(), R"({"type":"int32","optional":false,"field":"b"})");
  db_->Exec("UPDATE s SET a = 'one-b' WHERE id = 1");
  e = next();
  EXPECT_EQ(e.Payload()["after"].dump(), R"({"id":1,"a":"one-b","b":7})");

  db_->Exec("ALTER TABLE s DROP COLUMN a");
  db_->Exec("INSERT INTO s VALUES (3, 33)");
  e = next();
  EXPECT_EQ(e.Payload()["after"].dump(), R"({"id":3,"b":33})");
  EXPECT_EQ(AfterFieldNames(e), (std::vector<std::string>{"id", "b"}));

  db_->Exec("ALTER TABLE s ALTER COLUMN b TYPE bigint");
  db_->Exec("INSERT INTO s VALUES (4, 9999999999)");
  e = next();
  EXPECT_EQ(e.Payload()["after"].dump(), R"({"id":4,"b":9999999999})");
  EXPECT_EQ(AfterFieldSchema(e, "b").dump(), R"({"type":"int64","optional":false,"field":"b"})");

  db_->Exec("ALTER TABLE s RENAME COLUMN b TO c");
  db_->Exec("ALTER TABLE s ALTER COLUMN c DROP NOT NULL");
  db_->Exec("INSERT INTO s VALUES (5, NULL)");
  e = next();
  EXPECT_EQ(e.Payload()["after"].dump(), R"({"id":5,"c":null})");
  EXPECT_EQ(AfterFieldSchema(e, "c").dump(), R"({"type":"int64","optional":true,"field":"c"})");
  EXPECT_EQ(AfterFieldNames(e), (std::vector<std::string>{"id", "c"}));
}

// 9a. Once a transaction's events are in Kafka, the slot is confirmed past its commit within
//     ~2 s (not on the 60 s status timer set here).
TEST_F(CaptureTest, ConfirmsFlushLsnPromptlyAfterKafkaAcknowledged) {
  db_->Exec("CREATE TABLE l (id int PRIMARY KEY)");
  CreateTopics({"l"});
  EventReader* reader = Reader({Topic("l")});
  CaptureConfig config = Config({"l"});
  config.connector["status.update.interval.ms"] = "60000";
  ASSERT_NE(StartStreaming(config), nullptr);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const auto txn =
        db_->CommitTxn({absl::StrCat("INSERT INTO l SELECT g FROM generate_series(",
                                     round * 100 + 1, ", ", round * 100 + 100, ") g")});
    ASSERT_TRUE(txn.has_value());
    ASSERT_EQ(reader->Read(100, kEventTimeout).size(), 100u);
    const absl::Time delivered = absl::Now();
    const Lsn confirmed = db_->WaitConfirmedAtLeast(txn->commit_end, absl::Seconds(2));
    EXPECT_GE(confirmed, txn->commit_end)
        << "confirmed " << FormatLsn(confirmed) << " < commit end " << FormatLsn(txn->commit_end)
        << " 2 s after the events were consumed";
    std::fprintf(stderr, "round %d: confirmed %s after %s\n", round, FormatLsn(confirmed).c_str(),
                 absl::FormatDuration(absl::Now() - delivered).c_str());
  }
}

// 9c. Backpressure: with at most 10 events in flight (kafka.max.queue.size) a 2,000-row
//     transaction and 200 small ones still all arrive, in order, and are confirmed.
TEST_F(CaptureTest, SmallInFlightLimitStillDeliversEverythingInOrder) {
  db_->Exec("CREATE TABLE bp (id int PRIMARY KEY)");
  CreateTopics({"bp"});
  EventReader* reader = Reader({Topic("bp")});
  CaptureConfig config = Config({"bp"});
  config.kafka["max.queue.size"] = "10";
  ASSERT_NE(StartStreaming(config), nullptr);
  db_->Exec("INSERT INTO bp SELECT generate_series(1, 2000)");
  std::optional<TestDatabase::Committed> last;
  for (int i = 2001; i <= 2200; ++i) {
    last = db_->CommitTxn({absl::StrCat("INSERT INTO bp VALUES (", i, ")")});
    ASSERT_TRUE(last.has_value());
  }
  std::vector<Event> events = reader->Read(2200, absl::Seconds(60));
  ASSERT_EQ(events.size(), 2200u);
  for (int i = 0; i < 2200; ++i) {
    ASSERT_EQ(events[i].Payload()["after"]["id"], i + 1) << "out of order at " << i;
  }
  EXPECT_GE(db_->WaitConfirmedAtLeast(last->commit_end, absl::Seconds(10)), last->commit_end);
}

// 9b. With nothing to send (an idle database, then writes only to a table outside the
//     publication) the slot still follows the WAL, from the server's keepalives.
TEST_F(CaptureTest, IdleAndFilteredOutDatabaseStillAdvancesTheSlot) {
  db_->Exec("CREATE TABLE captured (id int PRIMARY KEY)");
  db_->Exec("CREATE TABLE ignored (id int PRIMARY KEY, pad text)");
  CreateTopics({"captured"});
  CaptureConfig config = Config({"captured"});
  config.connector["status.update.interval.ms"] = "60000";
  ASSERT_NE(StartStreaming(config), nullptr);
  ASSERT_TRUE(db_->WaitSlotConsistent(absl::Seconds(10)));

  // The targets are the exact commit ends of the unrelated transactions (pg_walinspect), not
  // pg_current_wal_lsn(): that is the *written* position, which may include records of other
  // sessions not yet flushed, and no walsender sends (or keepalives cover) unflushed WAL.
  //
  // Idle: WAL written only elsewhere, by a transaction in the "postgres" database that the
  // decoding of this database skips.
  const Lsn idle_start = db_->Slot()->confirmed_flush.value_or(0);
  auto other = ConnectAdmin("postgres");
  ASSERT_TRUE(other.ok()) << other.status();
  const auto idle = db_->CommitTxnOn(**other, {"SELECT pg_logical_emit_message(true, 'cdc-it', "
                                               "'idle')"});
  ASSERT_TRUE(idle.has_value());
  ASSERT_GT(idle->commit_end, idle_start);
  Lsn confirmed = db_->WaitConfirmedAtLeast(idle->commit_end, absl::Seconds(5));
  EXPECT_GE(confirmed, idle->commit_end) << "idle database: slot at " << FormatLsn(confirmed)
                                         << ", WAL at " << FormatLsn(idle->commit_end);

  // Only writes to a table outside the publication: no events, but the slot advances.
  const auto filtered = db_->CommitTxn(
      {"INSERT INTO ignored SELECT g, repeat('p', 200) FROM generate_series(1, 2000) g",
       "UPDATE ignored SET pad = 'q'"});
  ASSERT_TRUE(filtered.has_value());
  ASSERT_GT(filtered->commit_end, idle->commit_end + 100000) << "the writes should produce WAL";
  confirmed = db_->WaitConfirmedAtLeast(filtered->commit_end, absl::Seconds(5));
  EXPECT_GE(confirmed, filtered->commit_end)
      << "filtered-out writes: slot at " << FormatLsn(confirmed) << ", WAL at "
      << FormatLsn(filtered->commit_end);
  EventReader* reader = Reader({Topic("captured")});
  EXPECT_TRUE(reader->ReadFor(absl::Milliseconds(300)).empty());
}

// 12. Admin gRPC: GetStatus (slot, confirmed LSN, per-table counts); Pause stops events and
//     confirmation while inserts go on; Resume delivers what was missed.
TEST_F(CaptureTest, AdminStatusPauseAndResume) {
  db_->Exec("CREATE TABLE a (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO a VALUES (1, 'x'), (2, 'y')");
  CreateTopics({"a"});
  EventReader* reader = Reader({Topic("a")});
  CaptureConfig config = Config({"a"});
  config.admin_port = testutil::UnusedLoopbackPort();
  ASSERT_NE(StartCapture(config), nullptr);
  ASSERT_EQ(reader->Read(2, kEventTimeout).size(), 2u);  // snapshot
  ASSERT_TRUE(db_->WaitSlotConsistent(absl::Seconds(10)));
  db_->Exec("INSERT INTO a VALUES (3, 'z')");
  db_->Exec("INSERT INTO a VALUES (4, 'w')");
  db_->Exec("UPDATE a SET v = 'x2' WHERE id = 1");
  const auto last = db_->CommitTxn({"DELETE FROM a WHERE id = 2"});
  ASSERT_TRUE(last.has_value());
  ASSERT_EQ(reader->Read(5, kEventTimeout).size(), 5u);  // c c u d tombstone
  const Lsn settled = last->commit_end;
  ASSERT_GE(db_->WaitConfirmedAtLeast(settled, absl::Seconds(5)), settled);

  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", config.admin_port),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::Admin::NewStub(channel);
  auto get_status = [&](v1::GetStatusResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->GetStatus(&ctx, v1::GetStatusRequest(), out);
  };
  auto component = [](const v1::GetStatusResponse& r,
                      const std::string& name) -> const v1::ComponentStatus* {
    for (const auto& c : r.components()) {
      if (c.name() == name) return &c;
    }
    return nullptr;
  };

  // GetStatus: its confirmed LSN is what the slot shows.
  v1::GetStatusResponse status;
  bool lsn_matches = testutil::WaitFor(
      [&] {
        status.Clear();
        if (!get_status(&status).ok()) return false;
        const v1::ComponentStatus* repl = component(status, "replication");
        const std::optional<SlotState> slot = db_->Slot();
        return repl != nullptr && slot && slot->confirmed_flush &&
               repl->attributes().at("confirmed_lsn") == FormatLsn(*slot->confirmed_flush) &&
               *slot->confirmed_flush >= settled;
      },
      absl::Seconds(10), absl::Milliseconds(50));
  ASSERT_TRUE(lsn_matches) << status.DebugString();
  EXPECT_EQ(status.state(), v1::COMPONENT_STATE_RUNNING);
  const v1::ComponentStatus* repl = component(status, "replication");
  ASSERT_NE(repl, nullptr);
  EXPECT_EQ(repl->attributes().at("slot"), id());
  EXPECT_EQ(repl->attributes().at("publication"), id());
  EXPECT_EQ(repl->counters().at("snapshot_rows"), 2);
  const v1::ComponentStatus* table = component(status, "table:public.a");
  ASSERT_NE(table, nullptr) << status.DebugString();
  EXPECT_EQ(table->counters().at("r"), 2);
  EXPECT_EQ(table->counters().at("c"), 2);
  EXPECT_EQ(table->counters().at("u"), 1);
  EXPECT_EQ(table->counters().at("d"), 1);

  // Pause.
  {
    grpc::ClientContext ctx;
    v1::PauseRequest request;
    request.set_reason("integration test");
    v1::PauseResponse response;
    ASSERT_TRUE(stub->Pause(&ctx, request, &response).ok());
    EXPECT_TRUE(response.changed());
  }
  status.Clear();
  ASSERT_TRUE(get_status(&status).ok());
  EXPECT_EQ(status.state(), v1::COMPONENT_STATE_PAUSED);
  std::vector<TestDatabase::Committed> paused_txns;
  for (int i = 10; i < 15; ++i) {
    auto txn = db_->CommitTxn({absl::StrCat("INSERT INTO a VALUES (", i, ", 'p')")});
    ASSERT_TRUE(txn.has_value());
    paused_txns.push_back(*txn);
  }
  EXPECT_TRUE(reader->ReadFor(absl::Milliseconds(1500)).empty()) << "events while paused";
  const std::optional<SlotState> paused_slot = db_->Slot();
  ASSERT_TRUE(paused_slot && paused_slot->confirmed_flush);
  EXPECT_LT(*paused_slot->confirmed_flush, paused_txns.front().commit_end)
      << "confirmed the first paused (undelivered) transaction";
  status.Clear();
  ASSERT_TRUE(get_status(&status).ok());
  EXPECT_EQ(component(status, "table:public.a")->counters().at("c"), 2);

  // Resume: the five inserts arrive, in order, and the slot moves past them.
  {
    grpc::ClientContext ctx;
    v1::ResumeResponse response;
    ASSERT_TRUE(stub->Resume(&ctx, v1::ResumeRequest(), &response).ok());
    EXPECT_TRUE(response.changed());
  }
  std::vector<Event> resumed = reader->Read(5, kEventTimeout);
  ASSERT_EQ(resumed.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(resumed[i].Op(), "c");
    EXPECT_EQ(resumed[i].Payload()["after"]["id"], 10 + i);
  }
  EXPECT_GE(db_->WaitConfirmedAtLeast(paused_txns.back().commit_end, absl::Seconds(5)),
            paused_txns.back().commit_end);
  status.Clear();
  ASSERT_TRUE(get_status(&status).ok());
  EXPECT_EQ(status.state(), v1::COMPONENT_STATE_RUNNING);
  EXPECT_EQ(component(status, "table:public.a")->counters().at("c"), 7);
}

// 13. Heartbeats on __cdcflow-heartbeat.<prefix> every heartbeat.interval.ms, as Debezium
//     writes them with the JSON converter (schemas ServerNameKey and Heartbeat).
TEST_F(CaptureTest, HeartbeatsAtTheConfiguredInterval) {
  db_->Exec("CREATE TABLE h (id int PRIMARY KEY)");
  CreateTopics({"h"});
  const std::string topic = "__cdcflow-heartbeat." + id();
  ASSERT_TRUE(topics_->Add(topic).ok());
  EventReader* reader = Reader({topic});
  CaptureConfig config = Config({"h"});
  config.connector["heartbeat.interval.ms"] = "300";
  ASSERT_NE(StartStreaming(config), nullptr);
  std::vector<Event> beats = reader->Read(6, kEventTimeout);
  ASSERT_EQ(beats.size(), 6u);
  int64_t previous = 0;
  for (const Event& b : beats) {
    EXPECT_EQ(b.key, absl::StrCat(R"({"schema":{"type":"struct","fields":[{"type":"string",)"
                                  R"("optional":false,"field":"serverName"}],"optional":false,)"
                                  R"("name":"io.debezium.connector.common.ServerNameKey",)"
                                  R"("version":1},"payload":{"serverName":")",
                                  id(), R"("}})"));
    ASSERT_TRUE(b.value.has_value());
    const Json v = b.ValueJson();
    ASSERT_EQ(v.size(), 2u) << *b.value;
    EXPECT_EQ(v["schema"].dump(),
              R"({"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],)"
              R"("optional":false,"name":"io.debezium.connector.common.Heartbeat","version":1})");
    ASSERT_EQ(v["payload"].size(), 1u) << *b.value;
    const int64_t ts = v["payload"]["ts_ms"].get<int64_t>();
    if (previous != 0) {
      EXPECT_GE(ts - previous, 299);   // never more often than the interval
      EXPECT_LE(ts - previous, 1500);  // and about at it (the loop wakes every 100 ms)
    }
    previous = ts;
  }
}

// 13b. With key/value.converter.schemas.enable false: bare JSON keys, envelopes and
//      heartbeats.
TEST_F(CaptureTest, SchemalessJsonKeysEventsAndHeartbeats) {
  db_->Exec("CREATE TABLE h (id int PRIMARY KEY, v text)");
  CreateTopics({"h"});
  const std::string heartbeat_topic = "__cdcflow-heartbeat." + id();
  ASSERT_TRUE(topics_->Add(heartbeat_topic).ok());
  EventReader* beats = Reader({heartbeat_topic});
  EventReader* reader = Reader({Topic("h")});
  CaptureConfig config = Config({"h"});
  config.connector["heartbeat.interval.ms"] = "300";
  config.connector["key.converter.schemas.enable"] = "false";
  config.connector["value.converter.schemas.enable"] = "false";
  ASSERT_NE(StartStreaming(config), nullptr);
  db_->Exec("INSERT INTO h VALUES (1, 'one')");
  std::vector<Event> events = reader->Read(1, kEventTimeout);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, R"({"id":1})");
  const Json v = events[0].ValueJson();
  ASSERT_FALSE(v.contains("schema")) << *events[0].value;
  EXPECT_EQ(v["op"], "c");
  EXPECT_EQ(v["after"].dump(), R"({"id":1,"v":"one"})");
  EXPECT_EQ(v["source"]["table"], "h");
  std::vector<Event> hb = beats->Read(2, kEventTimeout);
  ASSERT_EQ(hb.size(), 2u);
  for (const Event& b : hb) {
    EXPECT_EQ(b.key, absl::StrCat(R"({"serverName":")", id(), R"("})"));
    ASSERT_TRUE(b.value.has_value());
    const Json bv = b.ValueJson();
    ASSERT_EQ(bv.size(), 1u) << *b.value;
    EXPECT_TRUE(bv["ts_ms"].is_number_integer());
  }
}

// Kafka Connect's topic.creation.default.* (the seed connector sets partitions: 3): every topic
// the connector writes to, heartbeats included, is created with those settings before its
// first event, not left to the broker's auto-creation (1 partition here).
TEST_F(CaptureTest, CreatesItsTopicsAsTopicCreationDefaultSays) {
  db_->Exec("CREATE TABLE tc (id int PRIMARY KEY, v text)");
  const std::string topic = Topic("tc");
  const std::string heartbeat_topic = "__cdcflow-heartbeat." + id();
  topics_->Track(topic);  // created by cdc-capture, deleted at the end
  topics_->Track(heartbeat_topic);
  CaptureConfig config = Config({"tc"});
  config.connector["topic.creation.default.partitions"] = "3";
  config.connector["topic.creation.default.replication.factor"] = "-1";  // broker default
  config.connector["topic.creation.default.retention.ms"] = "3600000";
  config.connector["heartbeat.interval.ms"] = "300";
  ASSERT_NE(StartStreaming(config), nullptr);
  db_->Exec("INSERT INTO tc SELECT g, 'v' FROM generate_series(1, 20) g");

  auto admin = kafka::Admin::Create({.bootstrap_servers = testutil::KafkaBootstrap()});
  ASSERT_TRUE(admin.ok()) << admin.status();
  for (const std::string& t : {topic, heartbeat_topic}) {
    absl::StatusOr<int> partitions = (*admin)->AwaitTopic(t, kEventTimeout);
    ASSERT_TRUE(partitions.ok()) << t << ": " << partitions.status();
    EXPECT_EQ(*partitions, 3) << t;
    absl::StatusOr<std::map<std::string, std::string>> configs = (*admin)->DescribeTopicConfig(t);
    ASSERT_TRUE(configs.ok()) << configs.status();
    EXPECT_EQ((*configs)["retention.ms"], "3600000") << t;
  }
  // All 20 events arrive, spread over the partitions by key.
  EventReader* reader = Reader({topic});
  std::vector<Event> events = reader->Read(20, kEventTimeout);
  ASSERT_EQ(events.size(), 20u);
  std::set<int> partitions;
  for (const Event& e : events) partitions.insert(e.partition);
  EXPECT_GT(partitions.size(), 1u);
}

}  // namespace
}  // namespace cdcflow::cdc_capture::it
