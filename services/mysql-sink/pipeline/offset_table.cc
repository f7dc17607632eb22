#include "services/mysql-sink/pipeline/offset_table.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/mysql-sink/sql/identifier.h"

namespace cdcflow::mysql_sink {

absl::StatusOr<OffsetTable> OffsetTable::Create(const std::string& table, std::string group_id) {
  ASSIGN_OR_RETURN(std::string quoted, sql::QuoteIdentifier(table));
  return OffsetTable(std::move(quoted), std::move(group_id));
}

absl::Status OffsetTable::Ensure(Database& database) {
  return database
      .Execute(absl::StrCat("CREATE TABLE IF NOT EXISTS ", quoted_table_,
                            " (group_id VARCHAR(255) NOT NULL, topic VARCHAR(255) NOT NULL, "
                            "partition_id INT NOT NULL, next_offset BIGINT NOT NULL, "
                            "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON "
                            "UPDATE CURRENT_TIMESTAMP(6), "
                            "PRIMARY KEY (group_id, topic, partition_id)) "
                            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"))
      .status();
}

absl::StatusOr<Positions> OffsetTable::Load(Database& database,
                                            const std::vector<kafka::TopicPartition>& partitions,
                                            bool for_update) {
  Positions positions;
  if (partitions.empty()) return positions;
  std::string sql = absl::StrCat("SELECT topic, partition_id, next_offset FROM ", quoted_table_,
                                 " WHERE group_id = ", database.Quote(group_id_),
                                 " AND (topic, partition_id) IN (");
  for (size_t i = 0; i < partitions.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "(" : ",(", database.Quote(partitions[i].topic), ",",
                    partitions[i].partition, ")");
  }
  sql.append(")");
  if (for_update) sql.append(" FOR UPDATE");
  ASSIGN_OR_RETURN(mysql::ResultSet result, database.Query(sql));
  for (const auto& row : result.rows) {
    int32_t partition = 0;
    int64_t offset = 0;
    if (!row[0] || !row[1] || !row[2] || !absl::SimpleAtoi(*row[1], &partition) ||
        !absl::SimpleAtoi(*row[2], &offset)) {
      return absl::DataLossError(absl::StrCat("offsets table ", quoted_table_, ": unreadable row"));
    }
    positions[{*row[0], partition}] = offset;
  }
  return positions;
}

absl::Status OffsetTable::Store(Database& database, const Positions& positions) {
  if (positions.empty()) return absl::OkStatus();
  std::string sql = absl::StrCat("INSERT INTO ", quoted_table_,
                                 " (group_id, topic, partition_id, next_offset) VALUES ");
  const std::string group = database.Quote(group_id_);
  bool first = true;
  for (const auto& [partition, offset] : positions) {
    absl::StrAppend(&sql, first ? "(" : ",(", group, ",", database.Quote(partition.topic), ",",
                    partition.partition, ",", offset, ")");
    first = false;
  }
  sql.append(" ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset)");
  return database.Execute(sql).status();
}

}  // namespace cdcflow::mysql_sink
