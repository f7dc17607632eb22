#pragma once

// A record ready for the database: its target table, what it does there, and its values.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/mysql-sink/record/row.h"

namespace cdcflow::mysql_sink {

// The primary-key column names of one (table, key schema, value schema) combination; shared
// by every record of that shape so a record carries a pointer, not a vector.
struct KeyColumns {
  std::vector<std::string> names;
};

struct SinkRecord {
  std::string_view table;        // routed, unquoted; owned by the RecordMapper (interned)
  Op op = Op::kSkip;             // kUpsert or kDelete (kSkip: nothing to apply, offset still moves)
  std::string_view skip_reason;  // why the mapper made it kSkip (a static string)
  // kUpsert: the row to write, in value_schema order (key columns included).
  std::shared_ptr<const Schema> value_schema;
  Row value;
  // The primary key: column names and, for kDelete and for reduction, the values in that order.
  std::shared_ptr<const KeyColumns> key_columns;
  Row key;
  // Index of the Kafka record in its batch: where errors and offsets are traced back to.
  size_t source_index = 0;
};

}  // namespace cdcflow::mysql_sink
