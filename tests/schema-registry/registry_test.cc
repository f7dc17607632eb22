#include "services/schema-registry/registry/registry.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "services/schema-registry/errors.h"
#include "tests/schema-registry/fake_schema_log.h"

namespace cdcflow::schema_registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// v1: one int field.
constexpr char kA[] = R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})";
// + b with a default: compatible both ways with kA.
constexpr char kAB[] = R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},)"
                       R"({"name":"b","type":"string","default":""}]})";
// + b without a default: not BACKWARD compatible with kA (new reader lacks b's default),
// FORWARD compatible (the old reader ignores b); BACKWARD compatible with kAB.
constexpr char kABNoDefault[] =
    R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},)"
    R"({"name":"b","type":"string"}]})";
// a with a default.
constexpr char kADefault[] =
    R"({"type":"record","name":"r","fields":[{"name":"a","type":"int","default":0}]})";
// No fields: BACKWARD compatible with kA, not FORWARD (the old reader needs a).
constexpr char kEmpty[] = R"({"type":"record","name":"r","fields":[]})";
// An unrelated schema.
constexpr char kString[] = R"("string")";

int Code(const absl::Status& status) {
  return status.ok() ? 0 : static_cast<int>(ErrorCodeOf(status));
}

Registration Avro(std::string text) {
  return Registration{.definition = {.type = SchemaType::kAvro, .text = std::move(text)}};
}

class RegistryTest : public ::testing::Test {
 protected:
  int32_t MustRegister(std::string_view subject, const Registration& registration) {
    absl::StatusOr<int32_t> id = registry_.Register(subject, registration);
    EXPECT_TRUE(id.ok()) << subject << ": " << id.status();
    return id.ok() ? *id : -1;
  }
  std::vector<int32_t> Versions(std::string_view subject, bool deleted = false) {
    absl::StatusOr<std::vector<int32_t>> versions =
        registry_.ListVersions(subject, deleted, /*deleted_only=*/false);
    return versions.ok() ? *versions : std::vector<int32_t>{-Code(versions.status())};
  }
  void SetLevel(std::optional<std::string> subject, std::string_view level) {
    ASSERT_TRUE(registry_.SetCompatibility(subject, level).ok());
  }
  void SetMode(std::optional<std::string> subject, std::string_view mode, bool force = false) {
    ASSERT_TRUE(registry_.SetMode(subject, mode, force).ok());
  }

  void TearDown() override {
    // Every record the registry wrote was understood by the store.
    for (const absl::Status& error : log_.apply_errors()) ADD_FAILURE() << error;
  }

  Store store_;
  testing::FakeSchemaLog log_{store_};
  Registry registry_{store_, log_, RegistryOptions{}};
};

// ---------------------------------------------------------------------------- ids, versions

TEST_F(RegistryTest, RegisterAssignsIdOneAndReRegisterIsIdempotent) {
  EXPECT_EQ(MustRegister("s", Avro(kA)), 1);
  EXPECT_EQ(log_.appended().size(), 1u);
  EXPECT_EQ(log_.appended()[0].key, R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})");
  EXPECT_EQ(log_.appended()[0].value,
            absl::StrCat(R"({"subject":"s","version":1,"id":1,"schema":)",
                         nlohmann::json(std::string(kA)).dump(), R"(,"deleted":false})"));
  EXPECT_EQ(MustRegister("s", Avro(kA)), 1);
  EXPECT_EQ(log_.appended().size(), 1u);  // nothing written
  EXPECT_THAT(Versions("s"), ElementsAre(1));
  // Whitespace does not make another schema: the canonical text is stored and compared.
  EXPECT_EQ(MustRegister("s", Avro(R"({ "type" : "record", "name" : "r", "fields" : [
                                       { "name" : "a", "type" : "int" } ] })")),
            1);
  EXPECT_THAT(Versions("s"), ElementsAre(1));
  EXPECT_EQ(registry_.max_id(), 1);
}

TEST_F(RegistryTest, SameSchemaUnderAnotherSubjectKeepsItsId) {
  EXPECT_EQ(MustRegister("a", Avro(kA)), 1);
  EXPECT_EQ(MustRegister("b", Avro(kString)), 2);
  EXPECT_EQ(MustRegister("c", Avro(kA)), 1);
  EXPECT_THAT(Versions("c"), ElementsAre(1));
  absl::StatusOr<std::vector<std::string>> subjects = registry_.SubjectsOf(1, false);
  ASSERT_TRUE(subjects.ok());
  EXPECT_THAT(*subjects, ElementsAre("a", "c"));
  absl::StatusOr<std::vector<SubjectVersion>> uses = registry_.VersionsOf(1, false);
  ASSERT_TRUE(uses.ok());
  ASSERT_EQ(uses->size(), 2u);
  EXPECT_EQ((*uses)[1].subject, "c");
  EXPECT_EQ((*uses)[1].version, 1);
  EXPECT_EQ(Code(registry_.SubjectsOf(99, false).status()), 40403);
  EXPECT_EQ(Code(registry_.VersionsOf(99, false).status()), 40403);
}

