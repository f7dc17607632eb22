#pragma once

// Test doubles for the schema registry core: a SchemaLog that applies every appended record
// straight into a Store (as the Kafka log would once the record came back), and a Leadership
// and Forwarder for the REST router. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/schema-registry/http/server.h"
#include "services/schema-registry/registry/registry.h"
#include "services/schema-registry/rest/router.h"
#include "services/schema-registry/store/store.h"

namespace cdcflow::schema_registry::testing {

// Applies appended records to `store` at increasing offsets; or fails every Append with the
// status given to FailWith (nothing is applied then).
class FakeSchemaLog final : public SchemaLog {
 public:
  explicit FakeSchemaLog(Store& store) : store_(store) {}

  absl::Status Append(const std::vector<Record>& records) override {
    ++append_calls_;
    if (!failure_.ok()) return failure_;
    for (const Record& record : records) {
      appended_.push_back(record);
      std::optional<std::string_view> value;
      if (record.value) value = std::string_view(*record.value);
      absl::Status applied = store_.Apply(next_offset_++, record.key, value ? &*value : nullptr);
      if (!applied.ok()) apply_errors_.push_back(applied);
    }
    return absl::OkStatus();
  }

  // Every later Append fails with `status` (OkStatus() to stop failing).
  void FailWith(absl::Status status) { failure_ = std::move(status); }

  // Every record applied so far, in order.
  const std::vector<Record>& appended() const { return appended_; }
  // Errors the Store returned for records it could not apply (should stay empty).
  const std::vector<absl::Status>& apply_errors() const { return apply_errors_; }
  int append_calls() const { return append_calls_; }
  int64_t next_offset() const { return next_offset_; }

 private:
  Store& store_;
  absl::Status failure_;
  std::vector<Record> appended_;
  std::vector<absl::Status> apply_errors_;
  int64_t next_offset_ = 0;
  int append_calls_ = 0;
};

class FakeLeadership final : public rest::Leadership {
 public:
  bool IsLeader() const override { return is_leader_; }
  std::optional<std::string> LeaderUrl() const override { return leader_url_; }

  void SetLeader() {
    is_leader_ = true;
    leader_url_.reset();
  }
  void SetFollower(std::optional<std::string> leader_url) {
    is_leader_ = false;
    leader_url_ = std::move(leader_url);
  }

 private:
  bool is_leader_ = true;
  std::optional<std::string> leader_url_;
};

// Records what it was asked to forward (copied: the request's views die with the call) and
// answers with a canned response or status.
class FakeForwarder final : public rest::Forwarder {
 public:
  struct Forwarded {
    std::string leader_url;
    std::string method;
    std::string target;
    std::string body;
    std::optional<std::string> content_type;
  };

  absl::StatusOr<http::Response> Forward(const std::string& leader_url,
                                         const http::Request& request) override {
    Forwarded seen{leader_url, std::string(request.method), std::string(request.target),
                   std::string(request.body), std::nullopt};
    if (std::optional<std::string_view> type = request.header("Content-Type")) {
      seen.content_type = std::string(*type);
    }
    forwarded_.push_back(std::move(seen));
    return answer_;
  }

  void AnswerWith(absl::StatusOr<http::Response> answer) { answer_ = std::move(answer); }
  const std::vector<Forwarded>& forwarded() const { return forwarded_; }

 private:
  absl::StatusOr<http::Response> answer_ = http::Response{};
  std::vector<Forwarded> forwarded_;
};

}  // namespace cdcflow::schema_registry::testing
