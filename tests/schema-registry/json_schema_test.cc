#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/schema-registry/schema/json_schema.h"

namespace cdcflow::schema_registry::json_schema {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const ParsedSchema> MustParse(const std::string& text,
                                              const std::vector<ResolvedReference>& refs = {}) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, refs);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  return parsed.ok() ? *parsed : nullptr;
}

void ExpectInvalid(const std::string& text, const std::string& reason_part,
                   const std::vector<ResolvedReference>& refs = {}) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, refs);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr(reason_part)) << text;
}

TEST(JsonSchemaParseTest, ParsesObjectSchema) {
  std::shared_ptr<const ParsedSchema> schema = MustParse(R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
      "id": {"type": "integer", "minimum": 0},
      "name": {"type": ["string", "null"], "maxLength": 20},
      "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
      "kind": {"enum": ["a", "b", 3]}
    },
    "required": ["id"],
    "additionalProperties": false
  })");
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->type(), SchemaType::kJson);
  EXPECT_EQ(schema->canonical(),
            R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":)"
            R"({"id":{"type":"integer","minimum":0},"name":{"type":["string","null"],)"
            R"("maxLength":20},"tags":{"type":"array","items":{"type":"string"},)"
            R"("uniqueItems":true},"kind":{"enum":["a","b",3]}},"required":["id"],)"
            R"("additionalProperties":false})");
}

TEST(JsonSchemaParseTest, AcceptsBooleanAndEmptySchemas) {
  ASSERT_NE(MustParse("true"), nullptr);
  ASSERT_NE(MustParse("false"), nullptr);
  std::shared_ptr<const ParsedSchema> empty = MustParse("  { }  ");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->canonical(), "{}");
}

TEST(JsonSchemaParseTest, RejectsMalformedJsonWithPosition) {
  ExpectInvalid(R"({"type": "string",})", "line 1, column 19");
  ExpectInvalid("", "invalid JSON schema");
}

TEST(JsonSchemaParseTest, RejectsNonSchemaDocuments) {
  ExpectInvalid("42", "must be a JSON object or a boolean");
  ExpectInvalid(R"(["string"])", "must be a JSON object or a boolean");
  ExpectInvalid(R"("string")", "must be a JSON object or a boolean");
}

TEST(JsonSchemaParseTest, RejectsWrongKeywordTypes) {
  ExpectInvalid(R"({"type": "text"})", "at '#/type'");
  ExpectInvalid(R"({"type": ["string", "string"]})", "distinct type names");
  ExpectInvalid(R"({"type": []})", "at '#/type'");
  ExpectInvalid(R"({"properties": []})", "at '#/properties': must be an object of schemas");
  ExpectInvalid(R"({"properties": {"a": 5}})", "at '#/properties/a'");
  ExpectInvalid(R"({"required": "a"})", "at '#/required': must be an array of strings");
  ExpectInvalid(R"({"required": [1]})", "at '#/required'");
  ExpectInvalid(R"({"items": 3})", "at '#/items'");
  ExpectInvalid(R"({"items": [{"type": "string"}, "x"]})", "at '#/items/1'");
  ExpectInvalid(R"({"enum": "a"})", "at '#/enum': must be an array");
  ExpectInvalid(R"({"additionalProperties": "no"})", "at '#/additionalProperties'");
  ExpectInvalid(R"({"$ref": 5})", "at '#/$ref': must be a string");
  ExpectInvalid(R"({"minimum": "0"})", "at '#/minimum': must be a number");
  ExpectInvalid(R"({"maxLength": -1})", "at '#/maxLength': must be a non-negative integer");
  ExpectInvalid(R"({"maxLength": 1.5})", "at '#/maxLength'");
  ExpectInvalid(R"({"multipleOf": 0})", "at '#/multipleOf'");
  ExpectInvalid(R"({"anyOf": []})", "at '#/anyOf': must be a non-empty array of schemas");
  ExpectInvalid(R"({"uniqueItems": "yes"})", "at '#/uniqueItems': must be a boolean");
  ExpectInvalid(R"({"definitions": {"a": {"type": 1}}})", "at '#/definitions/a/type'");
  ExpectInvalid(R"({"dependencies": {"a": 1}})", "at '#/dependencies/a'");
}

