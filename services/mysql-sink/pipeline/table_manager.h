#pragma once

// Knows which target tables exist and which columns they have; creates a table from a
// record's schema (auto.create) and adds missing columns as nullable (auto.evolve). DDL
// commits implicitly in MySQL, so Prepare runs before the batch's transaction begins.

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/mysql-sink/pipeline/database.h"
#include "services/mysql-sink/pipeline/sink_record.h"

namespace cdcflow::mysql_sink {

struct TableManagerOptions {
  bool auto_create = true;
  bool auto_evolve = true;
};

class TableManager {
 public:
  TableManager(TableManagerOptions options, Database& database);

  // Makes sure `table` can take rows of `schema` with `key`. kFailedPrecondition (a record
  // problem: dead-letter it) when the table is missing and auto.create is off, or columns are
  // missing and auto.evolve is off; kInvalidArgument for a schema that cannot become a table;
  // kUnavailable / kAborted from the database (retry).
  absl::Status Prepare(const std::string& table, const Schema& schema, const KeyColumns& key);
  // Whether the table exists (cached). kUnavailable from the database.
  absl::StatusOr<bool> Exists(const std::string& table);
  // Forgets what is cached (after an error that may mean someone changed the tables).
  void Invalidate() {
    columns_.clear();
    prepared_.clear();
  }

  int64_t tables_created() const { return tables_created_; }
  int64_t columns_added() const { return columns_added_; }

 private:
  // Lower-cased column names, or empty when the table does not exist.
  absl::StatusOr<const std::vector<std::string>*> Columns(const std::string& table);

  TableManagerOptions options_;
  Database& database_;
  std::unordered_map<std::string, std::vector<std::string>> columns_;
  std::set<std::pair<std::string, uint64_t>> prepared_;  // (table, schema fingerprint)
  int64_t tables_created_ = 0;
  int64_t columns_added_ = 0;
};

}  // namespace cdcflow::mysql_sink
