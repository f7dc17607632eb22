#include "services/schema-registry/schema/compatibility.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/schema-registry/schema/avro.h"
#include "services/schema-registry/schema/avro_compatibility.h"
#include "services/schema-registry/schema/json_schema.h"
#include "services/schema-registry/schema/json_schema_compatibility.h"
#include "services/schema-registry/schema/protobuf.h"
#include "services/schema-registry/schema/protobuf_compatibility.h"

namespace cdcflow::schema_registry {
namespace {

constexpr CompatibilityLevel kAllLevels[] = {
    CompatibilityLevel::kNone,
    CompatibilityLevel::kBackward,
    CompatibilityLevel::kBackwardTransitive,
    CompatibilityLevel::kForward,
    CompatibilityLevel::kForwardTransitive,
    CompatibilityLevel::kFull,
    CompatibilityLevel::kFullTransitive,
};

bool IsTransitive(CompatibilityLevel level) {
  return level == CompatibilityLevel::kBackwardTransitive ||
         level == CompatibilityLevel::kForwardTransitive ||
         level == CompatibilityLevel::kFullTransitive;
}
bool ChecksBackward(CompatibilityLevel level) {
  return level != CompatibilityLevel::kNone && level != CompatibilityLevel::kForward &&
         level != CompatibilityLevel::kForwardTransitive;
}
bool ChecksForward(CompatibilityLevel level) {
  return level != CompatibilityLevel::kNone && level != CompatibilityLevel::kBackward &&
         level != CompatibilityLevel::kBackwardTransitive;
}

// Confluent renders a schema inside its messages with single quotes around it.
std::string Quoted(std::string_view text) {
  return absl::StrCat("'", absl::string_view(text.data(), text.size()), "'");
}

constexpr int kMaxNestingDepth = 128;

// The deepest nesting of brackets and braces outside string literals ("…" in JSON and
// Protobuf, '…' in Protobuf).
int NestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

const char* CompatibilityLevelName(CompatibilityLevel level) {
  switch (level) {
    case CompatibilityLevel::kNone:
      return "NONE";
    case CompatibilityLevel::kBackward:
      return "BACKWARD";
    case CompatibilityLevel::kBackwardTransitive:
      return "BACKWARD_TRANSITIVE";
    case CompatibilityLevel::kForward:
      return "FORWARD";
    case CompatibilityLevel::kForwardTransitive:
      return "FORWARD_TRANSITIVE";
    case CompatibilityLevel::kFull:
      return "FULL";
    case CompatibilityLevel::kFullTransitive:
      return "FULL_TRANSITIVE";
  }
  return "BACKWARD";
}

std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view name) {
  std::string upper = absl::AsciiStrToUpper(absl::string_view(name.data(), name.size()));
  for (CompatibilityLevel level : kAllLevels) {
    if (CompatibilityLevelName(level) == upper) return level;
  }
  return std::nullopt;
}

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kReadWrite:
      return "READWRITE";
    case Mode::kReadOnly:
      return "READONLY";
    case Mode::kImport:
      return "IMPORT";
  }
  return "READWRITE";
}

std::optional<Mode> ParseMode(std::string_view name) {
  std::string upper = absl::AsciiStrToUpper(absl::string_view(name.data(), name.size()));
  for (Mode mode : {Mode::kReadWrite, Mode::kReadOnly, Mode::kImport}) {
    if (ModeName(mode) == upper) return mode;
  }
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const ParsedSchema>> ParseSchema(
    SchemaType type, std::string_view text, const std::vector<ResolvedReference>& references) {
  // The parsers, printers and checkers recurse once per nesting level (and so do nlohmann's
  // copy and dump): a hostile schema nested 100,000 deep must be refused before them.
  if (int depth = NestingDepth(text); depth > kMaxNestingDepth) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the schema nests ", depth, " levels deep; at most ", kMaxNestingDepth, " are accepted"));
  }
  switch (type) {
    case SchemaType::kAvro:
      return avro::Parse(text, references);
    case SchemaType::kProtobuf:
      return protobuf::Parse(text, references);
    case SchemaType::kJson:
      return json_schema::Parse(text, references);
  }
  return absl::InvalidArgumentError("unknown schema type");
}

std::vector<Incompatibility> CheckReaderWriter(const ParsedSchema& reader,
                                               const ParsedSchema& writer) {
  if (reader.type() != writer.type()) {
    return {Incompatibility{
        .error_type = "TYPE_MISMATCH",
        .path = "/",
        .description = absl::StrCat(
            "Incompatible because of different schema type: ", SchemaTypeName(reader.type()),
            " and ", SchemaTypeName(writer.type())),
    }};
  }
  switch (reader.type()) {
    case SchemaType::kAvro:
      return avro::CheckCompatibility(reader, writer);
    case SchemaType::kProtobuf:
      return protobuf::CheckCompatibility(reader, writer);
    case SchemaType::kJson:
      return json_schema::CheckCompatibility(reader, writer);
  }
  return {};
}

std::vector<std::string> CheckCompatibility(CompatibilityLevel level, const ParsedSchema& candidate,
                                            const std::vector<ExistingVersion>& existing) {
  std::vector<std::string> messages;
  if (level == CompatibilityLevel::kNone || existing.empty()) return messages;
  // Newest first: a non-transitive level stops after the latest version.
  for (auto it = existing.rbegin(); it != existing.rend(); ++it) {
    std::vector<Incompatibility> found;
    if (ChecksBackward(level)) found = CheckReaderWriter(candidate, *it->schema);
    if (ChecksForward(level)) {
      std::vector<Incompatibility> forward = CheckReaderWriter(*it->schema, candidate);
      found.insert(found.end(), forward.begin(), forward.end());
    }
    if (!found.empty()) {
      for (const Incompatibility& incompatibility : found) {
        messages.push_back(incompatibility.ToString());
      }
      messages.push_back(absl::StrCat("{oldSchemaVersion: ", it->version, "}"));
      messages.push_back(absl::StrCat("{oldSchema: ", Quoted(it->schema->canonical()), "}"));
      messages.push_back(absl::StrCat("{validateFields: 'false', compatibility: '",
                                      CompatibilityLevelName(level), "'}"));
      return messages;  // Confluent reports the first incompatible version
    }
    if (!IsTransitive(level)) break;
  }
  return messages;
}

}  // namespace cdcflow::schema_registry