TEST_F(RegistryTest, NewSchemaGetsMaxIdPlusOne) {
  EXPECT_EQ(MustRegister("s", Avro(kA)), 1);
  EXPECT_EQ(MustRegister("s", Avro(kAB)), 2);
  EXPECT_EQ(MustRegister("t", Avro(kString)), 3);
  EXPECT_THAT(Versions("s"), ElementsAre(1, 2));
  EXPECT_EQ(registry_.max_id(), 3);
}

TEST_F(RegistryTest, VersionsAreMaxPlusOneIncludingSoftDeleted) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  ASSERT_TRUE(registry_.DeleteVersion("s", "2", false).ok());
  EXPECT_EQ(MustRegister("s", Avro(kADefault)), 3);
  EXPECT_THAT(Versions("s"), ElementsAre(1, 3));
  EXPECT_THAT(Versions("s", /*deleted=*/true), ElementsAre(1, 2, 3));
  absl::StatusOr<RegisteredSchema> latest = registry_.GetVersion("s", "latest", false);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 3);
  EXPECT_EQ(latest->id, 3);
}

TEST_F(RegistryTest, ReRegisteringASoftDeletedSchemaMakesANewVersionWithTheSameId) {
  MustRegister("s", Avro(kA));
  ASSERT_TRUE(registry_.DeleteSubject("s", false).ok());
  EXPECT_EQ(MustRegister("s", Avro(kA)), 1);
  EXPECT_THAT(Versions("s", true), ElementsAre(1, 2));
  EXPECT_THAT(Versions("s"), ElementsAre(2));
}

TEST_F(RegistryTest, LogFailureIsReturnedAndNothingChanges) {
  log_.FailWith(StoreError("broker down"));
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kA));
  EXPECT_EQ(Code(id.status()), 50001);
  EXPECT_EQ(id.status().message(), "Error in the backend data store: broker down");
  EXPECT_EQ(Code(registry_.SetCompatibility(std::nullopt, "FULL").status()), 50001);
  EXPECT_EQ(registry_.GlobalCompatibility(), CompatibilityLevel::kBackward);
  log_.FailWith(UnknownLeader());
  EXPECT_EQ(Code(registry_.Register("s", Avro(kA)).status()), 50004);
  log_.FailWith(absl::OkStatus());
  EXPECT_EQ(MustRegister("s", Avro(kA)), 1);
}

// ---------------------------------------------------------------------------- deletes

TEST_F(RegistryTest, SoftThenPermanentSubjectDelete) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  SetLevel("s", "FULL");
  SetMode("s", "READWRITE");
  EXPECT_EQ(Code(registry_.DeleteSubject("s", /*permanent=*/true).status()), 40405);
  absl::StatusOr<std::vector<int32_t>> deleted = registry_.DeleteSubject("s", false);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_THAT(*deleted, ElementsAre(1, 2));
  EXPECT_EQ(log_.appended().back().key, R"({"keytype":"DELETE_SUBJECT","subject":"s","magic":0})");
  EXPECT_EQ(log_.appended().back().value, R"({"subject":"s","version":2})");
  EXPECT_EQ(Code(registry_.ListVersions("s", false, false).status()), 40401);
  EXPECT_THAT(Versions("s", true), ElementsAre(1, 2));
  EXPECT_THAT(registry_.ListSubjects({}), IsEmpty());
  EXPECT_THAT(registry_.ListSubjects({.deleted_only = true}), ElementsAre("s"));
  EXPECT_EQ(Code(registry_.DeleteSubject("s", false).status()), 40404);
  EXPECT_NE(registry_.GetSchema(1).status().ok(), false);  // ids survive a soft delete

  deleted = registry_.DeleteSubject("s", true);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_THAT(*deleted, ElementsAre(1, 2));
  EXPECT_EQ(Code(registry_.ListVersions("s", true, false).status()), 40401);
  EXPECT_EQ(Code(registry_.GetSchema(1).status()), 40403);
  EXPECT_EQ(Code(registry_.GetSchema(2).status()), 40403);
  // The subject's config and mode went with it.
  EXPECT_EQ(Code(registry_.SubjectCompatibility("s", false).status()), 40408);
  EXPECT_EQ(Code(registry_.SubjectMode("s", false).status()), 40409);
  EXPECT_EQ(Code(registry_.DeleteSubject("s", true).status()), 40401);
  EXPECT_EQ(Code(registry_.DeleteSubject("never", false).status()), 40401);
  // Ids never repeat.
  EXPECT_EQ(MustRegister("s", Avro(kString)), 3);
  EXPECT_THAT(Versions("s"), ElementsAre(1));
}

