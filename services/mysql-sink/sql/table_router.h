#pragma once

// Topic -> table name, as the sink's `table.name.format`, `route.regex` and `route.replacement`
// configure it:
//   1. Kafka Connect's RegexRouter: when `route.regex` matches the WHOLE topic, the name is
//      `route.replacement` with $0..$9 replaced by the match's groups (an unmatched group is
//      empty; `\` makes the next character literal, so `\$` is a dollar); otherwise the topic
//      is kept as it is. An empty `route.regex` routes nothing.
//   2. `${topic}` in `table.name.format` is replaced by the result (the only placeholder).
//   3. Every '.' becomes '_', as the Debezium JDBC sink's default naming does: without a route,
//      topic `dev.public.orders` goes to table `dev_public_orders`. (Confluent's JDBC sink
//      would instead read the dots as database.table.)
// The result is not checked as an identifier here: MakeTableShape / QuoteIdentifier do that.

#include <cstddef>
#include <functional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace cdcflow::mysql_sink::sql {

class TableRouter {
 public:
  // kInvalidArgument naming the setting: an empty `table.name.format`, a `${…}` placeholder
  // other than `${topic}` or an unclosed `${`, a `route.regex` std::regex (ECMAScript) cannot
  // compile, or a `route.replacement` with a `$` not followed by a digit, a group the regex
  // does not have, or a trailing `\`; a `route.regex` without a `route.replacement` or the
  // reverse. Only $0..$9 are group references: `$12` is group 1 followed by '2' (Java would
  // read group 12 when the regex has that many); std::regex has no named groups.
  static absl::StatusOr<TableRouter> Create(std::string format, std::string regex,
                                            std::string replacement);

  // The table name for `topic`. Results are cached per topic (routing runs for every record),
  // so a router is not thread-safe: give each consuming thread its own copy.
  std::string Route(std::string_view topic) const;

 private:
  // A parsed replacement or format: literal text, or a group number (replacement) / the topic
  // (format, group -1).
  using Piece = std::variant<std::string, int>;

  TableRouter() = default;
  std::string Compute(std::string_view topic) const;

  std::vector<Piece> format_;
  bool has_route_ = false;
  std::regex regex_;
  std::vector<Piece> replacement_;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Bounded: cleared when it reaches kMaxCached topics.
  static constexpr size_t kMaxCached = 10000;
  mutable std::unordered_map<std::string, std::string, Hash, std::equal_to<>> cache_;
};

}  // namespace cdcflow::mysql_sink::sql
