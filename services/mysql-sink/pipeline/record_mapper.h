#pragma once

// Turns a decoded record into a SinkRecord: routes it to a table and picks its primary key by
// pk.mode, as the JDBC sink connector does. Pure logic.
//
//   record_key    key = the Kafka key's fields (or the pk.fields subset of them); key fields
//                 missing from the value are added to the row
//   record_value  key = pk.fields taken from the value (`after`, or `before` for a delete)
//   kafka         key = __connect_topic, __connect_partition, __connect_offset, appended to
//                 the row (every record is a new row: an audit log of the topic)
//   none          no key; insert only

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "services/mysql-sink/config.h"
#include "services/mysql-sink/pipeline/sink_record.h"
#include "services/mysql-sink/record/row.h"
#include "services/mysql-sink/sql/table_router.h"

namespace cdcflow::mysql_sink {

struct KafkaCoordinates {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

struct MapperOptions {
  PkMode pk_mode = PkMode::kRecordKey;
  std::vector<std::string> pk_fields;
  bool delete_enabled = true;
};

class RecordMapper {
 public:
  RecordMapper(MapperOptions options, sql::TableRouter router);

  // Fills `out` (reusing its buffers). kInvalidArgument when the record cannot be written:
  // no key where one is needed, a pk.field that is not in the record, a delete without key.
  // A delete with delete.enabled false becomes kSkip, except a flattened row, which is then
  // written as is (a soft delete: `__deleted` = "true", as the JDBC sink does).
  // Takes `in`'s value row over (swaps buffers) rather than copying it.
  absl::Status Map(DecodedRecord& in, const KafkaCoordinates& at, SinkRecord& out);

  const sql::TableRouter& router() const { return router_; }

 private:
  // A value schema with key or Kafka fields appended, cached per input shape.
  struct Shape {
    std::shared_ptr<const Schema> value_schema;
    std::shared_ptr<const KeyColumns> key_columns;
    // For each key column: where its value comes from in the key row (record_key) or the
    // value row (record_value); -1 = none.
    std::vector<int> key_from;
    // Key columns appended to the value row (record_key: key fields missing from the value).
    std::vector<int> appended_from_key;
  };
  absl::StatusOr<const Shape*> ShapeFor(const DecodedRecord& in);

  MapperOptions options_;
  sql::TableRouter router_;
  std::unordered_map<uint64_t, std::unique_ptr<Shape>> shapes_;
  // Table names, interned: records point into it (elements of an unordered_set do not move).
  std::unordered_set<std::string> tables_;
};

}  // namespace cdcflow::mysql_sink
