#include "services/mysql-sink/sql/ddl.h"

#include <unordered_set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/mysql-sink/sql/identifier.h"
#include "services/mysql-sink/sql/statements.h"
#include "services/mysql-sink/sql/type_mapping.h"

namespace cdcflow::mysql_sink::sql {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> CreateTable(std::string_view table, const Schema& value_schema,
                                        const std::vector<std::string>& key_columns) {
  // The shape checks every name, duplicate fields and the key columns.
  ASSIGN_OR_RETURN(const TableShape shape, MakeTableShape(table, value_schema, key_columns));
  std::vector<bool> is_key(value_schema.fields.size(), false);
  for (const size_t i : shape.key_indexes) is_key[i] = true;

  std::string out = "CREATE TABLE IF NOT EXISTS ";
  absl::StrAppend(&out, shape.quoted_table, " (");
  for (size_t i = 0; i < value_schema.fields.size(); ++i) {
    const Field& f = value_schema.fields[i];
    const bool nullable = !is_key[i] && f.optional;
    absl::StrAppend(&out, i > 0 ? ", " : "", shape.quoted_columns[i], " ", ColumnType(f, is_key[i]),
                    nullable ? " NULL" : " NOT NULL");
  }
  if (!shape.key_indexes.empty()) {
    out.append(", PRIMARY KEY (");
    for (size_t k = 0; k < shape.key_indexes.size(); ++k) {
      absl::StrAppend(&out, k > 0 ? ", " : "", shape.quoted_columns[shape.key_indexes[k]]);
    }
    out.push_back(')');
  }
  absl::StrAppend(&out, ") ", kTableOptions);
  return out;
}

absl::StatusOr<std::string> AddColumns(std::string_view table,
                                       const std::vector<Field>& new_fields) {
  RETURN_IF_ERROR(CheckIdentifier(table));
  if (new_fields.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot alter table ", PrintableIdentifier(table), ": no columns to add"));
  }
  std::string out = "ALTER TABLE ";
  AppendQuoted(out, table);
  for (size_t i = 0; i < new_fields.size(); ++i) {
    out.append(i == 0 ? " ADD COLUMN IF NOT EXISTS " : ", ADD COLUMN IF NOT EXISTS ");
    RETURN_IF_ERROR(CheckIdentifier(new_fields[i].name));
    AppendQuoted(out, new_fields[i].name);
    absl::StrAppend(&out, " ", ColumnType(new_fields[i], /*part_of_key=*/false), " NULL");
  }
  return out;
}

std::vector<Field> MissingFields(const Schema& incoming,
                                 const std::vector<std::string>& existing_columns) {
  std::unordered_set<std::string> existing;
  existing.reserve(existing_columns.size());
  for (const std::string& c : existing_columns) existing.insert(AsciiLower(c));
  std::vector<Field> missing;
  for (const Field& f : incoming.fields) {
    if (!existing.contains(AsciiLower(f.name))) missing.push_back(f);
  }
  return missing;
}

}  // namespace cdcflow::mysql_sink::sql
