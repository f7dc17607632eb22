#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/schema-registry/schema/avro.h"

namespace cdcflow::schema_registry::avro {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const AvroSchema> ParseOk(std::string_view text,
                                          const std::vector<ResolvedReference>& references = {}) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, references);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  if (!parsed.ok()) return nullptr;
  return std::dynamic_pointer_cast<const AvroSchema>(*parsed);
}

absl::Status ParseError(std::string_view text,
                        const std::vector<ResolvedReference>& references = {}) {
  return Parse(text, references).status();
}

std::string Canonical(std::string_view text) {
  auto schema = ParseOk(text);
  return schema ? schema->canonical() : "<invalid>";
}

std::string Normalized(std::string_view text) {
  auto schema = ParseOk(text);
  return schema ? schema->Normalized() : "<invalid>";
}

// --- Parsing: every type -------------------------------------------------------------------

TEST(AvroParseTest, PrimitivesAsNameOrObject) {
  const std::pair<const char*, Type> kPrimitives[] = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
      {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
      {"bytes", Type::kBytes}, {"string", Type::kString},
  };
  for (const auto& [name, type] : kPrimitives) {
    const std::string quoted = std::string("\"") + name + "\"";
    auto as_name = ParseOk(quoted);
    auto as_object = ParseOk(std::string("{\"type\":") + quoted + "}");
    ASSERT_NE(as_name, nullptr);
    ASSERT_NE(as_object, nullptr);
    EXPECT_EQ(as_name->root().type, type) << name;
    EXPECT_EQ(as_object->root().type, type) << name;
    EXPECT_EQ(as_name->canonical(), quoted);
    EXPECT_EQ(as_object->canonical(), quoted);
    EXPECT_EQ(as_name->type(), SchemaType::kAvro);
  }
}

TEST(AvroParseTest, RecordWithEveryKindOfField) {
  auto schema = ParseOk(R"({
    "type": "record", "name": "User", "namespace": "com.example", "doc": "A user",
    "aliases": ["Person"],
    "fields": [
      {"name": "id", "type": "long"},
      {"name": "email", "type": ["null", "string"], "default": null, "doc": "mail"},
      {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"],
                                "default": "A"}},
      {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 16}},
      {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
      {"name": "attrs", "type": {"type": "map", "values": "Kind"}, "order": "ignore",
       "aliases": ["attributes"], "x-custom": true}
    ]})");
  ASSERT_NE(schema, nullptr);
  const Node& root = schema->root();
  EXPECT_EQ(root.type, Type::kRecord);
  EXPECT_EQ(root.name, "User");
  EXPECT_EQ(root.space, "com.example");
  EXPECT_EQ(root.FullName(), "com.example.User");
  EXPECT_EQ(root.doc, "A user");
  EXPECT_THAT(root.aliases, ElementsAre("com.example.Person"));
  ASSERT_EQ(root.fields.size(), 6u);

  EXPECT_EQ(root.fields[0].type->type, Type::kLong);
  EXPECT_FALSE(root.fields[0].default_value.has_value());

  const Field& email = root.fields[1];
  ASSERT_EQ(email.type->type, Type::kUnion);
  ASSERT_EQ(email.type->branches.size(), 2u);
  EXPECT_EQ(email.type->branches[0]->type, Type::kNull);
  EXPECT_EQ(email.type->branches[1]->type, Type::kString);
  ASSERT_TRUE(email.default_value.has_value());
  EXPECT_TRUE(email.default_value->is_null());
  EXPECT_EQ(email.doc, "mail");

  const Node& kind = *root.fields[2].type;
  EXPECT_EQ(kind.type, Type::kEnum);
  EXPECT_EQ(kind.FullName(), "com.example.Kind");
  EXPECT_THAT(kind.symbols, ElementsAre("A", "B"));
  EXPECT_EQ(kind.enum_default, "A");

  const Node& hash = *root.fields[3].type;
  EXPECT_EQ(hash.type, Type::kFixed);
  EXPECT_EQ(hash.FullName(), "com.example.Hash");
  EXPECT_EQ(hash.size, 16);

  const Node& tags = *root.fields[4].type;
  EXPECT_EQ(tags.type, Type::kArray);
  EXPECT_EQ(tags.items->type, Type::kString);

  const Field& attrs = root.fields[5];
  EXPECT_EQ(attrs.type->type, Type::kMap);
  EXPECT_EQ(attrs.type->values, &kind);  // the same named type, by reference
  EXPECT_EQ(attrs.order, FieldOrder::kIgnore);
  EXPECT_THAT(attrs.aliases, ElementsAre("attributes"));
  EXPECT_EQ(attrs.props.dump(), R"({"x-custom":true})");
}

