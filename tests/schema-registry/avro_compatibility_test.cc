#include "services/schema-registry/schema/avro_compatibility.h"

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
using ::testing::IsEmpty;

std::shared_ptr<const ParsedSchema> ParseOk(std::string_view text) {
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed = Parse(text, {});
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  return parsed.ok() ? *parsed : nullptr;
}

std::vector<Incompatibility> Check(std::string_view reader, std::string_view writer) {
  auto reader_schema = ParseOk(reader);
  auto writer_schema = ParseOk(writer);
  if (!reader_schema || !writer_schema) return {{"PARSE_FAILED", "", "", ""}};
  return CheckCompatibility(*reader_schema, *writer_schema);
}

std::vector<std::string> ErrorTypes(const std::vector<Incompatibility>& found) {
  std::vector<std::string> types;
  for (const Incompatibility& incompatibility : found) types.push_back(incompatibility.error_type);
  return types;
}

std::vector<std::string> Paths(const std::vector<Incompatibility>& found) {
  std::vector<std::string> paths;
  for (const Incompatibility& incompatibility : found) paths.push_back(incompatibility.path);
  return paths;
}

// A record "R" with the given fields (a JSON array's contents).
std::string Record(std::string_view fields) {
  return std::string(R"({"type":"record","name":"R","fields":[)") + std::string(fields) + "]}";
}

// A record "R" with one field "f" of the given type.
std::string WithField(std::string_view type) {
  return Record(std::string(R"({"name":"f","type":)") + std::string(type) + "}");
}

// --- Primitives and promotions ---------------------------------------------------------------

struct PromotionCase {
  const char* reader;
  const char* writer;
  bool compatible;
};

class AvroPromotionTest : public ::testing::TestWithParam<PromotionCase> {};

