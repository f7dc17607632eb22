#include "services/mysql-sink/record/json_decoder.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cdcflow::mysql_sink {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- Real records from the local pipeline (topic dev.public.transaction_details) ----

// The schema half of every value on dev.public.transaction_details as cdc-capture wrote it
// (byte-identical to Debezium 3.1 with JsonConverter): `{"schema":{...}` up to `,"payload":`.
constexpr std::string_view kEnvelopeSchemaPart =
    R"json({"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int64","o)json"
    R"json(ptional":false,"field":"txn_id"},{"type":"int64","optional":false,"field":"sender_)json"
    R"json(account_id"},{"type":"int64","optional":false,"field":"receiver_account_id"},{"typ)json"
    R"json(e":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","versio)json"
    R"json(n":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},"field":"amount"})json"
    R"json(,{"type":"int64","optional":false,"name":"io.debezium.time.MicroTimestamp","versio)json"
    R"json(n":1,"field":"last_modified_date"},{"type":"int32","optional":true,"field":"produc)json"
    R"json(t_id"},{"type":"int32","optional":true,"field":"product_type_id"},{"type":"int32",)json"
    R"json("optional":true,"field":"transactor_module_id"},{"type":"int32","optional":true,"f)json"
    R"json(ield":"module_id"},{"type":"int32","optional":true,"field":"status"}],"optional":t)json"
    R"json(rue,"name":"dev.public.transaction_details.Value","field":"before"},{"type":"struc)json"
    R"json(t","fields":[{"type":"int64","optional":false,"field":"txn_id"},{"type":"int64","o)json"
    R"json(ptional":false,"field":"sender_account_id"},{"type":"int64","optional":false,"fiel)json"
    R"json(d":"receiver_account_id"},{"type":"bytes","optional":false,"name":"org.apache.kafk)json"
    R"json(a.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.pre)json"
    R"json(cision":"12"},"field":"amount"},{"type":"int64","optional":false,"name":"io.debezi)json"
    R"json(um.time.MicroTimestamp","version":1,"field":"last_modified_date"},{"type":"int32",)json"
    R"json("optional":true,"field":"product_id"},{"type":"int32","optional":true,"field":"pro)json"
    R"json(duct_type_id"},{"type":"int32","optional":true,"field":"transactor_module_id"},{"t)json"
    R"json(ype":"int32","optional":true,"field":"module_id"},{"type":"int32","optional":true,)json"
    R"json("field":"status"}],"optional":true,"name":"dev.public.transaction_details.Value",")json"
    R"json(field":"after"},{"type":"struct","fields":[{"type":"string","optional":false,"fiel)json"
    R"json(d":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"stri)json"
    R"json(ng","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_)json"
    R"json(ms"},{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,")json"
    R"json(parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collectio)json"
    R"json(n,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string",)json"
    R"json("optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence")json"
    R"json(},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true)json"
    R"json(,"field":"ts_ns"},{"type":"string","optional":false,"field":"schema"},{"type":"str)json"
    R"json(ing","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"tx)json"
    R"json(Id"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":tru)json"
    R"json(e,"field":"xmin"}],"optional":false,"name":"io.debezium.connector.postgresql.Sourc)json"
    R"json(e","version":1,"field":"source"},{"type":"struct","fields":[{"type":"string","opti)json"
    R"json(onal":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},)json"
    R"json({"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true)json"
    R"json(,"name":"event.block","version":1,"field":"transaction"},{"type":"string","optiona)json"
    R"json(l":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},{"type":"i)json"
    R"json(nt64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts)json"
    R"json(_ns"}],"optional":false,"name":"dev.public.transaction_details.Envelope","version")json"
    R"json(:2})json";

constexpr std::string_view kSnapshotPayloadPart =
    R"json(,"payload":{"before":null,"after":{"txn_id":1,"sender_account_id":100001,"receiver)json"
    R"json(_account_id":200002,"amount":"MDk=","last_modified_date":1753176660000000,"product)json"
    R"json(_id":5,"product_type_id":2,"transactor_module_id":3,"module_id":1,"status":1},"sou)json"
    R"json(rce":{"version":"3.1.3.Final","connector":"postgresql","name":"dev","ts_ms":179526)json"
    R"json(2306985,"snapshot":"last","db":"transactions","sequence":"[\"26651496\",\"26651496)json"
    R"json(\"]","ts_us":1795262306985345,"ts_ns":1795262306985345000,"schema":"public","table)json"
    R"json(":"transaction_details","txId":null,"lsn":26651496,"xmin":null},"transaction":null)json"
    R"json(,"op":"r","ts_ms":1795262306985,"ts_us":1795262306985898,"ts_ns":17952623069858980)json"
    R"json(00}})json";

constexpr std::string_view kUpdatePayloadPart =
    R"json(,"payload":{"before":{"txn_id":1,"sender_account_id":100001,"receiver_account_id":)json"
    R"json(200002,"amount":"MDk=","last_modified_date":1753176660000000,"product_id":5,"produ)json"
    R"json(ct_type_id":2,"transactor_module_id":3,"module_id":1,"status":1},"after":{"txn_id")json"
    R"json(:1,"sender_account_id":100001,"receiver_account_id":200002,"amount":"Opg=","last_m)json"
    R"json(odified_date":1753176660000000,"product_id":5,"product_type_id":2,"transactor_modu)json"
    R"json(le_id":3,"module_id":1,"status":2},"source":{"version":"3.1.3.Final","connector":")json"
    R"json(postgresql","name":"dev","ts_ms":1795262309949,"snapshot":"false","db":"transactio)json"
    R"json(ns","sequence":"[\"26651496\",\"26651736\"]","ts_us":1795262309949167,"ts_ns":1795)json"
    R"json(262309949167000,"schema":"public","table":"transaction_details","txId":744,"lsn":2)json"
    R"json(6651736,"xmin":null},"transaction":null,"op":"u","ts_ms":1795262309951,"ts_us":179)json"
    R"json(5262309951935,"ts_ns":1795262309951935000}})json";

constexpr std::string_view kDeletePayloadPart =
    R"json(,"payload":{"before":{"txn_id":94042,"sender_account_id":624976,"receiver_account_)json"
    R"json(id":448760,"amount":"BsRO","last_modified_date":1795267228673601,"product_id":433,)json"
    R"json("product_type_id":13,"transactor_module_id":7,"module_id":1,"status":4},"after":nu)json"
    R"json(ll,"source":{"version":"3.1.3.Final","connector":"postgresql","name":"dev","ts_ms")json"
    R"json(:1795267244422,"snapshot":"false","db":"transactions","sequence":"[\"8797336136\",)json"
    R"json(\"8797407856\"]","ts_us":1795267244422428,"ts_ns":1795267244422428000,"schema":"pu)json"
    R"json(blic","table":"transaction_details","txId":183506,"lsn":8797407856,"xmin":null},"t)json"
    R"json(ransaction":null,"op":"d","ts_ms":1795267244428,"ts_us":1795267244428617,"ts_ns":1)json"
    R"json(795267244428617000}})json";

