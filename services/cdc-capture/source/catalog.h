#pragma once

// Reads what pgoutput does not send from the PostgreSQL catalog: primary keys, NOT NULL,
// custom types (enums, domains, arrays), and the tables a publication covers. Uses its own
// (non-replication) connection; results are cached per relation until invalidated by a new
// Relation message.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/pg/connection.h"
#include "services/cdc-capture/events/table_schema.h"
#include "services/cdc-capture/pgoutput/messages.h"

namespace cdcflow::cdc_capture::source {

struct QualifiedTable {
  std::string schema;
  std::string table;
  std::string Name() const { return schema + "." + table; }
  friend bool operator==(const QualifiedTable&, const QualifiedTable&) = default;
};

// `message.key.columns`: "public.orders:id,region;public.t:code" → per table, key columns.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParseMessageKeyColumns(
    const std::string& spec);

class Catalog {
 public:
  Catalog(pg::Connection& conn, std::map<std::string, std::vector<std::string>> key_overrides)
      : conn_(conn), key_overrides_(std::move(key_overrides)) {}

  // A TableSchema for a Relation message: its columns as sent, completed from the catalog.
  absl::StatusOr<events::TableSchema> FromRelation(const pgoutput::Relation& relation);

  // A TableSchema from the catalog alone (for snapshots): the columns pgoutput would send
  // (not dropped, not generated), in attribute order.
  absl::StatusOr<events::TableSchema> ForTable(const QualifiedTable& table);

  // The tables of a publication, as pg_publication_tables lists them.
  absl::StatusOr<std::vector<QualifiedTable>> PublicationTables(const std::string& publication);

 private:
  struct ColumnFacts {
    bool not_null = false;
    int pk_position = 0;        // 1-based position in the primary key; 0 = not in it
    int identity_position = 0;  // same for the replica identity index
  };
  absl::StatusOr<std::map<std::string, ColumnFacts>> Facts(uint32_t relation_oid);
  absl::StatusOr<std::optional<events::PgType>> ResolveType(uint32_t oid);
  absl::Status Complete(events::TableSchema& schema);

  pg::Connection& conn_;
  std::map<std::string, std::vector<std::string>> key_overrides_;
  std::map<uint32_t, std::optional<events::PgType>> types_;
};

}  // namespace cdcflow::cdc_capture::source
