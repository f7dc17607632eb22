#pragma once

// The records of the `_schemas` topic, byte for byte as Confluent Schema Registry writes them,
// so that a registry can take over a topic written by Confluent's and the other way round.
// Keys are JSON objects whose field order matters (compaction compares key bytes):
//   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
//   {"keytype":"CONFIG","subject":null,"magic":0}           (null subject: the global one)
//   {"keytype":"MODE","subject":"s","magic":0}
//   {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}
//   {"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}
//   {"keytype":"NOOP","magic":0}
// Values are JSON; a null value (tombstone) removes what its key names (hard delete).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry {

enum class KeyType { kSchema, kConfig, kMode, kDeleteSubject, kClearSubject, kNoop };

struct RecordKey {
  KeyType type = KeyType::kNoop;
  std::optional<std::string> subject;  // nullopt: global CONFIG/MODE, NOOP
  int32_t version = 0;                 // SCHEMA only
};

struct SchemaValue {
  std::string subject;
  int32_t version = 0;
  int32_t id = 0;
  SchemaDefinition definition;
  bool deleted = false;
};

// DELETE_SUBJECT: every version up to `version` is soft-deleted.
// CLEAR_SUBJECT: every version up to `version` was permanently deleted.
struct SubjectVersionValue {
  std::string subject;
  int32_t version = 0;
};

std::string EncodeKey(const RecordKey& key);
// kInvalidArgument for a key that is not one of the shapes above (the reader skips it).
absl::StatusOr<RecordKey> DecodeKey(std::string_view key);

std::string EncodeSchemaValue(const SchemaValue& value);
absl::StatusOr<SchemaValue> DecodeSchemaValue(std::string_view value);

// CONFIG: {"compatibilityLevel":"FULL"}; MODE: {"mode":"READONLY"}.
std::string EncodeConfigValue(std::string_view compatibility_level);
absl::StatusOr<std::string> DecodeConfigValue(std::string_view value);
std::string EncodeModeValue(std::string_view mode);
absl::StatusOr<std::string> DecodeModeValue(std::string_view value);

std::string EncodeSubjectVersionValue(const SubjectVersionValue& value);
absl::StatusOr<SubjectVersionValue> DecodeSubjectVersionValue(std::string_view value);

// NOOP values are ignored by Confluent's registry; ours carry the leader's REST URL, so
// followers know where to forward writes: {"leader":"http://host:8081","generation":7}.
struct LeaderValue {
  std::string url;
  int64_t generation = 0;
};
std::string EncodeLeaderValue(const LeaderValue& value);
// nullopt for a NOOP value that is not ours (Confluent writes null).
std::optional<LeaderValue> DecodeLeaderValue(std::string_view value);

}  // namespace cdcflow::schema_registry