// Offset 0: snapshot read of txn 1 (null Kafka key on the topic); offset 2: its update;
// offset 208437: a delete, whose key is kDeleteKey.
std::string SnapshotEvent() {
  return std::string(kEnvelopeSchemaPart) + std::string(kSnapshotPayloadPart);
}
std::string UpdateEvent() {
  return std::string(kEnvelopeSchemaPart) + std::string(kUpdatePayloadPart);
}
std::string DeleteEvent() {
  return std::string(kEnvelopeSchemaPart) + std::string(kDeletePayloadPart);
}

constexpr std::string_view kDeleteKey =
    R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"txn_id"}],)"
    R"("optional":false,"name":"dev.public.transaction_details.Key"},"payload":{"txn_id":94042}})";
constexpr std::string_view kTxn1Key =
    R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"txn_id"}],)"
    R"("optional":false,"name":"dev.public.transaction_details.Key"},"payload":{"txn_id":1}})";

std::vector<std::string> Literals(const Row& row) {
  std::vector<std::string> out;
  for (size_t i = 0; i < row.size(); ++i) out.emplace_back(row.literal(i));
  return out;
}

std::vector<std::string> Names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema.fields) out.push_back(f.name);
  return out;
}

std::vector<FieldType> Types(const Schema& schema) {
  std::vector<FieldType> out;
  for (const Field& f : schema.fields) out.push_back(f.type);
  return out;
}

Field MakeField(std::string name, FieldType type, bool optional, int precision = 0, int scale = 0,
                int fsp = 0) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  f.optional = optional;
  f.precision = precision;
  f.scale = scale;
  f.fsp = fsp;
  return f;
}

// {"schema":<schema>,"payload":<payload>}
std::string Wrap(std::string_view schema, std::string_view payload) {
  return std::string(R"({"schema":)") + std::string(schema) + R"(,"payload":)" +
         std::string(payload) + "}";
}

// A struct schema (named like a flattened table value) of the given field schemas.
std::string StructSchema(std::string_view fields, std::string_view name = "dev.public.t.Value") {
  return std::string(R"({"type":"struct","fields":[)") + std::string(fields) +
         R"(],"optional":false,"name":")" + std::string(name) + R"("})";
}

// An envelope schema whose before/after structs have the given field schemas.
std::string EnvelopeSchema(std::string_view fields) {
  const std::string row = std::string(R"({"type":"struct","fields":[)") + std::string(fields) +
                          R"(],"optional":true,"name":"dev.public.t.Value","field":")";
  return std::string(R"({"type":"struct","fields":[)") + row + R"(before"},)" + row +
         R"(after"},{"type":"string","optional":false,"field":"op"},)"
         R"({"type":"int64","optional":true,"field":"ts_ms"}],"optional":false,)"
         R"("name":"dev.public.t.Envelope","version":2})";
}

constexpr std::string_view kSource =
    R"({"version":"3.1.3.Final","connector":"postgresql","name":"dev","ts_ms":1,"db":"d",)"
    R"("schema":"public","table":"t","txId":7,"lsn":8})";

// An envelope payload: before and after are JSON texts (or "null").
std::string Envelope(std::string_view before, std::string_view after, std::string_view op) {
  return std::string(R"({"before":)") + std::string(before) + R"(,"after":)" + std::string(after) +
         R"(,"source":)" + std::string(kSource) + R"(,"op":")" + std::string(op) +
         R"(","ts_ms":1753176660001})";
}

class JsonDecoderTest : public ::testing::Test {
 protected:
  absl::Status Decode(std::optional<std::string_view> key, std::optional<std::string_view> value) {
    return decoder_.Decode(key, value, out_);
  }
  // Decodes a value whose schema has one field `f` with the given field schema JSON; returns
  // the literal or "ERROR: <message>".
  std::string One(std::string_view field_schema, std::string_view json_value) {
    const std::string value =
        Wrap(StructSchema(field_schema), std::string(R"({"f":)") + std::string(json_value) + "}");
    absl::Status s = Decode(std::nullopt, value);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      return "ERROR: " + std::string(s.message());
    }
    EXPECT_EQ(out_.value.size(), 1u);
    return std::string(out_.value.literal(0));
  }
  const Field& OneField() const { return out_.value_schema->fields.at(0); }

  JsonRecordDecoder decoder_;
  DecodedRecord out_;
};

// ---- The real events ----

TEST_F(JsonDecoderTest, RealEventsAreTheBytesOnTheTopic) {
  EXPECT_EQ(kEnvelopeSchemaPart.size(), 3283u);
  EXPECT_EQ(SnapshotEvent().size(), 3943u);
  EXPECT_EQ(UpdateEvent().size(), 4146u);
  EXPECT_EQ(DeleteEvent().size(), 3959u);
}

TEST_F(JsonDecoderTest, RealSnapshotEvent) {
  ASSERT_TRUE(Decode(kTxn1Key, SnapshotEvent()).ok());
  EXPECT_EQ(out_.op, Op::kUpsert);
  EXPECT_FALSE(out_.flattened);
  EXPECT_EQ(out_.skip_reason, "");

  ASSERT_NE(out_.key_schema, nullptr);
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("txn_id", FieldType::kInt64, false)));
  EXPECT_TRUE(out_.key_schema->declared);
  EXPECT_THAT(Literals(out_.key), ElementsAre("1"));

  ASSERT_NE(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value_schema->declared);
  EXPECT_THAT(
      out_.value_schema->fields,
      ElementsAre(MakeField("txn_id", FieldType::kInt64, false),
                  MakeField("sender_account_id", FieldType::kInt64, false),
                  MakeField("receiver_account_id", FieldType::kInt64, false),
                  MakeField("amount", FieldType::kDecimal, false, /*precision=*/12, /*scale=*/2),
                  MakeField("last_modified_date", FieldType::kDateTime, false, 0, 0, /*fsp=*/6),
                  MakeField("product_id", FieldType::kInt32, true),
                  MakeField("product_type_id", FieldType::kInt32, true),
                  MakeField("transactor_module_id", FieldType::kInt32, true),
                  MakeField("module_id", FieldType::kInt32, true),
                  MakeField("status", FieldType::kInt32, true)));
  EXPECT_THAT(Literals(out_.value),
              ElementsAre("1", "100001", "200002", "123.45", "'2025-07-22 09:31:00.000000'", "5",
                          "2", "3", "1", "1"));
}

TEST_F(JsonDecoderTest, RealUpdateEventUsesAfter) {
  ASSERT_TRUE(Decode(kTxn1Key, UpdateEvent()).ok());
  EXPECT_EQ(out_.op, Op::kUpsert);
  EXPECT_FALSE(out_.flattened);
  EXPECT_THAT(Literals(out_.value),
              ElementsAre("1", "100001", "200002", "150.00", "'2025-07-22 09:31:00.000000'", "5",
                          "2", "3", "1", "2"));
}

