#include "services/mysql-sink/sql/statements.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace cdcflow::mysql_sink::sql {
namespace {

Row MakeRow(std::initializer_list<std::string_view> literals) {
  Row row;
  for (const std::string_view l : literals) row.AppendLiteral(l);
  return row;
}

std::vector<const Row*> Pointers(const std::vector<Row>& rows) {
  std::vector<const Row*> out;
  for (const Row& r : rows) out.push_back(&r);
  return out;
}

Field F(std::string name, FieldType type = FieldType::kInt64) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  return f;
}

Schema MakeSchema(std::initializer_list<std::string> names) {
  Schema s;
  for (const std::string& n : names) s.fields.push_back(F(n));
  return s;
}

TableShape Shape(std::initializer_list<std::string> names, std::vector<std::string> keys,
                 std::string_view table = "t") {
  absl::StatusOr<TableShape> shape = MakeTableShape(table, MakeSchema(names), keys);
  EXPECT_TRUE(shape.ok()) << shape.status();
  return *std::move(shape);
}

TEST(MakeTableShape, QuotesAndLocatesKeys) {
  const TableShape shape = Shape({"id", "name", "re`gion"}, {"re`gion", "id"}, "my`t");
  EXPECT_EQ(shape.quoted_table, "`my``t`");
  EXPECT_EQ(shape.quoted_columns, (std::vector<std::string>{"`id`", "`name`", "`re``gion`"}));
  EXPECT_EQ(shape.key_indexes, (std::vector<size_t>{2, 0}));
  EXPECT_EQ(QuotedKeyColumns(shape), (std::vector<std::string>{"`re``gion`", "`id`"}));
}

