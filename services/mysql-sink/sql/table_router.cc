#include "services/mysql-sink/sql/table_router.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::mysql_sink::sql {
namespace {

constexpr int kTopic = -1;
constexpr std::string_view kTopicPlaceholder = "${topic}";

void AppendLiteral(std::vector<std::variant<std::string, int>>& pieces, char c) {
  if (pieces.empty() || !std::holds_alternative<std::string>(pieces.back())) {
    pieces.emplace_back(std::string());
  }
  std::get<std::string>(pieces.back()).push_back(c);
}

}  // namespace

absl::StatusOr<TableRouter> TableRouter::Create(std::string format, std::string regex,
                                                std::string replacement) {
  TableRouter router;
  if (format.empty()) {
    return absl::InvalidArgumentError("table.name.format must not be empty");
  }
  for (size_t i = 0; i < format.size();) {
    if (format.compare(i, 2, "${") != 0) {
      AppendLiteral(router.format_, format[i++]);
      continue;
    }
    if (format.compare(i, kTopicPlaceholder.size(), kTopicPlaceholder) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("table.name.format \"", format, "\": ${topic} is the only placeholder"));
    }
    router.format_.emplace_back(kTopic);
    i += kTopicPlaceholder.size();
  }

  if (regex.empty()) {
    if (!replacement.empty()) {
      return absl::InvalidArgumentError("route.replacement is set but route.regex is empty");
    }
    return router;
  }
  if (replacement.empty()) {
    return absl::InvalidArgumentError("route.regex is set but route.replacement is empty");
  }
  try {
    router.regex_ = std::regex(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("route.regex \"", regex, "\" is not a valid regular expression: ", e.what()));
  }
  router.has_route_ = true;
  const int groups = static_cast<int>(router.regex_.mark_count());
  for (size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c == '\\') {
      if (++i == replacement.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("route.replacement \"", replacement, "\" ends with a lone \\"));
      }
      AppendLiteral(router.replacement_, replacement[i]);
    } else if (c == '$') {
      if (i + 1 == replacement.size() || replacement[i + 1] < '0' || replacement[i + 1] > '9') {
        return absl::InvalidArgumentError(
            absl::StrCat("route.replacement \"", replacement,
                         "\": $ must be followed by a group number 0-9 (write \\$ for a dollar)"));
      }
      const int group = replacement[++i] - '0';
      if (group > groups) {
        return absl::InvalidArgumentError(absl::StrCat("route.replacement \"", replacement,
                                                       "\" refers to group ", group,
                                                       " but route.regex has ", groups));
      }
      router.replacement_.emplace_back(group);
    } else {
      AppendLiteral(router.replacement_, c);
    }
  }
  return router;
}

std::string TableRouter::Route(std::string_view topic) const {
  if (const auto it = cache_.find(topic); it != cache_.end()) return it->second;
  if (cache_.size() >= kMaxCached) cache_.clear();
  std::string table = Compute(topic);
  cache_.emplace(std::string(topic), table);
  return table;
}

std::string TableRouter::Compute(std::string_view topic) const {
  std::string routed;
  std::match_results<std::string_view::const_iterator> m;
  if (has_route_ && std::regex_match(topic.begin(), topic.end(), m, regex_)) {
    for (const Piece& piece : replacement_) {
      if (const auto* text = std::get_if<std::string>(&piece)) {
        routed.append(*text);
      } else {
        routed.append(m[std::get<int>(piece)].str());  // An unmatched group is empty.
      }
    }
  } else {
    routed.assign(topic);
  }
  std::string table;
  for (const Piece& piece : format_) {
    if (const auto* text = std::get_if<std::string>(&piece)) {
      table.append(*text);
    } else {
      table.append(routed);
    }
  }
  std::replace(table.begin(), table.end(), '.', '_');
  return table;
}

}  // namespace cdcflow::mysql_sink::sql