TEST_F(JsonDecoderTest, RealDeleteEventUsesBefore) {
  ASSERT_TRUE(Decode(kDeleteKey, DeleteEvent()).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_FALSE(out_.flattened);
  EXPECT_THAT(Literals(out_.key), ElementsAre("94042"));
  ASSERT_NE(out_.value_schema, nullptr);
  EXPECT_EQ(out_.value_schema->fields.size(), 10u);
  EXPECT_THAT(Literals(out_.value),
              ElementsAre("94042", "624976", "448760", "4434.70", "'2026-11-21 13:20:28.673601'",
                          "433", "13", "7", "1", "4"));
}

TEST_F(JsonDecoderTest, RealTombstoneAfterTheDelete) {
  ASSERT_TRUE(Decode(kDeleteKey, std::nullopt).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_EQ(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value.empty());
  EXPECT_FALSE(out_.flattened);
  ASSERT_NE(out_.key_schema, nullptr);
  EXPECT_THAT(Literals(out_.key), ElementsAre("94042"));
}

TEST_F(JsonDecoderTest, NullKeyAndNullValue) {
  ASSERT_TRUE(Decode(std::nullopt, std::nullopt).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_EQ(out_.key_schema, nullptr);
  EXPECT_TRUE(out_.key.empty());
  EXPECT_EQ(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value.empty());
}

// ---- Schema cache ----

TEST_F(JsonDecoderTest, SchemaCacheReturnsTheSameSchemaObject) {
  ASSERT_TRUE(Decode(kTxn1Key, SnapshotEvent()).ok());
  const std::shared_ptr<const Schema> key_schema = out_.key_schema;
  const std::shared_ptr<const Schema> value_schema = out_.value_schema;
  EXPECT_EQ(decoder_.schemas_parsed(), 2u);  // the key's and the value's

  DecodedRecord other;
  ASSERT_TRUE(decoder_.Decode(kDeleteKey, DeleteEvent(), other).ok());
  ASSERT_TRUE(decoder_.Decode(kTxn1Key, UpdateEvent(), other).ok());
  EXPECT_EQ(other.key_schema.get(), key_schema.get());
  EXPECT_EQ(other.value_schema.get(), value_schema.get());
  EXPECT_EQ(decoder_.schemas_parsed(), 2u);
  EXPECT_THAT(Literals(other.value),
              ElementsAre("1", "100001", "200002", "150.00", "'2025-07-22 09:31:00.000000'", "5",
                          "2", "3", "1", "2"));
}

TEST_F(JsonDecoderTest, FingerprintDependsOnlyOnTheFields) {
  ASSERT_TRUE(Decode(kTxn1Key, SnapshotEvent()).ok());
  const uint64_t key_fingerprint = out_.key_schema->fingerprint;
  const uint64_t value_fingerprint = out_.value_schema->fingerprint;
  EXPECT_NE(key_fingerprint, 0u);
  EXPECT_NE(key_fingerprint, value_fingerprint);

  // A different decoder, and a value whose schema text differs but whose one field equals the
  // key's: the same fingerprint.
  JsonRecordDecoder other;
  DecodedRecord record;
  const std::string value =
      Wrap(StructSchema(R"({"type":"int64","optional":false,"field":"txn_id","doc":"x"})", "other"),
           R"({"txn_id":5})");
  ASSERT_TRUE(other.Decode(std::nullopt, value, record).ok());
  EXPECT_EQ(record.value_schema->fingerprint, key_fingerprint);

  // Optional, type, name, scale each change it.
  for (const char* field : {R"({"type":"int64","optional":true,"field":"txn_id"})",
                            R"({"type":"int32","optional":false,"field":"txn_id"})",
                            R"({"type":"int64","optional":false,"field":"txn"})"}) {
    ASSERT_TRUE(other.Decode(std::nullopt, Wrap(StructSchema(field), "{}"), record).ok());
    EXPECT_NE(record.value_schema->fingerprint, key_fingerprint) << field;
  }
}

TEST_F(JsonDecoderTest, ChangedSchemaIsParsedAgain) {
  const std::string v1 =
      Wrap(StructSchema(R"({"type":"int64","optional":false,"field":"a"})"), R"({"a":1})");
  const std::string v2 = Wrap(StructSchema(R"({"type":"int64","optional":false,"field":"a"},)"
                                           R"({"type":"string","optional":true,"field":"b"})"),
                              R"({"a":2,"b":"x"})");
  ASSERT_TRUE(Decode(std::nullopt, v1).ok());
  ASSERT_TRUE(Decode(std::nullopt, v2).ok());
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("a", "b"));
  EXPECT_THAT(Literals(out_.value), ElementsAre("2", "'x'"));
  ASSERT_TRUE(Decode(std::nullopt, v1).ok());
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("a"));
  EXPECT_THAT(Literals(out_.value), ElementsAre("1"));
  EXPECT_EQ(decoder_.schemas_parsed(), 2u);
}

TEST_F(JsonDecoderTest, InterleavedTablesStayCached) {
  std::vector<std::string> values;
  for (const char* name : {"a", "b", "c"}) {
    values.push_back(Wrap(
        StructSchema(std::string(R"({"type":"int64","optional":false,"field":")") + name + R"("})"),
        std::string(R"({")") + name + R"(":1})"));
  }
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_TRUE(Decode(std::nullopt, values[i]).ok());
      EXPECT_THAT(Names(*out_.value_schema), ElementsAre(std::string(1, char('a' + i))));
      EXPECT_THAT(Literals(out_.value), ElementsAre("1"));
    }
  }
  EXPECT_EQ(decoder_.schemas_parsed(), 3u);
}

TEST_F(JsonDecoderTest, FullCacheIsEmptiedAndRefilled) {
  JsonRecordDecoder::Options options;
  options.max_cached_schemas = 1;
  JsonRecordDecoder decoder(options);
  const std::string a =
      Wrap(StructSchema(R"({"type":"int64","optional":false,"field":"a"})"), R"({"a":1})");
  const std::string b =
      Wrap(StructSchema(R"({"type":"string","optional":false,"field":"b"})"), R"({"b":"x"})");
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(decoder.Decode(std::nullopt, a, out_).ok());
    EXPECT_THAT(Literals(out_.value), ElementsAre("1"));
    ASSERT_TRUE(decoder.Decode(std::nullopt, b, out_).ok());
    EXPECT_THAT(Literals(out_.value), ElementsAre("'x'"));
  }
  EXPECT_EQ(decoder.schemas_parsed(), 4u);
}

TEST_F(JsonDecoderTest, PrettyPrintedWrapper) {
  const std::string value = std::string("{ \"schema\" : ") +
                            StructSchema(R"({"type":"int64","optional":false,"field":"a"})") +
                            " ,\n \"payload\": { \"a\" : 9 } }\n";
  ASSERT_TRUE(Decode(std::nullopt, value).ok());
  EXPECT_TRUE(out_.value_schema->declared);
  EXPECT_THAT(Literals(out_.value), ElementsAre("9"));
  ASSERT_TRUE(Decode(std::nullopt, value).ok());
  EXPECT_EQ(decoder_.schemas_parsed(), 1u);
}

