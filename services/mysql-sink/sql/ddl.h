#pragma once

// DDL for auto.create and auto.evolve: CREATE TABLE from a record's value schema, and
// ALTER TABLE … ADD COLUMN for fields the table lacks. Evolution only ever adds nullable
// columns: it never drops, renames or narrows one.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/mysql-sink/record/row.h"

namespace cdcflow::mysql_sink::sql {

// The table options of every table the sink creates. utf8mb4 holds every Unicode character a
// source text can carry (utf8mb3 loses emoji). The collation is binary and NO PAD so that two
// values the source keeps apart stay apart in a primary key: a case-insensitive collation would
// merge 'a' and 'A', and even utf8mb4_bin (PAD SPACE) treats 'a' and 'a ' as a duplicate key,
// so an upsert of one would overwrite the other.
inline constexpr char kTableOptions[] =
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin";

// CREATE TABLE IF NOT EXISTS `t` (`a` BIGINT NOT NULL, `b` TEXT NULL, …, PRIMARY KEY (`a`))
// <kTableOptions>. Key columns are NOT NULL and use key-sized types (see ColumnType); other
// fields are NULL when optional. No PRIMARY KEY clause when `key_columns` is empty.
// kInvalidArgument: a bad identifier, no fields, two fields whose names differ only in ASCII
// case, a key column the schema lacks, or a key column listed twice.
absl::StatusOr<std::string> CreateTable(std::string_view table, const Schema& value_schema,
                                        const std::vector<std::string>& key_columns);

// ALTER TABLE `t` ADD COLUMN IF NOT EXISTS `x` INT NULL, ADD COLUMN IF NOT EXISTS … — always
// nullable, since existing rows have no value. IF NOT EXISTS (MariaDB) turns a column that
// another sink task added meanwhile, or one that differs from ours only by non-ASCII case,
// into a note instead of an error. kInvalidArgument: a bad identifier or no fields.
absl::StatusOr<std::string> AddColumns(std::string_view table,
                                       const std::vector<Field>& new_fields);

// The fields of `incoming` that have no column in `existing_columns`, in schema order. Names
// match ignoring ASCII case, as MariaDB column names do. (MariaDB also folds non-ASCII case;
// such a field is reported missing, and AddColumns' IF NOT EXISTS makes that harmless.)
std::vector<Field> MissingFields(const Schema& incoming,
                                 const std::vector<std::string>& existing_columns);

}  // namespace cdcflow::mysql_sink::sql
