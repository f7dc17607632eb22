#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/schema-registry/schema/json_schema.h"
#include "services/schema-registry/schema/json_schema_compatibility.h"

namespace cdcflow::schema_registry::json_schema {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

std::shared_ptr<const ParsedSchema> MustParse(const std::string& text,
                                              const std::vector<ResolvedReference>& refs = {}) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, refs);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  return parsed.ok() ? *parsed : nullptr;
}

// (error_type, path) of every incompatibility of reader vs writer.
std::vector<std::pair<std::string, std::string>> Check(
    const std::string& reader, const std::string& writer,
    const std::vector<ResolvedReference>& reader_refs = {},
    const std::vector<ResolvedReference>& writer_refs = {}) {
  std::shared_ptr<const ParsedSchema> r = MustParse(reader, reader_refs);
  std::shared_ptr<const ParsedSchema> w = MustParse(writer, writer_refs);
  if (r == nullptr || w == nullptr) return {{"PARSE_FAILED", ""}};
  std::vector<std::pair<std::string, std::string>> found;
  for (const Incompatibility& incompatibility : CheckCompatibility(*r, *w)) {
    found.emplace_back(incompatibility.error_type, incompatibility.path);
  }
  return found;
}

constexpr char kPerson[] = R"({"type": "object", "properties": {"name": {"type": "string"}}})";

TEST(JsonSchemaCompatibilityTest, IdenticalSchemasAreCompatible) {
  EXPECT_THAT(Check(kPerson, kPerson), IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, TypeChanged) {
  EXPECT_THAT(Check(R"({"type": "integer"})", R"({"type": "string"})"),
              ElementsAre(Pair("TYPE_CHANGED", "#/")));
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "boolean"}}})", kPerson),
              ElementsAre(Pair("TYPE_CHANGED", "#/properties/name")));
}