TEST(AvroParseTest, ErrorTypeIsARecord) {
  auto schema =
      ParseOk(R"({"type":"error","name":"Oops","fields":[{"name":"m","type":"string"}]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->root().type, Type::kRecord);
  EXPECT_TRUE(schema->root().is_error);
  EXPECT_EQ(schema->canonical(),
            R"({"type":"error","name":"Oops","fields":[{"name":"m","type":"string"}]})");
}

TEST(AvroParseTest, TopLevelUnionArrayMapFixedEnum) {
  EXPECT_EQ(Canonical(R"(["null", "int"])"), R"(["null","int"])");
  EXPECT_EQ(Canonical(R"({"type":"array","items":{"type":"map","values":"bytes"}})"),
            R"({"type":"array","items":{"type":"map","values":"bytes"}})");
  EXPECT_EQ(Canonical(R"({"type":"fixed","size":0,"name":"Empty"})"),
            R"({"type":"fixed","name":"Empty","size":0})");
  EXPECT_EQ(Canonical(R"({"symbols":["X","Y"],"type":"enum","name":"a.b.E","doc":"d"})"),
            R"({"type":"enum","name":"E","namespace":"a.b","doc":"d","symbols":["X","Y"]})");
}

TEST(AvroParseTest, NamespacesAndFullNames) {
  auto schema = ParseOk(R"({"type":"record","name":"a.Outer","namespace":"ignored","fields":[
    {"name":"x","type":{"type":"record","name":"Inner","namespace":"b","fields":[
      {"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}}]}},
    {"name":"y","type":"b.Inner"},
    {"name":"z","type":{"type":"fixed","name":"F","size":1}},
    {"name":"w","type":{"type":"record","name":"Top","namespace":"","fields":[
      {"name":"v","type":{"type":"fixed","name":"G","size":2}}]}},
    {"name":"u","type":"F"}
  ]})");
  ASSERT_NE(schema, nullptr);
  const Node& root = schema->root();
  EXPECT_EQ(root.FullName(), "a.Outer");  // a dotted name wins over "namespace"
  const Node& inner = *root.fields[0].type;
  EXPECT_EQ(inner.FullName(), "b.Inner");
  EXPECT_EQ(inner.fields[0].type->FullName(), "b.E");  // inherits the enclosing namespace
  EXPECT_EQ(root.fields[1].type, &inner);
  EXPECT_EQ(root.fields[2].type->FullName(), "a.F");
  const Node& top = *root.fields[3].type;
  EXPECT_EQ(top.FullName(), "Top");
  EXPECT_EQ(top.fields[0].type->FullName(), "G");
  EXPECT_EQ(root.fields[4].type, root.fields[2].type);  // "F" is relative to namespace "a"
}

TEST(AvroParseTest, UnqualifiedNameFallsBackToNullNamespace) {
  auto schema = ParseOk(R"({"type":"record","name":"Top","fields":[
    {"name":"f","type":{"type":"fixed","name":"F","size":1}},
    {"name":"r","type":{"type":"record","name":"R","namespace":"ns","fields":[
      {"name":"g","type":"F"}]}}]})");
  ASSERT_NE(schema, nullptr);
  const Node& r = *schema->root().fields[1].type;
  EXPECT_EQ(r.fields[0].type, schema->root().fields[0].type);
}

TEST(AvroParseTest, RecursiveLinkedList) {
  auto schema = ParseOk(R"({"type":"record","name":"LongList","aliases":["LinkedLongs"],
    "fields":[{"name":"value","type":"long"},{"name":"next","type":["null","LongList"]}]})");
  ASSERT_NE(schema, nullptr);
  const Node& root = schema->root();
  EXPECT_EQ(root.fields[1].type->branches[1], &root);
  EXPECT_EQ(schema->canonical(),
            R"({"type":"record","name":"LongList","fields":[{"name":"value","type":"long"},)"
            R"({"name":"next","type":["null","LongList"]}],"aliases":["LinkedLongs"]})");
}