TEST_F(RegistryTest, SoftThenPermanentVersionDelete) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  EXPECT_EQ(Code(registry_.DeleteVersion("s", "5", false).status()), 40402);
  EXPECT_EQ(Code(registry_.DeleteVersion("nope", "1", false).status()), 40401);
  EXPECT_EQ(Code(registry_.DeleteVersion("s", "abc", false).status()), 42202);
  EXPECT_EQ(Code(registry_.DeleteVersion("s", "1", true).status()), 40407);
  absl::StatusOr<int32_t> version = registry_.DeleteVersion("s", "1", false);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 1);
  EXPECT_EQ(Code(registry_.DeleteVersion("s", "1", false).status()), 40406);
  EXPECT_EQ(registry_.DeleteVersion("s", "1", false).status().message(),
            "Subject 's' Version 1 was soft deleted.Set permanent=true to delete permanently");
  EXPECT_EQ(Code(registry_.GetVersion("s", "1", false).status()), 40402);
  version = registry_.DeleteVersion("s", "1", true);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 1);
  EXPECT_EQ(log_.appended().back().key,
            R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})");
  EXPECT_EQ(log_.appended().back().value, std::nullopt);
  EXPECT_EQ(Code(registry_.GetVersion("s", "1", true).status()), 40402);
  EXPECT_EQ(Code(registry_.GetSchema(1).status()), 40403);
  EXPECT_THAT(Versions("s", true), ElementsAre(2));
  // "latest" deletes the newest live version.
  version = registry_.DeleteVersion("s", "latest", false);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(Code(registry_.GetVersion("s", "latest", false).status()), 40401);
}

TEST_F(RegistryTest, SubjectWithOnlySoftDeletedVersionsIsNotFound) {
  MustRegister("s", Avro(kA));
  ASSERT_TRUE(registry_.DeleteSubject("s", false).ok());
  EXPECT_EQ(Code(registry_.GetVersion("s", "1", false).status()), 40401);
  EXPECT_EQ(Code(registry_.GetVersion("s", "latest", false).status()), 40401);
  absl::StatusOr<RegisteredSchema> found = registry_.GetVersion("s", "1", /*deleted=*/true);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->deleted);
  EXPECT_EQ(found->id, 1);
  EXPECT_EQ(found->schema->definition.text, kA);
  found = registry_.GetVersion("s", "latest", true);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->version, 1);
  absl::StatusOr<std::vector<std::string>> subjects = registry_.SubjectsOf(1, false);
  ASSERT_TRUE(subjects.ok());
  EXPECT_THAT(*subjects, IsEmpty());
  subjects = registry_.SubjectsOf(1, true);
  ASSERT_TRUE(subjects.ok());
  EXPECT_THAT(*subjects, ElementsAre("s"));
}

// ---------------------------------------------------------------------------- compatibility

TEST_F(RegistryTest, BackwardIncompatibleRegistrationIsRefused) {
  MustRegister("s", Avro(kA));
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kABNoDefault));
  ASSERT_EQ(Code(id.status()), 409) << id.status();
  EXPECT_EQ(HttpStatusOf(ErrorCodeOf(id.status())), 409);
  std::string message(id.status().message());
  EXPECT_THAT(
      message,
      StartsWith("Schema being registered is incompatible with an earlier schema for "
                 "subject \"s\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'"));
  EXPECT_THAT(message, HasSubstr("{oldSchemaVersion: 1}"));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("{oldSchema: '", kA, "'}")));
  EXPECT_THAT(message, HasSubstr("{validateFields: 'false', compatibility: 'BACKWARD'}]"));
  EXPECT_THAT(Versions("s"), ElementsAre(1));
  EXPECT_EQ(registry_.max_id(), 1);
}

TEST_F(RegistryTest, NoneAllowsAnything) {
  MustRegister("s", Avro(kA));
  SetLevel(std::nullopt, "NONE");
  EXPECT_EQ(MustRegister("s", Avro(kABNoDefault)), 2);
  EXPECT_EQ(MustRegister("s", Avro(kString)), 3);
  EXPECT_THAT(Versions("s"), ElementsAre(1, 2, 3));
}

TEST_F(RegistryTest, SubjectLevelOverridesGlobal) {
  MustRegister("s", Avro(kA));
  MustRegister("t", Avro(kA));
  SetLevel("s", "none");
  EXPECT_EQ(MustRegister("s", Avro(kABNoDefault)), 2);
  EXPECT_EQ(Code(registry_.Register("t", Avro(kABNoDefault)).status()), 409);
  // And the other way round.
  SetLevel(std::nullopt, "NONE");
  SetLevel("t", "BACKWARD");
  EXPECT_EQ(Code(registry_.Register("t", Avro(kString)).status()), 409);
  ASSERT_TRUE(registry_.DeleteCompatibility(std::string("t")).ok());
  EXPECT_EQ(MustRegister("t", Avro(kString)), 3);
}

TEST_F(RegistryTest, ForwardChecksThatOldReadersReadNewData) {
  MustRegister("s", Avro(kA));
  SetLevel("s", "FORWARD");
  EXPECT_EQ(Code(registry_.Register("s", Avro(kEmpty)).status()), 409);
  EXPECT_EQ(MustRegister("s", Avro(kABNoDefault)), 2);  // not BACKWARD, but FORWARD
}

