#include "services/mysql-sink/sql/ddl.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/mysql-sink/sql/type_mapping.h"

namespace cdcflow::mysql_sink::sql {
namespace {

Field F(std::string name, FieldType type, bool optional = true) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  f.optional = optional;
  return f;
}

Field Decimal(int precision, int scale) {
  Field f = F("d", FieldType::kDecimal);
  f.precision = precision;
  f.scale = scale;
  return f;
}

Field WithFsp(FieldType type, int fsp) {
  Field f = F("t", type);
  f.fsp = fsp;
  return f;
}

std::vector<std::string> Names(const std::vector<Field>& fields) {
  std::vector<std::string> names;
  for (const Field& f : fields) names.push_back(f.name);
  return names;
}

TEST(ColumnType, MapsEveryFieldType) {
  EXPECT_EQ(ColumnType(F("x", FieldType::kInt8), false), "TINYINT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kInt16), false), "SMALLINT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kInt32), false), "INT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kInt64), false), "BIGINT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kFloat32), false), "FLOAT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kFloat64), false), "DOUBLE");
  EXPECT_EQ(ColumnType(F("x", FieldType::kBoolean), false), "TINYINT(1)");
  EXPECT_EQ(ColumnType(F("x", FieldType::kString), false), "TEXT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kBytes), false), "LONGBLOB");
  EXPECT_EQ(ColumnType(F("x", FieldType::kVariableDecimal), false), "DECIMAL(65,30)");
  EXPECT_EQ(ColumnType(F("x", FieldType::kDate), false), "DATE");
  EXPECT_EQ(ColumnType(F("x", FieldType::kZonedTimestamp), false), "DATETIME(6)");
  EXPECT_EQ(ColumnType(F("x", FieldType::kJson), false), "LONGTEXT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kUuid), false), "CHAR(36)");
}

TEST(ColumnType, KeysGetBoundedTypes) {
  EXPECT_EQ(ColumnType(F("x", FieldType::kString), true), "VARCHAR(255)");
  EXPECT_EQ(ColumnType(F("x", FieldType::kBytes), true), "VARBINARY(255)");
  EXPECT_EQ(ColumnType(F("x", FieldType::kJson), true), "VARCHAR(255)");
  EXPECT_EQ(ColumnType(F("x", FieldType::kInt64), true), "BIGINT");
  EXPECT_EQ(ColumnType(F("x", FieldType::kUuid), true), "CHAR(36)");
}

TEST(ColumnType, DecimalPrecisionAndScale) {
  EXPECT_EQ(ColumnType(Decimal(10, 2), false), "DECIMAL(10,2)");
  EXPECT_EQ(ColumnType(Decimal(65, 30), false), "DECIMAL(65,30)");
  EXPECT_EQ(ColumnType(Decimal(5, 5), false), "DECIMAL(5,5)");
  EXPECT_EQ(ColumnType(Decimal(0, 4), false), "DECIMAL(65,4)");     // unknown precision
  EXPECT_EQ(ColumnType(Decimal(66, 2), false), "DECIMAL(65,2)");    // beyond MariaDB's 65
  EXPECT_EQ(ColumnType(Decimal(3, 4), false), "DECIMAL(65,4)");     // precision < scale
  EXPECT_EQ(ColumnType(Decimal(50, 40), false), "DECIMAL(50,30)");  // scale clamped to 30
  EXPECT_EQ(ColumnType(Decimal(20, 40), false), "DECIMAL(65,30)");  // both clamped
  EXPECT_EQ(ColumnType(Decimal(5, -2), false), "DECIMAL(7,0)");     // NUMERIC(5,-2)
  EXPECT_EQ(ColumnType(Decimal(64, -2), false), "DECIMAL(65,0)");
}

TEST(ColumnType, FractionalSeconds) {
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kTime, 0), false), "TIME");
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kTime, 3), false), "TIME(3)");
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kTime, 6), false), "TIME(6)");
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kTime, 9), false), "TIME(6)");  // nanos: MariaDB has 6
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kDateTime, 0), false), "DATETIME");
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kDateTime, 3), false), "DATETIME(3)");
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kDateTime, 6), false), "DATETIME(6)");
  EXPECT_EQ(ColumnType(WithFsp(FieldType::kZonedTimestamp, 0), false), "DATETIME(6)");
}

Schema OrdersSchema() {
  Schema s;
  s.fields = {F("id", FieldType::kInt64, false), F("customer", FieldType::kString, false),
              F("note", FieldType::kString), F("amount", FieldType::kDecimal, false)};
  s.fields[3].precision = 12;
  s.fields[3].scale = 2;
  return s;
}