TEST(AvroParseTest, TypeObjectNamingADefinedType) {
  auto schema = ParseOk(R"({"type":"record","name":"R","fields":[
    {"name":"a","type":{"type":"enum","name":"E","symbols":["X"]}},
    {"name":"b","type":{"type":"E"}}]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->root().fields[1].type, schema->root().fields[0].type);
}

TEST(AvroParseTest, LogicalTypesKeptAsPropertiesAndValidated) {
  auto decimal = ParseOk(R"({"type":"bytes","logicalType":"decimal","precision":4,"scale":2})");
  ASSERT_NE(decimal, nullptr);
  EXPECT_EQ(decimal->root().logical_type, "decimal");
  EXPECT_EQ(decimal->canonical(),
            R"({"type":"bytes","logicalType":"decimal","precision":4,"scale":2})");

  // Invalid logical types are ignored, as Java does: the schema stays valid and keeps them as
  // properties.
  auto bad_decimal = ParseOk(R"({"type":"bytes","logicalType":"decimal","precision":0})");
  ASSERT_NE(bad_decimal, nullptr);
  EXPECT_EQ(bad_decimal->root().logical_type, "");
  EXPECT_EQ(bad_decimal->canonical(), R"({"type":"bytes","logicalType":"decimal","precision":0})");
  auto scale_too_big =
      ParseOk(R"({"type":"bytes","logicalType":"decimal","precision":2,"scale":3})");
  ASSERT_NE(scale_too_big, nullptr);
  EXPECT_EQ(scale_too_big->root().logical_type, "");
  auto date_on_long = ParseOk(R"({"type":"long","logicalType":"date"})");
  ASSERT_NE(date_on_long, nullptr);
  EXPECT_EQ(date_on_long->root().logical_type, "");

  auto fixed_decimal =
      ParseOk(R"({"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":4})");
  ASSERT_NE(fixed_decimal, nullptr);
  EXPECT_EQ(fixed_decimal->root().logical_type, "decimal");
  auto fixed_too_small =
      ParseOk(R"({"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":5})");
  ASSERT_NE(fixed_too_small, nullptr);
  EXPECT_EQ(fixed_too_small->root().logical_type, "");

  const std::pair<const char*, const char*> kValid[] = {
      {"int", "date"},
      {"int", "time-millis"},
      {"long", "time-micros"},
      {"long", "timestamp-millis"},
      {"long", "timestamp-micros"},
      {"long", "local-timestamp-millis"},
      {"long", "local-timestamp-micros"},
      {"string", "uuid"},
  };
  for (const auto& [type, logical] : kValid) {
    auto schema =
        ParseOk(std::string(R"({"type":")") + type + R"(","logicalType":")" + logical + "\"}");
    ASSERT_NE(schema, nullptr);
    EXPECT_EQ(schema->root().logical_type, logical);
  }
  auto duration = ParseOk(R"({"type":"fixed","name":"Dur","size":12,"logicalType":"duration"})");
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(duration->root().logical_type, "duration");
}

