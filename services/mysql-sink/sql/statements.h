#pragma once

// DML for one table and one column list: multi-row INSERT (optionally ON DUPLICATE KEY
// UPDATE), per-row UPDATE, and DELETE … IN. Statements are appended to a caller-owned string,
// which the caller clears and reuses across batches so its capacity is kept: building a
// 3000-row statement then costs no allocation at all. Values are Row literals, pasted as they
// are (the decoder rendered and escaped them); identifiers come from a TableShape, checked and
// quoted once.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/mysql-sink/record/row.h"

namespace cdcflow::mysql_sink::sql {

// Computed once per (table, schema) and cached by the caller.
struct TableShape {
  std::string quoted_table;                 // `t`
  std::vector<std::string> quoted_columns;  // value columns, in Schema order
  std::vector<size_t> key_indexes;  // positions of the primary-key columns in quoted_columns
};

// kInvalidArgument: a bad table or column name (see CheckIdentifier), no fields, two fields
// whose names differ only in ASCII case, a key column the schema lacks or one listed twice.
// key_indexes follow the order of `key_columns`.
absl::StatusOr<TableShape> MakeTableShape(std::string_view table, const Schema& value_schema,
                                          const std::vector<std::string>& key_columns);

// The quoted key columns of `shape`, in key_indexes order (what AppendDelete takes).
std::vector<std::string> QuotedKeyColumns(const TableShape& shape);

enum class InsertMode {
  kInsert,  // INSERT: a duplicate key is an error
  kUpsert,  // INSERT … ON DUPLICATE KEY UPDATE: a duplicate key updates the row
  kUpdate,  // UPDATE … WHERE key: a missing row is left missing (see AppendUpdates)
};

// kInsert: INSERT INTO `t` (`a`,`b`) VALUES (1,'x'),(2,'y')
// kUpsert: the same followed by ON DUPLICATE KEY UPDATE `b`=VALUES(`b`) for every non-key
//   column; when every column is in the key, `a`=`a` (a no-op, so a duplicate is not an
//   error). Without key columns every column is updated (meaningful only with a unique key).
// kUpdate: AppendUpdates(out, shape, rows).
// Each row holds exactly quoted_columns.size() literals. Appends nothing when `rows` is empty.
void AppendInsert(std::string& out, const TableShape& shape, std::span<const Row* const> rows,
                  InsertMode mode);

// One `UPDATE `t` SET `b`='x',`c`=2 WHERE `a`=1 AND `d`=3` per row, joined with ';' (no
// trailing ';'), so a batch goes in one round trip. The connection must therefore allow
// multiple statements (CLIENT_MULTI_STATEMENTS) and the caller must read every result
// (mysql_next_result) — an error stops the remaining statements of the batch, so the caller
// runs it inside a transaction and rolls back. When every column is in the key the SET is
// `a`=`a`. Appends nothing when `rows` is empty or the shape has no key column: an UPDATE
// without a WHERE clause would rewrite the whole table.
void AppendUpdates(std::string& out, const TableShape& shape, std::span<const Row* const> rows);

// DELETE FROM `t` WHERE `k` IN (1,2,…), or for a composite key
// DELETE FROM `t` WHERE (`a`,`b`) IN ((1,'x'),(2,'y'),…) — MariaDB runs both as a range scan of
// the primary key. Each key row holds the key values only, in quoted_key_columns order.
// Appends nothing when `key_rows` or `quoted_key_columns` is empty (never a DELETE without
// WHERE).
void AppendDelete(std::string& out, std::string_view quoted_table,
                  const std::vector<std::string>& quoted_key_columns,
                  std::span<const Row* const> key_rows);

}  // namespace cdcflow::mysql_sink::sql