TEST_F(RegistryTest, FullChecksBothDirections) {
  MustRegister("s", Avro(kA));
  SetLevel("s", "FULL");
  EXPECT_EQ(Code(registry_.Register("s", Avro(kEmpty)).status()), 409);
  EXPECT_EQ(Code(registry_.Register("s", Avro(kABNoDefault)).status()), 409);
  EXPECT_EQ(MustRegister("s", Avro(kAB)), 2);
}

TEST_F(RegistryTest, BackwardTransitiveChecksEveryLiveVersion) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  // Compatible with the latest (kAB has b), not with version 1.
  absl::StatusOr<std::vector<std::string>> problems =
      registry_.TestCompatibility("s", std::nullopt, Avro(kABNoDefault));
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, IsEmpty());
  SetLevel("s", "BACKWARD_TRANSITIVE");
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kABNoDefault));
  ASSERT_EQ(Code(id.status()), 409);
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("{oldSchemaVersion: 1}"));
  EXPECT_THAT(std::string(id.status().message()),
              HasSubstr("compatibility: 'BACKWARD_TRANSITIVE'"));
  // Soft-deleted versions are not compared.
  ASSERT_TRUE(registry_.DeleteVersion("s", "1", false).ok());
  EXPECT_EQ(MustRegister("s", Avro(kABNoDefault)), 3);
  EXPECT_THAT(Versions("s"), ElementsAre(2, 3));
}

TEST_F(RegistryTest, ForwardTransitiveChecksEveryLiveVersion) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kADefault));
  SetLevel("s", "FORWARD");
  absl::StatusOr<std::vector<std::string>> problems =
      registry_.TestCompatibility("s", std::nullopt, Avro(kEmpty));
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, IsEmpty());  // version 2 has a default for a
  SetLevel("s", "FORWARD_TRANSITIVE");
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kEmpty));
  ASSERT_EQ(Code(id.status()), 409);
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("{oldSchemaVersion: 1}"));
}

TEST_F(RegistryTest, FullTransitiveChecksEveryLiveVersion) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  SetLevel("s", "FULL");
  absl::StatusOr<std::vector<std::string>> problems =
      registry_.TestCompatibility("s", std::nullopt, Avro(kABNoDefault));
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, IsEmpty());
  SetLevel("s", "FULL_TRANSITIVE");
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kABNoDefault));
  ASSERT_EQ(Code(id.status()), 409);
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("{oldSchemaVersion: 1}"));
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("compatibility: 'FULL_TRANSITIVE'"));
}

TEST_F(RegistryTest, TestCompatibilityWithAndWithoutVersion) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  // Against version 1 only.
  absl::StatusOr<std::vector<std::string>> problems =
      registry_.TestCompatibility("s", "1", Avro(kABNoDefault));
  ASSERT_TRUE(problems.ok()) << problems.status();
  ASSERT_EQ(problems->size(), 4u);
  EXPECT_THAT((*problems)[0], StartsWith("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'"));
  EXPECT_EQ((*problems)[1], "{oldSchemaVersion: 1}");
  EXPECT_EQ((*problems)[2], absl::StrCat("{oldSchema: '", kA, "'}"));
  EXPECT_EQ((*problems)[3], "{validateFields: 'false', compatibility: 'BACKWARD'}");
  // Against "latest" (version 2): compatible.
  problems = registry_.TestCompatibility("s", "latest", Avro(kABNoDefault));
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, IsEmpty());
  problems = registry_.TestCompatibility("s", "-1", Avro(kABNoDefault));
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, IsEmpty());
  // Without a version: as a registration would be checked (BACKWARD: latest only).
  problems = registry_.TestCompatibility("s", std::nullopt, Avro(kString));
  ASSERT_TRUE(problems.ok());
  EXPECT_EQ(problems->size(), 4u);
  EXPECT_EQ((*problems)[1], "{oldSchemaVersion: 2}");
  // Errors.
  EXPECT_EQ(Code(registry_.TestCompatibility("s", "3", Avro(kA)).status()), 40402);
  EXPECT_EQ(Code(registry_.TestCompatibility("s", "abc", Avro(kA)).status()), 42202);
  EXPECT_EQ(Code(registry_.TestCompatibility("nope", "latest", Avro(kA)).status()), 40401);
  EXPECT_EQ(Code(registry_.TestCompatibility("s", "1", Avro("{")).status()), 42201);
  // A subject with no versions: nothing to be incompatible with.
  problems = registry_.TestCompatibility("nope", std::nullopt, Avro(kA));
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, IsEmpty());
  EXPECT_THAT(log_.appended().size(), 2u);  // tests write nothing
}

// ---------------------------------------------------------------------------- validation

TEST_F(RegistryTest, InvalidSchemaIs42201) {
  for (const char* text : {"{not json", R"({"type":"record"})", R"({"type":"nope"})", ""}) {
    absl::StatusOr<int32_t> id = registry_.Register("s", Avro(text));
    EXPECT_EQ(Code(id.status()), 42201) << text << ": " << id.status();
    EXPECT_EQ(HttpStatusOf(ErrorCodeOf(id.status())), 422);
  }
  EXPECT_TRUE(log_.appended().empty());
  EXPECT_EQ(Code(registry_.Lookup("s", Avro("{"), false).status()), 40401);
  MustRegister("s", Avro(kA));
  EXPECT_EQ(Code(registry_.Lookup("s", Avro("{"), false).status()), 42201);
  EXPECT_EQ(Code(registry_.RegisteredId("s", Avro("{")).status()), 42201);
}