TEST(AvroParseTest, ValidDefaults) {
  auto schema = ParseOk(R"({"type":"record","name":"R","fields":[
    {"name":"b","type":"boolean","default":true},
    {"name":"i","type":"int","default":-2147483648},
    {"name":"l","type":"long","default":9223372036854775807},
    {"name":"f","type":"float","default":1},
    {"name":"d","type":"double","default":"1.5"},
    {"name":"nan","type":"double","default":"NaN"},
    {"name":"s","type":"string","default":"x"},
    {"name":"by","type":"bytes","default":"\u00ff"},
    {"name":"u","type":["string","null"],"default":"a"},
    {"name":"a","type":{"type":"array","items":"int"},"default":[1,2]},
    {"name":"m","type":{"type":"map","values":"long"},"default":{"k":1}},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["X"]},"default":"X"},
    {"name":"fx","type":{"type":"fixed","name":"F","size":1},"default":"a"},
    {"name":"r","type":{"type":"record","name":"Sub","fields":[
       {"name":"x","type":"int"},{"name":"y","type":"int","default":0}]},
     "default":{"x":1}}
  ]})");
  ASSERT_NE(schema, nullptr);
  // A float or double default written as a string becomes a number, as in Java.
  EXPECT_TRUE(schema->root().fields[4].default_value->is_number_float());
}

// --- Parsing: invalid schemas ----------------------------------------------------------------

TEST(AvroParseTest, InvalidSchemasAreInvalidArgument) {
  const char* kInvalid[] = {
      // Bad JSON.
      R"({"type":"record",)",
      R"("int" "long")",
      // Not a schema.
      "5",
      "null",
      R"({"type":5})",
      R"({"name":"NoType"})",
      // Unknown type.
      R"("Unknown")",
      R"({"type":"unknown"})",
      R"({"type":"record","name":"R","fields":[{"name":"f","type":"Missing"}]})",
      // Missing name; bad names.
      R"({"type":"record","fields":[]})",
      R"({"type":"enum","symbols":["A"]})",
      R"({"type":"fixed","size":1})",
      R"({"type":"record","name":"1Bad","fields":[]})",
      R"({"type":"record","name":"a.b-c","fields":[]})",
      R"({"type":"record","name":"int","fields":[]})",
      // Records and fields.
      R"({"type":"record","name":"R"})",
      R"({"type":"record","name":"R","fields":{}})",
      R"({"type":"record","name":"R","fields":[{"type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"f"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"bad-name","type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"f","type":"int"},)"
      R"({"name":"f","type":"long"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"sideways"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","aliases":"a"}]})",
      // Enums.
      R"({"type":"enum","name":"E"})",
      R"({"type":"enum","name":"E","symbols":["A","1B"]})",
      R"({"type":"enum","name":"E","symbols":["A","B-C"]})",
      R"({"type":"enum","name":"E","symbols":["A",1]})",
      R"({"type":"enum","name":"E","symbols":["A","A"]})",
      R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})",
      // Fixed.
      R"({"type":"fixed","name":"F"})",
      R"({"type":"fixed","name":"F","size":-1})",
      R"({"type":"fixed","name":"F","size":"16"})",
      R"({"type":"fixed","name":"F","size":1.5})",
      // Arrays and maps.
      R"({"type":"array"})",
      R"({"type":"map"})",
      R"({"type":"array","items":"Nope"})",
      // Unions.
      R"(["null",["int","string"]])",
      R"(["int","int"])",
      R"(["null",{"type":"array","items":"int"},{"type":"array","items":"long"}])",
      R"([{"type":"fixed","name":"F","size":1},"F"])",
      // Redefinition.
      R"({"type":"record","name":"R","fields":[{"name":"f","type":)"
      R"({"type":"record","name":"R","fields":[]}}]})",
      R"(["null",{"type":"enum","name":"a.E","symbols":["X"]},)"
      R"({"type":"fixed","name":"E","namespace":"a","size":1}])",
      // Aliases.
      R"({"type":"record","name":"R","fields":[],"aliases":[1]})",
  };
  for (const char* text : kInvalid) {
    absl::Status status = ParseError(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text << " -> " << status;
  }
}