TEST_F(JsonDecoderTest, HeartbeatsAreSkipped) {
  ASSERT_TRUE(Decode(R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,)"
                     R"("field":"serverName"}],"optional":false,)"
                     R"("name":"io.debezium.connector.common.ServerNameKey","version":1},)"
                     R"("payload":{"serverName":"dev"}})",
                     R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,)"
                     R"("field":"ts_ms"}],"optional":false,)"
                     R"("name":"io.debezium.connector.common.Heartbeat","version":1},)"
                     R"("payload":{"ts_ms":1795267228254}})")
                  .ok());
  EXPECT_EQ(out_.op, Op::kSkip);
  EXPECT_EQ(out_.skip_reason, "heartbeat");
  EXPECT_THAT(Literals(out_.key), ElementsAre("'dev'"));
}

TEST_F(JsonDecoderTest, SameSchemaTextButExtraTopLevelMemberIsNotTheWrapper) {
  const std::string schema = StructSchema(R"({"type":"int64","optional":false,"field":"a"})");
  ASSERT_TRUE(Decode(std::nullopt, Wrap(schema, R"({"a":1})")).ok());  // primes the cache
  const std::string value =
      std::string(R"({"schema":)") + schema + R"(,"payload":{"a":2},"extra":true})";
  ASSERT_TRUE(Decode(std::nullopt, value).ok());
  EXPECT_FALSE(out_.value_schema->declared);
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("schema", "payload", "extra"));
  EXPECT_THAT(Types(*out_.value_schema),
              ElementsAre(FieldType::kJson, FieldType::kJson, FieldType::kBoolean));
  EXPECT_EQ(out_.value.literal(1), R"('{"a":2}')");
}

TEST_F(JsonDecoderTest, RowWithColumnsNamedSchemaIsNotTheWrapper) {
  ASSERT_TRUE(Decode(std::nullopt, R"({"schema":{"a":1},"x":2})").ok());
  EXPECT_TRUE(out_.flattened);
  EXPECT_FALSE(out_.value_schema->declared);
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("schema", "x"));
  EXPECT_THAT(Literals(out_.value), ElementsAre(R"('{"a":1}')", "2"));
  ASSERT_TRUE(Decode(std::nullopt, R"({"schema":"public","payload":{"a":1}})").ok());
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("schema", "payload"));
  EXPECT_THAT(Literals(out_.value), ElementsAre("'public'", R"('{"a":1}')"));
  EXPECT_EQ(decoder_.schemas_parsed(), 0u);
}

TEST_F(JsonDecoderTest, PayloadBeforeSchemaIsStillTheWrapper) {
  const std::string value = std::string(R"({"payload":{"a":7},"schema":)") +
                            StructSchema(R"({"type":"int16","optional":false,"field":"a"})") + "}";
  ASSERT_TRUE(Decode(std::nullopt, value).ok());
  EXPECT_TRUE(out_.value_schema->declared);
  EXPECT_THAT(out_.value_schema->fields, ElementsAre(MakeField("a", FieldType::kInt16, false)));
  EXPECT_THAT(Literals(out_.value), ElementsAre("7"));
}

TEST_F(JsonDecoderTest, RowBuffersAreReusedWithoutStaleCells) {
  ASSERT_TRUE(Decode(kTxn1Key, SnapshotEvent()).ok());
  const std::string small =
      Wrap(StructSchema(R"({"type":"string","optional":true,"field":"s"})"), R"({"s":"z"})");
  ASSERT_TRUE(Decode(std::nullopt, small).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("'z'"));
  EXPECT_EQ(out_.key_schema, nullptr);
  EXPECT_TRUE(out_.key.empty());
}

// ---- Envelope ops ----

constexpr std::string_view kRowFields = R"({"type":"int32","optional":false,"field":"id"},)"
                                        R"({"type":"string","optional":true,"field":"name"})";

TEST_F(JsonDecoderTest, EnvelopeCreateAndRead) {
  for (const char* op : {"c", "r", "u"}) {
    ASSERT_TRUE(Decode(std::nullopt, Wrap(EnvelopeSchema(kRowFields),
                                          Envelope("null", R"({"id":1,"name":"a"})", op)))
                    .ok())
        << op;
    EXPECT_EQ(out_.op, Op::kUpsert);
    EXPECT_THAT(Literals(out_.value), ElementsAre("1", "'a'"));
  }
}

TEST_F(JsonDecoderTest, EnvelopeDeleteWithoutBefore) {
  ASSERT_TRUE(
      Decode(std::nullopt, Wrap(EnvelopeSchema(kRowFields), Envelope("null", "null", "d"))).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_EQ(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value.empty());
}

TEST_F(JsonDecoderTest, EnvelopeDeleteWithBefore) {
  ASSERT_TRUE(Decode(std::nullopt, Wrap(EnvelopeSchema(kRowFields),
                                        Envelope(R"({"id":3,"name":null})", "null", "d")))
                  .ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  ASSERT_NE(out_.value_schema, nullptr);
  EXPECT_THAT(Literals(out_.value), ElementsAre("3", "NULL"));
}

TEST_F(JsonDecoderTest, TruncateAndMessageAreSkipped) {
  ASSERT_TRUE(
      Decode(std::nullopt, Wrap(EnvelopeSchema(kRowFields), Envelope("null", "null", "t"))).ok());
  EXPECT_EQ(out_.op, Op::kSkip);
  EXPECT_EQ(out_.skip_reason, "truncate");
  EXPECT_EQ(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value.empty());
  ASSERT_TRUE(
      Decode(std::nullopt, Wrap(EnvelopeSchema(kRowFields), Envelope("null", "null", "m"))).ok());
  EXPECT_EQ(out_.op, Op::kSkip);
  EXPECT_EQ(out_.skip_reason, "message");
  // The next record clears the reason.
  ASSERT_TRUE(Decode(kTxn1Key, SnapshotEvent()).ok());
  EXPECT_EQ(out_.skip_reason, "");
}

TEST_F(JsonDecoderTest, SchemaChangeEventsAreSkipped) {
  const std::string value = Wrap(StructSchema(R"({"type":"string","optional":false,"field":"ddl"})",
                                              "io.debezium.connector.mysql.SchemaChangeValue"),
                                 R"({"ddl":"ALTER TABLE t ADD c INT"})");
  ASSERT_TRUE(Decode(std::nullopt, value).ok());
  EXPECT_EQ(out_.op, Op::kSkip);
  EXPECT_EQ(out_.skip_reason, "schema_change");
}

TEST_F(JsonDecoderTest, EnvelopeErrors) {
  const std::string schema = EnvelopeSchema(kRowFields);
  absl::Status s = Decode(std::nullopt, Wrap(schema, Envelope("null", "null", "c")));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), R"(value: op "c" has no "after" row)");
  s = Decode(std::nullopt, Wrap(schema, Envelope("null", "null", "x")));
  EXPECT_EQ(s.message(), R"(value: unknown op "x")");
  s = Decode(std::nullopt, Wrap(schema, R"({"before":null,"after":{"id":1},"source":{}})"));
  EXPECT_EQ(s.message(), R"(value: the envelope has no "op" string)");
}

