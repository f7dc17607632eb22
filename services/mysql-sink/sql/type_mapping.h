#pragma once

// The MariaDB column type for a record field, used by auto.create and auto.evolve. The table is
// in sql/README.md.

#include <string>

#include "services/mysql-sink/record/row.h"

namespace cdcflow::mysql_sink::sql {

// MariaDB's limits for DECIMAL(p,s).
inline constexpr int kMaxDecimalPrecision = 65;
inline constexpr int kMaxDecimalScale = 30;

// The column type, without NULL / NOT NULL. `part_of_key`: the column is in the primary key, so
// unbounded types (TEXT, BLOB) become bounded ones an index can hold (VARCHAR(255),
// VARBINARY(255)).
std::string ColumnType(const Field& f, bool part_of_key);

}  // namespace cdcflow::mysql_sink::sql