TEST(JsonSchemaCompatibilityTest, IntegerWidensToNumber) {
  EXPECT_THAT(Check(R"({"type": "number"})", R"({"type": "integer"})"), IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, TypeNarrowed) {
  EXPECT_THAT(Check(R"({"type": "integer"})", R"({"type": "number"})"),
              ElementsAre(Pair("TYPE_NARROWED", "#/")));
}

TEST(JsonSchemaCompatibilityTest, UnionTypes) {
  // Widening to a union that contains the old type is fine.
  EXPECT_THAT(Check(R"({"type": ["string", "null"]})", R"({"type": "string"})"), IsEmpty());
  // Dropping a member is not.
  EXPECT_THAT(Check(R"({"type": "string"})", R"({"type": ["string", "null"]})"),
              ElementsAre(Pair("TYPE_CHANGED", "#/")));
  EXPECT_THAT(
      Check(R"({"type": ["string", "null"]})", R"({"type": ["string", "null", "integer"]})"),
      ElementsAre(Pair("SUM_TYPE_NARROWED", "#/")));
}

TEST(JsonSchemaCompatibilityTest, BooleanSchemas) {
  EXPECT_THAT(Check("true", R"({"type": "string"})"), IsEmpty());
  EXPECT_THAT(Check(R"({"type": "string"})", "false"), IsEmpty());
  EXPECT_THAT(Check("false", R"({"type": "string"})"), ElementsAre(Pair("TYPE_CHANGED", "#/")));
}

TEST(JsonSchemaCompatibilityTest, PropertyAddedToOpenContentModel) {
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"},
                                                         "age": {"type": "integer"}}})",
                    kPerson),
              ElementsAre(Pair("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "#/properties/age")));
  // A property that accepts anything cannot conflict with what an open writer sent.
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"},
                                                         "any": {}}})",
                    kPerson),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, OptionalPropertyAddedToClosedContentModelIsCompatible) {
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"},
                        "age": {"type": "integer"}}, "additionalProperties": false})",
                    R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "additionalProperties": false})"),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, RequiredPropertyAddedToUnopenContentModel) {
  std::string writer = R"({"type": "object", "properties": {"name": {"type": "string"}},
                           "additionalProperties": false})";
  EXPECT_THAT(
      Check(R"({"type": "object", "properties": {"name": {"type": "string"},
                        "age": {"type": "integer"}}, "required": ["age"],
                        "additionalProperties": false})",
            writer),
      ElementsAre(Pair("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/age")));
  // With a default the reader fills it in.
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"},
                        "age": {"type": "integer", "default": 0}}, "required": ["age"],
                        "additionalProperties": false})",
                    writer),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, PropertyRemovedFromClosedContentModel) {
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "additionalProperties": false})",
                    R"({"type": "object", "properties": {"name": {"type": "string"},
                        "age": {"type": "integer"}}, "additionalProperties": false})"),
              ElementsAre(Pair("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/properties/age")));
  // An open reader still accepts it.
  EXPECT_THAT(Check(kPerson, R"({"type": "object", "properties": {"name": {"type": "string"},
                                 "age": {"type": "integer"}}})"),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, PropertyRemovedAndPartiallyOpenContentModel) {
  std::string writer = R"({"type": "object", "properties": {"name": {"type": "string"},
                           "age": {"type": "integer"}}, "additionalProperties": false})";
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "additionalProperties": {"type": "integer"}})",
                    writer),
              IsEmpty());
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                "additionalProperties": {"type": "string"}})",
                    writer),
              ElementsAre(Pair("TYPE_CHANGED", "#/properties/age"),
                          Pair("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                               "#/properties/age")));
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "patternProperties": {"^a": {"type": "integer"}},
                        "additionalProperties": false})",
                    writer),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, RequiredAttributeAdded) {
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "required": ["name"]})",
                    kPerson),
              ElementsAre(Pair("REQUIRED_ATTRIBUTE_ADDED", "#/required/name")));
  // Dropping a requirement is fine.
  EXPECT_THAT(Check(kPerson, R"({"type": "object", "properties": {"name": {"type": "string"}},
                                 "required": ["name"]})"),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, AdditionalPropertiesRemoved) {
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "additionalProperties": false})",
                    kPerson),
              ElementsAre(Pair("ADDITIONAL_PROPERTIES_REMOVED", "#/additionalProperties")));
  // Opening a closed model is fine.
  EXPECT_THAT(Check(kPerson, R"({"type": "object", "properties": {"name": {"type": "string"}},
                                 "additionalProperties": false})"),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, AdditionalPropertiesNarrowed) {
  EXPECT_THAT(Check(R"({"type": "object", "properties": {"name": {"type": "string"}},
                        "additionalProperties": {"type": "string"}})",
                    kPerson),
              ElementsAre(Pair("ADDITIONAL_PROPERTIES_NARROWED", "#/additionalProperties")));
  EXPECT_THAT(Check(R"({"type": "object", "additionalProperties": {"type": "string"}})",
                    R"({"type": "object", "additionalProperties": {"type": "integer"}})"),
              ElementsAre(Pair("TYPE_CHANGED", "#/additionalProperties")));
}

