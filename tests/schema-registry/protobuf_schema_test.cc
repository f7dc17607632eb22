#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "services/schema-registry/schema/protobuf.h"

namespace cdcflow::schema_registry::protobuf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const ParsedSchema> MustParse(const std::string& text,
                                              const std::vector<ResolvedReference>& refs = {}) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, refs);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : nullptr;
}

const ProtobufSchema& AsProtobuf(const ParsedSchema& schema) {
  return dynamic_cast<const ProtobufSchema&>(schema);
}

void ExpectInvalid(const std::string& text, const std::string& reason_part,
                   const std::vector<ResolvedReference>& refs = {}) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, refs);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr(reason_part));
}

constexpr char kProto3[] = R"(syntax = "proto3";
package com.example;

// A person.
message Person {
  string name = 1;
  int32 id = 2;
  repeated string emails = 3;
  optional int64 age = 4;
  map<string, int32> scores = 5;
  Address address = 6;
  oneof contact {
    string phone = 7;
    string pager = 8;
  }
  message Address {
    string street = 1;
  }
  enum Kind {
    KIND_UNSPECIFIED = 0;
    KIND_HUMAN = 1;
  }
  Kind kind = 9;
}
)";

TEST(ProtobufParseTest, ParsesProto3) {
  std::shared_ptr<const ParsedSchema> schema = MustParse(kProto3);
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->type(), SchemaType::kProtobuf);
  const ProtobufSchema& proto = AsProtobuf(*schema);
  EXPECT_EQ(proto.file().package(), "com.example");
  EXPECT_THAT(proto.MessageNames(),
              ElementsAre("com.example.Person", "com.example.Person.Address"));
  EXPECT_THAT(schema->canonical(), HasSubstr("syntax = \"proto3\";"));
  EXPECT_THAT(schema->canonical(), HasSubstr("map<string, int32> scores = 5;"));
  EXPECT_THAT(schema->canonical(), HasSubstr("optional int64 age = 4;"));
  EXPECT_THAT(schema->canonical(), HasSubstr(".com.example.Person.Address address = 6;"));
}

TEST(ProtobufParseTest, ParsesProto2WithRequiredAndDefaults) {
  std::shared_ptr<const ParsedSchema> schema = MustParse(R"(
    syntax = "proto2";
    message Order {
      required int64 id = 1;
      optional string note = 2 [default = "none"];
      extensions 100 to 199;
    }
  )");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(schema->canonical(), HasSubstr("syntax = \"proto2\";"));
  EXPECT_THAT(schema->canonical(), HasSubstr("required int64 id = 1;"));
  EXPECT_THAT(schema->canonical(), HasSubstr("[default = \"none\"]"));
}

TEST(ProtobufParseTest, RejectsSyntaxErrorWithLineAndColumn) {
  ExpectInvalid("syntax = \"proto3\";\nmessage A {\n  string a = 1\n}\n", "4:1: ");
}

TEST(ProtobufParseTest, RejectsUnknownType) {
  // The location table points at the type of line 3.
  ExpectInvalid("syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
                "3:3: \"Missing\" is not defined.");
}

TEST(ProtobufParseTest, RejectsDuplicateFieldNumber) {
  ExpectInvalid("syntax = \"proto3\";\nmessage A {\n  string a = 1;\n  string b = 1;\n}\n",
                "Field number 1 has already been used");
}

TEST(ProtobufParseTest, RejectsDuplicateMessage) {
  ExpectInvalid("syntax = \"proto3\"; message A {} message A {}", "\"A\" is already defined");
}

TEST(ProtobufParseTest, RejectsProto3Required) {
  ExpectInvalid("syntax = \"proto3\"; message A { required string a = 1; }",
                "Required fields are not allowed in proto3");
}

TEST(ProtobufParseTest, RejectsEmptyAndGarbage) {
  ExpectInvalid("", "empty Protobuf schema");
  ExpectInvalid("   \n ", "empty Protobuf schema");
  ExpectInvalid("{\"type\": \"record\"}", "invalid Protobuf schema");
}