TEST_F(RegistryTest, ParseVersion) {
  for (const char* latest : {"latest", "-1"}) {
    absl::StatusOr<std::optional<int32_t>> v = ParseVersion(latest);
    ASSERT_TRUE(v.ok()) << latest;
    EXPECT_EQ(*v, std::nullopt);
  }
  absl::StatusOr<std::optional<int32_t>> v = ParseVersion("2147483647");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 2147483647);
  for (const char* bad : {"abc", "0", "-2", "2147483648", "", "1.5", "Latest", "1a"}) {
    EXPECT_EQ(Code(ParseVersion(bad).status()), 42202) << bad;
  }
  EXPECT_EQ(ParseVersion("abc").status().message(),
            "The specified version 'abc' is not a valid version id. Allowed values are between "
            "[1, 2^31-1] and the string \"latest\"");
  MustRegister("s", Avro(kA));
  EXPECT_EQ(Code(registry_.GetVersion("s", "abc", false).status()), 42202);
  EXPECT_EQ(Code(registry_.GetVersion("s", "0", false).status()), 42202);
  EXPECT_EQ(Code(registry_.ReferencedBy("s", "0").status()), 42202);
  absl::StatusOr<RegisteredSchema> found = registry_.GetVersion("s", "-1", false);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->version, 1);
}

// ---------------------------------------------------------------------------- config, mode

TEST_F(RegistryTest, ConfigReadWriteAndErrors) {
  EXPECT_EQ(registry_.GlobalCompatibility(), CompatibilityLevel::kBackward);
  EXPECT_EQ(Code(registry_.SetCompatibility(std::nullopt, "sideways").status()), 42203);
  absl::StatusOr<CompatibilityLevel> set = registry_.SetCompatibility(std::nullopt, "full");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(*set, CompatibilityLevel::kFull);
  EXPECT_EQ(log_.appended().back().key, R"({"keytype":"CONFIG","subject":null,"magic":0})");
  EXPECT_EQ(log_.appended().back().value, R"({"compatibilityLevel":"FULL"})");
  EXPECT_EQ(registry_.GlobalCompatibility(), CompatibilityLevel::kFull);
  EXPECT_EQ(Code(registry_.SubjectCompatibility("s", false).status()), 40408);
  absl::StatusOr<CompatibilityLevel> level = registry_.SubjectCompatibility("s", true);
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(*level, CompatibilityLevel::kFull);
  SetLevel("s", "FORWARD_TRANSITIVE");
  level = registry_.SubjectCompatibility("s", false);
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(*level, CompatibilityLevel::kForwardTransitive);
  absl::StatusOr<CompatibilityLevel> previous = registry_.DeleteCompatibility(std::string("s"));
  ASSERT_TRUE(previous.ok());
  EXPECT_EQ(*previous, CompatibilityLevel::kForwardTransitive);
  EXPECT_EQ(Code(registry_.DeleteCompatibility(std::string("s")).status()), 40401);
  previous = registry_.DeleteCompatibility(std::nullopt);
  ASSERT_TRUE(previous.ok());
  EXPECT_EQ(*previous, CompatibilityLevel::kFull);
  EXPECT_EQ(registry_.GlobalCompatibility(), CompatibilityLevel::kBackward);
}

TEST_F(RegistryTest, OptionsGiveTheDefaults) {
  Store store;
  testing::FakeSchemaLog log(store);
  Registry registry(
      store, log,
      {.default_compatibility = CompatibilityLevel::kNone, .default_mode = Mode::kReadOnly});
  EXPECT_EQ(registry.GlobalCompatibility(), CompatibilityLevel::kNone);
  EXPECT_EQ(registry.GlobalMode(), Mode::kReadOnly);
  EXPECT_EQ(Code(registry.Register("s", Avro(kA)).status()), 42205);
}

TEST_F(RegistryTest, ReadOnlyModeRefusesWrites) {
  MustRegister("s", Avro(kA));
  EXPECT_EQ(Code(registry_.SetMode(std::nullopt, "WRITEONLY", false).status()), 42204);
  SetMode(std::nullopt, "READONLY");
  EXPECT_EQ(registry_.GlobalMode(), Mode::kReadOnly);
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kAB));
  EXPECT_EQ(Code(id.status()), 42205);
  EXPECT_EQ(id.status().message(), "Subject s is in read-only mode");
  EXPECT_EQ(Code(registry_.DeleteSubject("s", false).status()), 42205);
  EXPECT_EQ(Code(registry_.DeleteVersion("s", "1", false).status()), 42205);
  EXPECT_EQ(Code(registry_.SetCompatibility(std::string("s"), "FULL").status()), 42205);
  // A subject-level mode overrides the global one.
  SetMode("t", "READWRITE");
  EXPECT_EQ(MustRegister("t", Avro(kA)), 1);
  SetMode("t", "READONLY");
  SetMode(std::nullopt, "READWRITE");
  EXPECT_EQ(Code(registry_.Register("t", Avro(kAB)).status()), 42205);
  EXPECT_EQ(MustRegister("s", Avro(kAB)), 2);
  absl::StatusOr<Mode> previous = registry_.DeleteMode(std::string("t"));
  ASSERT_TRUE(previous.ok());
  EXPECT_EQ(*previous, Mode::kReadOnly);
  EXPECT_EQ(Code(registry_.DeleteMode(std::string("t")).status()), 40401);
  EXPECT_EQ(MustRegister("t", Avro(kAB)), 2);
}

