#include "services/schema-registry/store/store.h"

#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdcflow::schema_registry {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kSchemaA[] = R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})";
constexpr char kSchemaB[] = R"({"type":"record","name":"r","fields":[{"name":"b","type":"int"}]})";

std::string SchemaKey(std::string_view subject, int32_t version) {
  return EncodeKey({.type = KeyType::kSchema, .subject = std::string(subject), .version = version});
}

std::string SchemaVal(std::string_view subject, int32_t version, int32_t id, std::string text,
                      bool deleted = false, std::vector<SchemaReference> refs = {}) {
  return EncodeSchemaValue({.subject = std::string(subject),
                            .version = version,
                            .id = id,
                            .definition = {.type = SchemaType::kAvro,
                                           .text = std::move(text),
                                           .references = std::move(refs)},
                            .deleted = deleted});
}

class StoreTest : public ::testing::Test {
 protected:
  absl::Status Put(std::string key, std::string value) {
    std::string_view view(value);
    return store_.Apply(offset_++, key, &view);
  }
  absl::Status Tombstone(std::string key) { return store_.Apply(offset_++, key, nullptr); }

  absl::Status PutSchema(std::string_view subject, int32_t version, int32_t id, std::string text,
                         bool deleted = false, std::vector<SchemaReference> refs = {}) {
    return Put(SchemaKey(subject, version),
               SchemaVal(subject, version, id, std::move(text), deleted, std::move(refs)));
  }

  static std::vector<int32_t> VersionNumbers(const std::vector<VersionEntry>& entries) {
    std::vector<int32_t> out;
    for (const VersionEntry& e : entries) out.push_back(e.version);
    return out;
  }
  static std::vector<bool> DeletedFlags(const std::vector<VersionEntry>& entries) {
    std::vector<bool> out;
    for (const VersionEntry& e : entries) out.push_back(e.deleted);
    return out;
  }

  Store store_;
  int64_t offset_ = 0;
};

TEST_F(StoreTest, EmptyStore) {
  EXPECT_EQ(store_.next_offset(), 0);
  EXPECT_EQ(store_.max_id(), 0);
  EXPECT_EQ(store_.schema_count(), 0u);
  EXPECT_EQ(store_.subject_count(), 0u);
  EXPECT_FALSE(store_.HasLiveSubject());
  EXPECT_EQ(store_.SchemaById(1), nullptr);
  EXPECT_THAT(store_.Subjects({}), IsEmpty());
  EXPECT_THAT(store_.Versions("s"), IsEmpty());
  EXPECT_EQ(store_.GlobalCompatibility(), std::nullopt);
  EXPECT_EQ(store_.GlobalMode(), std::nullopt);
  EXPECT_EQ(store_.leader(), std::nullopt);
}

TEST_F(StoreTest, AppliesSchemaRecord) {
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA).ok());
  EXPECT_EQ(store_.next_offset(), 1);
  std::shared_ptr<const StoredSchema> schema = store_.SchemaById(1);
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->id, 1);
  EXPECT_EQ(schema->definition.type, SchemaType::kAvro);
  EXPECT_EQ(schema->definition.text, kSchemaA);
  EXPECT_EQ(store_.IdOf({.type = SchemaType::kAvro, .text = kSchemaA}), 1);
  EXPECT_EQ(store_.IdOf({.type = SchemaType::kJson, .text = kSchemaA}), std::nullopt);
  EXPECT_EQ(
      store_.IdOf({.type = SchemaType::kAvro, .text = kSchemaA, .references = {{"n", "x", 1}}}),
      std::nullopt);
  EXPECT_EQ(store_.max_id(), 1);
  EXPECT_EQ(store_.schema_count(), 1u);
  EXPECT_EQ(store_.subject_count(), 1u);
  EXPECT_TRUE(store_.HasLiveSubject());
  std::vector<VersionEntry> versions = store_.Versions("s");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[0].id, 1);
  EXPECT_FALSE(versions[0].deleted);
  EXPECT_THAT(store_.Subjects({}), ElementsAre("s"));
}

