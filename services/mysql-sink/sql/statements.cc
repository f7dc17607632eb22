#include "services/mysql-sink/sql/statements.h"

#include <algorithm>
#include <cassert>
#include <unordered_set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/mysql-sink/sql/identifier.h"

namespace cdcflow::mysql_sink::sql {
namespace {

// Bytes of all the literals of `row` (they are contiguous in its buffer).
size_t LiteralBytes(const Row& row) {
  if (row.empty()) return 0;
  const std::string_view first = row.literal(0);
  const std::string_view last = row.literal(row.size() - 1);
  return static_cast<size_t>(last.data() + last.size() - first.data());
}

// Bytes of the (v1,v2,…) tuples of `rows`, separators included.
size_t TuplesBytes(std::span<const Row* const> rows) {
  size_t bytes = 0;
  for (const Row* row : rows) bytes += LiteralBytes(*row) + row->size() + 2;
  return bytes;
}

// (v1,v2,…)
void AppendTuple(std::string& out, const Row& row) {
  out.push_back('(');
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(row.literal(i));
  }
  out.push_back(')');
}

bool IsKey(const TableShape& shape, size_t column) {
  return std::find(shape.key_indexes.begin(), shape.key_indexes.end(), column) !=
         shape.key_indexes.end();
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

absl::StatusOr<TableShape> MakeTableShape(std::string_view table, const Schema& value_schema,
                                          const std::vector<std::string>& key_columns) {
  TableShape shape;
  ASSIGN_OR_RETURN(shape.quoted_table, QuoteIdentifier(table));
  if (value_schema.fields.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("table ", PrintableIdentifier(table), ": the schema has no fields"));
  }
  std::unordered_set<std::string> seen;
  shape.quoted_columns.reserve(value_schema.fields.size());
  for (const Field& f : value_schema.fields) {
    ASSIGN_OR_RETURN(std::string quoted, QuoteIdentifier(f.name));
    if (!seen.insert(AsciiLower(f.name)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("table ", PrintableIdentifier(table), ": two fields are named ",
                       PrintableIdentifier(f.name), " (column names ignore case)"));
    }
    shape.quoted_columns.push_back(std::move(quoted));
  }
  for (const std::string& key : key_columns) {
    const std::optional<size_t> i = value_schema.Find(key);
    if (!i) {
      return absl::InvalidArgumentError(absl::StrCat("table ", PrintableIdentifier(table),
                                                     ": key column ", PrintableIdentifier(key),
                                                     " is not a field of the value schema"));
    }
    if (IsKey(shape, *i)) {
      return absl::InvalidArgumentError(absl::StrCat("table ", PrintableIdentifier(table),
                                                     ": key column ", PrintableIdentifier(key),
                                                     " is listed twice"));
    }
    shape.key_indexes.push_back(*i);
  }
  return shape;
}

std::vector<std::string> QuotedKeyColumns(const TableShape& shape) {
  std::vector<std::string> keys;
  keys.reserve(shape.key_indexes.size());
  for (const size_t i : shape.key_indexes) keys.push_back(shape.quoted_columns[i]);
  return keys;
}

void AppendInsert(std::string& out, const TableShape& shape, std::span<const Row* const> rows,
                  InsertMode mode) {
  if (mode == InsertMode::kUpdate) {
    AppendUpdates(out, shape, rows);
    return;
  }
  if (rows.empty()) return;
  const std::vector<std::string>& columns = shape.quoted_columns;
  const bool upsert = mode == InsertMode::kUpsert;
  const bool all_key = shape.key_indexes.size() == columns.size();

  size_t bytes = shape.quoted_table.size() + 24 + TuplesBytes(rows);
  for (const std::string& c : columns) bytes += c.size() + 1 + (upsert ? 2 * c.size() + 10 : 0);
  if (upsert) bytes += 24;
  out.reserve(out.size() + bytes);

  out.append("INSERT INTO ").append(shape.quoted_table).append(" (");
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(columns[i]);
  }
  out.append(") VALUES ");
  for (size_t r = 0; r < rows.size(); ++r) {
    assert(rows[r]->size() == columns.size());
    if (r > 0) out.push_back(',');
    AppendTuple(out, *rows[r]);
  }
  if (!upsert) return;
  out.append(" ON DUPLICATE KEY UPDATE ");
  if (all_key) {
    // Nothing to update, but a duplicate must not be an error: `a`=`a` is a no-op.
    out.append(columns[shape.key_indexes[0]]).push_back('=');
    out.append(columns[shape.key_indexes[0]]);
    return;
  }
  bool first = true;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (IsKey(shape, i)) continue;
    if (!first) out.push_back(',');
    first = false;
    out.append(columns[i]).append("=VALUES(").append(columns[i]).push_back(')');
  }
}

void AppendUpdates(std::string& out, const TableShape& shape, std::span<const Row* const> rows) {
  if (rows.empty() || shape.key_indexes.empty()) return;
  const std::vector<std::string>& columns = shape.quoted_columns;
  const bool all_key = shape.key_indexes.size() == columns.size();

  size_t per_row = shape.quoted_table.size() + 20;
  for (const std::string& c : columns) per_row += c.size() + 6;
  out.reserve(out.size() + per_row * rows.size() + TuplesBytes(rows));

  for (size_t r = 0; r < rows.size(); ++r) {
    const Row& row = *rows[r];
    assert(row.size() == columns.size());
    if (r > 0) out.push_back(';');
    out.append("UPDATE ").append(shape.quoted_table).append(" SET ");
    if (all_key) {
      out.append(columns[shape.key_indexes[0]]).push_back('=');
      out.append(columns[shape.key_indexes[0]]);
    } else {
      bool first = true;
      for (size_t i = 0; i < columns.size(); ++i) {
        if (IsKey(shape, i)) continue;
        if (!first) out.push_back(',');
        first = false;
        out.append(columns[i]).append("=").append(row.literal(i));
      }
    }
    out.append(" WHERE ");
    for (size_t k = 0; k < shape.key_indexes.size(); ++k) {
      const size_t i = shape.key_indexes[k];
      if (k > 0) out.append(" AND ");
      out.append(columns[i]).append("=").append(row.literal(i));
    }
  }
}

void AppendDelete(std::string& out, std::string_view quoted_table,
                  const std::vector<std::string>& quoted_key_columns,
                  std::span<const Row* const> key_rows) {
  if (key_rows.empty() || quoted_key_columns.empty()) return;
  const bool composite = quoted_key_columns.size() > 1;

  size_t bytes = quoted_table.size() + 32 + TuplesBytes(key_rows);
  for (const std::string& c : quoted_key_columns) bytes += c.size() + 1;
  out.reserve(out.size() + bytes);

  out.append("DELETE FROM ").append(quoted_table).append(" WHERE ");
  if (composite) out.push_back('(');
  for (size_t k = 0; k < quoted_key_columns.size(); ++k) {
    if (k > 0) out.push_back(',');
    out.append(quoted_key_columns[k]);
  }
  out.append(composite ? ") IN (" : " IN (");
  for (size_t r = 0; r < key_rows.size(); ++r) {
    const Row& row = *key_rows[r];
    assert(row.size() == quoted_key_columns.size());
    if (r > 0) out.push_back(',');
    if (composite) {
      AppendTuple(out, row);
    } else {
      out.append(row.literal(0));
    }
  }
  out.push_back(')');
}

}  // namespace cdcflow::mysql_sink::sql