TEST(AvroParseTest, InvalidDefaultsAreRejected) {
  const std::pair<const char*, const char*> kBadDefaults[] = {
      {R"("int")", R"("x")"},
      {R"("int")", "2147483648"},
      {R"("int")", "1.5"},
      {R"("long")", "9223372036854775808"},
      {R"("boolean")", "0"},
      {R"("null")", "0"},
      {R"("string")", "1"},
      {R"("bytes")", "null"},
      {R"("float")", R"("abc")"},
      {R"("double")", "true"},
      // A union's default must match its first branch.
      {R"(["null","string"])", R"("a")"},
      {R"(["string","null"])", "null"},
      {R"({"type":"array","items":"int"})", R"([1,"a"])"},
      {R"({"type":"array","items":"int"})", "{}"},
      {R"({"type":"map","values":"int"})", R"({"k":"v"})"},
      {R"({"type":"enum","name":"E","symbols":["X"]})", "1"},
      {R"({"type":"fixed","name":"F","size":1})", "1"},
      // A record default needs every field without a default of its own.
      {R"({"type":"record","name":"S","fields":[{"name":"x","type":"int"}]})", "{}"},
      {R"({"type":"record","name":"S","fields":[{"name":"x","type":"int"}]})", R"({"x":"1"})"},
  };
  for (const auto& [type, value] : kBadDefaults) {
    const std::string text = std::string(R"({"type":"record","name":"R","fields":[{"name":"f",)") +
                             R"("type":)" + type + R"(,"default":)" + value + "}]}";
    absl::Status status = ParseError(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr("default")) << text;
  }
}

TEST(AvroParseTest, ErrorMessagesSayWhatAndWhere) {
  absl::Status unknown =
      ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},)"
                 R"({"name":"b","type":{"type":"array","items":"Nope"}}]})");
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("/fields/1/type/items"));
  EXPECT_THAT(unknown.message(), HasSubstr("unknown type 'Nope'"));

  absl::Status bad_default = ParseError(
      R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","default":"x"}]})");
  EXPECT_THAT(bad_default.message(), HasSubstr("/fields/0"));
  EXPECT_THAT(bad_default.message(), HasSubstr("'f'"));

  // A long value is shortened in the message without cutting a UTF-8 character in two.
  std::string long_text = "x";  // puts byte 77 inside a two-byte character
  for (int i = 0; i < 60; ++i) long_text += "\u00e9";
  absl::Status long_default =
      ParseError(R"({"type":"record","name":"R","fields":[{"name":"f","type":"int","default":")" +
                 long_text + "\"}]}");
  EXPECT_THAT(long_default.message(), HasSubstr("... for field 'f'"));
  EXPECT_NO_THROW(Json(std::string(long_default.message())).dump());

  absl::Status bad_json = ParseError("{");
  EXPECT_THAT(bad_json.message(), HasSubstr("Invalid JSON"));

  absl::Status duplicate = ParseError(R"({"type":"enum","name":"E","symbols":["A","A"]})");
  EXPECT_THAT(duplicate.message(), HasSubstr("duplicate enum symbol 'A'"));

  absl::Status redefined = ParseError(R"(["null",{"type":"enum","name":"E","symbols":["X"]},)"
                                      R"({"type":"fixed","name":"E","size":1}])");
  EXPECT_THAT(redefined.message(), HasSubstr("redefinition of type 'E'"));
}

// --- Canonical form: Java's Schema.toString() ------------------------------------------------

TEST(AvroCanonicalTest, PrimitivesWithAndWithoutProperties) {
  EXPECT_EQ(Canonical(R"( { "type" : "int" } )"), R"("int")");
  // "doc" is not kept on unnamed types.
  EXPECT_EQ(Canonical(R"({"type":"int","doc":"ignored"})"), R"("int")");
  EXPECT_EQ(Canonical(R"({"type":"string","avro.java.string":"String"})"),
            R"({"type":"string","avro.java.string":"String"})");
  EXPECT_EQ(Canonical(R"({"logicalType":"timestamp-millis","type":"long"})"),
            R"({"type":"long","logicalType":"timestamp-millis"})");
}