TEST_F(JsonDecoderTest, EnvelopeWithoutSchemaWrapper) {
  ASSERT_TRUE(
      Decode(R"({"id":1})", Envelope("null",
                                     R"({"id":1,"price":9.5,"ok":true,"name":"a","tags":["x",1],)"
                                     R"("doc":{"k":"v"},"gone":null,"big":18446744073709551615})",
                                     "c"))
          .ok());
  EXPECT_EQ(out_.op, Op::kUpsert);
  EXPECT_FALSE(out_.flattened);
  ASSERT_NE(out_.value_schema, nullptr);
  EXPECT_FALSE(out_.value_schema->declared);
  EXPECT_THAT(Names(*out_.value_schema),
              ElementsAre("id", "price", "ok", "name", "tags", "doc", "gone", "big"));
  EXPECT_THAT(
      Types(*out_.value_schema),
      ElementsAre(FieldType::kInt64, FieldType::kFloat64, FieldType::kBoolean, FieldType::kString,
                  FieldType::kJson, FieldType::kJson, FieldType::kString, FieldType::kDecimal));
  EXPECT_TRUE(out_.value_schema->fields[0].optional);
  EXPECT_EQ(out_.value_schema->fields[7].precision, 65);
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "9.5", "1", "'a'", R"('["x",1]')",
                                                R"('{"k":"v"}')", "NULL", "18446744073709551615"));
  ASSERT_NE(out_.key_schema, nullptr);
  EXPECT_FALSE(out_.key_schema->declared);
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("id", FieldType::kInt64, true)));
  EXPECT_THAT(Literals(out_.key), ElementsAre("1"));
}

TEST_F(JsonDecoderTest, EnvelopeWithoutSchemaDeleteAndTruncate) {
  ASSERT_TRUE(Decode(std::nullopt, Envelope(R"({"id":4})", "null", "d")).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("id"));
  EXPECT_THAT(Literals(out_.value), ElementsAre("4"));
  ASSERT_TRUE(Decode(std::nullopt, Envelope("null", "null", "d")).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_EQ(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value.empty());
  ASSERT_TRUE(Decode(std::nullopt, Envelope("null", "null", "t")).ok());
  EXPECT_EQ(out_.op, Op::kSkip);
  EXPECT_EQ(out_.skip_reason, "truncate");
}

TEST_F(JsonDecoderTest, InferredNumbers) {
  ASSERT_TRUE(Decode(std::nullopt, R"({"a":-9223372036854775808,"b":-9223372036854775809,)"
                                   R"("c":123456789012345678901234567890,"d":1.0,"e":-2.5E-3})")
                  .ok());
  EXPECT_THAT(Types(*out_.value_schema),
              ElementsAre(FieldType::kInt64, FieldType::kDecimal, FieldType::kDecimal,
                          FieldType::kFloat64, FieldType::kFloat64));
  EXPECT_THAT(Literals(out_.value), ElementsAre("-9223372036854775808", "-9223372036854775809",
                                                "123456789012345678901234567890", "1", "-0.0025"));
}

TEST_F(JsonDecoderTest, InferredSchemasAreShared) {
  ASSERT_TRUE(Decode(std::nullopt, Envelope("null", R"({"id":1,"name":"a"})", "c")).ok());
  const std::shared_ptr<const Schema> first = out_.value_schema;
  DecodedRecord other;
  ASSERT_TRUE(
      decoder_.Decode(std::nullopt, Envelope("null", R"({"id":2,"name":"b"})", "u"), other).ok());
  EXPECT_EQ(other.value_schema.get(), first.get());
  // A null changes the inferred type (int64 → string): another schema.
  ASSERT_TRUE(
      decoder_.Decode(std::nullopt, Envelope("null", R"({"id":null,"name":"b"})", "u"), other)
          .ok());
  EXPECT_EQ(other.value_schema->fields[0].type, FieldType::kString);
  EXPECT_NE(other.value_schema.get(), first.get());
  EXPECT_NE(other.value_schema->fingerprint, first->fingerprint);
}

// ---- Flattened rows (ExtractNewRecordState) ----

constexpr std::string_view kFlatFields =
    R"({"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"name"},)"
    R"({"type":"string","optional":true,"field":"__op"},)"
    R"({"type":"string","optional":true,"field":"__source_table"},)"
    R"({"type":"int64","optional":true,"field":"__ts_ms"},)"
    R"({"type":"string","optional":true,"field":"__deleted"})";

TEST_F(JsonDecoderTest, FlattenedWithSchema) {
  const std::string schema = StructSchema(kFlatFields);
  ASSERT_TRUE(Decode(std::nullopt, Wrap(schema, R"({"id":1,"name":"a","__op":"c",)"
                                                R"("__source_table":"t","__ts_ms":5,)"
                                                R"("__deleted":"false"})"))
                  .ok());
  EXPECT_EQ(out_.op, Op::kUpsert);
  EXPECT_TRUE(out_.flattened);
  EXPECT_TRUE(out_.value_schema->declared);
  EXPECT_THAT(Names(*out_.value_schema),
              ElementsAre("id", "name", "__op", "__source_table", "__ts_ms", "__deleted"));
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "'a'", "'c'", "'t'", "5", "'false'"));

  ASSERT_TRUE(Decode(std::nullopt, Wrap(schema, R"({"id":1,"name":"a","__op":"d",)"
                                                R"("__source_table":"t","__ts_ms":6,)"
                                                R"("__deleted":"true"})"))
                  .ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_TRUE(out_.flattened);
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "'a'", "'d'", "'t'", "6", "'true'"));
}

TEST_F(JsonDecoderTest, FlattenedDeleteByOpAlone) {
  const std::string schema = StructSchema(R"({"type":"int32","optional":false,"field":"id"},)"
                                          R"({"type":"string","optional":true,"field":"__op"})");
  ASSERT_TRUE(Decode(std::nullopt, Wrap(schema, R"({"id":1,"__op":"d"})")).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  ASSERT_TRUE(Decode(std::nullopt, Wrap(schema, R"({"id":1,"__op":"u"})")).ok());
  EXPECT_EQ(out_.op, Op::kUpsert);
}

TEST_F(JsonDecoderTest, FlattenedWithoutSchema) {
  ASSERT_TRUE(Decode(std::nullopt, R"({"id":1,"op":"not an envelope","__deleted":"false"})").ok());
  EXPECT_EQ(out_.op, Op::kUpsert);
  EXPECT_TRUE(out_.flattened);
  EXPECT_FALSE(out_.value_schema->declared);
  EXPECT_THAT(Names(*out_.value_schema), ElementsAre("id", "op", "__deleted"));
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "'not an envelope'", "'false'"));

  ASSERT_TRUE(Decode(std::nullopt, R"({"id":1,"__deleted":"true"})").ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_TRUE(out_.flattened);
  ASSERT_TRUE(Decode(std::nullopt, R"({"id":1,"__op":"d"})").ok());
  EXPECT_EQ(out_.op, Op::kDelete);
}

