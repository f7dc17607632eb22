#pragma once

// Store: the registry's state in memory — what replaying `_schemas` from the beginning
// yields. One thread applies records (the log reader); any number of threads read.
// Holds no policy: what may be written is decided by Registry, which writes records to the
// log and waits until they come back here (WaitForOffset).

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/schema-registry/schema/compatibility.h"
#include "services/schema-registry/schema/schema.h"
#include "services/schema-registry/store/records.h"

namespace cdcflow::schema_registry {

// A registered schema: one id, shared by every subject/version that registered it.
struct StoredSchema {
  int32_t id = 0;
  SchemaDefinition definition;
};

struct VersionEntry {
  int32_t version = 0;
  int32_t id = 0;
  bool deleted = false;  // soft-deleted
};

struct SubjectVersion {
  std::string subject;
  int32_t version = 0;
  bool deleted = false;
};

struct SubjectFilter {
  std::string prefix;
  bool include_deleted = false;  // subjects whose versions are all soft-deleted, too
  bool deleted_only = false;     // only those
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies one `_schemas` record (value nullptr: a tombstone) read at `offset`. A record
  // that cannot be understood is skipped, its offset still counted; the error says why.
  absl::Status Apply(int64_t offset, std::string_view key, const std::string_view* value);
  // The offset after the last record applied (0 before any).
  int64_t next_offset() const;
  // Waits until every record before `next_offset` was applied; false on timeout.
  bool WaitForOffset(int64_t next_offset, absl::Duration timeout) const;

  std::shared_ptr<const StoredSchema> SchemaById(int32_t id) const;
  // The id of a schema with this exact definition (type, text, references), if any.
  std::optional<int32_t> IdOf(const SchemaDefinition& definition) const;
  // The highest id ever seen: the next id is max_id() + 1, so ids never repeat.
  int32_t max_id() const;
  size_t schema_count() const;

  std::vector<std::string> Subjects(const SubjectFilter& filter) const;
  size_t subject_count() const;  // subjects with at least one live version
  // Every version of `subject` (soft-deleted ones too), ascending; empty if it has none.
  std::vector<VersionEntry> Versions(std::string_view subject) const;
  // Subject/versions registered with schema `id`.
  std::vector<SubjectVersion> UsesOf(int32_t id) const;
  // Ids of live versions whose references name subject/version.
  std::vector<int32_t> ReferencedBy(std::string_view subject, int32_t version) const;

  std::optional<CompatibilityLevel> GlobalCompatibility() const;
  std::optional<CompatibilityLevel> SubjectCompatibility(std::string_view subject) const;
  std::optional<Mode> GlobalMode() const;
  std::optional<Mode> SubjectMode(std::string_view subject) const;
  // Whether any subject has a live (not soft-deleted) version.
  bool HasLiveSubject() const;

  // The leader the latest NOOP record named (our extension; nullopt before any).
  std::optional<LeaderValue> leader() const;

 private:
  struct SubjectState {
    std::map<int32_t, VersionEntry> versions;
    std::optional<CompatibilityLevel> compatibility;
    std::optional<Mode> mode;
  };

  // The identity of a definition: type, text and references in one string.
  static std::string IdentityKey(const SchemaDefinition& definition);

  absl::Status ApplyLocked(std::string_view key, const std::string_view* value);
  void ForgetIdIfUnused(int32_t id);

  mutable std::shared_mutex mu_;
  absl::flat_hash_map<int32_t, std::shared_ptr<const StoredSchema>> schemas_by_id_;
  absl::flat_hash_map<std::string, int32_t> id_by_identity_;
  std::map<std::string, SubjectState, std::less<>> subjects_;
  std::optional<CompatibilityLevel> global_compatibility_;
  std::optional<Mode> global_mode_;
  std::optional<LeaderValue> leader_;
  int32_t max_id_ = 0;

  mutable std::mutex offset_mu_;
  mutable std::condition_variable offset_cv_;
  int64_t next_offset_ = 0;
};

}  // namespace cdcflow::schema_registry