TEST(AvroCanonicalTest, FullRecordInJavaAttributeOrder) {
  const char* input = R"({
    "namespace": "com.example",
    "x-owner": "team",
    "type": "record",
    "aliases": ["Person", "com.legacy.Member"],
    "name": "User",
    "doc": "A user",
    "fields": [
      {"name": "id", "type": "long"},
      {"default": null, "doc": "mail", "name": "email", "type": ["null", "string"]},
      {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"],
                                "default": "A", "aliases": ["Sort"]}},
      {"name": "hash", "type": {"type": "fixed", "name": "Hash", "namespace": "com.other",
                                "size": 16}},
      {"name": "tags", "type": {"type": "array", "items": "string", "x": 1}, "default": []},
      {"name": "attrs", "type": {"type": "map", "values": "Kind"}},
      {"custom": 1, "aliases": ["previous"], "order": "DESCENDING", "name": "prev",
       "type": ["null", "User"], "default": null},
      {"name": "h2", "type": "com.other.Hash"}
    ]
  })";
  EXPECT_EQ(Canonical(input),
            R"({"type":"record","name":"User","namespace":"com.example","doc":"A user",)"
            R"("fields":[{"name":"id","type":"long"},)"
            R"({"name":"email","type":["null","string"],"doc":"mail","default":null},)"
            R"({"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"],)"
            R"("default":"A","aliases":["Sort"]}},)"
            R"({"name":"hash","type":{"type":"fixed","name":"Hash","namespace":"com.other",)"
            R"("size":16}},)"
            R"({"name":"tags","type":{"type":"array","items":"string","x":1},"default":[]},)"
            R"({"name":"attrs","type":{"type":"map","values":"Kind"}},)"
            R"({"name":"prev","type":["null","User"],"default":null,"order":"descending",)"
            R"("aliases":["previous"],"custom":1},)"
            R"({"name":"h2","type":"com.other.Hash"}],)"
            R"("x-owner":"team","aliases":["Person","com.legacy.Member"]})");
}

TEST(AvroCanonicalTest, NamespacesRelativeToTheEnclosingType) {
  EXPECT_EQ(Canonical(R"({"type":"record","name":"a.Outer","fields":[
        {"name":"x","type":{"type":"record","name":"Inner","namespace":"b","fields":[
          {"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},
          {"name":"e2","type":"E"}]}},
        {"name":"y","type":"b.Inner"},
        {"name":"z","type":"b.E"},
        {"name":"w","type":{"type":"record","name":"Top","namespace":"","fields":[]}},
        {"name":"v","type":{"type":"record","name":"Same","namespace":"a","fields":[]}}]})"),
            R"({"type":"record","name":"Outer","namespace":"a","fields":[)"
            R"({"name":"x","type":{"type":"record","name":"Inner","namespace":"b","fields":[)"
            R"({"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},)"
            R"({"name":"e2","type":"E"}]}},)"
            R"({"name":"y","type":"b.Inner"},)"
            R"({"name":"z","type":"b.E"},)"
            R"({"name":"w","type":{"type":"record","name":"Top","namespace":"","fields":[]}},)"
            R"({"name":"v","type":{"type":"record","name":"Same","fields":[]}}]})");
}