TEST_F(StoreTest, SameIdUnderTwoSubjects) {
  ASSERT_TRUE(PutSchema("a", 1, 5, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("b", 3, 5, kSchemaA).ok());
  EXPECT_EQ(store_.schema_count(), 1u);
  EXPECT_EQ(store_.subject_count(), 2u);
  std::vector<SubjectVersion> uses = store_.UsesOf(5);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].subject, "a");
  EXPECT_EQ(uses[0].version, 1);
  EXPECT_EQ(uses[1].subject, "b");
  EXPECT_EQ(uses[1].version, 3);
  EXPECT_THAT(store_.Subjects({}), ElementsAre("a", "b"));
  EXPECT_EQ(store_.max_id(), 5);
}

TEST_F(StoreTest, SoftDeleteThroughSchemaRecord) {
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("s", 2, 2, kSchemaB).ok());
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA, /*deleted=*/true).ok());
  std::vector<VersionEntry> versions = store_.Versions("s");
  EXPECT_THAT(VersionNumbers(versions), ElementsAre(1, 2));
  EXPECT_THAT(DeletedFlags(versions), ElementsAre(true, false));
  EXPECT_NE(store_.SchemaById(1), nullptr);  // a soft-deleted schema keeps its id
  EXPECT_EQ(store_.subject_count(), 1u);
  ASSERT_TRUE(PutSchema("s", 2, 2, kSchemaB, /*deleted=*/true).ok());
  EXPECT_EQ(store_.subject_count(), 0u);
  EXPECT_THAT(store_.Subjects({}), IsEmpty());
  EXPECT_THAT(store_.Subjects({.include_deleted = true}), ElementsAre("s"));
}

TEST_F(StoreTest, SoftDeleteThroughDeleteSubjectRecord) {
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("s", 2, 2, kSchemaB).ok());
  ASSERT_TRUE(PutSchema("s", 3, 1, kSchemaA).ok());
  // Confluent's value: every version up to 2.
  ASSERT_TRUE(Put(EncodeKey({.type = KeyType::kDeleteSubject, .subject = "s"}),
                  R"({"subject":"s","version":2})")
                  .ok());
  EXPECT_THAT(DeletedFlags(store_.Versions("s")), ElementsAre(true, true, false));
  EXPECT_EQ(store_.subject_count(), 1u);
  // A DELETE_SUBJECT for an unknown subject changes nothing.
  EXPECT_TRUE(Put(EncodeKey({.type = KeyType::kDeleteSubject, .subject = "other"}),
                  R"({"subject":"other","version":2})")
                  .ok());
  EXPECT_THAT(store_.Versions("other"), IsEmpty());
  EXPECT_THAT(store_.Subjects({.include_deleted = true}), ElementsAre("s"));
  // A tombstone on a DELETE_SUBJECT key (compaction) changes nothing either.
  EXPECT_TRUE(Tombstone(EncodeKey({.type = KeyType::kDeleteSubject, .subject = "s"})).ok());
  EXPECT_THAT(DeletedFlags(store_.Versions("s")), ElementsAre(true, true, false));
}

TEST_F(StoreTest, ClearSubjectForgetsSoftDeletedVersions) {
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA, /*deleted=*/true).ok());
  ASSERT_TRUE(PutSchema("s", 2, 2, kSchemaB).ok());
  ASSERT_TRUE(Put(EncodeKey({.type = KeyType::kClearSubject, .subject = "s"}),
                  R"({"subject":"s","version":2})")
                  .ok());
  // Only soft-deleted versions go.
  EXPECT_THAT(VersionNumbers(store_.Versions("s")), ElementsAre(2));
  EXPECT_EQ(store_.SchemaById(1), nullptr);
  EXPECT_NE(store_.SchemaById(2), nullptr);
}