TEST_F(JsonDecoderTest, FlattenedWithNullSchemaInTheWrapper) {
  ASSERT_TRUE(
      Decode(std::nullopt, R"({"schema":null,"payload":{"id":1,"__deleted":"true"}})").ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_TRUE(out_.flattened);
  EXPECT_FALSE(out_.value_schema->declared);
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "'true'"));
}

TEST_F(JsonDecoderTest, WrappedNullPayloadIsATombstone) {
  ASSERT_TRUE(Decode(kTxn1Key, Wrap(StructSchema(kRowFields), "null")).ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_EQ(out_.value_schema, nullptr);
  EXPECT_TRUE(out_.value.empty());
  ASSERT_TRUE(Decode(kTxn1Key, "null").ok());
  EXPECT_EQ(out_.op, Op::kDelete);
  EXPECT_EQ(out_.value_schema, nullptr);
}

// ---- Keys ----

TEST_F(JsonDecoderTest, KeyWithoutSchema) {
  ASSERT_TRUE(Decode(R"({"txn_id":1,"region":"eu"})", std::nullopt).ok());
  EXPECT_FALSE(out_.key_schema->declared);
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("txn_id", FieldType::kInt64, true),
                                                   MakeField("region", FieldType::kString, true)));
  EXPECT_THAT(Literals(out_.key), ElementsAre("1", "'eu'"));
}

TEST_F(JsonDecoderTest, PrimitiveKeys) {
  ASSERT_TRUE(Decode(R"("abc")", std::nullopt).ok());
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("key", FieldType::kString, true)));
  EXPECT_THAT(Literals(out_.key), ElementsAre("'abc'"));

  ASSERT_TRUE(Decode("42", std::nullopt).ok());
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("key", FieldType::kInt64, true)));
  EXPECT_THAT(Literals(out_.key), ElementsAre("42"));

  ASSERT_TRUE(
      Decode(R"({"schema":{"type":"string","optional":false},"payload":"k'1"})", std::nullopt)
          .ok());
  EXPECT_TRUE(out_.key_schema->declared);
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("key", FieldType::kString, false)));
  EXPECT_THAT(Literals(out_.key), ElementsAre(R"('k\'1')"));

  ASSERT_TRUE(
      Decode(R"({"schema":{"type":"int32","optional":false},"payload":7})", std::nullopt).ok());
  EXPECT_THAT(out_.key_schema->fields, ElementsAre(MakeField("key", FieldType::kInt32, false)));
  EXPECT_THAT(Literals(out_.key), ElementsAre("7"));

  ASSERT_TRUE(Decode("null", std::nullopt).ok());
  EXPECT_EQ(out_.key_schema, nullptr);
  EXPECT_TRUE(out_.key.empty());
}

TEST_F(JsonDecoderTest, KeyErrorsArePrefixed) {
  absl::Status s =
      Decode(R"({"schema":{"type":"struct","fields":[)"
             R"({"type":"int64","optional":false,"field":"id"}]},"payload":{"id":"1"}})",
             std::nullopt);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), R"(key: field "id": int64 expects an integer, got string)");
  s = Decode(R"({"id":)", std::nullopt);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("key: malformed JSON: "));
}

// ---- Field order, missing and unknown fields ----

constexpr std::string_view kThreeFields = R"({"type":"int32","optional":false,"field":"a"},)"
                                          R"({"type":"int32","optional":true,"field":"b"},)"
                                          R"({"type":"int32","optional":true,"field":"c"})";

TEST_F(JsonDecoderTest, FieldsMissingFromThePayloadAreNull) {
  ASSERT_TRUE(Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"b":2})")).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("NULL", "2", "NULL"));
  ASSERT_TRUE(Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({})")).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("NULL", "NULL", "NULL"));
}

TEST_F(JsonDecoderTest, FieldsOutOfSchemaOrderLandInSchemaOrder) {
  ASSERT_TRUE(
      Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"c":3,"a":1,"b":2})")).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "2", "3"));
  ASSERT_TRUE(
      Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"a":1,"c":3,"b":2})")).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "2", "3"));
  ASSERT_TRUE(Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"c":3,"b":2})")).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("NULL", "2", "3"));
  // An escaped key names the same field.
  ASSERT_TRUE(Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"\u0061":1})")).ok());
  EXPECT_THAT(Literals(out_.value), ElementsAre("1", "NULL", "NULL"));
}

TEST_F(JsonDecoderTest, UnknownAndDuplicateFieldsAreErrors) {
  absl::Status s = Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"a":1,"zz":2})"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), R"(value: field "zz" is not in the schema)");
  s = Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"a":1,"b":2,"a":3})"));
  EXPECT_EQ(s.message(), R"(value: field "a" appears twice)");
  s = Decode(std::nullopt, Wrap(StructSchema(kThreeFields), R"({"b":1,"a":2,"a":3})"));
  EXPECT_EQ(s.message(), R"(value: field "a" appears twice)");
  s = Decode(std::nullopt, R"({"a":1,"a":2})");
  EXPECT_EQ(s.message(), R"(value: duplicate field "a")");
}

// ---- Types ----

TEST_F(JsonDecoderTest, Integers) {
  EXPECT_EQ(One(R"({"type":"int8","optional":true,"field":"f"})", "-128"), "-128");
  EXPECT_EQ(One(R"({"type":"int8","optional":true,"field":"f"})", "128"),
            R"(ERROR: value: field "f": int8 expects an integer within its range)");
  EXPECT_EQ(One(R"({"type":"int16","optional":true,"field":"f"})", "32767"), "32767");
  EXPECT_EQ(One(R"({"type":"int32","optional":true,"field":"f"})", "3000000000"),
            R"(ERROR: value: field "f": int32 expects an integer within its range)");
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"field":"f"})", "-9223372036854775808"),
            "-9223372036854775808");
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"field":"f"})", "1.5"),
            R"(ERROR: value: field "f": int64 expects an integer within its range)");
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"field":"f"})", R"("12")"),
            R"(ERROR: value: field "f": int64 expects an integer, got string)");
  EXPECT_EQ(One(R"({"type":"int64","optional":false,"field":"f"})", "null"), "NULL");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kInt64, false));
}

TEST_F(JsonDecoderTest, FloatsAndBooleans) {
  EXPECT_EQ(One(R"({"type":"double","optional":true,"field":"f"})", "1.25e3"), "1250");
  EXPECT_EQ(OneField().type, FieldType::kFloat64);
  EXPECT_EQ(One(R"({"type":"float64","optional":true,"field":"f"})", "0.1"), "0.1");
  EXPECT_EQ(One(R"({"type":"float","optional":true,"field":"f"})", "0.10000000149011612"), "0.1");
  EXPECT_EQ(OneField().type, FieldType::kFloat32);
  EXPECT_EQ(One(R"({"type":"float","optional":true,"field":"f"})", "1e300"),
            R"(ERROR: value: field "f": float32 value is out of range)");
  EXPECT_EQ(One(R"({"type":"boolean","optional":true,"field":"f"})", "true"), "1");
  EXPECT_EQ(One(R"({"type":"boolean","optional":true,"field":"f"})", "false"), "0");
  EXPECT_EQ(One(R"({"type":"boolean","optional":true,"field":"f"})", "1"),
            R"(ERROR: value: field "f": boolean expects a boolean, got number)");
}

