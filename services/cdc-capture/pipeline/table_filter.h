#pragma once

// Debezium's table.include.list / table.exclude.list: comma-separated regular expressions
// matched against the whole "schema.table" name. Include wins by being required: with an
// include list, only matching tables are captured; the exclude list then removes tables.

#include <regex>
#include <string>
#include <vector>

namespace cdcflow::cdc_capture {

class TableFilter {
 public:
  // The patterns must be valid regexes (config::Validate checks them at startup).
  TableFilter(const std::vector<std::string>& include, const std::vector<std::string>& exclude);
  bool Captured(const std::string& schema, const std::string& table) const;

 private:
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
};

}  // namespace cdcflow::cdc_capture