TEST_F(StoreTest, TombstoneHardDeletesAndForgetsUnusedId) {
  ASSERT_TRUE(PutSchema("a", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("b", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("b", 2, 2, kSchemaB).ok());
  ASSERT_TRUE(Tombstone(SchemaKey("a", 1)).ok());
  EXPECT_THAT(store_.Versions("a"), IsEmpty());
  EXPECT_NE(store_.SchemaById(1), nullptr);  // still used by b/1
  EXPECT_THAT(store_.Subjects({.include_deleted = true}), ElementsAre("b"));
  ASSERT_TRUE(Tombstone(SchemaKey("b", 1)).ok());
  EXPECT_EQ(store_.SchemaById(1), nullptr);
  EXPECT_EQ(store_.IdOf({.type = SchemaType::kAvro, .text = kSchemaA}), std::nullopt);
  EXPECT_EQ(store_.schema_count(), 1u);
  // Tombstones for things that do not exist are fine.
  EXPECT_TRUE(Tombstone(SchemaKey("b", 9)).ok());
  EXPECT_TRUE(Tombstone(SchemaKey("zzz", 1)).ok());
  EXPECT_EQ(store_.next_offset(), 7);
}

TEST_F(StoreTest, MaxIdNeverDecreasesAfterHardDeletes) {
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("s", 2, 2, kSchemaB).ok());
  ASSERT_TRUE(Tombstone(SchemaKey("s", 2)).ok());
  ASSERT_TRUE(Tombstone(SchemaKey("s", 1)).ok());
  EXPECT_EQ(store_.schema_count(), 0u);
  EXPECT_EQ(store_.max_id(), 2);
  EXPECT_FALSE(store_.HasLiveSubject());
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaB).ok());  // an import may reuse a forgotten id
  EXPECT_EQ(store_.max_id(), 2);
}

