#include "services/schema-registry/store/records.h"

#include <string>

#include <gtest/gtest.h>

namespace cdcflow::schema_registry {
namespace {

// ---------------------------------------------------------------------------- keys

TEST(EncodeKeyTest, SchemaKeyIsByteExact) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kSchema, .subject = "s", .version = 1}),
            R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})");
}

TEST(EncodeKeyTest, GlobalConfigKeyHasNullSubject) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kConfig}),
            R"({"keytype":"CONFIG","subject":null,"magic":0})");
}

TEST(EncodeKeyTest, SubjectConfigKey) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kConfig, .subject = "orders-value"}),
            R"({"keytype":"CONFIG","subject":"orders-value","magic":0})");
}

TEST(EncodeKeyTest, ModeKeys) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kMode, .subject = "s"}),
            R"({"keytype":"MODE","subject":"s","magic":0})");
  EXPECT_EQ(EncodeKey({.type = KeyType::kMode}), R"({"keytype":"MODE","subject":null,"magic":0})");
}

TEST(EncodeKeyTest, DeleteAndClearSubjectKeys) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kDeleteSubject, .subject = "s"}),
            R"({"keytype":"DELETE_SUBJECT","subject":"s","magic":0})");
  EXPECT_EQ(EncodeKey({.type = KeyType::kClearSubject, .subject = "s"}),
            R"({"keytype":"CLEAR_SUBJECT","subject":"s","magic":0})");
}

TEST(EncodeKeyTest, NoopKeyHasNoSubject) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kNoop}), R"({"keytype":"NOOP","magic":0})");
  // Even when one is given.
  EXPECT_EQ(EncodeKey({.type = KeyType::kNoop, .subject = "s"}), R"({"keytype":"NOOP","magic":0})");
}

TEST(EncodeKeyTest, SubjectIsJsonEscaped) {
  EXPECT_EQ(EncodeKey({.type = KeyType::kSchema, .subject = "a\"b/c\\d", .version = 7}),
            R"({"keytype":"SCHEMA","subject":"a\"b/c\\d","version":7,"magic":1})");
}

TEST(DecodeKeyTest, RoundTripsEveryShape) {
  const RecordKey keys[] = {
      {.type = KeyType::kSchema, .subject = "s", .version = 3},
      {.type = KeyType::kConfig, .subject = std::nullopt},
      {.type = KeyType::kConfig, .subject = "s"},
      {.type = KeyType::kMode, .subject = std::nullopt},
      {.type = KeyType::kMode, .subject = "s"},
      {.type = KeyType::kDeleteSubject, .subject = "s"},
      {.type = KeyType::kClearSubject, .subject = "s"},
      {.type = KeyType::kNoop},
  };
  for (const RecordKey& key : keys) {
    std::string encoded = EncodeKey(key);
    absl::StatusOr<RecordKey> decoded = DecodeKey(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << ": " << decoded.status();
    EXPECT_EQ(decoded->type, key.type) << encoded;
    EXPECT_EQ(decoded->subject, key.subject) << encoded;
    EXPECT_EQ(decoded->version, key.version) << encoded;
  }
}

TEST(DecodeKeyTest, AcceptsConfluentKeysWithOtherFieldOrderAndSpacing) {
  absl::StatusOr<RecordKey> key = DecodeKey(
      R"({ "magic" : 1, "version" : 12, "subject" : "Kafka-key", "keytype" : "SCHEMA" })");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->type, KeyType::kSchema);
  EXPECT_EQ(key->subject, "Kafka-key");
  EXPECT_EQ(key->version, 12);

  // Confluent's global CONFIG key may leave the subject out altogether.
  absl::StatusOr<RecordKey> config = DecodeKey(R"({"keytype":"CONFIG","magic":0})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->type, KeyType::kConfig);
  EXPECT_EQ(config->subject, std::nullopt);
}

TEST(DecodeKeyTest, RejectsGarbage) {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "\"SCHEMA\"",
      "null",
      R"({"subject":"s"})",                                       // no keytype
      R"({"keytype":7,"subject":"s"})",                           // keytype not a string
      R"({"keytype":"SCHEMAS","subject":"s","version":1})",       // unknown keytype
      R"({"keytype":"schema","subject":"s","version":1})",        // case matters
      R"({"keytype":"SCHEMA","version":1,"magic":1})",            // no subject
      R"({"keytype":"SCHEMA","subject":null,"version":1})",       // null subject
      R"({"keytype":"SCHEMA","subject":"s","magic":1})",          // no version
      R"({"keytype":"SCHEMA","subject":"s","version":"1"})",      // version not a number
      R"({"keytype":"SCHEMA","subject":"s","version":1.5})",      // version not an integer
      R"({"keytype":"DELETE_SUBJECT","magic":0})",                // no subject
      R"({"keytype":"CLEAR_SUBJECT","subject":null,"magic":0})",  // null subject
      R"({"keytype":"SCHEMA","subject":"s","version":1)",         // truncated
  };
  for (const char* text : bad) {
    absl::StatusOr<RecordKey> key = DecodeKey(text);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

// BUG: records.cc IntField() narrows any JSON integer to int32_t without a range check, so a
// key naming version 4294967297 decodes as version 1 (and would overwrite version 1).
TEST(DecodeKeyTest, RejectsVersionOutOfInt32Range) {
  absl::StatusOr<RecordKey> key =
      DecodeKey(R"({"keytype":"SCHEMA","subject":"s","version":4294967297,"magic":1})");
  EXPECT_FALSE(key.ok()) << "decoded as version " << key->version;
}

// BUG: records.cc DecodeKey() treats a CONFIG/MODE subject that is present but not a string
// (e.g. 5) as absent, i.e. as the *global* key, so a malformed record changes global config.
TEST(DecodeKeyTest, RejectsNonStringNonNullSubject) {
  absl::StatusOr<RecordKey> key = DecodeKey(R"({"keytype":"CONFIG","subject":5,"magic":0})");
  EXPECT_FALSE(key.ok()) << "decoded as a global CONFIG key";
}

// ---------------------------------------------------------------------------- SCHEMA values

TEST(SchemaValueTest, EncodesAvroWithoutSchemaType) {
  SchemaValue value{.subject = "Kafka-key",
                    .version = 1,
                    .id = 1,
                    .definition = {.type = SchemaType::kAvro, .text = "\"string\""}};
  EXPECT_EQ(EncodeSchemaValue(value),
            R"({"subject":"Kafka-key","version":1,"id":1,"schema":"\"string\"","deleted":false})");
}

TEST(SchemaValueTest, EncodesProtobufWithSchemaTypeAndReferences) {
  SchemaValue value{.subject = "p",
                    .version = 2,
                    .id = 9,
                    .definition = {.type = SchemaType::kProtobuf,
                                   .text = "syntax = \"proto3\";",
                                   .references = {{"dep.proto", "dep", 3}}},
                    .deleted = true};
  EXPECT_EQ(EncodeSchemaValue(value),
            R"({"subject":"p","version":2,"id":9,"schemaType":"PROTOBUF",)"
            R"("references":[{"name":"dep.proto","subject":"dep","version":3}],)"
            R"("schema":"syntax = \"proto3\";","deleted":true})");
}