TEST(AvroCanonicalTest, DefaultsPrintedAsJavaPrintsThem) {
  EXPECT_EQ(Canonical(R"({"type":"record","name":"R","fields":[
      {"name":"d","type":"double","default":1},
      {"name":"f","type":"float","default":"1.5"},
      {"name":"big","type":"double","default":1e20},
      {"name":"small","type":"double","default":0.0001},
      {"name":"zero","type":"double","default":0.0},
      {"name":"large","type":"double","default":123456789.0},
      {"name":"milli","type":"double","default":0.001},
      {"name":"neg","type":"double","default":-2.5e-10},
      {"name":"m","type":{"type":"map","values":"int"},"default":{"b":1,"a":2}},
      {"name":"s","type":"string","default":"quote\" slash\\ nl\n ctl\u0001 é"}]})"),
            R"({"type":"record","name":"R","fields":[)"
            R"({"name":"d","type":"double","default":1},)"
            R"({"name":"f","type":"float","default":1.5},)"
            R"({"name":"big","type":"double","default":1.0E20},)"
            R"({"name":"small","type":"double","default":1.0E-4},)"
            R"({"name":"zero","type":"double","default":0.0},)"
            R"({"name":"large","type":"double","default":1.23456789E8},)"
            R"({"name":"milli","type":"double","default":0.001},)"
            R"({"name":"neg","type":"double","default":-2.5E-10},)"
            R"({"name":"m","type":{"type":"map","values":"int"},"default":{"b":1,"a":2}},)"
            R"({"name":"s","type":"string","default":"quote\" slash\\ nl\n ctl\u0001 é"}]})");
}

TEST(AvroCanonicalTest, TypeNamedLikeAKeywordIsWrittenInFull) {
  EXPECT_EQ(Canonical(R"({"type":"record","name":"a.R","fields":[
      {"name":"x","type":{"type":"record","name":"record","fields":[]}},
      {"name":"y","type":"record"}]})"),
            R"({"type":"record","name":"R","namespace":"a","fields":[)"
            R"({"name":"x","type":{"type":"record","name":"record","fields":[]}},)"
            R"({"name":"y","type":"a.record"}]})");
}

TEST(AvroCanonicalTest, CanonicalTextParsesBackToItself) {
  const char* input = R"({"type":"record","name":"a.Outer","fields":[
      {"name":"w","type":{"type":"record","name":"Top","namespace":"","fields":[
        {"name":"t","type":{"type":"fixed","name":"T","size":1}}]}},
      {"name":"x","type":"T"},
      {"name":"l","type":["null","Outer"],"default":null}]})";
  const std::string canonical = Canonical(input);
  EXPECT_EQ(Canonical(canonical), canonical);
}

// --- Normalized form -------------------------------------------------------------------------

TEST(AvroNormalizedTest, WhitespaceOrderAndQualificationDoNotMatter) {
  const char* compact = R"({"type":"record","name":"User","namespace":"com.example","fields":[)"
                        R"({"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A"]}},)"
                        R"({"name":"k2","type":"Kind","default":"A"}],"a":1,"b":{"y":1,"x":2}})";
  const char* reordered = R"({
      "b": {"x": 2, "y": 1},
      "fields": [
        {"type": {"symbols": ["A"], "name": "com.example.Kind", "type": "enum"}, "name": "kind"},
        {"default": "A", "name": "k2", "type": "com.example.Kind"}
      ],
      "a": 1,
      "name": "com.example.User",
      "type": "record"
  })";
  auto first = ParseOk(compact);
  auto second = ParseOk(reordered);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->canonical(), second->canonical());
  EXPECT_EQ(first->Normalized(), second->Normalized());
  EXPECT_EQ(first->Normalized(),
            R"({"type":"record","name":"com.example.User","fields":[)"
            R"({"name":"kind","type":{"type":"enum","name":"com.example.Kind","symbols":["A"]}},)"
            R"({"name":"k2","type":"com.example.Kind","default":"A"}],"a":1,"b":{"x":2,"y":1}})");
}

TEST(AvroNormalizedTest, KeepsDocDefaultsAliasesLogicalTypesAndProperties) {
  const std::string normalized = Normalized(R"({"type":"record","name":"R","namespace":"n",
      "doc":"d","aliases":["Z","A"],"fields":[
        {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"},"default":0,
         "aliases":["y","x"],"doc":"fd","order":"ignore","p":true}]})");
  EXPECT_EQ(normalized,
            R"({"type":"record","name":"n.R","doc":"d","fields":[{"name":"t","type":)"
            R"({"type":"long","logicalType":"timestamp-millis"},"doc":"fd","default":0,)"
            R"("order":"ignore","aliases":["x","y"],"p":true}],"aliases":["n.A","n.Z"]})");
  // A different doc is a different schema.
  EXPECT_NE(Normalized(R"({"type":"record","name":"R","doc":"one","fields":[]})"),
            Normalized(R"({"type":"record","name":"R","doc":"two","fields":[]})"));
}

