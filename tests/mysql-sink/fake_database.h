#pragma once

// A Database that records the statements it is given and rejects, as MariaDB would a bad
// row, any statement containing one of the `poison` strings (kInvalidArgument), or fails
// everything with `outage` (kUnavailable).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/mysql-sink/pipeline/database.h"

namespace cdcflow::mysql_sink::testing {

class FakeDatabase final : public Database {
 public:
  absl::StatusOr<uint64_t> Execute(std::string_view sql) override {
    statements.emplace_back(sql);
    if (outage) return absl::UnavailableError("fake: connection lost");
    for (const std::string& p : poison) {
      if (sql.find(p) != std::string_view::npos) {
        return absl::InvalidArgumentError("fake: Out of range value (1264)");
      }
    }
    return affected;
  }
  absl::StatusOr<mysql::ResultSet> Query(std::string_view sql) override {
    statements.emplace_back(sql);
    if (outage) return absl::UnavailableError("fake: connection lost");
    return query_result;
  }
  absl::Status Begin() override { return Execute("START TRANSACTION").status(); }
  absl::Status Commit() override { return Execute("COMMIT").status(); }
  void Rollback() override { statements.emplace_back("ROLLBACK"); }
  std::string Quote(std::string_view value) override {
    return absl::StrCat("'", absl::string_view(value.data(), value.size()), "'");
  }

  std::vector<std::string> statements;
  std::vector<std::string> poison;
  bool outage = false;
  uint64_t affected = 1;
  mysql::ResultSet query_result;
};

}  // namespace cdcflow::mysql_sink::testing