TEST(JsonSchemaParseTest, UnknownKeywordsAreAllowed) {
  std::shared_ptr<const ParsedSchema> schema =
      MustParse(R"({"type": "string", "x-vendor": {"type": 12}, "examples": ["a"]})");
  ASSERT_NE(schema, nullptr);
}

TEST(JsonSchemaParseTest, ResolvesLocalRefs) {
  EXPECT_NE(MustParse(R"({"definitions": {"a": {"type": "string"}},
                          "properties": {"x": {"$ref": "#/definitions/a"}}})"),
            nullptr);
  EXPECT_NE(MustParse(R"({"$defs": {"a b": {"type": "string"}},
                          "properties": {"x": {"$ref": "#/$defs/a%20b"}}})"),
            nullptr);
  EXPECT_NE(MustParse(R"({"properties": {"next": {"$ref": "#"}}})"), nullptr);
  EXPECT_NE(MustParse(R"({"$defs": {"a": {"$anchor": "thing", "type": "string"}},
                          "properties": {"x": {"$ref": "#thing"}}})"),
            nullptr);
  ExpectInvalid(R"({"properties": {"x": {"$ref": "#/definitions/missing"}}})",
                "unresolved $ref '#/definitions/missing' at '#/properties/x/$ref'");
}

TEST(JsonSchemaParseTest, ResolvesReferences) {
  std::vector<ResolvedReference> refs = {
      {.name = "address.json",
       .type = SchemaType::kJson,
       .text = R"({"type": "object", "properties": {"street": {"type": "string"}},
                   "definitions": {"zip": {"type": "string"}}})"}};
  EXPECT_NE(MustParse(R"({"properties": {"home": {"$ref": "address.json"},
                                         "zip": {"$ref": "address.json#/definitions/zip"}}})",
                      refs),
            nullptr);
  // Relative to the schema's $id, as clients using absolute ids write it.
  EXPECT_NE(MustParse(R"({"$id": "https://example.com/schemas/customer.json",
                          "properties": {"home": {"$ref": "address.json"}}})",
                      {{.name = "https://example.com/schemas/address.json",
                        .type = SchemaType::kJson,
                        .text = R"({"type": "object"})"}}),
            nullptr);
  ExpectInvalid(R"({"properties": {"home": {"$ref": "other.json"}}})",
                "unresolved $ref 'other.json'", refs);
  ExpectInvalid(R"({"properties": {"zip": {"$ref": "address.json#/definitions/nope"}}})",
                "unresolved $ref", refs);
}

TEST(JsonSchemaParseTest, RejectsInvalidReference) {
  ExpectInvalid(R"({"$ref": "a.json"})", "reference 'a.json'",
                {{.name = "a.json", .type = SchemaType::kJson, .text = "{nope"}});
  ExpectInvalid(R"({"$ref": "a.json"})", "reference 'a.json': invalid JSON schema at '#/type'",
                {{.name = "a.json", .type = SchemaType::kJson, .text = R"({"type": 3})"}});
  ExpectInvalid(R"({"type": "string"})", "is not a JSON schema",
                {{.name = "a.avsc", .type = SchemaType::kAvro, .text = "\"string\""}});
}

TEST(JsonSchemaParseTest, CanonicalKeepsKeyOrderAndDropsWhitespace) {
  std::shared_ptr<const ParsedSchema> schema =
      MustParse("{\n  \"type\" : \"object\",\n  \"properties\" : { \"b\" : {}, \"a\" : {} }\n}");
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->canonical(), R"({"type":"object","properties":{"b":{},"a":{}}})");
  EXPECT_EQ(schema->Normalized(), R"({"properties":{"a":{},"b":{}},"type":"object"})");
  // The canonical text parses back to itself.
  std::shared_ptr<const ParsedSchema> again = MustParse(schema->canonical());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->canonical(), schema->canonical());
}

TEST(JsonSchemaParseTest, NormalizedIgnoresKeyOrderAtEveryLevel) {
  std::shared_ptr<const ParsedSchema> a = MustParse(
      R"({"type": "object", "properties": {"x": {"type": "string", "maxLength": 3}},
          "required": ["x"]})");
  std::shared_ptr<const ParsedSchema> b = MustParse(
      R"({"required": ["x"], "properties": {"x": {"maxLength": 3, "type": "string"}},
          "type": "object"})");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->canonical(), b->canonical());
  EXPECT_EQ(a->Normalized(), b->Normalized());
}

}  // namespace
}  // namespace cdcflow::schema_registry::json_schema