TEST(MakeTableShape, Errors) {
  absl::Status st = MakeTableShape("t", MakeSchema({"a"}), {"b"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "table \"t\": key column \"b\" is not a field of the value schema");
  st = MakeTableShape("t", MakeSchema({"a", "A"}), {}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "table \"t\": two fields are named \"A\" (column names ignore case)");
  st = MakeTableShape("t", MakeSchema({"a"}), {"a", "a"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  st = MakeTableShape("t", Schema{}, {}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  st = MakeTableShape("t", MakeSchema({"a "}), {}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "invalid identifier \"a \": ends with a space");
  st = MakeTableShape(std::string_view("t\0", 2), MakeSchema({"a"}), {}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
}

TEST(AppendInsert, MultiRowInsert) {
  const TableShape shape = Shape({"id", "name", "note"}, {"id"});
  const std::vector<Row> rows = {MakeRow({"1", "'a'", "NULL"}), MakeRow({"2", "'b''c'", "'x'"})};
  std::string out;
  AppendInsert(out, shape, Pointers(rows), InsertMode::kInsert);
  EXPECT_EQ(out, "INSERT INTO `t` (`id`,`name`,`note`) VALUES (1,'a',NULL),(2,'b''c','x')");
}

TEST(AppendInsert, UpsertUpdatesNonKeyColumns) {
  const TableShape shape = Shape({"a", "b", "c", "d"}, {"c", "a"});
  const std::vector<Row> rows = {MakeRow({"1", "2", "3", "4"})};
  std::string out;
  AppendInsert(out, shape, Pointers(rows), InsertMode::kUpsert);
  EXPECT_EQ(out,
            "INSERT INTO `t` (`a`,`b`,`c`,`d`) VALUES (1,2,3,4) "
            "ON DUPLICATE KEY UPDATE `b`=VALUES(`b`),`d`=VALUES(`d`)");
}

TEST(AppendInsert, UpsertWhenEveryColumnIsAKeyIsANoOpUpdate) {
  const TableShape shape = Shape({"a", "b"}, {"b", "a"});
  const std::vector<Row> rows = {MakeRow({"1", "2"}), MakeRow({"3", "4"})};
  std::string out;
  AppendInsert(out, shape, Pointers(rows), InsertMode::kUpsert);
  EXPECT_EQ(out, "INSERT INTO `t` (`a`,`b`) VALUES (1,2),(3,4) ON DUPLICATE KEY UPDATE `b`=`b`");
}

TEST(AppendInsert, UpsertWithoutKeyUpdatesEveryColumn) {
  const TableShape shape = Shape({"a", "b"}, {});
  const std::vector<Row> rows = {MakeRow({"1", "2"})};
  std::string out;
  AppendInsert(out, shape, Pointers(rows), InsertMode::kUpsert);
  EXPECT_EQ(out,
            "INSERT INTO `t` (`a`,`b`) VALUES (1,2) ON DUPLICATE KEY UPDATE "
            "`a`=VALUES(`a`),`b`=VALUES(`b`)");
}

TEST(AppendInsert, UpdateModeDelegatesToAppendUpdates) {
  const TableShape shape = Shape({"id", "v"}, {"id"});
  const std::vector<Row> rows = {MakeRow({"1", "'x'"})};
  std::string out;
  AppendInsert(out, shape, Pointers(rows), InsertMode::kUpdate);
  EXPECT_EQ(out, "UPDATE `t` SET `v`='x' WHERE `id`=1");
}

TEST(AppendInsert, AppendsToWhatIsThereAndNothingForNoRows) {
  const TableShape shape = Shape({"id"}, {"id"});
  std::string out = "prefix;";
  AppendInsert(out, shape, {}, InsertMode::kInsert);
  AppendInsert(out, shape, {}, InsertMode::kUpsert);
  EXPECT_EQ(out, "prefix;");
  const std::vector<Row> rows = {MakeRow({"7"})};
  AppendInsert(out, shape, Pointers(rows), InsertMode::kInsert);
  EXPECT_EQ(out, "prefix;INSERT INTO `t` (`id`) VALUES (7)");
}

TEST(AppendInsert, ValuesArePastedVerbatimIdentifiersQuoted) {
  const TableShape shape = Shape({"x`; DROP TABLE y; --"}, {}, "a;b");
  const std::vector<Row> rows = {MakeRow({"'it''s; DROP TABLE z; --'"})};
  std::string out;
  AppendInsert(out, shape, Pointers(rows), InsertMode::kInsert);
  EXPECT_EQ(out, "INSERT INTO `a;b` (`x``; DROP TABLE y; --`) VALUES ('it''s; DROP TABLE z; --')");
}

TEST(AppendInsert, ReusedBufferKeepsItsCapacity) {
  const TableShape shape = Shape({"id", "name", "note"}, {"id"});
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) {
    rows.push_back(MakeRow({std::to_string(i), "'some text value'", "NULL"}));
  }
  const std::vector<const Row*> ptrs = Pointers(rows);
  std::string out;
  AppendInsert(out, shape, ptrs, InsertMode::kUpsert);
  const std::string first = out;
  const size_t capacity = out.capacity();
  const char* data = out.data();
  out.clear();
  AppendInsert(out, shape, ptrs, InsertMode::kUpsert);
  EXPECT_EQ(out, first);
  EXPECT_EQ(out.capacity(), capacity);
  EXPECT_EQ(out.data(), data);  // no reallocation
  // The estimate reserved enough for the whole statement in one allocation.
  EXPECT_LE(first.size(), capacity);
  EXPECT_LE(capacity, first.size() + first.size() / 10);
}

TEST(AppendUpdates, OneUpdatePerRowJoinedWithSemicolons) {
  const TableShape shape = Shape({"a", "b", "c", "d"}, {"c", "a"});
  const std::vector<Row> rows = {MakeRow({"1", "'x'", "3", "NULL"}),
                                 MakeRow({"5", "'y'", "7", "8"})};
  std::string out;
  AppendUpdates(out, shape, Pointers(rows));
  EXPECT_EQ(out,
            "UPDATE `t` SET `b`='x',`d`=NULL WHERE `c`=3 AND `a`=1;"
            "UPDATE `t` SET `b`='y',`d`=8 WHERE `c`=7 AND `a`=5");
}

TEST(AppendUpdates, EveryColumnAKey) {
  const TableShape shape = Shape({"a"}, {"a"});
  const std::vector<Row> rows = {MakeRow({"1"})};
  std::string out;
  AppendUpdates(out, shape, Pointers(rows));
  EXPECT_EQ(out, "UPDATE `t` SET `a`=`a` WHERE `a`=1");
}

TEST(AppendUpdates, NeverWithoutAKeyOrRows) {
  const std::vector<Row> rows = {MakeRow({"1", "2"})};
  std::string out;
  AppendUpdates(out, Shape({"a", "b"}, {}), Pointers(rows));
  AppendUpdates(out, Shape({"a", "b"}, {"a"}), {});
  EXPECT_EQ(out, "");
}

TEST(AppendDelete, SingleKeyIn) {
  const std::vector<Row> keys = {MakeRow({"1"}), MakeRow({"2"}), MakeRow({"'x'"})};
  std::string out;
  AppendDelete(out, "`t`", {"`id`"}, Pointers(keys));
  EXPECT_EQ(out, "DELETE FROM `t` WHERE `id` IN (1,2,'x')");
}

TEST(AppendDelete, CompositeKeyRowConstructors) {
  const TableShape shape = Shape({"a", "b", "v"}, {"b", "a"});
  const std::vector<Row> keys = {MakeRow({"'k1'", "1"}), MakeRow({"'k2'", "2"})};
  std::string out;
  AppendDelete(out, shape.quoted_table, QuotedKeyColumns(shape), Pointers(keys));
  EXPECT_EQ(out, "DELETE FROM `t` WHERE (`b`,`a`) IN (('k1',1),('k2',2))");
}

TEST(AppendDelete, NeverWithoutWhere) {
  const std::vector<Row> keys = {MakeRow({"1"})};
  std::string out;
  AppendDelete(out, "`t`", {}, Pointers(keys));
  AppendDelete(out, "`t`", {"`id`"}, {});
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace cdcflow::mysql_sink::sql
