#include "services/mysql-sink/pipeline/table_writer.h"

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/mysql-sink/fake_database.h"

namespace cdcflow::mysql_sink {
namespace {

using ::testing::ElementsAre;

class TableWriterTest : public ::testing::Test {
 protected:
  TableWriterTest() {
    auto schema = std::make_shared<Schema>();
    schema->fields = {{.name = "id", .type = FieldType::kInt64, .optional = false},
                      {.name = "v", .type = FieldType::kString}};
    schema->fingerprint = 7;
    schema_ = schema;
    keys_ = std::make_shared<KeyColumns>(KeyColumns{{"id"}});
  }

  // An upsert of (id, 'v') or, with v empty, a delete of id.
  void Add(int id, const std::string& v) {
    auto r = std::make_unique<SinkRecord>();
    r->table = "t";
    r->op = v.empty() ? Op::kDelete : Op::kUpsert;
    r->key_columns = keys_;
    r->key.AppendLiteral(absl::StrCat(id));
    if (!v.empty()) {
      r->value_schema = schema_;
      r->value.AppendLiteral(absl::StrCat(id));
      r->value.AppendLiteral(absl::StrCat("'", v, "'"));
    }
    r->source_index = records_.size();
    records_.push_back(std::move(r));
  }

  absl::StatusOr<TableWriteResult> Write(sql::InsertMode mode, int max_rows = 1000,
                                         bool exists = true) {
    std::vector<const SinkRecord*> view;
    for (const auto& r : records_) view.push_back(r.get());
    TableWriter writer(mode, max_rows, db_);
    return writer.Write("t", view, exists);
  }

  testing::FakeDatabase db_;
  std::shared_ptr<const Schema> schema_;
  std::shared_ptr<const KeyColumns> keys_;
  std::vector<std::unique_ptr<SinkRecord>> records_;
};

TEST_F(TableWriterTest, ReducesToTheLastChangePerKeyInOneStatementEach) {
  Add(1, "a");
  Add(2, "b");
  Add(1, "c");  // supersedes (1,'a')
  Add(3, "d");
  Add(3, "");  // 3 ends deleted
  Add(2, "");
  Add(2, "e");  // 2 deleted then written again: upsert is enough
  auto result = Write(sql::InsertMode::kUpsert);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(db_.statements.size(), 2u);
  EXPECT_EQ(db_.statements[0], "DELETE FROM `t` WHERE `id` IN (3)");
  EXPECT_EQ(db_.statements[1],
            "INSERT INTO `t` (`id`,`v`) VALUES (1,'c'),(2,'e') ON DUPLICATE KEY UPDATE "
            "`v`=VALUES(`v`)");
  EXPECT_EQ(result->rows_upserted, 2);
  EXPECT_EQ(result->rows_deleted, 1);
  EXPECT_TRUE(result->failures.empty());
}

TEST_F(TableWriterTest, InsertModeDeletesAKeyBeforeInsertingItAgain) {
  Add(5, "old");
  Add(5, "");
  Add(5, "new");
  auto result = Write(sql::InsertMode::kInsert);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(db_.statements.size(), 2u);
  EXPECT_EQ(db_.statements[0], "DELETE FROM `t` WHERE `id` IN (5)");
  EXPECT_EQ(db_.statements[1], "INSERT INTO `t` (`id`,`v`) VALUES (5,'new')");
}

TEST_F(TableWriterTest, SplitsARejectedStatementUntilTheBadRowIsAlone) {
  for (int i = 1; i <= 8; ++i) Add(i, i == 6 ? "bad" : "ok");
  db_.poison = {"'bad'"};
  auto result = Write(sql::InsertMode::kInsert);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->failures.size(), 1u);
  EXPECT_EQ(result->failures[0].source_index, 5u);
  EXPECT_EQ(result->failures[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result->rows_upserted, 7);
  // 8 rows → halves of 4 (first lands) → 2+2 → 1+1: 1 + 2 + 2 + 2 statements.
  EXPECT_EQ(result->statements, 7);
  EXPECT_THAT(std::vector<std::string>(db_.statements.begin() + 1, db_.statements.begin() + 2),
              ElementsAre("INSERT INTO `t` (`id`,`v`) VALUES (1,'ok'),(2,'ok'),(3,'ok'),(4,'ok')"));
  ASSERT_EQ(db_.statements.size(), 7u);
  EXPECT_EQ(db_.statements[5], "INSERT INTO `t` (`id`,`v`) VALUES (6,'bad')");
  EXPECT_EQ(db_.statements[6], "INSERT INTO `t` (`id`,`v`) VALUES (7,'ok'),(8,'ok')");
}

TEST_F(TableWriterTest, ARejectedLastChangeFallsBackToTheChangeBeforeIt) {
  Add(1, "good");
  Add(1, "bad");  // the reduced row: rejected, so (1,'good') must land instead
  db_.poison = {"'bad'"};
  auto result = Write(sql::InsertMode::kUpsert);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->failures.size(), 1u);
  EXPECT_EQ(result->failures[0].source_index, 1u);
  EXPECT_EQ(result->rows_upserted, 1);
  ASSERT_EQ(db_.statements.size(), 2u);
  EXPECT_NE(db_.statements[1].find("VALUES (1,'good')"), std::string::npos) << db_.statements[1];
}

TEST_F(TableWriterTest, ConnectionLossIsReturnedNotSplit) {
  for (int i = 1; i <= 4; ++i) Add(i, "x");
  db_.outage = true;
  auto result = Write(sql::InsertMode::kUpsert);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(db_.statements.size(), 1u);
}

TEST_F(TableWriterTest, ChunksByMaxRowsAndSkipsDeletesOnAMissingTable) {
  for (int i = 1; i <= 5; ++i) Add(i, "x");
  Add(9, "");
  auto result = Write(sql::InsertMode::kUpsert, /*max_rows=*/2, /*exists=*/false);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(db_.statements.size(), 3u);  // 2 + 2 + 1 rows; no DELETE on a missing table
  for (const std::string& s : db_.statements) EXPECT_EQ(s.rfind("INSERT", 0), 0u) << s;
  EXPECT_EQ(result->rows_upserted, 5);
}

TEST_F(TableWriterTest, ASchemaChangeStartsANewRunSoOlderColumnsAreNotLost) {
  Add(1, "a");
  // The same key again, with a schema that lacks `v` (auto.evolve keeps the column): reducing
  // across the change would drop the 'a' written first.
  auto narrow = std::make_shared<Schema>();
  narrow->fields = {{.name = "id", .type = FieldType::kInt64, .optional = false}};
  narrow->fingerprint = 8;
  auto r = std::make_unique<SinkRecord>();
  r->table = "t";
  r->op = Op::kUpsert;
  r->key_columns = keys_;
  r->key.AppendLiteral("1");
  r->value_schema = narrow;
  r->value.AppendLiteral("1");
  r->source_index = records_.size();
  records_.push_back(std::move(r));
  Add(2, "b");
  auto result = Write(sql::InsertMode::kUpsert);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(db_.statements.size(), 3u);
  EXPECT_EQ(db_.statements[0],
            "INSERT INTO `t` (`id`,`v`) VALUES (1,'a') ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)");
  EXPECT_EQ(db_.statements[1],
            "INSERT INTO `t` (`id`) VALUES (1) ON DUPLICATE KEY UPDATE `id`=`id`");
  EXPECT_EQ(db_.statements[2],
            "INSERT INTO `t` (`id`,`v`) VALUES (2,'b') ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)");
  EXPECT_EQ(result->rows_upserted, 3);
}

}  // namespace
}  // namespace cdcflow::mysql_sink