TEST(ProtobufParseTest, RejectsUnresolvedImport) {
  ExpectInvalid("syntax = \"proto3\"; import \"other.proto\"; message A { Other o = 1; }",
                "other.proto");
}

TEST(ProtobufParseTest, ResolvesReferences) {
  std::vector<ResolvedReference> refs = {
      {.name = "base.proto",
       .type = SchemaType::kProtobuf,
       .text = "syntax = \"proto3\"; package shared; message Money { int64 cents = 1; }"},
      {.name = "other.proto",
       .type = SchemaType::kProtobuf,
       .text = "syntax = \"proto3\"; package shared; import \"base.proto\";"
               " message Other { Money price = 1; }"},
  };
  std::shared_ptr<const ParsedSchema> schema = MustParse(
      "syntax = \"proto3\"; import \"other.proto\"; message A { shared.Other o = 1; }", refs);
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(schema->canonical(), HasSubstr("import \"other.proto\";"));
  EXPECT_THAT(schema->canonical(), HasSubstr(".shared.Other o = 1;"));
  const ProtobufSchema& proto = AsProtobuf(*schema);
  const google::protobuf::FileDescriptor* other = proto.file().dependency(0);
  ASSERT_NE(proto.ReferenceText(*other), nullptr);
  EXPECT_EQ(*proto.ReferenceText(*other), refs[1].text);
  EXPECT_EQ(proto.ReferenceText(proto.file()), nullptr);

  // Reversed order resolves as well: references load on demand.
  std::vector<ResolvedReference> reversed = {refs[1], refs[0]};
  EXPECT_NE(
      MustParse("syntax = \"proto3\"; import \"other.proto\"; message A { shared.Other o = 1; }",
                reversed),
      nullptr);
}

TEST(ProtobufParseTest, RejectsInvalidReference) {
  ExpectInvalid("syntax = \"proto3\"; import \"bad.proto\"; message A {}", "reference 'bad.proto'",
                {{.name = "bad.proto", .type = SchemaType::kProtobuf, .text = "message {"}});
  ExpectInvalid("syntax = \"proto3\"; message A {}", "is not a Protobuf schema",
                {{.name = "x.avsc", .type = SchemaType::kAvro, .text = "\"string\""}});
}

TEST(ProtobufParseTest, ReferenceWithUnknownTypeIsReported) {
  ExpectInvalid("syntax = \"proto3\"; import \"bad.proto\"; message A { B b = 1; }",
                "\"Nope\" is not defined",
                {{.name = "bad.proto",
                  .type = SchemaType::kProtobuf,
                  .text = "syntax = \"proto3\"; message B { Nope n = 1; }"}});
}

TEST(ProtobufParseTest, ResolvesWellKnownImportsWithoutReferences) {
  std::shared_ptr<const ParsedSchema> schema = MustParse(R"(
    syntax = "proto3";
    import "google/protobuf/timestamp.proto";
    import "google/protobuf/any.proto";
    import "google/protobuf/duration.proto";
    import "google/protobuf/wrappers.proto";
    import "google/protobuf/struct.proto";
    import "google/protobuf/empty.proto";
    import "google/protobuf/field_mask.proto";
    import "google/protobuf/descriptor.proto";
    message Event {
      google.protobuf.Timestamp at = 1;
      google.protobuf.Any payload = 2;
      google.protobuf.Duration took = 3;
      google.protobuf.StringValue note = 4;
      google.protobuf.Struct attributes = 5;
      google.protobuf.Empty nothing = 6;
      google.protobuf.FieldMask mask = 7;
      google.protobuf.FileDescriptorProto file = 8;
    }
  )");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(schema->canonical(), HasSubstr(".google.protobuf.Timestamp at = 1;"));
  // Well-known files are not references.
  const ProtobufSchema& proto = AsProtobuf(*schema);
  EXPECT_EQ(proto.ReferenceText(*proto.file().dependency(0)), nullptr);
}