TEST(CreateTable, KeyColumnsAreNotNullAndBounded) {
  EXPECT_EQ(CreateTable("orders", OrdersSchema(), {"id"}).value(),
            "CREATE TABLE IF NOT EXISTS `orders` (`id` BIGINT NOT NULL, `customer` TEXT NOT NULL, "
            "`note` TEXT NULL, `amount` DECIMAL(12,2) NOT NULL, PRIMARY KEY (`id`)) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
}

TEST(CreateTable, CompositeKeyInKeyOrderAndOptionalKeyFieldBecomesNotNull) {
  Schema s = OrdersSchema();
  s.fields[2].name = "region";  // optional string, but part of the key
  EXPECT_EQ(CreateTable("orders", s, {"region", "id"}).value(),
            "CREATE TABLE IF NOT EXISTS `orders` (`id` BIGINT NOT NULL, `customer` TEXT NOT NULL, "
            "`region` VARCHAR(255) NOT NULL, `amount` DECIMAL(12,2) NOT NULL, "
            "PRIMARY KEY (`region`, `id`)) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
}

TEST(CreateTable, NoKeyNoPrimaryKeyClause) {
  Schema s;
  s.fields = {F("a", FieldType::kInt32), F("b", FieldType::kBoolean, false)};
  EXPECT_EQ(CreateTable("log", s, {}).value(),
            "CREATE TABLE IF NOT EXISTS `log` (`a` INT NULL, `b` TINYINT(1) NOT NULL) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
}

TEST(CreateTable, QuotesHostileNames) {
  Schema s;
  s.fields = {F("x`; DROP TABLE y; --", FieldType::kInt64, false)};
  EXPECT_EQ(CreateTable("t`; DROP TABLE z; --", s, {"x`; DROP TABLE y; --"}).value(),
            "CREATE TABLE IF NOT EXISTS `t``; DROP TABLE z; --` "
            "(`x``; DROP TABLE y; --` BIGINT NOT NULL, PRIMARY KEY (`x``; DROP TABLE y; --`)) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
}

TEST(CreateTable, Errors) {
  const Schema s = OrdersSchema();
  absl::Status st = CreateTable("orders", s, {"missing"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "table \"orders\": key column \"missing\" is not a field of the value schema");

  st = CreateTable("orders", s, {"id", "id"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "table \"orders\": key column \"id\" is listed twice");

  st = CreateTable("orders", Schema{}, {}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "table \"orders\": the schema has no fields");

  Schema dup = s;
  dup.fields.push_back(F("ID", FieldType::kInt32));
  st = CreateTable("orders", dup, {"id"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "table \"orders\": two fields are named \"ID\" (column names ignore case)");

  st = CreateTable("orders ", s, {"id"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "invalid identifier \"orders \": ends with a space");

  Schema bad_column = s;
  bad_column.fields[1].name = std::string(65, 'c');
  st = CreateTable("orders", bad_column, {"id"}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), absl::StrCat("invalid identifier \"", std::string(65, 'c'),
                                       "\": longer than 64 characters (65)"));
}

TEST(AddColumns, AlwaysNullableAndIfNotExists) {
  Field big = F("total", FieldType::kInt64, /*optional=*/false);
  Field key_like = F("code", FieldType::kString, false);
  EXPECT_EQ(AddColumns("orders", {big, key_like}).value(),
            "ALTER TABLE `orders` ADD COLUMN IF NOT EXISTS `total` BIGINT NULL, "
            "ADD COLUMN IF NOT EXISTS `code` TEXT NULL");
  EXPECT_EQ(AddColumns("o`s", {F("a`b", FieldType::kDate)}).value(),
            "ALTER TABLE `o``s` ADD COLUMN IF NOT EXISTS `a``b` DATE NULL");
}

TEST(AddColumns, Errors) {
  absl::Status st = AddColumns("orders", {}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "cannot alter table \"orders\": no columns to add");
  st = AddColumns("orders", {F("", FieldType::kInt32)}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "invalid identifier \"\": empty");
  EXPECT_EQ(AddColumns("", {F("a", FieldType::kInt32)}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MissingFields, MatchesIgnoringAsciiCaseInSchemaOrder) {
  const Schema s = OrdersSchema();
  EXPECT_EQ(Names(MissingFields(s, {"ID", "Customer"})),
            (std::vector<std::string>{"note", "amount"}));
  EXPECT_EQ(MissingFields(s, {"id", "customer", "NOTE", "amount", "extra"}), std::vector<Field>{});
  EXPECT_EQ(MissingFields(s, {}), s.fields);
  // The returned fields are whole: type, optionality and precision are kept.
  const std::vector<Field> missing = MissingFields(s, {"id", "customer", "note"});
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0], s.fields[3]);
}

}  // namespace
}  // namespace cdcflow::mysql_sink::sql