TEST_F(JsonDecoderTest, NanAndInfinityAreRejected) {
  EXPECT_EQ(One(R"({"type":"double","optional":true,"field":"f"})", R"("NaN")"),
            R"(ERROR: value: field "f": NaN cannot be stored in MariaDB)");
  EXPECT_EQ(One(R"({"type":"double","optional":true,"field":"f"})", R"("Infinity")"),
            R"(ERROR: value: field "f": Infinity cannot be stored in MariaDB)");
  EXPECT_EQ(One(R"({"type":"float","optional":true,"field":"f"})", R"("-Infinity")"),
            R"(ERROR: value: field "f": -Infinity cannot be stored in MariaDB)");
  EXPECT_EQ(One(R"({"type":"double","optional":true,"field":"f"})", R"("1.5")"),
            R"(ERROR: value: field "f": float64 expects a number, got string)");
}

TEST_F(JsonDecoderTest, StringsAreEscaped) {
  const char* schema = R"({"type":"string","optional":true,"field":"f"})";
  EXPECT_EQ(One(schema, R"("it's \\ a\u0000b\nc\rd\u001a ✓ 😀 \u00e9")"),
            R"('it\'s \\ a\0b\nc\rd\Z ✓ 😀 é')");
  EXPECT_EQ(One(schema, R"("'); DROP TABLE x; --")"), R"('\'); DROP TABLE x; --')");
  EXPECT_EQ(One(schema, R"("")"), "''");
  EXPECT_EQ(One(schema, "5"), R"(ERROR: value: field "f": string expects a string, got number)");
}

TEST_F(JsonDecoderTest, Bytes) {
  EXPECT_EQ(One(R"({"type":"bytes","optional":true,"field":"f"})", R"("AP8Q")"), "X'00ff10'");
  EXPECT_EQ(OneField().type, FieldType::kBytes);
  EXPECT_EQ(One(R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits",)"
                R"("parameters":{"length":"16"},"field":"f"})",
                R"("AQI=")"),
            "X'0102'");
  EXPECT_EQ(OneField().type, FieldType::kBytes);
  EXPECT_EQ(One(R"({"type":"bytes","optional":true,"field":"f"})", R"("%%")"),
            R"(ERROR: value: field "f": bytes is not valid base64)");
}

constexpr std::string_view kDecimal2 =
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
    R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"12"},"field":"f"})";

TEST_F(JsonDecoderTest, Decimals) {
  EXPECT_EQ(One(kDecimal2, R"("MDk=")"), "123.45");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kDecimal, true, 12, 2));
  EXPECT_EQ(One(kDecimal2, R"("z8c=")"), "-123.45");
  EXPECT_EQ(One(kDecimal2, R"("AA==")"), "0.00");
  EXPECT_EQ(One(kDecimal2, R"("HWMp8cNcpL+rufVhAAAAAAA=")"),
            "100000000000000000000000000000000000000.00");
  EXPECT_EQ(
      One(R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal",)"
          R"("parameters":{"scale":"0"},"field":"f"})",
          R"("MDk=")"),
      "12345");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kDecimal, false, 0, 0));
  // JsonConverter's decimal.format=NUMERIC writes a number.
  EXPECT_EQ(One(kDecimal2, "123.45"), "123.45");
  EXPECT_EQ(One(kDecimal2, "1.2345E+2"), "123.45");
}

TEST_F(JsonDecoderTest, DecimalErrors) {
  EXPECT_EQ(One(kDecimal2, R"("M!k=")"), R"(ERROR: value: field "f": Decimal is not valid base64)");
  EXPECT_EQ(One(kDecimal2, "true"),
            R"(ERROR: value: field "f": Decimal expects a base64 string, got boolean)");
  EXPECT_EQ(One(R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
                R"("field":"f"})",
                R"("MDk=")"),
            R"(ERROR: value: schema: Decimal field "f" has no integer scale parameter)");
}

constexpr std::string_view kVariableDecimal =
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
    R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
    R"("name":"io.debezium.data.VariableScaleDecimal","version":1,)"
    R"("doc":"Variable scaled decimal","field":"f"})";

TEST_F(JsonDecoderTest, VariableScaleDecimal) {
  EXPECT_EQ(One(kVariableDecimal, R"({"scale":3,"value":"MDk="})"), "12.345");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kVariableDecimal, true));
  EXPECT_EQ(One(kVariableDecimal, R"({"value":"z8c=","scale":0})"), "-12345");
  EXPECT_EQ(One(kVariableDecimal, "null"), "NULL");
  EXPECT_EQ(One(kVariableDecimal, R"({"scale":3})"),
            R"(ERROR: value: field "f": VariableScaleDecimal expects {"scale": integer, )"
            R"("value": base64 string})");
  EXPECT_EQ(One(kVariableDecimal, R"("1.5")"),
            R"(ERROR: value: field "f": VariableScaleDecimal expects a {scale, value} object, )"
            R"(got string)");
}

TEST_F(JsonDecoderTest, DatesAndTimes) {
  EXPECT_EQ(One(R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","field":"f"})",
                "-25567"),
            "'1900-01-01'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kDate, true));
  EXPECT_EQ(One(R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date",)"
                R"("field":"f"})",
                "-1"),
            "'1969-12-31'");
  EXPECT_EQ(One(R"({"type":"int32","optional":true,"name":"io.debezium.time.Time","field":"f"})",
                "45296789"),
            "'12:34:56.789000'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kTime, true, 0, 0, 3));
  EXPECT_EQ(One(R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Time",)"
                R"("field":"f"})",
                "1000"),
            "'00:00:01.000000'");
  EXPECT_EQ(OneField().fsp, 3);
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime",)"
                R"("field":"f"})",
                "45296789123"),
            "'12:34:56.789123'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kTime, true, 0, 0, 6));
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.NanoTime",)"
                R"("field":"f"})",
                "45296789123999"),
            "'12:34:56.789123'");
  EXPECT_EQ(OneField().fsp, 6);
}

TEST_F(JsonDecoderTest, Timestamps) {
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp",)"
                R"("field":"f"})",
                "-14182939999"),
            "'1969-07-20 20:17:40.001000'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kDateTime, true, 0, 0, 3));
  EXPECT_EQ(One(R"({"type":"int64","optional":true,)"
                R"("name":"org.apache.kafka.connect.data.Timestamp","field":"f"})",
                "0"),
            "'1970-01-01 00:00:00.000000'");
  EXPECT_EQ(OneField().fsp, 3);
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp",)"
                R"("field":"f"})",
                "-1"),
            "'1969-12-31 23:59:59.999999'");
  EXPECT_EQ(OneField().fsp, 6);
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.NanoTimestamp",)"
                R"("field":"f"})",
                "1753176660123456789"),
            "'2025-07-22 09:31:00.123456'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kDateTime, true, 0, 0, 6));
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp",)"
                R"("field":"f"})",
                "9223372036825200000"),
            R"(ERROR: value: field "f": date is outside the years 0000..9999)");
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp",)"
                R"("field":"f"})",
                R"("2025-07-22")"),
            R"(ERROR: value: field "f": MicroTimestamp expects an integer, got string)");
}