TEST_P(AvroPromotionTest, FollowsTheSpec) {
  const PromotionCase& c = GetParam();
  const std::string reader = std::string("\"") + c.reader + "\"";
  const std::string writer = std::string("\"") + c.writer + "\"";
  std::vector<Incompatibility> found = Check(WithField(reader), WithField(writer));
  if (c.compatible) {
    EXPECT_THAT(found, IsEmpty()) << c.reader << " <- " << c.writer;
  } else {
    ASSERT_EQ(found.size(), 1u) << c.reader << " <- " << c.writer;
    EXPECT_EQ(found[0].error_type, "TYPE_MISMATCH");
    EXPECT_EQ(found[0].path, "/fields/0/type");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Primitives, AvroPromotionTest,
    ::testing::Values(
        // The same type always reads itself.
        PromotionCase{"null", "null", true}, PromotionCase{"boolean", "boolean", true},
        PromotionCase{"int", "int", true}, PromotionCase{"long", "long", true},
        PromotionCase{"float", "float", true}, PromotionCase{"double", "double", true},
        PromotionCase{"bytes", "bytes", true}, PromotionCase{"string", "string", true},
        // Promotions: reader wider than writer.
        PromotionCase{"long", "int", true}, PromotionCase{"float", "int", true},
        PromotionCase{"double", "int", true}, PromotionCase{"float", "long", true},
        PromotionCase{"double", "long", true}, PromotionCase{"double", "float", true},
        PromotionCase{"bytes", "string", true}, PromotionCase{"string", "bytes", true},
        // The other direction narrows and is refused.
        PromotionCase{"int", "long", false}, PromotionCase{"int", "float", false},
        PromotionCase{"int", "double", false}, PromotionCase{"long", "float", false},
        PromotionCase{"long", "double", false}, PromotionCase{"float", "double", false},
        // Unrelated types.
        PromotionCase{"null", "int", false}, PromotionCase{"boolean", "int", false},
        PromotionCase{"int", "boolean", false}, PromotionCase{"string", "int", false},
        PromotionCase{"int", "string", false}, PromotionCase{"bytes", "long", false}));

TEST(AvroCompatibilityTest, TypeMismatchDetails) {
  std::vector<Incompatibility> found = Check(WithField(R"("int")"), WithField(R"("long")"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "TYPE_MISMATCH");
  EXPECT_EQ(found[0].path, "/fields/0/type");
  EXPECT_EQ(found[0].description,
            "The type (path '/fields/0/type') of a field in the new schema does not match with "
            "the old schema");
  EXPECT_EQ(found[0].additional_info, "reader type: INT not compatible with writer type: LONG");
  EXPECT_EQ(found[0].ToString(),
            "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field "
            "in the new schema does not match with the old schema', additionalInfo:'reader type: "
            "INT not compatible with writer type: LONG'}");
}

TEST(AvroCompatibilityTest, TopLevelMismatchIsAtTheRoot) {
  std::vector<Incompatibility> found = Check(R"("int")", R"("string")");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "TYPE_MISMATCH");
  EXPECT_EQ(found[0].path, "/");
}

TEST(AvroCompatibilityTest, ComplexTypesDoNotMatchOtherKinds) {
  EXPECT_THAT(ErrorTypes(Check(WithField(R"({"type":"array","items":"int"})"),
                               WithField(R"({"type":"map","values":"int"})"))),
              ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(ErrorTypes(Check(WithField(R"({"type":"enum","name":"E","symbols":["A"]})"),
                               WithField(R"("string")"))),
              ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(ErrorTypes(Check(WithField(R"({"type":"fixed","name":"F","size":4})"),
                               WithField(R"("bytes")"))),
              ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(ErrorTypes(Check(R"({"type":"record","name":"R","fields":[]})", R"("int")")),
              ElementsAre("TYPE_MISMATCH"));
}

// --- Records ---------------------------------------------------------------------------------

TEST(AvroCompatibilityTest, ReaderFieldWithDefaultMayBeMissingInWriter) {
  EXPECT_THAT(
      Check(Record(R"({"name":"f1","type":"int"},{"name":"f2","type":"string","default":"x"})"),
            Record(R"({"name":"f1","type":"int"})")),
      IsEmpty());
  // A null default counts as a default.
  EXPECT_THAT(
      Check(Record(
                R"({"name":"f1","type":"int"},{"name":"f2","type":["null","int"],"default":null})"),
            Record(R"({"name":"f1","type":"int"})")),
      IsEmpty());
}

TEST(AvroCompatibilityTest, ReaderFieldWithoutDefaultMissingInWriter) {
  std::vector<Incompatibility> found =
      Check(Record(R"({"name":"f1","type":"int"},{"name":"f2","type":"string"})"),
            Record(R"({"name":"f1","type":"int"})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "READER_FIELD_MISSING_DEFAULT_VALUE");
  EXPECT_EQ(found[0].path, "/fields/1");
  EXPECT_EQ(found[0].description,
            "The field 'f2' at path '/fields/1' in the new schema has no default value and is "
            "missing in the old schema");
  EXPECT_EQ(found[0].additional_info, "f2");
}

TEST(AvroCompatibilityTest, WriterFieldsUnknownToTheReaderAreSkipped) {
  EXPECT_THAT(Check(Record(R"({"name":"f1","type":"int"})"),
                    Record(R"({"name":"f1","type":"int"},{"name":"gone","type":"string"})")),
              IsEmpty());
}

TEST(AvroCompatibilityTest, FieldAliasesMatchWriterFieldNames) {
  EXPECT_THAT(Check(Record(R"({"name":"renamed","type":"long","aliases":["old"]})"),
                    Record(R"({"name":"old","type":"int"})")),
              IsEmpty());
  // The alias finds the writer field, whose type must still be readable.
  std::vector<Incompatibility> found =
      Check(Record(R"({"name":"renamed","type":"int","aliases":["old"]})"),
            Record(R"({"name":"old","type":"long"})"));
  EXPECT_THAT(ErrorTypes(found), ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type"));
  // Writer aliases do not count: only the reader's.
  EXPECT_THAT(ErrorTypes(Check(Record(R"({"name":"renamed","type":"int"})"),
                               Record(R"({"name":"old","type":"int","aliases":["renamed"]})"))),
              ElementsAre("READER_FIELD_MISSING_DEFAULT_VALUE"));
}

TEST(AvroCompatibilityTest, RecordNamesMustMatch) {
  std::vector<Incompatibility> found = Check(R"({"type":"record","name":"A","fields":[]})",
                                             R"({"type":"record","name":"ns.B","fields":[]})");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "NAME_MISMATCH");
  EXPECT_EQ(found[0].path, "/name");
  EXPECT_EQ(found[0].description, "The name of the schema has changed (path '/name')");
  EXPECT_EQ(found[0].additional_info, "expected: ns.B");
}

TEST(AvroCompatibilityTest, RecordNamesCompareUnqualifiedOrThroughReaderAliases) {
  // Only the unqualified names are compared, as Java does.
  EXPECT_THAT(Check(R"({"type":"record","name":"one.R","fields":[]})",
                    R"({"type":"record","name":"two.R","fields":[]})"),
              IsEmpty());
  // A reader alias naming the writer's full name.
  EXPECT_THAT(Check(R"({"type":"record","name":"ns.New","aliases":["Old"],"fields":[]})",
                    R"({"type":"record","name":"ns.Old","fields":[]})"),
              IsEmpty());
  EXPECT_THAT(Check(R"({"type":"record","name":"New","aliases":["other.Old"],"fields":[]})",
                    R"({"type":"record","name":"other.Old","fields":[]})"),
              IsEmpty());
  // An alias in another namespace is not the writer's name.
  EXPECT_THAT(ErrorTypes(Check(R"({"type":"record","name":"ns.New","aliases":["Old"],"fields":[]})",
                               R"({"type":"record","name":"other.Old","fields":[]})")),
              ElementsAre("NAME_MISMATCH"));
}

TEST(AvroCompatibilityTest, NestedRecordPaths) {
  const std::string reader =
      WithField(R"({"type":"record","name":"Inner","fields":[{"name":"a","type":"int"},)"
                R"({"name":"b","type":"int"}]})");
  const std::string writer =
      WithField(R"({"type":"record","name":"Inner","fields":[{"name":"a","type":"string"}]})");
  std::vector<Incompatibility> found = Check(reader, writer);
  EXPECT_THAT(ErrorTypes(found),
              ElementsAre("TYPE_MISMATCH", "READER_FIELD_MISSING_DEFAULT_VALUE"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type/fields/0/type", "/fields/0/type/fields/1"));
}

TEST(AvroCompatibilityTest, ReportsEveryIncompatibility) {
  std::vector<Incompatibility> found = Check(
      Record(R"({"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"int"})"),
      Record(R"({"name":"a","type":"long"},{"name":"c","type":"int"})"));
  EXPECT_THAT(ErrorTypes(found),
              ElementsAre("TYPE_MISMATCH", "READER_FIELD_MISSING_DEFAULT_VALUE"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type", "/fields/1"));
}

// --- Enums -----------------------------------------------------------------------------------

TEST(AvroCompatibilityTest, EnumReaderWithMoreSymbolsReadsWriter) {
  EXPECT_THAT(Check(WithField(R"({"type":"enum","name":"E","symbols":["A","B","C"]})"),
                    WithField(R"({"type":"enum","name":"E","symbols":["B","A"]})")),
              IsEmpty());
}

TEST(AvroCompatibilityTest, EnumWriterSymbolsMissingInReader) {
  std::vector<Incompatibility> found =
      Check(WithField(R"({"type":"enum","name":"E","symbols":["A","B"]})"),
            WithField(R"({"type":"enum","name":"E","symbols":["D","A","C","B"]})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "MISSING_ENUM_SYMBOLS");
  EXPECT_EQ(found[0].path, "/fields/0/type/symbols");
  EXPECT_EQ(found[0].additional_info, "[C, D]");
  EXPECT_EQ(found[0].description,
            "The new schema is missing enum symbols '[C, D]' at path '/fields/0/type/symbols' in "
            "the old schema");
}

TEST(AvroCompatibilityTest, EnumReaderDefaultReadsUnknownSymbols) {
  EXPECT_THAT(Check(WithField(R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})"),
                    WithField(R"({"type":"enum","name":"E","symbols":["A","B","C"]})")),
              IsEmpty());
}

TEST(AvroCompatibilityTest, EnumNamesMustMatch) {
  std::vector<Incompatibility> found =
      Check(WithField(R"({"type":"enum","name":"E1","symbols":["A"]})"),
            WithField(R"({"type":"enum","name":"E2","symbols":["A"]})"));
  EXPECT_THAT(ErrorTypes(found), ElementsAre("NAME_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type/name"));
  EXPECT_THAT(Check(WithField(R"({"type":"enum","name":"E1","aliases":["E2"],"symbols":["A"]})"),
                    WithField(R"({"type":"enum","name":"E2","symbols":["A"]})")),
              IsEmpty());
}

// --- Fixed -----------------------------------------------------------------------------------

TEST(AvroCompatibilityTest, FixedSizeMustMatch) {
  std::vector<Incompatibility> found = Check(WithField(R"({"type":"fixed","name":"F","size":8})"),
                                             WithField(R"({"type":"fixed","name":"F","size":16})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "FIXED_SIZE_MISMATCH");
  EXPECT_EQ(found[0].path, "/fields/0/type/size");
  EXPECT_EQ(found[0].additional_info, "expected: 16, found: 8");
  EXPECT_EQ(found[0].description,
            "The size of FIXED type field at path '/fields/0/type/size' in the new schema does "
            "not match with the old schema");
  EXPECT_THAT(Check(WithField(R"({"type":"fixed","name":"F","size":16})"),
                    WithField(R"({"type":"fixed","name":"F","size":16})")),
              IsEmpty());
}

TEST(AvroCompatibilityTest, FixedNameMustMatch) {
  std::vector<Incompatibility> found = Check(WithField(R"({"type":"fixed","name":"F","size":4})"),
                                             WithField(R"({"type":"fixed","name":"G","size":8})"));
  EXPECT_THAT(ErrorTypes(found), ElementsAre("NAME_MISMATCH", "FIXED_SIZE_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type/name", "/fields/0/type/size"));
  EXPECT_EQ(found[0].additional_info, "expected: G");
}

// --- Arrays and maps -------------------------------------------------------------------------

TEST(AvroCompatibilityTest, ArraysCompareItems) {
  EXPECT_THAT(Check(WithField(R"({"type":"array","items":"long"})"),
                    WithField(R"({"type":"array","items":"int"})")),
              IsEmpty());
  std::vector<Incompatibility> found = Check(WithField(R"({"type":"array","items":"int"})"),
                                             WithField(R"({"type":"array","items":"long"})"));
  EXPECT_THAT(ErrorTypes(found), ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type/items"));
}

TEST(AvroCompatibilityTest, MapsCompareValues) {
  EXPECT_THAT(Check(WithField(R"({"type":"map","values":"double"})"),
                    WithField(R"({"type":"map","values":"float"})")),
              IsEmpty());
  std::vector<Incompatibility> found = Check(WithField(R"({"type":"map","values":"string"})"),
                                             WithField(R"({"type":"map","values":"int"})"));
  EXPECT_THAT(ErrorTypes(found), ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type/values"));
}

// --- Unions ----------------------------------------------------------------------------------

TEST(AvroCompatibilityTest, UnionReaderCoversWriterUnion) {
  EXPECT_THAT(Check(WithField(R"(["null","string","int"])"), WithField(R"(["int","null"])")),
              IsEmpty());
  // A writer branch is readable through a promotion.
  EXPECT_THAT(Check(WithField(R"(["null","long"])"), WithField(R"(["null","int"])")), IsEmpty());
}

TEST(AvroCompatibilityTest, UnionWriterBranchMissingInReaderUnion) {
  std::vector<Incompatibility> found =
      Check(WithField(R"(["null","string"])"), WithField(R"(["null","string","int"])"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "MISSING_UNION_BRANCH");
  EXPECT_EQ(found[0].path, "/fields/0/type/2");
  EXPECT_EQ(found[0].additional_info, "reader union lacking writer type: INT");
  EXPECT_EQ(found[0].description,
            "The new schema is missing a type inside a union field at path '/fields/0/type/2' in "
            "the old schema");
}

TEST(AvroCompatibilityTest, WriterUnionReadByNonUnion) {
  // Every branch the writer may have used must be readable.
  EXPECT_THAT(Check(WithField(R"("long")"), WithField(R"(["int","long"])")), IsEmpty());
  std::vector<Incompatibility> found =
      Check(WithField(R"("string")"), WithField(R"(["null","string"])"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "TYPE_MISMATCH");
  EXPECT_EQ(found[0].additional_info, "reader type: STRING not compatible with writer type: NULL");
}

TEST(AvroCompatibilityTest, NonUnionWriterReadByUnion) {
  EXPECT_THAT(Check(WithField(R"(["null","string"])"), WithField(R"("string")")), IsEmpty());
  EXPECT_THAT(Check(WithField(R"(["null","long"])"), WithField(R"("int")")), IsEmpty());
  std::vector<Incompatibility> found =
      Check(WithField(R"(["null","string"])"), WithField(R"("int")"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error_type, "MISSING_UNION_BRANCH");
  EXPECT_EQ(found[0].path, "/fields/0/type");
  EXPECT_EQ(found[0].additional_info, "reader union lacking writer type: INT");
}

TEST(AvroCompatibilityTest, NamedTypesInUnionsMatchByName) {
  const char* a = R"({"type":"record","name":"A","fields":[{"name":"x","type":"int"}]})";
  const char* b = R"({"type":"record","name":"B","fields":[{"name":"x","type":"int"}]})";
  EXPECT_THAT(Check(WithField(std::string(R"(["null",)") + a + "]"), WithField(a)), IsEmpty());
  EXPECT_THAT(ErrorTypes(Check(WithField(std::string(R"(["null",)") + a + "]"), WithField(b))),
              ElementsAre("MISSING_UNION_BRANCH"));
  // Both unions: the writer's record branch finds the reader's by name.
  EXPECT_THAT(Check(WithField(std::string("[") + b + "," + a + "]"),
                    WithField(std::string(R"(["null",)") + a + "]")),
              ElementsAre(testing::Field(&Incompatibility::path, "/fields/0/type/0")));
}

// --- Recursive schemas -----------------------------------------------------------------------

TEST(AvroCompatibilityTest, RecursiveSchemasTerminate) {
  const char* writer = R"({"type":"record","name":"List","fields":[
      {"name":"value","type":"int"},{"name":"next","type":["null","List"]}]})";
  const char* reader_compatible = R"({"type":"record","name":"List","fields":[
      {"name":"value","type":"long"},{"name":"next","type":["null","List"]},
      {"name":"label","type":"string","default":""}]})";
  const char* reader_incompatible = R"({"type":"record","name":"List","fields":[
      {"name":"value","type":"int"},{"name":"next","type":["null","List"]}]})";
  EXPECT_THAT(Check(reader_compatible, writer), IsEmpty());
  EXPECT_THAT(Check(writer, writer), IsEmpty());
  // long -> int narrows; the recursion through "next" does not repeat the finding.
  std::vector<Incompatibility> found = Check(reader_incompatible, R"({"type":"record","name":"List",
      "fields":[{"name":"value","type":"long"},{"name":"next","type":["null","List"]}]})");
  EXPECT_THAT(ErrorTypes(found), ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type"));
}

TEST(AvroCompatibilityTest, MutuallyRecursiveSchemasTerminate) {
  const char* schema = R"({"type":"record","name":"Tree","fields":[
      {"name":"children","type":{"type":"array","items":{"type":"record","name":"Node","fields":[
        {"name":"tree","type":"Tree"},{"name":"weight","type":"int"}]}}}]})";
  const char* wider = R"({"type":"record","name":"Tree","fields":[
      {"name":"children","type":{"type":"array","items":{"type":"record","name":"Node","fields":[
        {"name":"tree","type":"Tree"},{"name":"weight","type":"double"}]}}}]})";
  EXPECT_THAT(Check(wider, schema), IsEmpty());
  std::vector<Incompatibility> found = Check(schema, wider);
  EXPECT_THAT(ErrorTypes(found), ElementsAre("TYPE_MISMATCH"));
  EXPECT_THAT(Paths(found), ElementsAre("/fields/0/type/items/fields/1/type"));
}

TEST(AvroCompatibilityTest, SameSchemaIsCompatibleWithItself) {
  auto schema = ParseOk(R"({"type":"record","name":"ns.R","fields":[
      {"name":"a","type":["null",{"type":"enum","name":"E","symbols":["X","Y"]}],"default":null},
      {"name":"b","type":{"type":"map","values":{"type":"fixed","name":"F","size":3}}},
      {"name":"c","type":{"type":"array","items":"E"}}]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_THAT(CheckCompatibility(*schema, *schema), IsEmpty());
}

}  // namespace
}  // namespace cdcflow::schema_registry::avro
