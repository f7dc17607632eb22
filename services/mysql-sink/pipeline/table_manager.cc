#include "services/mysql-sink/pipeline/table_manager.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "services/mysql-sink/sql/ddl.h"
#include "services/mysql-sink/sql/identifier.h"

namespace cdcflow::mysql_sink {

TableManager::TableManager(TableManagerOptions options, Database& database)
    : options_(options), database_(database) {}

absl::StatusOr<const std::vector<std::string>*> TableManager::Columns(const std::string& table) {
  if (auto it = columns_.find(table); it != columns_.end()) return &it->second;
  ASSIGN_OR_RETURN(mysql::ResultSet result,
                   database_.Query(absl::StrCat(
                       "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME = ",
                       database_.Quote(table), " ORDER BY ORDINAL_POSITION")));
  std::vector<std::string> names;
  for (const auto& row : result.rows) {
    if (row[0]) names.push_back(absl::AsciiStrToLower(*row[0]));
  }
  return &columns_.insert_or_assign(table, std::move(names)).first->second;
}

absl::StatusOr<bool> TableManager::Exists(const std::string& table) {
  ASSIGN_OR_RETURN(const std::vector<std::string>* columns, Columns(table));
  return !columns->empty();
}

absl::Status TableManager::Prepare(const std::string& table, const Schema& schema,
                                   const KeyColumns& key) {
  if (prepared_.contains({table, schema.fingerprint})) return absl::OkStatus();
  ASSIGN_OR_RETURN(const std::vector<std::string>* columns, Columns(table));
  if (columns->empty()) {
    if (!options_.auto_create) {
      return absl::FailedPreconditionError(absl::StrCat(
          "table ", sql::PrintableIdentifier(table), " does not exist and auto.create is false"));
    }
    ASSIGN_OR_RETURN(std::string ddl, sql::CreateTable(table, schema, key.names));
    RETURN_IF_ERROR(database_.Execute(ddl).status());
    ++tables_created_;
    columns_.erase(table);
  } else {
    std::vector<Field> missing = sql::MissingFields(schema, *columns);
    if (!missing.empty()) {
      if (!options_.auto_evolve) {
        return absl::FailedPreconditionError(
            absl::StrCat("table ", sql::PrintableIdentifier(table), " has no column(s) ",
                         absl::StrJoin(missing, ", ",
                                       [](std::string* out, const Field& f) {
                                         out->append(sql::PrintableIdentifier(f.name));
                                       }),
                         " and auto.evolve is false"));
      }
      ASSIGN_OR_RETURN(std::string ddl, sql::AddColumns(table, missing));
      RETURN_IF_ERROR(database_.Execute(ddl).status());
      columns_added_ += static_cast<int64_t>(missing.size());
      columns_.erase(table);
    }
  }
  prepared_.insert({table, schema.fingerprint});
  return absl::OkStatus();
}

}  // namespace cdcflow::mysql_sink