TEST_F(StoreTest, RewritingAVersionWithAnotherIdForgetsTheOldOne) {
  ASSERT_TRUE(PutSchema("s", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("s", 1, 2, kSchemaB).ok());
  EXPECT_EQ(store_.SchemaById(1), nullptr);
  EXPECT_EQ(store_.Versions("s").at(0).id, 2);
}

TEST_F(StoreTest, GlobalConfigSetAndTombstoned) {
  std::string key = EncodeKey({.type = KeyType::kConfig});
  ASSERT_TRUE(Put(key, R"({"compatibilityLevel":"FULL_TRANSITIVE"})").ok());
  EXPECT_EQ(store_.GlobalCompatibility(), CompatibilityLevel::kFullTransitive);
  ASSERT_TRUE(Put(key, R"({"compatibilityLevel":"none"})").ok());
  EXPECT_EQ(store_.GlobalCompatibility(), CompatibilityLevel::kNone);
  ASSERT_TRUE(Tombstone(key).ok());
  EXPECT_EQ(store_.GlobalCompatibility(), std::nullopt);
  EXPECT_FALSE(store_.HasLiveSubject());
}

TEST_F(StoreTest, SubjectConfigSetAndTombstoned) {
  std::string key = EncodeKey({.type = KeyType::kConfig, .subject = "s"});
  ASSERT_TRUE(Put(key, R"({"compatibilityLevel":"FORWARD"})").ok());
  EXPECT_EQ(store_.SubjectCompatibility("s"), CompatibilityLevel::kForward);
  EXPECT_EQ(store_.SubjectCompatibility("t"), std::nullopt);
  EXPECT_EQ(store_.GlobalCompatibility(), std::nullopt);
  // A subject with only a config is not listed.
  EXPECT_THAT(store_.Subjects({.include_deleted = true}), IsEmpty());
  ASSERT_TRUE(Tombstone(key).ok());
  EXPECT_EQ(store_.SubjectCompatibility("s"), std::nullopt);
}

TEST_F(StoreTest, ModeSetAndTombstoned) {
  std::string global = EncodeKey({.type = KeyType::kMode});
  std::string subject = EncodeKey({.type = KeyType::kMode, .subject = "s"});
  ASSERT_TRUE(Put(global, R"({"mode":"READONLY"})").ok());
  ASSERT_TRUE(Put(subject, R"({"mode":"IMPORT"})").ok());
  EXPECT_EQ(store_.GlobalMode(), Mode::kReadOnly);
  EXPECT_EQ(store_.SubjectMode("s"), Mode::kImport);
  ASSERT_TRUE(Tombstone(subject).ok());
  EXPECT_EQ(store_.SubjectMode("s"), std::nullopt);
  EXPECT_EQ(store_.GlobalMode(), Mode::kReadOnly);
  ASSERT_TRUE(Tombstone(global).ok());
  EXPECT_EQ(store_.GlobalMode(), std::nullopt);
}

TEST_F(StoreTest, InvalidConfigAndModeValuesAreRejectedAndKeepState) {
  std::string config = EncodeKey({.type = KeyType::kConfig});
  ASSERT_TRUE(Put(config, R"({"compatibilityLevel":"FULL"})").ok());
  EXPECT_EQ(Put(config, R"({"compatibilityLevel":"SIDEWAYS"})").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Put(config, "not json").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.GlobalCompatibility(), CompatibilityLevel::kFull);
  std::string mode = EncodeKey({.type = KeyType::kMode});
  EXPECT_EQ(Put(mode, R"({"mode":"WRITEONLY"})").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.GlobalMode(), std::nullopt);
  // Skipped records still count.
  EXPECT_EQ(store_.next_offset(), 4);
}

TEST_F(StoreTest, NoopRecordCarriesLeader) {
  std::string key = EncodeKey({.type = KeyType::kNoop});
  ASSERT_TRUE(Put(key, EncodeLeaderValue({"http://a:8081", 3})).ok());
  ASSERT_TRUE(store_.leader().has_value());
  EXPECT_EQ(store_.leader()->url, "http://a:8081");
  EXPECT_EQ(store_.leader()->generation, 3);
  // Confluent's NOOP (null value, or a value that is not ours) leaves the leader as it was.
  ASSERT_TRUE(Tombstone(key).ok());
  ASSERT_TRUE(Put(key, "null").ok());
  ASSERT_TRUE(store_.leader().has_value());
  EXPECT_EQ(store_.leader()->url, "http://a:8081");
  ASSERT_TRUE(Put(key, EncodeLeaderValue({"http://b:8081", 4})).ok());
  EXPECT_EQ(store_.leader()->url, "http://b:8081");
  EXPECT_EQ(store_.leader()->generation, 4);
}

TEST_F(StoreTest, RejectsValueNamingAnotherSubjectOrVersion) {
  EXPECT_EQ(Put(SchemaKey("a", 1), SchemaVal("b", 1, 1, kSchemaA)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Put(SchemaKey("a", 1), SchemaVal("a", 2, 1, kSchemaA)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store_.Versions("a"), IsEmpty());
  EXPECT_THAT(store_.Versions("b"), IsEmpty());
  EXPECT_EQ(store_.SchemaById(1), nullptr);
  EXPECT_EQ(store_.max_id(), 0);
  EXPECT_EQ(store_.next_offset(), 2);
}

TEST_F(StoreTest, RejectsIdCollision) {
  ASSERT_TRUE(PutSchema("a", 1, 1, kSchemaA).ok());
  EXPECT_EQ(PutSchema("b", 1, 1, kSchemaB).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store_.Versions("b"), IsEmpty());
  EXPECT_EQ(store_.SchemaById(1)->definition.text, kSchemaA);
  // Same text, other references: another schema too.
  EXPECT_EQ(PutSchema("b", 1, 1, kSchemaA, false, {{"n", "x", 1}}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, UndecodableRecordsAreSkippedButCounted) {
  std::string_view value = "{}";
  EXPECT_FALSE(store_.Apply(10, "garbage", &value).ok());
  EXPECT_FALSE(store_.Apply(11, SchemaKey("s", 1), &value).ok());
  EXPECT_EQ(store_.next_offset(), 12);
  EXPECT_FALSE(store_.HasLiveSubject());
}

// BUG: store.cc ForgetIdIfUnused erases the identity → id mapping when the forgotten id was
// the one recorded for it, even though another id (an import, or a Confluent-written topic)
// still holds the same schema; IdOf then misses it and a re-registration mints a new id.
TEST_F(StoreTest, IdOfStillFindsSchemaHeldUnderAnotherId) {
  ASSERT_TRUE(PutSchema("a", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("b", 1, 2, kSchemaA).ok());
  ASSERT_TRUE(Tombstone(SchemaKey("a", 1)).ok());
  ASSERT_NE(store_.SchemaById(2), nullptr);
  EXPECT_EQ(store_.IdOf({.type = SchemaType::kAvro, .text = kSchemaA}), 2);
}

TEST_F(StoreTest, SubjectsFilters) {
  ASSERT_TRUE(PutSchema("orders-key", 1, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("orders-value", 1, 2, kSchemaB).ok());
  ASSERT_TRUE(PutSchema("orders-value", 2, 1, kSchemaA).ok());
  ASSERT_TRUE(PutSchema("users-value", 1, 1, kSchemaA, /*deleted=*/true).ok());
  ASSERT_TRUE(PutSchema("orders-old", 1, 2, kSchemaB, /*deleted=*/true).ok());
  ASSERT_TRUE(PutSchema("orders-value", 1, 2, kSchemaB, /*deleted=*/true).ok());  // one of two

  EXPECT_THAT(store_.Subjects({}), ElementsAre("orders-key", "orders-value"));
  EXPECT_THAT(store_.Subjects({.prefix = "orders-v"}), ElementsAre("orders-value"));
  EXPECT_THAT(store_.Subjects({.prefix = "x"}), IsEmpty());
  EXPECT_THAT(store_.Subjects({.include_deleted = true}),
              ElementsAre("orders-key", "orders-old", "orders-value", "users-value"));
  EXPECT_THAT(store_.Subjects({.prefix = "orders", .include_deleted = true}),
              ElementsAre("orders-key", "orders-old", "orders-value"));
  EXPECT_THAT(store_.Subjects({.deleted_only = true}), ElementsAre("orders-old", "users-value"));
  EXPECT_THAT(store_.Subjects({.prefix = "users", .deleted_only = true}),
              ElementsAre("users-value"));
  EXPECT_EQ(store_.subject_count(), 2u);
}

TEST_F(StoreTest, ReferencedByListsLiveReferrers) {
  ASSERT_TRUE(PutSchema("dep", 1, 1, R"({"type":"fixed","name":"F","size":4})").ok());
  ASSERT_TRUE(PutSchema("dep", 2, 2, R"({"type":"fixed","name":"F","size":8})").ok());
  std::vector<SchemaReference> ref1 = {{"F", "dep", 1}};
  std::vector<SchemaReference> ref2 = {{"F", "dep", 2}};
  ASSERT_TRUE(PutSchema("m", 1, 10, R"("F")", false, ref1).ok());
  ASSERT_TRUE(PutSchema("n", 1, 10, R"("F")", false, ref1).ok());  // same id twice: listed once
  ASSERT_TRUE(PutSchema("o", 1, 11, R"(["null","F"])", false, ref1).ok());
  ASSERT_TRUE(PutSchema("p", 1, 12, R"("F")", false, ref2).ok());
  EXPECT_THAT(store_.ReferencedBy("dep", 1), ElementsAre(10, 11));
  EXPECT_THAT(store_.ReferencedBy("dep", 2), ElementsAre(12));
  EXPECT_THAT(store_.ReferencedBy("dep", 3), IsEmpty());
  EXPECT_THAT(store_.ReferencedBy("other", 1), IsEmpty());
  // Soft-deleted referrers do not count.
  ASSERT_TRUE(PutSchema("o", 1, 11, R"(["null","F"])", true, ref1).ok());
  EXPECT_THAT(store_.ReferencedBy("dep", 1), ElementsAre(10));
}

TEST_F(StoreTest, WaitForOffset) {
  EXPECT_TRUE(store_.WaitForOffset(0, absl::ZeroDuration()));
  EXPECT_FALSE(store_.WaitForOffset(1, absl::Milliseconds(1)));
  std::thread writer([&] {
    std::string value = SchemaVal("s", 1, 1, kSchemaA);
    std::string_view view(value);
    ASSERT_TRUE(store_.Apply(4, SchemaKey("s", 1), &view).ok());
  });
  EXPECT_TRUE(store_.WaitForOffset(5, absl::Seconds(30)));
  writer.join();
  EXPECT_EQ(store_.next_offset(), 5);
  EXPECT_FALSE(store_.WaitForOffset(6, absl::Milliseconds(1)));
  // Offsets never go back.
  std::string value = SchemaVal("s", 2, 2, kSchemaB);
  std::string_view view(value);
  ASSERT_TRUE(store_.Apply(2, SchemaKey("s", 2), &view).ok());
  EXPECT_EQ(store_.next_offset(), 5);
}

}  // namespace
}  // namespace cdcflow::schema_registry