TEST_F(JsonDecoderTest, ZonedTimestamps) {
  const char* schema =
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","field":"f"})";
  EXPECT_EQ(One(schema, R"("2025-07-22T11:31:00.123456+02:00")"), "'2025-07-22 09:31:00.123456'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kZonedTimestamp, true, 0, 0, 6));
  EXPECT_EQ(One(schema, R"("2025-01-01T00:30:00-05:30")"), "'2025-01-01 06:00:00.000000'");
  EXPECT_EQ(One(schema, R"("1969-12-31T23:00:00Z")"), "'1969-12-31 23:00:00.000000'");
  EXPECT_THAT(One(schema, R"("yesterday")"),
              HasSubstr(R"(ERROR: value: field "f": ZonedTimestamp is not an ISO-8601)"));
}

TEST_F(JsonDecoderTest, LogicalStringTypes) {
  EXPECT_EQ(One(R"({"type":"string","optional":true,"name":"io.debezium.data.Json","field":"f"})",
                R"("{\"a\":[1,\"it's\"]}")"),
            R"('{"a":[1,"it\'s"]}')");
  EXPECT_EQ(OneField().type, FieldType::kJson);
  EXPECT_EQ(One(R"({"type":"string","optional":false,"name":"io.debezium.data.Uuid",)"
                R"("field":"f"})",
                R"("0b5d6d2e-9d4b-4b7a-8f2e-2f1f3c9a7e11")"),
            "'0b5d6d2e-9d4b-4b7a-8f2e-2f1f3c9a7e11'");
  EXPECT_EQ(OneField(), MakeField("f", FieldType::kUuid, false));
  EXPECT_EQ(One(R"({"type":"string","optional":true,"name":"io.debezium.data.Enum",)"
                R"("parameters":{"allowed":"a,b"},"field":"f"})",
                R"("b")"),
            "'b'");
  EXPECT_EQ(OneField().type, FieldType::kString);
  EXPECT_EQ(One(R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTime",)"
                R"("field":"f"})",
                R"("09:31:00Z")"),
            "'09:31:00Z'");
  EXPECT_EQ(OneField().type, FieldType::kString);
}

TEST_F(JsonDecoderTest, LogicalIntegerTypesFallBackToThePhysicalType) {
  EXPECT_EQ(One(R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration",)"
                R"("field":"f"})",
                "3600000000"),
            "3600000000");
  EXPECT_EQ(OneField().type, FieldType::kInt64);
  EXPECT_EQ(
      One(R"({"type":"int32","optional":true,"name":"io.debezium.time.Year","field":"f"})", "2025"),
      "2025");
  EXPECT_EQ(OneField().type, FieldType::kInt32);
  EXPECT_EQ(
      One(R"({"type":"int32","optional":true,"name":"com.example.Unknown","field":"f"})", "7"),
      "7");
  EXPECT_EQ(OneField().type, FieldType::kInt32);
}

TEST_F(JsonDecoderTest, StructArrayAndMapValuesAreJsonText) {
  EXPECT_EQ(One(R"({"type":"array","items":{"type":"string","optional":true},"optional":true,)"
                R"("field":"f"})",
                R"(["a",null,"it's"])"),
            R"('["a",null,"it\'s"]')");
  EXPECT_EQ(OneField().type, FieldType::kJson);
  EXPECT_EQ(One(R"({"type":"map","keys":{"type":"string","optional":false},)"
                R"("values":{"type":"int32","optional":true},"optional":true,"field":"f"})",
                R"({"k":1})"),
            R"('{"k":1}')");
  EXPECT_EQ(One(R"({"type":"struct","fields":[{"type":"double","optional":false,"field":"x"}],)"
                R"("optional":true,"name":"io.debezium.data.geometry.Point","field":"f"})",
                R"({"x":1.5})"),
            R"('{"x":1.5}')");
  EXPECT_EQ(OneField().type, FieldType::kJson);
  EXPECT_EQ(One(R"({"type":"array","items":{"type":"int32"},"optional":true,"field":"f"})", "3"),
            R"(ERROR: value: field "f": array expects an object or an array, got number)");
}

TEST_F(JsonDecoderTest, UnknownConnectTypeIsASchemaError) {
  EXPECT_EQ(One(R"({"type":"int128","optional":true,"field":"f"})", "1"),
            R"(ERROR: value: schema: field "f" has an unknown Connect type "int128")");
}

// ---- Malformed input ----

TEST_F(JsonDecoderTest, MalformedJson) {
  const std::string event = SnapshotEvent();
  for (const std::string& bad :
       {event.substr(0, event.size() - 1), event.substr(0, 2000), event + " {}",
        std::string(R"({"id":1,})"), std::string(R"({"id":tru})"), std::string("")}) {
    absl::Status s = Decode(std::nullopt, bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad.substr(0, 80);
    EXPECT_THAT(s.message(), HasSubstr("malformed JSON")) << bad.substr(0, 80);
  }
  // The same checks hold on the path that skips the cached schema.
  ASSERT_TRUE(Decode(kTxn1Key, event).ok());
  absl::Status s = Decode(std::nullopt, event.substr(0, event.size() - 1));
  EXPECT_THAT(s.message(), HasSubstr("value: malformed JSON: "));
  s = Decode(std::nullopt, event + "}");
  EXPECT_THAT(s.message(), HasSubstr("value: malformed JSON: "));
}

TEST_F(JsonDecoderTest, ContentAfterTheDocument) {
  for (const char* bad : {R"({"id":1} {"id":2})", R"({"id":1}})", "null x", "nullx",
                          R"({"payload":{"a":1},"schema":null} {})"}) {
    absl::Status s = Decode(std::nullopt, bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("value: malformed JSON")) << bad;
  }
  for (const char* bad : {"1],[2", R"("a" "b")", "1 2", R"({"id":1}])"}) {
    absl::Status s = Decode(bad, std::nullopt);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("key: malformed JSON")) << bad;
  }
}

TEST_F(JsonDecoderTest, ValueThatIsNotAnObject) {
  absl::Status s = Decode(std::nullopt, "[1,2]");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "value: expected a JSON object (a row or a Debezium envelope), got array");
  s = Decode(std::nullopt, Wrap(StructSchema(kRowFields), "5"));
  EXPECT_EQ(s.message(),
            "value: the payload must be an object (a row or a Debezium envelope), got number");
  s = Decode(std::nullopt, R"({"schema":{"type":"string","optional":false},"payload":"x"})");
  EXPECT_EQ(s.message(),
            "value: schema: the Connect schema is string, not a struct (a row or a "
            "Debezium envelope)");
}

}  // namespace
}  // namespace cdcflow::mysql_sink
