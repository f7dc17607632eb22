#pragma once

// The consumer's progress, kept in the target database and written in the same transaction as
// the rows it covers: after a crash the rows and the offsets agree, so on restart (and on every
// partition assignment) the sink resumes exactly after the last applied record.
//
//   CREATE TABLE <offsets.table> (group_id, topic, partition_id, next_offset, updated_at,
//                                 PRIMARY KEY (group_id, topic, partition_id))

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/types.h"
#include "services/mysql-sink/pipeline/database.h"

namespace cdcflow::mysql_sink {

// Next offset to apply per partition.
using Positions = std::map<kafka::TopicPartition, int64_t>;

class OffsetTable {
 public:
  // kInvalidArgument for a table name that cannot be an identifier.
  static absl::StatusOr<OffsetTable> Create(const std::string& table, std::string group_id);

  // CREATE TABLE IF NOT EXISTS.
  absl::Status Ensure(Database& database);
  // The stored positions of these partitions (those without a row are absent). With
  // `for_update`, the rows are locked until the transaction ends: a second sink instance that
  // took over a partition waits here instead of applying the same records.
  absl::StatusOr<Positions> Load(Database& database,
                                 const std::vector<kafka::TopicPartition>& partitions,
                                 bool for_update);
  // Writes the positions (insert or update), inside the caller's transaction.
  absl::Status Store(Database& database, const Positions& positions);

  const std::string& quoted_table() const { return quoted_table_; }

 private:
  OffsetTable(std::string quoted_table, std::string group_id)
      : quoted_table_(std::move(quoted_table)), group_id_(std::move(group_id)) {}

  std::string quoted_table_;
  std::string group_id_;
};

}  // namespace cdcflow::mysql_sink
