#include "services/mysql-sink/pipeline/record_mapper.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cdcflow::mysql_sink {
namespace {

std::shared_ptr<const Schema> MakeSchema(std::vector<Field> fields, uint64_t fingerprint) {
  auto s = std::make_shared<Schema>();
  s->fields = std::move(fields);
  s->fingerprint = fingerprint;
  return s;
}

RecordMapper Mapper(PkMode mode, std::vector<std::string> pk_fields = {},
                    bool delete_enabled = true) {
  auto router = sql::TableRouter::Create("${topic}", "dev\\.public\\.(.*)", "$1");
  EXPECT_TRUE(router.ok()) << router.status();
  return RecordMapper(
      {.pk_mode = mode, .pk_fields = std::move(pk_fields), .delete_enabled = delete_enabled},
      std::move(*router));
}

// key {id: 7}, value {id: 7, name: 'x'}
DecodedRecord Upsert() {
  DecodedRecord d;
  d.op = Op::kUpsert;
  d.key_schema = MakeSchema({{.name = "id", .type = FieldType::kInt64, .optional = false}}, 1);
  d.key.AppendLiteral("7");
  d.value_schema = MakeSchema({{.name = "id", .type = FieldType::kInt64, .optional = false},
                               {.name = "name", .type = FieldType::kString}},
                              2);
  d.value.AppendLiteral("7");
  d.value.AppendLiteral("'x'");
  return d;
}

constexpr KafkaCoordinates kAt{.topic = "dev.public.orders", .partition = 2, .offset = 41};

TEST(RecordMapper, RecordKeyRoutesAndTakesTheKeyFromTheKafkaKey) {
  RecordMapper mapper = Mapper(PkMode::kRecordKey);
  DecodedRecord in = Upsert();
  SinkRecord out;
  ASSERT_TRUE(mapper.Map(in, kAt, out).ok());
  EXPECT_EQ(out.table, "orders");
  EXPECT_EQ(out.op, Op::kUpsert);
  EXPECT_EQ(out.key_columns->names, std::vector<std::string>{"id"});
  ASSERT_EQ(out.key.size(), 1u);
  EXPECT_EQ(out.key.literal(0), "7");
  ASSERT_EQ(out.value.size(), 2u);
  EXPECT_EQ(out.value.literal(1), "'x'");
  EXPECT_EQ(out.value_schema.get(), in.value_schema.get()) << "no copy when nothing is added";
}

TEST(RecordMapper, RecordKeyAddsKeyFieldsMissingFromTheValue) {
  RecordMapper mapper = Mapper(PkMode::kRecordKey);
  DecodedRecord in = Upsert();
  in.value_schema = MakeSchema({{.name = "name", .type = FieldType::kString}}, 3);
  in.value.Clear();
  in.value.AppendLiteral("'y'");
  SinkRecord out;
  ASSERT_TRUE(mapper.Map(in, kAt, out).ok());
  ASSERT_EQ(out.value_schema->fields.size(), 2u);
  EXPECT_EQ(out.value_schema->fields[1].name, "id");
  EXPECT_FALSE(out.value_schema->fields[1].optional);
  EXPECT_EQ(out.value.literal(1), "7");
}

TEST(RecordMapper, RecordValueTakesPkFieldsFromTheRowAndTheBeforeImageOnDelete) {
  RecordMapper mapper = Mapper(PkMode::kRecordValue, {"name"});
  DecodedRecord in = Upsert();
  in.op = Op::kDelete;
  SinkRecord out;
  ASSERT_TRUE(mapper.Map(in, kAt, out).ok());
  EXPECT_EQ(out.op, Op::kDelete);
  EXPECT_EQ(out.key_columns->names, std::vector<std::string>{"name"});
  EXPECT_EQ(out.key.literal(0), "'x'");

  // The tombstone after a delete: the delete event already carried the old row.
  DecodedRecord tombstone;
  tombstone.op = Op::kDelete;
  tombstone.key_schema = in.key_schema;
  tombstone.key.AppendLiteral("7");
  ASSERT_TRUE(mapper.Map(tombstone, kAt, out).ok());
  EXPECT_EQ(out.op, Op::kSkip);
  EXPECT_EQ(out.skip_reason, "tombstone");
}

TEST(RecordMapper, KafkaModeAppendsTheCoordinatesAsTheKey) {
  RecordMapper mapper = Mapper(PkMode::kKafka, {}, /*delete_enabled=*/false);
  DecodedRecord in = Upsert();
  SinkRecord out;
  ASSERT_TRUE(mapper.Map(in, kAt, out).ok());
  EXPECT_EQ(
      out.key_columns->names,
      (std::vector<std::string>{"__connect_topic", "__connect_partition", "__connect_offset"}));
  ASSERT_EQ(out.value.size(), 5u);
  EXPECT_EQ(out.value.literal(2), "'dev.public.orders'");
  EXPECT_EQ(out.value.literal(3), "2");
  EXPECT_EQ(out.value.literal(4), "41");
}

TEST(RecordMapper, DeletesWhenDisabledAreSkippedButFlattenedRowsAreWritten) {
  RecordMapper mapper = Mapper(PkMode::kRecordKey, {}, /*delete_enabled=*/false);
  DecodedRecord in = Upsert();
  in.op = Op::kDelete;
  SinkRecord out;
  ASSERT_TRUE(mapper.Map(in, kAt, out).ok());
  EXPECT_EQ(out.op, Op::kSkip);

  in = Upsert();
  in.op = Op::kDelete;
  in.flattened = true;
  ASSERT_TRUE(mapper.Map(in, kAt, out).ok());
  EXPECT_EQ(out.op, Op::kUpsert) << "a rewritten delete is a row with __deleted=true";
}

TEST(RecordMapper, MissingKeyAndUnknownPkFieldAreRecordErrors) {
  RecordMapper mapper = Mapper(PkMode::kRecordKey);
  DecodedRecord in = Upsert();
  in.key_schema = nullptr;
  in.key.Clear();
  SinkRecord out;
  EXPECT_EQ(mapper.Map(in, kAt, out).code(), absl::StatusCode::kInvalidArgument);

  RecordMapper by_field = Mapper(PkMode::kRecordKey, {"nope"});
  DecodedRecord in2 = Upsert();
  absl::Status s = by_field.Map(in2, kAt, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"nope\""), absl::string_view::npos) << s;

  DecodedRecord null_key = Upsert();
  null_key.key.Clear();
  null_key.key.AppendLiteral("NULL");
  s = mapper.Map(null_key, kAt, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("is null"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace cdcflow::mysql_sink
