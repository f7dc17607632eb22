#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/schema-registry/schema/protobuf.h"
#include "services/schema-registry/schema/protobuf_compatibility.h"

namespace cdcflow::schema_registry::protobuf {
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

std::string Proto3(const std::string& body) {
  return absl::StrCat("syntax = \"proto3\";\npackage test;\n", body);
}
std::string Proto2(const std::string& body) {
  return absl::StrCat("syntax = \"proto2\";\npackage test;\n", body);
}

TEST(ProtobufCompatibilityTest, IdenticalSchemasAreCompatible) {
  std::string schema = Proto3("message A { string a = 1; repeated int64 b = 2; }");
  EXPECT_THAT(Check(schema, schema), IsEmpty());
}

TEST(ProtobufCompatibilityTest, FieldAddedAndRemovedAreCompatible) {
  EXPECT_THAT(Check(Proto3("message A { string a = 1; int32 b = 2; }"),
                    Proto3("message A { string a = 1; }")),
              IsEmpty());
  EXPECT_THAT(Check(Proto3("message A { string a = 1; }"),
                    Proto3("message A { string a = 1; int32 b = 2; }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, FieldRenamedIsCompatible) {
  EXPECT_THAT(
      Check(Proto3("message A { string renamed = 1; }"), Proto3("message A { string a = 1; }")),
      IsEmpty());
}

TEST(ProtobufCompatibilityTest, MessageRemoved) {
  EXPECT_THAT(Check(Proto3("message A { string a = 1; }"),
                    Proto3("message A { string a = 1; } message B { int32 b = 1; }")),
              ElementsAre(Pair("MESSAGE_REMOVED", "#/B")));
}

TEST(ProtobufCompatibilityTest, MessageAddedIsCompatible) {
  EXPECT_THAT(Check(Proto3("message A { string a = 1; } message B { int32 b = 1; }"),
                    Proto3("message A { string a = 1; }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, FieldKindChanged) {
  EXPECT_THAT(Check(Proto3("message A { B a = 1; } message B { string s = 1; }"),
                    Proto3("message A { string a = 1; } message B { string s = 1; }")),
              ElementsAre(Pair("FIELD_KIND_CHANGED", "#/A/1")));
  EXPECT_THAT(Check(Proto3("message A { map<string, string> a = 1; }"),
                    Proto3("message A { string a = 1; }")),
              ElementsAre(Pair("FIELD_KIND_CHANGED", "#/A/1")));
}

TEST(ProtobufCompatibilityTest, FieldScalarKindChanged) {
  EXPECT_THAT(Check(Proto3("message A { string a = 1; }"), Proto3("message A { int32 a = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
  EXPECT_THAT(Check(Proto3("message A { sint32 a = 1; }"), Proto3("message A { int32 a = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
  EXPECT_THAT(Check(Proto3("message A { double a = 1; }"), Proto3("message A { float a = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
  EXPECT_THAT(Check(Proto3("message A { fixed64 a = 1; }"), Proto3("message A { fixed32 a = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
}

TEST(ProtobufCompatibilityTest, WireCompatibleScalarGroupsAreCompatible) {
  const std::vector<std::pair<std::string, std::string>> compatible = {
      {"int32", "int64"},      {"int64", "uint32"},     {"uint64", "bool"},  {"sint32", "sint64"},
      {"fixed32", "sfixed32"}, {"fixed64", "sfixed64"}, {"string", "bytes"}, {"bytes", "string"},
  };
  for (const auto& [reader, writer] : compatible) {
    EXPECT_THAT(Check(Proto3(absl::StrCat("message A { ", reader, " a = 1; }")),
                      Proto3(absl::StrCat("message A { ", writer, " a = 1; }"))),
                IsEmpty())
        << writer << " -> " << reader;
  }
}

TEST(ProtobufCompatibilityTest, EnumReadsAsInt32AndBack) {
  std::string with_enum = Proto3("enum E { E_ZERO = 0; E_ONE = 1; } message A { E a = 1; }");
  std::string with_int = Proto3("enum E { E_ZERO = 0; E_ONE = 1; } message A { int32 a = 1; }");
  EXPECT_THAT(Check(with_int, with_enum), IsEmpty());
  EXPECT_THAT(Check(with_enum, with_int), IsEmpty());
  std::string with_string = Proto3("enum E { E_ZERO = 0; E_ONE = 1; } message A { string a = 1; }");
  EXPECT_THAT(Check(with_string, with_enum),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
}

TEST(ProtobufCompatibilityTest, EnumChangesAreCompatible) {
  EXPECT_THAT(Check(Proto3("enum E { E_ZERO = 0; E_TWO = 2; } message A { E e = 1; }"),
                    Proto3("enum E { E_ZERO = 0; E_ONE = 1; } message A { E e = 1; }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, FieldNamedTypeChanged) {
  std::string types =
      "message Address { string street = 1; } message Contact { string email = 1; }";
  EXPECT_THAT(Check(Proto3(absl::StrCat(types, " message A { Contact c = 1; }")),
                    Proto3(absl::StrCat(types, " message A { Address c = 1; }"))),
              ElementsAre(Pair("FIELD_NAMED_TYPE_CHANGED", "#/A/1")));
}

TEST(ProtobufCompatibilityTest, NestedMessageFieldChangeHasNestedPath) {
  EXPECT_THAT(Check(Proto3("message P { message Address { int32 street = 1; } Address a = 1; }"),
                    Proto3("message P { message Address { string street = 1; } Address a = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/P/Address/1")));
}

TEST(ProtobufCompatibilityTest, RequiredFieldAdded) {
  EXPECT_THAT(Check(Proto2("message A { optional string a = 1; required int32 b = 2; }"),
                    Proto2("message A { optional string a = 1; }")),
              ElementsAre(Pair("REQUIRED_FIELD_ADDED", "#/A/2")));
  // An optional addition is fine.
  EXPECT_THAT(Check(Proto2("message A { optional string a = 1; optional int32 b = 2; }"),
                    Proto2("message A { optional string a = 1; }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, RequiredFieldRemoved) {
  EXPECT_THAT(Check(Proto2("message A { optional string a = 1; }"),
                    Proto2("message A { optional string a = 1; required int32 b = 2; }")),
              ElementsAre(Pair("REQUIRED_FIELD_REMOVED", "#/A/2")));
}

TEST(ProtobufCompatibilityTest, NumericLabelChanged) {
  EXPECT_THAT(Check(Proto2("message A { repeated int32 a = 1; }"),
                    Proto2("message A { optional int32 a = 1; }")),
              ElementsAre(Pair("FIELD_NUMERIC_LABEL_CHANGED", "#/A/1")));
  EXPECT_THAT(
      Check(Proto3("message A { repeated int64 a = 1; }"), Proto3("message A { int64 a = 1; }")),
      ElementsAre(Pair("FIELD_NUMERIC_LABEL_CHANGED", "#/A/1")));
  // proto3 implicit vs explicit optional: same label.
  EXPECT_THAT(
      Check(Proto3("message A { optional int64 a = 1; }"), Proto3("message A { int64 a = 1; }")),
      IsEmpty());
}

TEST(ProtobufCompatibilityTest, StringOrBytesLabelChangeIsCompatible) {
  EXPECT_THAT(
      Check(Proto3("message A { repeated string a = 1; }"), Proto3("message A { string a = 1; }")),
      IsEmpty());
}

TEST(ProtobufCompatibilityTest, OneofFieldRemoved) {
  EXPECT_THAT(Check(Proto3("message A { oneof o { string x = 1; } }"),
                    Proto3("message A { oneof o { string x = 1; int32 y = 2; } }")),
              ElementsAre(Pair("ONEOF_FIELD_REMOVED", "#/A/o/2")));
  // Moving it out of the oneof keeps it.
  EXPECT_THAT(Check(Proto3("message A { oneof o { string x = 1; } int32 y = 2; }"),
                    Proto3("message A { oneof o { string x = 1; int32 y = 2; } }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, OneofAddedOrRemovedIsCompatible) {
  EXPECT_THAT(Check(Proto3("message A { string a = 1; oneof o { int32 b = 2; } }"),
                    Proto3("message A { string a = 1; }")),
              IsEmpty());
  EXPECT_THAT(Check(Proto3("message A { string a = 1; }"),
                    Proto3("message A { string a = 1; oneof o { int32 b = 2; } }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, SingleFieldMovedToNewOneofIsCompatible) {
  EXPECT_THAT(Check(Proto3("message A { oneof o { string a = 1; int32 c = 3; } int32 b = 2; }"),
                    Proto3("message A { string a = 1; int32 b = 2; }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, MultipleFieldsMovedToOneof) {
  EXPECT_THAT(Check(Proto3("message A { oneof o { string a = 1; int32 b = 2; } }"),
                    Proto3("message A { string a = 1; int32 b = 2; }")),
              ElementsAre(Pair("MULTIPLE_FIELDS_MOVED_TO_ONEOF", "#/A/o")));
}

TEST(ProtobufCompatibilityTest, FieldMovedToExistingOneof) {
  EXPECT_THAT(Check(Proto3("message A { oneof o { string a = 1; int32 b = 2; } }"),
                    Proto3("message A { oneof o { string a = 1; } int32 b = 2; }")),
              ElementsAre(Pair("FIELD_MOVED_TO_EXISTING_ONEOF", "#/A/o")));
}

TEST(ProtobufCompatibilityTest, TypeChangeOfFieldMovedIntoOneofIsFound) {
  EXPECT_THAT(Check(Proto3("message A { oneof o { string a = 1; } }"),
                    Proto3("message A { int32 a = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
}

TEST(ProtobufCompatibilityTest, PackageChanged) {
  EXPECT_THAT(Check("syntax = \"proto3\"; package b; message A { string a = 1; }",
                    "syntax = \"proto3\"; package a; message A { string a = 1; }"),
              ElementsAre(Pair("PACKAGE_CHANGED", "#/")));
}

TEST(ProtobufCompatibilityTest, SyntaxChangeAloneIsCompatible) {
  // Confluent has no rule for it; the wire format of these fields is the same.
  EXPECT_THAT(Check("syntax = \"proto3\"; message A { string a = 1; }",
                    "syntax = \"proto2\"; message A { optional string a = 1; }"),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, MapValueTypeChanged) {
  EXPECT_THAT(Check(Proto3("message A { map<string, string> m = 1; }"),
                    Proto3("message A { map<string, int32> m = 1; }")),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/A/1")));
  EXPECT_THAT(Check(Proto3("message A { map<string, int64> m = 1; }"),
                    Proto3("message A { map<string, int32> m = 1; }")),
              IsEmpty());
}

TEST(ProtobufCompatibilityTest, ChangedReferencedMessage) {
  std::vector<ResolvedReference> v1 = {
      {.name = "money.proto",
       .type = SchemaType::kProtobuf,
       .text = "syntax = \"proto3\"; package shared; message Money { int64 cents = 1; }"}};
  std::vector<ResolvedReference> v2 = {
      {.name = "money.proto",
       .type = SchemaType::kProtobuf,
       .text = "syntax = \"proto3\"; package shared; message Money { string cents = 1; }"}};
  std::string schema = Proto3("import \"money.proto\"; message A { shared.Money price = 1; }");
  EXPECT_THAT(Check(schema, schema, v2, v1),
              ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/Money/1"),
                          Pair("FIELD_NAMED_TYPE_CHANGED", "#/A/1")));
  EXPECT_THAT(Check(schema, schema, v1, v1), IsEmpty());
}

TEST(ProtobufCompatibilityTest, WellKnownTypeFieldsAreCompatible) {
  std::string schema = Proto3(
      "import \"google/protobuf/timestamp.proto\"; message A { google.protobuf.Timestamp "
      "at = 1; }");
  EXPECT_THAT(Check(schema, schema), IsEmpty());
}

TEST(ProtobufCompatibilityTest, RecursiveMessagesTerminate) {
  std::string writer = Proto3("message Node { string v = 1; repeated Node children = 2; }");
  std::string reader = Proto3("message Node { int32 v = 1; repeated Node children = 2; }");
  EXPECT_THAT(Check(reader, writer), ElementsAre(Pair("FIELD_SCALAR_KIND_CHANGED", "#/Node/1")));
}

TEST(ProtobufCompatibilityTest, DescriptionNamesThePath) {
  std::shared_ptr<const ParsedSchema> reader = MustParse(Proto3("message A { string a = 1; }"));
  std::shared_ptr<const ParsedSchema> writer = MustParse(Proto3("message A { int32 a = 1; }"));
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(writer, nullptr);
  std::vector<Incompatibility> found = CheckCompatibility(*reader, *writer);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].description,
            "The type of a SCALAR field changed to a wire-incompatible one in the reader schema at "
            "path '#/A/1'");
}

}  // namespace
}  // namespace cdcflow::schema_registry::protobuf
