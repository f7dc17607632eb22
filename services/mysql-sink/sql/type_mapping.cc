#include "services/mysql-sink/sql/type_mapping.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink::sql {
namespace {

// Fractional-second digits MariaDB accepts (0..6); 0 is written as the bare type, as
// information_schema.COLUMNS.COLUMN_TYPE shows it.
std::string WithFsp(const char* type, int fsp) {
  fsp = std::clamp(fsp, 0, 6);
  if (fsp == 0) return type;
  return absl::StrCat(type, "(", fsp, ")");
}

}  // namespace

std::string ColumnType(const Field& f, bool part_of_key) {
  switch (f.type) {
    case FieldType::kInt8:
      return "TINYINT";
    case FieldType::kInt16:
      return "SMALLINT";
    case FieldType::kInt32:
      return "INT";
    case FieldType::kInt64:
      return "BIGINT";
    case FieldType::kFloat32:
      return "FLOAT";
    case FieldType::kFloat64:
      return "DOUBLE";
    case FieldType::kBoolean:
      return "TINYINT(1)";
    case FieldType::kString:
      // 255 utf8mb4 characters = 1020 bytes: three such columns fit InnoDB's 3072-byte key.
      return part_of_key ? "VARCHAR(255)" : "TEXT";
    case FieldType::kBytes:
      return part_of_key ? "VARBINARY(255)" : "LONGBLOB";
    case FieldType::kDecimal: {
      // MariaDB caps DECIMAL at 65 digits of which at most 30 after the point. A larger scale
      // is clamped to 30 (MariaDB then rounds the extra digits away). A negative scale
      // (PostgreSQL 15's NUMERIC(5,-2) holds 9999900) becomes 0 with its digits added to the
      // precision. An unknown (0), too large or smaller-than-scale precision becomes 65, the
      // widest column, which holds every value that fits MariaDB at all.
      const int scale = std::clamp(f.scale, 0, kMaxDecimalScale);
      const int digits = f.scale < 0 ? f.precision - f.scale : f.precision;
      const int precision = f.precision > 0 && digits <= kMaxDecimalPrecision && digits >= scale
                                ? digits
                                : kMaxDecimalPrecision;
      return absl::StrCat("DECIMAL(", precision, ",", scale, ")");
    }
    case FieldType::kVariableDecimal:
      // The scale differs per value: the widest column MariaDB has.
      return "DECIMAL(65,30)";
    case FieldType::kDate:
      return "DATE";
    case FieldType::kTime:
      return WithFsp("TIME", f.fsp);
    case FieldType::kDateTime:
      return WithFsp("DATETIME", f.fsp);
    case FieldType::kZonedTimestamp:
      // Values are converted to UTC when rendered; DATETIME, unlike TIMESTAMP, is not shifted
      // by the session time zone and has no 2038 limit.
      return "DATETIME(6)";
    case FieldType::kJson:
      // MariaDB's JSON is an alias of LONGTEXT that also adds CHECK (JSON_VALID(col)): the
      // check costs a parse per row and would reject a whole batch over one odd value, and the
      // column would still be LONGTEXT. We store the text as is. A key cannot be LONGTEXT.
      return part_of_key ? "VARCHAR(255)" : "LONGTEXT";
    case FieldType::kUuid:
      return "CHAR(36)";
  }
  return "TEXT";  // Unreachable: every FieldType is handled above.
}

}  // namespace cdcflow::mysql_sink::sql