TEST(JsonSchemaCompatibilityTest, EnumArrayNarrowedAndChanged) {
  EXPECT_THAT(Check(R"({"enum": ["a"]})", R"({"enum": ["a", "b"]})"),
              ElementsAre(Pair("ENUM_ARRAY_NARROWED", "#/enum")));
  EXPECT_THAT(Check(R"({"enum": ["a", "c"]})", R"({"enum": ["a", "b"]})"),
              ElementsAre(Pair("ENUM_ARRAY_CHANGED", "#/enum")));
  EXPECT_THAT(Check(R"({"enum": ["a", "b", "c"]})", R"({"enum": ["a", "b"]})"), IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, TypedEnumNarrowedIsASubschemaChange) {
  // Like Confluent (everit), "type" + "enum" is an allOf of the two: narrowing the enum leaves a
  // branch without a compatible partner.
  EXPECT_THAT(
      Check(R"({"type": "string", "enum": ["a"]})", R"({"type": "string", "enum": ["a", "b"]})"),
      ElementsAre(Pair("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")));
}

TEST(JsonSchemaCompatibilityTest, StringLengthLimits) {
  std::string writer = R"({"type": "string", "maxLength": 10, "minLength": 2})";
  EXPECT_THAT(Check(R"({"type": "string", "maxLength": 5, "minLength": 2})", writer),
              ElementsAre(Pair("MAX_LENGTH_DECREASED", "#/maxLength")));
  EXPECT_THAT(Check(R"({"type": "string", "maxLength": 10, "minLength": 3})", writer),
              ElementsAre(Pair("MIN_LENGTH_INCREASED", "#/minLength")));
  EXPECT_THAT(Check(R"({"type": "string", "maxLength": 20, "minLength": 1})", writer), IsEmpty());
  EXPECT_THAT(Check(R"({"type": "string"})", writer), IsEmpty());
  EXPECT_THAT(Check(R"({"type": "string", "maxLength": 3})", R"({"type": "string"})"),
              ElementsAre(Pair("MAX_LENGTH_ADDED", "#/maxLength")));
  EXPECT_THAT(Check(R"({"type": "string", "minLength": 3})", R"({"type": "string"})"),
              ElementsAre(Pair("MIN_LENGTH_ADDED", "#/minLength")));
}

TEST(JsonSchemaCompatibilityTest, PatternAddedAndChanged) {
  EXPECT_THAT(Check(R"({"type": "string", "pattern": "^a"})", R"({"type": "string"})"),
              ElementsAre(Pair("PATTERN_ADDED", "#/pattern")));
  EXPECT_THAT(
      Check(R"({"type": "string", "pattern": "^a"})", R"({"type": "string", "pattern": "^b"})"),
      ElementsAre(Pair("PATTERN_CHANGED", "#/pattern")));
  EXPECT_THAT(Check(R"({"type": "string"})", R"({"type": "string", "pattern": "^b"})"), IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, NumericLimits) {
  std::string writer = R"({"type": "number", "maximum": 100, "minimum": 0})";
  EXPECT_THAT(Check(R"({"type": "number", "maximum": 50, "minimum": 0})", writer),
              ElementsAre(Pair("MAXIMUM_DECREASED", "#/maximum")));
  EXPECT_THAT(Check(R"({"type": "number", "maximum": 100, "minimum": 1})", writer),
              ElementsAre(Pair("MINIMUM_INCREASED", "#/minimum")));
  EXPECT_THAT(Check(R"({"type": "number", "maximum": 200, "minimum": -1})", writer), IsEmpty());
  EXPECT_THAT(Check(R"({"type": "number", "maximum": 5})", R"({"type": "number"})"),
              ElementsAre(Pair("MAXIMUM_ADDED", "#/maximum")));
  EXPECT_THAT(Check(R"({"type": "number", "minimum": 5})", R"({"type": "number"})"),
              ElementsAre(Pair("MINIMUM_ADDED", "#/minimum")));
  EXPECT_THAT(Check(R"({"type": "number", "exclusiveMaximum": 5})", R"({"type": "number"})"),
              ElementsAre(Pair("EXCLUSIVE_MAXIMUM_ADDED", "#/exclusiveMaximum")));
  EXPECT_THAT(
      Check(R"({"type": "number", "multipleOf": 4})", R"({"type": "number", "multipleOf": 2})"),
      ElementsAre(Pair("MULTIPLE_OF_EXPANDED", "#/multipleOf")));
  EXPECT_THAT(
      Check(R"({"type": "number", "multipleOf": 2})", R"({"type": "number", "multipleOf": 4})"),
      IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, ItemsChanged) {
  EXPECT_THAT(Check(R"({"type": "array", "items": {"type": "integer"}})",
                    R"({"type": "array", "items": {"type": "string"}})"),
              ElementsAre(Pair("TYPE_CHANGED", "#/items")));
  EXPECT_THAT(Check(R"({"type": "array", "items": {"type": "string"}})", R"({"type": "array"})"),
              ElementsAre(Pair("SCHEMA_ADDED", "#/items")));
  EXPECT_THAT(Check(R"({"type": "array"})", R"({"type": "array", "items": {"type": "string"}})"),
              IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, ArrayLimits) {
  EXPECT_THAT(
      Check(R"({"type": "array", "maxItems": 3, "minItems": 1, "uniqueItems": true})",
            R"({"type": "array"})"),
      ElementsAre(Pair("MAX_ITEMS_ADDED", "#/maxItems"), Pair("MIN_ITEMS_ADDED", "#/minItems"),
                  Pair("UNIQUE_ITEMS_ADDED", "#/uniqueItems")));
}

TEST(JsonSchemaCompatibilityTest, TupleItems) {
  std::string two = R"({"type": "array", "items": [{"type": "string"}, {"type": "integer"}],
                        "additionalItems": false})";
  std::string one_closed = R"({"type": "array", "items": [{"type": "string"}],
                               "additionalItems": false})";
  EXPECT_THAT(Check(one_closed, two),
              ElementsAre(Pair("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "#/items/1")));
  EXPECT_THAT(Check(two, one_closed), IsEmpty());  // ITEM_ADDED_TO_CLOSED_CONTENT_MODEL
  EXPECT_THAT(Check(R"({"type": "array", "items": [{"type": "string"}, {"type": "integer"}]})",
                    R"({"type": "array", "items": [{"type": "string"}]})"),
              ElementsAre(Pair("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "#/items/1")));
  // An open reader accepts the dropped position.
  EXPECT_THAT(Check(R"({"type": "array", "items": [{"type": "string"}]})", two), IsEmpty());
  EXPECT_THAT(Check(one_closed, R"({"type": "array", "items": [{"type": "string"}]})"),
              ElementsAre(Pair("ADDITIONAL_ITEMS_REMOVED", "#/additionalItems")));
}

TEST(JsonSchemaCompatibilityTest, CombinedSchemas) {
  std::string any_of = R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})";
  EXPECT_THAT(Check(R"({"anyOf": [{"type": "string"}]})", any_of),
              ElementsAre(Pair("SUM_TYPE_NARROWED", "#/")));
  EXPECT_THAT(
      Check(R"({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})", any_of),
      IsEmpty());
  EXPECT_THAT(Check(R"({"allOf": [{"type": "string"}, {"type": "integer"}]})", any_of),
              ElementsAre(Pair("COMBINED_TYPE_CHANGED", "#/")));
  EXPECT_THAT(Check(R"({"anyOf": [{"type": "string"}, {"type": "boolean"}]})", any_of),
              ElementsAre(Pair("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")));
  // oneOf -> anyOf widens.
  EXPECT_THAT(Check(any_of, R"({"oneOf": [{"type": "string"}, {"type": "integer"}]})"), IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, FollowsLocalRefs) {
  std::string writer = R"({"definitions": {"name": {"type": "string"}},
                           "type": "object", "properties": {"n": {"$ref": "#/definitions/name"}}})";
  std::string reader = R"({"$defs": {"name": {"type": "string", "maxLength": 5}},
                           "type": "object", "properties": {"n": {"$ref": "#/$defs/name"}}})";
  EXPECT_THAT(Check(reader, writer),
              ElementsAre(Pair("MAX_LENGTH_ADDED", "#/properties/n/maxLength")));
}

TEST(JsonSchemaCompatibilityTest, FollowsReferences) {
  std::vector<ResolvedReference> v1 = {
      {.name = "name.json", .type = SchemaType::kJson, .text = R"({"type": "string"})"}};
  std::vector<ResolvedReference> v2 = {
      {.name = "name.json", .type = SchemaType::kJson, .text = R"({"type": "integer"})"}};
  std::string schema = R"({"type": "object", "properties": {"n": {"$ref": "name.json"}}})";
  EXPECT_THAT(Check(schema, schema, v2, v1), ElementsAre(Pair("TYPE_CHANGED", "#/properties/n")));
  EXPECT_THAT(Check(schema, schema, v1, v1), IsEmpty());
}

TEST(JsonSchemaCompatibilityTest, RecursiveSchemasTerminate) {
  std::string writer = R"({"type": "object", "properties": {"v": {"type": "string"},
                           "next": {"$ref": "#"}}})";
  std::string reader = R"({"type": "object", "properties": {"v": {"type": "string"},
                           "next": {"$ref": "#"}}, "required": ["v"]})";
  EXPECT_THAT(Check(writer, writer), IsEmpty());
  EXPECT_THAT(Check(reader, writer), ElementsAre(Pair("REQUIRED_ATTRIBUTE_ADDED", "#/required/v")));
}

TEST(JsonSchemaCompatibilityTest, DescriptionNamesReaderAndWriter) {
  std::shared_ptr<const ParsedSchema> reader = MustParse(R"({"type": "string", "maxLength": 3})");
  std::shared_ptr<const ParsedSchema> writer = MustParse(R"({"type": "string"})");
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(writer, nullptr);
  std::vector<Incompatibility> found = CheckCompatibility(*reader, *writer);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].description,
            "The keyword at path '#/maxLength' in the reader schema is not present in the writer "
            "schema");
}

}  // namespace
}  // namespace cdcflow::schema_registry::json_schema
