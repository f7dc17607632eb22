#include "services/cdc-capture/source/catalog.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"

namespace cdcflow::cdc_capture::source {

namespace {

// OIDs below FirstNormalObjectId belong to the system catalogs: the encoder knows the scalar
// ones by number. Everything else, and every array, is described from pg_type.
constexpr uint32_t kFirstNormalObjectId = 16384;

// Parses a text[] value such as {a,"b c",NULL} into strings (enum labels have no NULLs).
std::vector<std::string> ParseTextArray(absl::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
  text = text.substr(1, text.size() - 2);
  std::string cur;
  bool quoted = false, in_item = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\' && i + 1 < text.size()) {
        cur += text[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = in_item = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
      in_item = false;
    } else {
      cur += c;
      in_item = true;
    }
  }
  if (in_item || !out.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParseMessageKeyColumns(
    const std::string& spec) {
  std::map<std::string, std::vector<std::string>> out;
  for (absl::string_view entry : absl::StrSplit(spec, ';', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t colon = entry.find(':');
    if (colon == absl::string_view::npos || colon == 0 || colon + 1 == entry.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "message.key.columns: expected <schema>.<table>:<col>[,<col>…], got \"", entry, "\""));
    }
    std::vector<std::string> cols;
    for (absl::string_view c :
         absl::StrSplit(entry.substr(colon + 1), ',', absl::SkipWhitespace())) {
      cols.emplace_back(absl::StripAsciiWhitespace(c));
    }
    out[std::string(absl::StripAsciiWhitespace(entry.substr(0, colon)))] = std::move(cols);
  }
  return out;
}

absl::StatusOr<std::map<std::string, Catalog::ColumnFacts>> Catalog::Facts(uint32_t oid) {
  ASSIGN_OR_RETURN(
      pg::Result r,
      conn_.ExecParams(
          // Positions are 1-based ordinals in the index (int2vector itself is 0-based).
          "SELECT a.attname, a.attnotnull, "
          "  COALESCE((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(att, n) "
          "            WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.att = a.attnum), 0), "
          "  COALESCE((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(att, n) "
          "            WHERE i.indrelid = a.attrelid AND i.indisreplident AND k.att = a.attnum), "
          "0) "
          "FROM pg_attribute a "
          "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped",
          {absl::StrCat(oid)}));
  std::map<std::string, ColumnFacts> facts;
  for (int i = 0; i < r.rows(); ++i) {
    ColumnFacts f;
    f.not_null = r.Get(i, 1) == "t";
    (void)absl::SimpleAtoi(r.Get(i, 2), &f.pk_position);
    (void)absl::SimpleAtoi(r.Get(i, 3), &f.identity_position);
    facts[std::string(r.Get(i, 0))] = f;
  }
  return facts;
}

absl::StatusOr<std::optional<events::PgType>> Catalog::ResolveType(uint32_t oid) {
  if (auto it = types_.find(oid); it != types_.end()) return it->second;
  ASSIGN_OR_RETURN(
      pg::Result r,
      conn_.ExecParams("SELECT t.oid, n.nspname, t.typname, t.typtype, t.typelem, t.typbasetype, "
                       "  (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) "
                       "     FROM pg_enum e WHERE e.enumtypid = t.oid) "
                       "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                       "WHERE t.oid = $1",
                       {absl::StrCat(oid)}));
  std::optional<events::PgType> type;
  if (r.rows() == 1) {
    events::PgType t;
    t.oid = oid;
    t.schema = std::string(r.Get(0, 1));
    t.name = std::string(r.Get(0, 2));
    t.kind = r.Get(0, 3).empty() ? 'b' : r.Get(0, 3)[0];
    (void)absl::SimpleAtoi(r.Get(0, 4), &t.element_oid);
    (void)absl::SimpleAtoi(r.Get(0, 5), &t.base_oid);
    if (!r.IsNull(0, 6)) t.enum_labels = ParseTextArray(r.Get(0, 6));
    type = std::move(t);
  }
  types_[oid] = type;
  return type;
}

absl::Status Catalog::Complete(events::TableSchema& schema) {
  schema.revision = events::NextTableRevision();
  ASSIGN_OR_RETURN(auto facts, Facts(schema.relation_oid));
  std::vector<std::pair<int, int>> pk, identity;  // (position, column index)
  for (int i = 0; i < static_cast<int>(schema.columns.size()); ++i) {
    events::ColumnSchema& c = schema.columns[i];
    if (auto it = facts.find(c.name); it != facts.end()) {
      c.optional = !it->second.not_null;
      if (it->second.pk_position > 0) pk.emplace_back(it->second.pk_position, i);
      if (it->second.identity_position > 0) identity.emplace_back(it->second.identity_position, i);
    }
    // Non-built-in types and arrays get their pg_type row; the encoder knows built-in
    // scalars by OID. Lookups are cached per OID, so this costs one query per new type.
    {
      ASSIGN_OR_RETURN(std::optional<events::PgType> t, ResolveType(c.type_oid));
      if (t && (c.type_oid >= kFirstNormalObjectId || t->element_oid != 0)) {
        if (t->kind == 'd' && t->base_oid != 0) {
          // A domain over an array or enum: describe the base too.
          ASSIGN_OR_RETURN(std::optional<events::PgType> base, ResolveType(t->base_oid));
          if (base && base->element_oid != 0) {
            ASSIGN_OR_RETURN(c.element_type, ResolveType(base->element_oid));
          }
        }
        if (t->element_oid != 0) {
          ASSIGN_OR_RETURN(c.element_type, ResolveType(t->element_oid));
        }
        c.type = std::move(t);
      }
    }
  }
  // The key: message.key.columns, else the primary key, else the replica identity index.
  schema.key_columns.clear();
  const std::string name = absl::StrCat(schema.schema, ".", schema.table);
  if (auto it = key_overrides_.find(name); it != key_overrides_.end()) {
    for (const std::string& col : it->second) {
      auto found = std::find_if(schema.columns.begin(), schema.columns.end(),
                                [&](const events::ColumnSchema& c) { return c.name == col; });
      if (found == schema.columns.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("message.key.columns: table ", name, " has no column \"", col, "\""));
      }
      schema.key_columns.push_back(static_cast<int>(found - schema.columns.begin()));
    }
    return absl::OkStatus();
  }
  auto& chosen = !pk.empty() ? pk : identity;
  std::sort(chosen.begin(), chosen.end());
  for (const auto& [pos, index] : chosen) schema.key_columns.push_back(index);
  return absl::OkStatus();
}

absl::StatusOr<events::TableSchema> Catalog::FromRelation(const pgoutput::Relation& relation) {
  events::TableSchema schema;
  schema.relation_oid = relation.oid;
  schema.schema = relation.schema;
  schema.table = relation.name;
  schema.replica_identity = relation.replica_identity;
  for (const pgoutput::Column& col : relation.columns) {
    events::ColumnSchema c;
    c.name = col.name;
    c.type_oid = col.type_oid;
    c.type_modifier = col.type_modifier;
    schema.columns.push_back(std::move(c));
  }
  RETURN_IF_ERROR(Complete(schema));
  return schema;
}

absl::StatusOr<events::TableSchema> Catalog::ForTable(const QualifiedTable& table) {
  ASSIGN_OR_RETURN(
      pg::Result r,
      conn_.ExecParams(
          "SELECT c.oid, c.relreplident, a.attname, a.atttypid, a.atttypmod "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "JOIN pg_attribute a ON a.attrelid = c.oid "
          "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped "
          "  AND a.attgenerated = '' "
          "ORDER BY a.attnum",
          {table.schema, table.table}));
  if (r.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("postgres: table ", table.Name(), " not found"));
  }
  events::TableSchema schema;
  (void)absl::SimpleAtoi(r.Get(0, 0), &schema.relation_oid);
  schema.schema = table.schema;
  schema.table = table.table;
  schema.replica_identity = r.Get(0, 1).empty() ? 'd' : r.Get(0, 1)[0];
  for (int i = 0; i < r.rows(); ++i) {
    events::ColumnSchema c;
    c.name = std::string(r.Get(i, 2));
    (void)absl::SimpleAtoi(r.Get(i, 3), &c.type_oid);
    (void)absl::SimpleAtoi(r.Get(i, 4), &c.type_modifier);
    schema.columns.push_back(std::move(c));
  }
  RETURN_IF_ERROR(Complete(schema));
  return schema;
}

absl::StatusOr<std::vector<QualifiedTable>> Catalog::PublicationTables(
    const std::string& publication) {
  ASSIGN_OR_RETURN(pg::Result r,
                   conn_.ExecParams("SELECT schemaname, tablename FROM pg_publication_tables "
                                    "WHERE pubname = $1 ORDER BY schemaname, tablename",
                                    {publication}));
  std::vector<QualifiedTable> tables;
  for (int i = 0; i < r.rows(); ++i) {
    tables.push_back({std::string(r.Get(i, 0)), std::string(r.Get(i, 1))});
  }
  return tables;
}

}  // namespace cdcflow::cdc_capture::source