TEST_F(RegistryTest, SubjectModeReads) {
  EXPECT_EQ(Code(registry_.SubjectMode("s", false).status()), 40409);
  absl::StatusOr<Mode> mode = registry_.SubjectMode("s", true);
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, Mode::kReadWrite);
  SetMode("s", "readonly");
  mode = registry_.SubjectMode("s", false);
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, Mode::kReadOnly);
  EXPECT_EQ(log_.appended().back().key, R"({"keytype":"MODE","subject":"s","magic":0})");
  EXPECT_EQ(log_.appended().back().value, R"({"mode":"READONLY"})");
}

TEST_F(RegistryTest, ImportModeRegistersWithExplicitIdAndVersion) {
  EXPECT_EQ(
      Code(registry_.Register("s", {.definition = {.text = kA}, .id = 42, .version = 3}).status()),
      42205);  // not in import mode
  SetMode(std::nullopt, "IMPORT");
  Registration import{.definition = {.text = kA}, .id = 42, .version = 3};
  EXPECT_EQ(MustRegister("s", import), 42);
  absl::StatusOr<RegisteredSchema> found = registry_.GetVersion("s", "3", false);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, 42);
  EXPECT_EQ(registry_.max_id(), 42);
  // Idempotent.
  EXPECT_EQ(MustRegister("s", import), 42);
  EXPECT_THAT(Versions("s"), ElementsAre(3));
  // No compatibility check while importing.
  EXPECT_EQ(MustRegister("s", {.definition = {.text = kString}, .id = 7, .version = 4}), 7);
  // An id that names another schema, or a version that exists: refused.
  EXPECT_EQ(
      Code(registry_.Register("s", {.definition = {.text = kAB}, .id = 42, .version = 9}).status()),
      42205);
  EXPECT_EQ(
      Code(registry_.Register("s", {.definition = {.text = kAB}, .id = 50, .version = 3}).status()),
      42205);
  SetMode(std::nullopt, "READWRITE");
  EXPECT_EQ(MustRegister("t", Avro(kAB)), 43);
  EXPECT_THAT(Versions("s"), ElementsAre(3, 4));
}

// BUG: registry.cc Register() accepts a registration without an id in IMPORT mode (and skips
// the compatibility check for it); Confluent refuses it with 42205 "Subject s is not in
// read-write mode".
TEST_F(RegistryTest, ImportModeRefusesRegistrationWithoutId) {
  SetMode(std::nullopt, "IMPORT");
  absl::StatusOr<int32_t> id = registry_.Register("s", Avro(kA));
  EXPECT_EQ(Code(id.status()), 42205);
}

// BUG: registry.cc Register() honours Registration::version outside IMPORT mode although
// registry.h documents it as "IMPORT mode only", so a client can create version 7 of a new
// subject in READWRITE mode.
TEST_F(RegistryTest, ExplicitVersionIsIgnoredOrRefusedOutsideImportMode) {
  absl::StatusOr<int32_t> id = registry_.Register("s", {.definition = {.text = kA}, .version = 7});
  if (id.ok()) {
    EXPECT_THAT(Versions("s"), ElementsAre(1));
  } else {
    EXPECT_EQ(Code(id.status()), 42205);
  }
}

TEST_F(RegistryTest, ImportModeRefusedWithExistingSubjectsUnlessForced) {
  MustRegister("s", Avro(kA));
  absl::StatusOr<Mode> mode = registry_.SetMode(std::nullopt, "IMPORT", false);
  EXPECT_EQ(Code(mode.status()), 42205);
  EXPECT_EQ(mode.status().message(), "Cannot import since found existing subjects");
  EXPECT_EQ(Code(registry_.SetMode(std::string("s"), "IMPORT", false).status()), 42205);
  // Another, empty subject may go into import mode.
  SetMode("t", "IMPORT");
  EXPECT_EQ(registry_.SubjectMode("t", false).value(), Mode::kImport);
  SetMode(std::nullopt, "IMPORT", /*force=*/true);
  EXPECT_EQ(registry_.GlobalMode(), Mode::kImport);
}