TEST(ProtobufParseTest, AcceptsBase64Descriptor) {
  google::protobuf::FileDescriptorProto file;
  file.set_name("ignored.proto");
  file.set_syntax("proto3");
  file.set_package("b64");
  google::protobuf::DescriptorProto* message = file.add_message_type();
  message->set_name("Thing");
  google::protobuf::FieldDescriptorProto* field = message->add_field();
  field->set_name("label");
  field->set_number(1);
  field->set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  std::string encoded;
  absl::Base64Escape(file.SerializeAsString(), &encoded);

  std::shared_ptr<const ParsedSchema> from_base64 = MustParse(encoded);
  std::shared_ptr<const ParsedSchema> from_text =
      MustParse("syntax = \"proto3\"; package b64; message Thing { string label = 1; }");
  ASSERT_NE(from_base64, nullptr);
  ASSERT_NE(from_text, nullptr);
  EXPECT_EQ(from_base64->canonical(), from_text->canonical());
  EXPECT_THAT(AsProtobuf(*from_base64).MessageNames(), ElementsAre("b64.Thing"));
}

TEST(ProtobufParseTest, RejectsBase64DescriptorWithUnknownType) {
  google::protobuf::FileDescriptorProto file;
  file.set_syntax("proto3");
  google::protobuf::DescriptorProto* message = file.add_message_type();
  message->set_name("Thing");
  google::protobuf::FieldDescriptorProto* field = message->add_field();
  field->set_name("other");
  field->set_number(1);
  field->set_type_name("Missing");
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  std::string encoded;
  absl::Base64Escape(file.SerializeAsString(), &encoded);
  ExpectInvalid(encoded, "\"Missing\" is not defined");
}

TEST(ProtobufParseTest, CanonicalReparsesToItself) {
  for (const char* text : {kProto3,
                           "syntax = \"proto2\"; package p; message M { required int32 a = "
                           "1; optional group G = 2 { optional int32 b = 3; } }"}) {
    std::shared_ptr<const ParsedSchema> schema = MustParse(text);
    ASSERT_NE(schema, nullptr);
    std::shared_ptr<const ParsedSchema> again = MustParse(schema->canonical());
    ASSERT_NE(again, nullptr) << schema->canonical();
    EXPECT_EQ(again->canonical(), schema->canonical());
    EXPECT_EQ(again->Normalized(), schema->Normalized());
  }
}

TEST(ProtobufParseTest, CanonicalIgnoresWhitespaceAndComments) {
  std::shared_ptr<const ParsedSchema> a =
      MustParse("syntax = \"proto3\";\npackage p;\nmessage M {\n  string a = 1; // note\n}\n");
  std::shared_ptr<const ParsedSchema> b =
      MustParse("syntax=\"proto3\";package p;/* c */message M{string a=1;}");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->canonical(), b->canonical());
  EXPECT_EQ(a->Normalized(), b->Normalized());
}

TEST(ProtobufParseTest, NormalizedFullyQualifiesAndSortsFieldsAndImports) {
  std::shared_ptr<const ParsedSchema> a = MustParse(R"(
    syntax = "proto3";
    package p;
    import "google/protobuf/timestamp.proto";
    import "google/protobuf/duration.proto";
    message M {
      google.protobuf.Duration d = 2;
      Inner i = 1;
      message Inner { string s = 1; }
      oneof choice { string x = 4; string y = 3; }
    }
  )");
  std::shared_ptr<const ParsedSchema> b = MustParse(R"(
    syntax = "proto3";
    package p;
    import "google/protobuf/duration.proto";
    import "google/protobuf/timestamp.proto";
    message M {
      .p.M.Inner i = 1;
      .google.protobuf.Duration d = 2;
      message Inner { string s = 1; }
      oneof choice { string y = 3; string x = 4; }
    }
  )");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->canonical(), b->canonical());  // declaration order is kept there
  EXPECT_EQ(a->Normalized(), b->Normalized());
  // The normalized text is itself a valid schema.
  EXPECT_NE(MustParse(a->Normalized()), nullptr);
}

}  // namespace
}  // namespace cdcflow::schema_registry::protobuf