TEST(SchemaValueTest, DecodesConfluentAvroValue) {
  absl::StatusOr<SchemaValue> value = DecodeSchemaValue(
      R"({"subject":"Kafka-key","version":1,"id":1,"schema":"\"string\"","deleted":false})");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->subject, "Kafka-key");
  EXPECT_EQ(value->version, 1);
  EXPECT_EQ(value->id, 1);
  EXPECT_EQ(value->definition.type, SchemaType::kAvro);
  EXPECT_EQ(value->definition.text, "\"string\"");
  EXPECT_TRUE(value->definition.references.empty());
  EXPECT_FALSE(value->deleted);
}

TEST(SchemaValueTest, DecodesConfluentProtobufValueWithReferences) {
  absl::StatusOr<SchemaValue> value = DecodeSchemaValue(
      R"({"subject":"orders-value","version":4,"id":21,"schemaType":"PROTOBUF",)"
      R"("references":[{"name":"common/money.proto","subject":"money","version":2},)"
      R"({"name":"common/time.proto","subject":"time","version":1}],)"
      R"("schema":"syntax = \"proto3\";\nimport \"common/money.proto\";\n","deleted":true})");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->subject, "orders-value");
  EXPECT_EQ(value->version, 4);
  EXPECT_EQ(value->id, 21);
  EXPECT_EQ(value->definition.type, SchemaType::kProtobuf);
  EXPECT_EQ(value->definition.text, "syntax = \"proto3\";\nimport \"common/money.proto\";\n");
  EXPECT_EQ(value->definition.references,
            (std::vector<SchemaReference>{{"common/money.proto", "money", 2},
                                          {"common/time.proto", "time", 1}}));
  EXPECT_TRUE(value->deleted);
}

TEST(SchemaValueTest, DecodesValueWithoutDeletedAndWithExplicitAvroType) {
  absl::StatusOr<SchemaValue> value = DecodeSchemaValue(
      R"({"subject":"s","version":2,"id":3,"schemaType":"AVRO","schema":"\"int\""})");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->definition.type, SchemaType::kAvro);
  EXPECT_FALSE(value->deleted);
}