TEST(AvroNormalizedTest, NullNamespaceInsideANamespaceStaysExplicit) {
  const std::string normalized = Normalized(R"({"type":"record","name":"a.Outer","fields":[
      {"name":"w","type":{"type":"record","name":"Top","namespace":"","fields":[]}}]})");
  EXPECT_EQ(normalized, R"({"type":"record","name":"a.Outer","fields":[{"name":"w","type":)"
                        R"({"type":"record","name":"Top","namespace":"","fields":[]}}]})");
  // The normalized text is itself a schema that normalizes to the same text.
  EXPECT_EQ(Normalized(normalized), normalized);
}

// --- References ------------------------------------------------------------------------------

const ResolvedReference kAddress = {
    "com.example.Address", SchemaType::kAvro,
    R"({"type":"record","name":"Address","namespace":"com.example",)"
    R"("fields":[{"name":"street","type":"string"}]})"};

TEST(AvroReferencesTest, MainSchemaUsesReferencedTypesByName) {
  auto schema = ParseOk(R"({"type":"record","name":"Customer","namespace":"com.example",
      "fields":[{"name":"home","type":"Address"},{"name":"work","type":"com.example.Address"}]})",
                        {kAddress});
  ASSERT_NE(schema, nullptr);
  const Node& root = schema->root();
  EXPECT_EQ(root.fields[0].type->FullName(), "com.example.Address");
  EXPECT_EQ(root.fields[0].type, root.fields[1].type);
  EXPECT_EQ(root.fields[0].type->fields[0].type->type, Type::kString);
  // The referenced schema is not copied into the main one.
  EXPECT_EQ(schema->canonical(),
            R"({"type":"record","name":"Customer","namespace":"com.example",)"
            R"("fields":[{"name":"home","type":"Address"},{"name":"work","type":"Address"}]})");
  EXPECT_EQ(schema->Normalized(), R"({"type":"record","name":"com.example.Customer","fields":[)"
                                  R"({"name":"home","type":"com.example.Address"},)"
                                  R"({"name":"work","type":"com.example.Address"}]})");
}

TEST(AvroReferencesTest, ReferencesBuildOnEachOtherInOrder) {
  const ResolvedReference person = {"com.example.Person", SchemaType::kAvro,
                                    R"({"type":"record","name":"com.example.Person","fields":[)"
                                    R"({"name":"address","type":"com.example.Address"}]})"};
  auto schema = ParseOk(R"(["null","com.example.Person"])", {kAddress, person});
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->canonical(), R"(["null","com.example.Person"])");
  // Out of order, the second reference does not know the first.
  EXPECT_EQ(ParseError(R"(["null","com.example.Person"])", {person, kAddress}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AvroReferencesTest, MissingInvalidOrForeignReferencesAreErrors) {
  const char* main =
      R"({"type":"record","name":"C","fields":[{"name":"a","type":"com.example.Address"}]})";
  EXPECT_EQ(ParseError(main).code(), absl::StatusCode::kInvalidArgument);

  absl::Status invalid = ParseError(main, {{"bad", SchemaType::kAvro, R"({"type":"nope"})"}});
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invalid.message(), HasSubstr("'bad'"));

  absl::Status foreign =
      ParseError(main, {{"x.proto", SchemaType::kProtobuf, "syntax = \"proto3\";"}});
  EXPECT_EQ(foreign.code(), absl::StatusCode::kInvalidArgument);

  // The main schema may not redefine a referenced type.
  EXPECT_EQ(ParseError(kAddress.text, {kAddress}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdcflow::schema_registry::avro
