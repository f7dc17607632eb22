#include "services/cdc-capture/pipeline/table_filter.h"

namespace cdcflow::cdc_capture {

TableFilter::TableFilter(const std::vector<std::string>& include,
                         const std::vector<std::string>& exclude) {
  for (const auto& p : include) include_.emplace_back(p, std::regex::ECMAScript);
  for (const auto& p : exclude) exclude_.emplace_back(p, std::regex::ECMAScript);
}

bool TableFilter::Captured(const std::string& schema, const std::string& table) const {
  const std::string name = schema + "." + table;
  auto matches = [&](const std::vector<std::regex>& list) {
    for (const auto& re : list) {
      if (std::regex_match(name, re)) return true;
    }
    return false;
  };
  if (!include_.empty() && !matches(include_)) return false;
  return !matches(exclude_);
}

}  // namespace cdcflow::cdc_capture