TEST_F(RegistryTest, NormalizeRegistersTheNormalizedText) {
  const std::string text =
      R"({"type":"record","name":"r","namespace":"ns","fields":[{"name":"a","type":"int"}]})";
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed =
      ParseSchema(SchemaType::kAvro, text, {});
  ASSERT_TRUE(parsed.ok());
  std::string normalized = (*parsed)->Normalized();
  ASSERT_NE(normalized, (*parsed)->canonical());
  Registration registration = Avro(text);
  registration.normalize = true;
  EXPECT_EQ(MustRegister("s", registration), 1);
  absl::StatusOr<RegisteredSchema> found = registry_.GetVersion("s", "1", false);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->schema->definition.text, normalized);
  // The same schema spelled with a full name is the same once normalized.
  Registration full =
      Avro(R"({"type":"record","name":"ns.r","fields":[{"name":"a","type":"int"}]})");
  full.normalize = true;
  EXPECT_EQ(MustRegister("s", full), 1);
  EXPECT_THAT(Versions("s"), ElementsAre(1));
  // Without normalize the canonical text differs: another id.
  EXPECT_EQ(MustRegister("t", Avro(text)), 2);
  EXPECT_EQ(registry_.GetSchema(2).value()->definition.text, (*parsed)->canonical());
}

// ---------------------------------------------------------------------------- references

class RegistryReferencesTest : public RegistryTest {
 protected:
  static constexpr char kFixed[] = R"({"type":"fixed","name":"F","size":4})";
  static constexpr char kMain[] =
      R"({"type":"record","name":"m","fields":[{"name":"f","type":"F"}]})";

  Registration Main() {
    Registration main = Avro(kMain);
    main.definition.references = {{"F", "dep", 1}};
    return main;
  }
};

TEST_F(RegistryReferencesTest, RegisterWithReferenceAndReferencedBy) {
  EXPECT_EQ(MustRegister("dep", Avro(kFixed)), 1);
  EXPECT_EQ(MustRegister("main", Main()), 2);
  absl::StatusOr<RegisteredSchema> found = registry_.GetVersion("main", "1", false);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->schema->definition.references, (std::vector<SchemaReference>{{"F", "dep", 1}}));
  EXPECT_EQ(found->schema->definition.text, kMain);
  absl::StatusOr<std::vector<int32_t>> users = registry_.ReferencedBy("dep", "1");
  ASSERT_TRUE(users.ok());
  EXPECT_THAT(*users, ElementsAre(2));
  users = registry_.ReferencedBy("dep", "latest");
  ASSERT_TRUE(users.ok());
  EXPECT_THAT(*users, ElementsAre(2));
  EXPECT_EQ(Code(registry_.ReferencedBy("dep", "2").status()), 40402);
  EXPECT_EQ(Code(registry_.ReferencedBy("nope", "1").status()), 40401);
  // Registering it again is idempotent; looking it up needs the references too.
  EXPECT_EQ(MustRegister("main", Main()), 2);
  absl::StatusOr<RegisteredSchema> looked_up = registry_.Lookup("main", Main(), false);
  ASSERT_TRUE(looked_up.ok()) << looked_up.status();
  EXPECT_EQ(looked_up->id, 2);
  // Without the reference the schema does not parse.
  EXPECT_EQ(Code(registry_.Register("other", Avro(kMain)).status()), 42201);
}

TEST_F(RegistryReferencesTest, MissingReferenceIs42201) {
  absl::StatusOr<int32_t> id = registry_.Register("main", Main());
  EXPECT_EQ(Code(id.status()), 42201) << id.status();
  MustRegister("dep", Avro(kFixed));
  Registration bad = Main();
  bad.definition.references[0].version = 2;
  EXPECT_EQ(Code(registry_.Register("main", bad).status()), 42201);
  bad.definition.references[0].name = "";
  EXPECT_EQ(Code(registry_.Register("main", bad).status()), 42201);
}

TEST_F(RegistryReferencesTest, DeletingAReferencedVersionIsRefused) {
  MustRegister("dep", Avro(kFixed));
  MustRegister("main", Main());
  absl::StatusOr<int32_t> version = registry_.DeleteVersion("dep", "1", false);
  EXPECT_EQ(Code(version.status()), 42206);
  EXPECT_EQ(version.status().message(),
            "One or more references exist to the schema {subject=dep,version=1}.");
  EXPECT_EQ(Code(registry_.DeleteSubject("dep", false).status()), 42206);
  EXPECT_THAT(Versions("dep"), ElementsAre(1));
  // Once the referrer is soft-deleted, it no longer holds the reference.
  ASSERT_TRUE(registry_.DeleteSubject("main", false).ok());
  absl::StatusOr<std::vector<int32_t>> users = registry_.ReferencedBy("dep", "1");
  ASSERT_TRUE(users.ok());
  EXPECT_THAT(*users, IsEmpty());
  ASSERT_TRUE(registry_.DeleteVersion("dep", "1", false).ok());
  ASSERT_TRUE(registry_.DeleteVersion("dep", "1", true).ok());
}

// ---------------------------------------------------------------------------- lookup, lists