TEST(SchemaValueTest, RoundTrips) {
  SchemaValue value{.subject = "j",
                    .version = 5,
                    .id = 77,
                    .definition = {.type = SchemaType::kJson,
                                   .text = R"({"type":"object"})",
                                   .references = {{"a.json", "a", 1}, {"b.json", "b", 2}}},
                    .deleted = false};
  absl::StatusOr<SchemaValue> decoded = DecodeSchemaValue(EncodeSchemaValue(value));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->subject, value.subject);
  EXPECT_EQ(decoded->version, value.version);
  EXPECT_EQ(decoded->id, value.id);
  EXPECT_EQ(decoded->definition, value.definition);
  EXPECT_EQ(decoded->deleted, value.deleted);
}

TEST(SchemaValueTest, RejectsGarbage) {
  const char* bad[] = {
      "",
      "garbage",
      "[1,2]",
      R"({"version":1,"id":1,"schema":"x"})",                           // no subject
      R"({"subject":"s","id":1,"schema":"x"})",                         // no version
      R"({"subject":"s","version":1,"schema":"x"})",                    // no id
      R"({"subject":"s","version":1,"id":1})",                          // no schema
      R"({"subject":"s","version":1,"id":"1","schema":"x"})",           // id a string
      R"({"subject":"s","version":1,"id":1,"schema":{"type":"int"}})",  // schema an object
      R"({"subject":"s","version":1,"id":1,"schema":"x","schemaType":"XML"})",
      R"({"subject":"s","version":1,"id":1,"schema":"x","references":[1]})",
      R"({"subject":"s","version":1,"id":1,"schema":"x","references":[{"name":"n"}]})",
  };
  for (const char* text : bad) {
    EXPECT_EQ(DecodeSchemaValue(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

// ---------------------------------------------------------------------------- other values

TEST(ConfigValueTest, EncodesAndDecodes) {
  EXPECT_EQ(EncodeConfigValue("FULL"), R"({"compatibilityLevel":"FULL"})");
  absl::StatusOr<std::string> level = DecodeConfigValue(R"({"compatibilityLevel":"FULL"})");
  ASSERT_TRUE(level.ok()) << level.status();
  EXPECT_EQ(*level, "FULL");
  // Confluent 7.x adds fields (alias, normalize, ...): they are ignored.
  level = DecodeConfigValue(R"({"alias":null,"normalize":false,"compatibilityLevel":"NONE"})");
  ASSERT_TRUE(level.ok()) << level.status();
  EXPECT_EQ(*level, "NONE");
  EXPECT_FALSE(DecodeConfigValue(R"({"compatibility":"FULL"})").ok());
  EXPECT_FALSE(DecodeConfigValue("null").ok());
}

TEST(ModeValueTest, EncodesAndDecodes) {
  EXPECT_EQ(EncodeModeValue("READONLY"), R"({"mode":"READONLY"})");
  absl::StatusOr<std::string> mode = DecodeModeValue(R"({"mode":"IMPORT"})");
  ASSERT_TRUE(mode.ok()) << mode.status();
  EXPECT_EQ(*mode, "IMPORT");
  EXPECT_FALSE(DecodeModeValue(R"({"mode":1})").ok());
  EXPECT_FALSE(DecodeModeValue("{").ok());
}

TEST(SubjectVersionValueTest, EncodesAndDecodes) {
  EXPECT_EQ(EncodeSubjectVersionValue({"s", 4}), R"({"subject":"s","version":4})");
  absl::StatusOr<SubjectVersionValue> value =
      DecodeSubjectVersionValue(R"({"subject":"Kafka-value","version":12})");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->subject, "Kafka-value");
  EXPECT_EQ(value->version, 12);
  EXPECT_FALSE(DecodeSubjectVersionValue(R"({"subject":"s"})").ok());
  EXPECT_FALSE(DecodeSubjectVersionValue(R"({"version":1})").ok());
}

TEST(LeaderValueTest, EncodesAndDecodes) {
  EXPECT_EQ(EncodeLeaderValue({"http://h:8081", 7}),
            R"({"leader":"http://h:8081","generation":7})");
  std::optional<LeaderValue> leader =
      DecodeLeaderValue(R"({"leader":"http://10.0.0.5:8081","generation":42})");
  ASSERT_TRUE(leader.has_value());
  EXPECT_EQ(leader->url, "http://10.0.0.5:8081");
  EXPECT_EQ(leader->generation, 42);
  leader = DecodeLeaderValue(R"({"leader":"http://x"})");
  ASSERT_TRUE(leader.has_value());
  EXPECT_EQ(leader->generation, 0);
  // Confluent's NOOP values are not ours.
  EXPECT_FALSE(DecodeLeaderValue("null").has_value());
  EXPECT_FALSE(DecodeLeaderValue("").has_value());
  EXPECT_FALSE(DecodeLeaderValue(R"({"generation":1})").has_value());
  EXPECT_FALSE(DecodeLeaderValue(R"({"leader":1})").has_value());
}

}  // namespace
}  // namespace cdcflow::schema_registry
