#pragma once

// What the encoder knows about a captured table: pgoutput's Relation message completed with
// catalog facts pgoutput does not send (primary key, NOT NULL, custom types). Built by the
// catalog reader (I/O) and consumed by the encoder (pure).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cdcflow::cdc_capture::events {

// A PostgreSQL type beyond its OID: needed for enums, domains and arrays, whose OIDs are
// assigned per database. Built-in scalar types are known to the encoder by OID alone.
struct PgType {
  uint32_t oid = 0;
  std::string schema;  // typnamespace, e.g. "pg_catalog", "public"
  std::string name;    // typname, e.g. "int4", "_int4", "mood"
  char kind = 'b';     // typtype: b base, e enum, d domain, c composite, r range, m multirange
  uint32_t element_oid = 0;              // arrays: typelem (0 otherwise)
  uint32_t base_oid = 0;                 // domains: typbasetype (0 otherwise)
  std::vector<std::string> enum_labels;  // enums, in sort order
};

struct ColumnSchema {
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;  // atttypmod: numeric precision/scale, varchar length, time precision
  bool optional = true;        // false when the column is NOT NULL
  // Resolved type for non-built-in OIDs (enum, domain, array of those); nullopt for built-ins.
  std::optional<PgType> type;
  // For arrays of non-built-in elements, the element type.
  std::optional<PgType> element_type;
};

struct TableSchema {
  uint32_t relation_oid = 0;
  std::string schema;                 // "public"
  std::string table;                  // "transaction_details"
  char replica_identity = 'd';        // d default, f full, i index, n nothing
  std::vector<ColumnSchema> columns;  // in pgoutput's column order
  // Indices into `columns` of the message key: the primary key, else the replica identity
  // index, else `message.key.columns`; empty = the table has no key (null Kafka key).
  std::vector<int> key_columns;
  // Identifies this definition within the process (0 = unknown): two schemas with the same
  // non-zero revision are equal, so the encoder can skip comparing them field by field for
  // every event. A new one is drawn each time a definition is read (NextTableRevision()).
  uint64_t revision = 0;
};

// A revision never handed out before in this process.
uint64_t NextTableRevision();

}  // namespace cdcflow::cdc_capture::events