TEST_F(RegistryTest, Lookup) {
  EXPECT_EQ(Code(registry_.Lookup("s", Avro(kA), false).status()), 40401);
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  MustRegister("t", Avro(kString));
  absl::StatusOr<RegisteredSchema> found = registry_.Lookup("s", Avro(kAB), false);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->subject, "s");
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->id, 2);
  // Registered, but under another subject.
  absl::StatusOr<RegisteredSchema> missing = registry_.Lookup("s", Avro(kString), false);
  EXPECT_EQ(Code(missing.status()), 40403);
  EXPECT_EQ(missing.status().message(), "Schema not found");
  EXPECT_EQ(Code(registry_.Lookup("s", Avro(kEmpty), false).status()), 40403);
  // Soft-deleted versions only with deleted=true.
  ASSERT_TRUE(registry_.DeleteVersion("s", "2", false).ok());
  EXPECT_EQ(Code(registry_.Lookup("s", Avro(kAB), false).status()), 40403);
  found = registry_.Lookup("s", Avro(kAB), true);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->version, 2);
  EXPECT_TRUE(found->deleted);
}

TEST_F(RegistryTest, ListSchemas) {
  MustRegister("a", Avro(kA));
  MustRegister("a", Avro(kAB));
  MustRegister("b", Avro(kString));
  ASSERT_TRUE(registry_.DeleteVersion("a", "2", false).ok());
  auto summary = [](const std::vector<RegisteredSchema>& list) {
    std::vector<std::string> out;
    for (const RegisteredSchema& s : list) out.push_back(absl::StrCat(s.subject, "/", s.version));
    return out;
  };
  EXPECT_THAT(summary(registry_.ListSchemas("", false, false)), ElementsAre("a/1", "b/1"));
  EXPECT_THAT(summary(registry_.ListSchemas("", true, false)), ElementsAre("a/1", "a/2", "b/1"));
  EXPECT_THAT(summary(registry_.ListSchemas("", true, true)), ElementsAre("a/2", "b/1"));
  EXPECT_THAT(summary(registry_.ListSchemas("b", false, false)), ElementsAre("b/1"));
}

TEST_F(RegistryTest, ListVersionsDeletedOnly) {
  MustRegister("s", Avro(kA));
  MustRegister("s", Avro(kAB));
  ASSERT_TRUE(registry_.DeleteVersion("s", "1", false).ok());
  absl::StatusOr<std::vector<int32_t>> versions = registry_.ListVersions("s", false, true);
  ASSERT_TRUE(versions.ok());
  EXPECT_THAT(*versions, ElementsAre(1));
  EXPECT_EQ(Code(registry_.ListVersions("nope", true, false).status()), 40401);
}

TEST_F(RegistryTest, RegisteredIdAnswersOnlyForLiveVersionsOfTheSubject) {
  MustRegister("s", Avro(kA));
  absl::StatusOr<std::optional<int32_t>> id = registry_.RegisteredId("s", Avro(kA));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 1);
  id = registry_.RegisteredId("t", Avro(kA));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, std::nullopt);
  Registration import = Avro(kA);
  import.id = 9;
  id = registry_.RegisteredId("s", import);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, std::nullopt);
  ASSERT_TRUE(registry_.DeleteSubject("s", false).ok());
  id = registry_.RegisteredId("s", Avro(kA));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, std::nullopt);
}

// BUG: registry.cc keeps parsed schemas by id forever (parsed_), but an id can name another
// schema after a hard delete (IMPORT mode may reuse a forgotten id): compatibility is then
// checked against the stale schema.
TEST_F(RegistryTest, ParsedCacheDoesNotOutliveAHardDeletedId) {
  SetMode(std::nullopt, "IMPORT");
  MustRegister("a", {.definition = {.text = kA}, .id = 5, .version = 1});
  // Parse id 5 (kA) once, for a check.
  ASSERT_TRUE(registry_.TestCompatibility("a", "1", Avro(kA)).ok());
  ASSERT_TRUE(registry_.DeleteSubject("a", false).ok());
  ASSERT_TRUE(registry_.DeleteSubject("a", true).ok());
  ASSERT_EQ(Code(registry_.GetSchema(5).status()), 40403);
  // Id 5 now names another schema.
  const char* other = R"({"type":"record","name":"r","fields":[{"name":"b","type":"string"}]})";
  MustRegister("b", {.definition = {.text = other}, .id = 5, .version = 1});
  absl::StatusOr<std::vector<std::string>> problems =
      registry_.TestCompatibility("b", "1", Avro(other));
  ASSERT_TRUE(problems.ok()) << problems.status();
  EXPECT_THAT(*problems, IsEmpty()) << "checked against the stale schema of id 5";
}

// Confluent checks only live subjects before going into IMPORT mode (hasSubjects(subject,
// lookupDeletedSchema=false)); store.h also documents HasAnySubject() as counting configs and
// modes, which it does not. BUG: a subject with only soft-deleted versions blocks IMPORT.
TEST_F(RegistryTest, SoftDeletedSubjectDoesNotBlockImportMode) {
  MustRegister("s", Avro(kA));
  ASSERT_TRUE(registry_.DeleteSubject("s", false).ok());
  EXPECT_TRUE(registry_.SetMode(std::nullopt, "IMPORT", false).ok());
}

}  // namespace
}  // namespace cdcflow::schema_registry
