#pragma once

// Compatibility levels and the check a registration runs, for every schema type: which
// earlier versions a new schema is compared with (the latest, or all for *_TRANSITIVE) and in
// which direction (BACKWARD: the new schema reads the old data; FORWARD: the old schemas read
// the new data; FULL: both). The per-type rules live in avro_compatibility.h,
// protobuf_compatibility.h and json_schema_compatibility.h; ParseSchema picks the parser.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry {

enum class CompatibilityLevel {
  kNone,
  kBackward,
  kBackwardTransitive,
  kForward,
  kForwardTransitive,
  kFull,
  kFullTransitive,
};

const char* CompatibilityLevelName(CompatibilityLevel level);
// Case-insensitive, as Confluent accepts "backward" and "BACKWARD".
std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view name);

enum class Mode { kReadWrite, kReadOnly, kImport };
const char* ModeName(Mode mode);
std::optional<Mode> ParseMode(std::string_view name);  // case-insensitive

// Parses and validates a schema of any type (kInvalidArgument with the parser's reason).
absl::StatusOr<std::shared_ptr<const ParsedSchema>> ParseSchema(
    SchemaType type, std::string_view text, const std::vector<ResolvedReference>& references);

// One earlier version a new schema is checked against.
struct ExistingVersion {
  int32_t version = 0;
  std::shared_ptr<const ParsedSchema> schema;
};

// The incompatibilities of `candidate` with `existing` (oldest first, soft-deleted versions
// already left out) under `level`, in Confluent's rendering, followed by which version and
// level they came from. Empty = compatible.
std::vector<std::string> CheckCompatibility(CompatibilityLevel level, const ParsedSchema& candidate,
                                            const std::vector<ExistingVersion>& existing);

// The reader/writer rules of the candidate's type; a reader and a writer of different types
// are never compatible.
std::vector<Incompatibility> CheckReaderWriter(const ParsedSchema& reader,
                                               const ParsedSchema& writer);

}  // namespace cdcflow::schema_registry
