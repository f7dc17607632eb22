#pragma once

// Registry: the operations of Confluent's Schema Registry, with its rules (ids shared across
// subjects, versions max+1 including soft-deleted ones, soft then permanent deletes,
// compatibility per subject or global, modes). Reads answer from the Store; a write is
// decided here, appended to the log, and answered once the Store applied it. Only the leader
// writes; callers forward writes elsewhere (rest/router.h) — Registry never asks who leads.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/schema-registry/schema/compatibility.h"
#include "services/schema-registry/schema/schema.h"
#include "services/schema-registry/store/store.h"

namespace cdcflow::schema_registry {

// Where writes go: the `_schemas` topic (kafka/schema_log.h) or a fake in tests.
class SchemaLog {
 public:
  struct Record {
    std::string key;
    std::optional<std::string> value;  // nullopt: tombstone
  };
  virtual ~SchemaLog() = default;
  // Appends the records and returns once the Store has applied them. Errors carry Confluent
  // codes: 50004 when this instance cannot write (not the leader), 50002 on timeout, 50001
  // for a Kafka error.
  virtual absl::Status Append(const std::vector<Record>& records) = 0;
};

struct RegistryOptions {
  // Used while no global CONFIG / MODE record exists (Confluent's schema.compatibility.level
  // and mode.mutability defaults).
  CompatibilityLevel default_compatibility = CompatibilityLevel::kBackward;
  Mode default_mode = Mode::kReadWrite;
};

struct RegisteredSchema {
  std::string subject;
  int32_t version = 0;
  int32_t id = 0;
  bool deleted = false;
  std::shared_ptr<const StoredSchema> schema;
};

// What a registration asks for.
struct Registration {
  SchemaDefinition definition;
  bool normalize = false;
  // IMPORT mode only: the id and version to register under.
  std::optional<int32_t> id;
  std::optional<int32_t> version;
};

class Registry {
 public:
  Registry(Store& store, SchemaLog& log, RegistryOptions options);

  // --- reads ---
  std::vector<std::string> ListSubjects(const SubjectFilter& filter) const;
  absl::StatusOr<std::vector<int32_t>> ListVersions(std::string_view subject, bool deleted,
                                                    bool deleted_only) const;
  // `version`: a number, "latest" or "-1". Soft-deleted versions only with `deleted`.
  absl::StatusOr<RegisteredSchema> GetVersion(std::string_view subject, std::string_view version,
                                              bool deleted) const;
  absl::StatusOr<std::shared_ptr<const StoredSchema>> GetSchema(int32_t id) const;
  absl::StatusOr<std::vector<std::string>> SubjectsOf(int32_t id, bool deleted) const;
  absl::StatusOr<std::vector<SubjectVersion>> VersionsOf(int32_t id, bool deleted) const;
  absl::StatusOr<std::vector<int32_t>> ReferencedBy(std::string_view subject,
                                                    std::string_view version) const;
  // The version of `subject` holding this schema (POST /subjects/{s}).
  absl::StatusOr<RegisteredSchema> Lookup(std::string_view subject,
                                          const Registration& registration, bool deleted) const;
  std::vector<RegisteredSchema> ListSchemas(std::string_view subject_prefix, bool deleted,
                                            bool latest_only) const;
  int32_t max_id() const { return store_.max_id(); }

  // The id of a live version of `subject` that already is this schema: registering it again
  // changes nothing, so any instance answers it without the leader. nullopt if none; an
  // error for an invalid schema.
  absl::StatusOr<std::optional<int32_t>> RegisteredId(std::string_view subject,
                                                      const Registration& registration) const;

  // --- writes (leader only) ---
  absl::StatusOr<int32_t> Register(std::string_view subject, const Registration& registration);
  // The versions deleted.
  absl::StatusOr<std::vector<int32_t>> DeleteSubject(std::string_view subject, bool permanent);
  absl::StatusOr<int32_t> DeleteVersion(std::string_view subject, std::string_view version,
                                        bool permanent);

  // --- config and mode ---
  CompatibilityLevel GlobalCompatibility() const;
  absl::StatusOr<CompatibilityLevel> SubjectCompatibility(std::string_view subject,
                                                          bool default_to_global) const;
  // `level` as the client spelled it; 42203 if it is not one.
  absl::StatusOr<CompatibilityLevel> SetCompatibility(const std::optional<std::string>& subject,
                                                      std::string_view level);
  // Removes the subject's (or resets the global) level; returns the one it replaced.
  absl::StatusOr<CompatibilityLevel> DeleteCompatibility(const std::optional<std::string>& subject);
  Mode GlobalMode() const;
  absl::StatusOr<Mode> SubjectMode(std::string_view subject, bool default_to_global) const;
  absl::StatusOr<Mode> SetMode(const std::optional<std::string>& subject, std::string_view mode,
                               bool force);
  absl::StatusOr<Mode> DeleteMode(const std::optional<std::string>& subject);

  // --- compatibility checks (POST /compatibility/...) ---
  // `version` nullopt: against the versions the subject's level names (as a registration
  // would be checked); otherwise against that one version. Empty = compatible.
  absl::StatusOr<std::vector<std::string>> TestCompatibility(
      std::string_view subject, const std::optional<std::string>& version,
      const Registration& registration) const;

 private:
  // A registration's schema parsed (42201 if invalid), with its stored text decided.
  struct Candidate {
    std::shared_ptr<const ParsedSchema> parsed;
    SchemaDefinition definition;  // text = canonical (or normalized) form
  };
  absl::StatusOr<Candidate> Prepare(const Registration& registration) const;
  absl::StatusOr<std::vector<ResolvedReference>> Resolve(
      const std::vector<SchemaReference>& references) const;
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parsed(const StoredSchema& schema) const;
  // Live versions of the subject, oldest first, parsed.
  absl::StatusOr<std::vector<ExistingVersion>> LiveVersions(std::string_view subject) const;
  CompatibilityLevel EffectiveCompatibility(std::string_view subject) const;
  Mode EffectiveMode(std::string_view subject) const;
  // 42205 unless writes are allowed on `subject`.
  absl::Status CheckWritable(std::string_view subject) const;
  absl::StatusOr<VersionEntry> FindVersion(std::string_view subject, std::string_view version,
                                           bool deleted) const;

  Store& store_;
  SchemaLog& log_;
  const RegistryOptions options_;
  // One write decided at a time: ids and versions come from the state the last one left.
  std::mutex write_mu_;
  // Parsed schemas by id, for compatibility checks (a schema never changes under its id).
  mutable std::mutex parsed_mu_;
  struct ParsedEntry {
    SchemaDefinition definition;
    std::shared_ptr<const ParsedSchema> parsed;
  };
  mutable absl::flat_hash_map<int32_t, ParsedEntry> parsed_;
};

// "latest" / "-1" → nullopt; a number in [1, 2^31-1] → it; anything else → 42202.
absl::StatusOr<std::optional<int32_t>> ParseVersion(std::string_view version);

}  // namespace cdcflow::schema_registry
