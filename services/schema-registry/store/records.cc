#include "services/schema-registry/store/records.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kSchema:
      return "SCHEMA";
    case KeyType::kConfig:
      return "CONFIG";
    case KeyType::kMode:
      return "MODE";
    case KeyType::kDeleteSubject:
      return "DELETE_SUBJECT";
    case KeyType::kClearSubject:
      return "CLEAR_SUBJECT";
    case KeyType::kNoop:
      return "NOOP";
  }
  return "NOOP";
}

std::optional<KeyType> KeyTypeFromName(std::string_view name) {
  for (KeyType type : {KeyType::kSchema, KeyType::kConfig, KeyType::kMode, KeyType::kDeleteSubject,
                       KeyType::kClearSubject, KeyType::kNoop}) {
    if (KeyTypeName(type) == name) return type;
  }
  return std::nullopt;
}

absl::StatusOr<json> ParseObject(std::string_view text, std::string_view what) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(View(what), " is not a JSON object"));
  }
  return parsed;
}

absl::StatusOr<std::string> StringField(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("missing string field \"", name, "\""));
  }
  return it->get<std::string>();
}

absl::StatusOr<int32_t> IntField(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) {
    return absl::InvalidArgumentError(absl::StrCat("missing integer field \"", name, "\""));
  }
  bool fits = it->is_number_unsigned()
                  ? it->get<uint64_t>() <= static_cast<uint64_t>(INT32_MAX)
                  : it->get<int64_t>() >= INT32_MIN && it->get<int64_t>() <= INT32_MAX;
  if (!fits) return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" out of range"));
  return it->get<int32_t>();
}

}  // namespace

std::string EncodeKey(const RecordKey& key) {
  ordered_json out;
  out["keytype"] = KeyTypeName(key.type);
  if (key.type != KeyType::kNoop) {
    out["subject"] = key.subject ? json(*key.subject) : json(nullptr);
  }
  if (key.type == KeyType::kSchema) {
    out["version"] = key.version;
    out["magic"] = 1;
  } else {
    out["magic"] = 0;
  }
  return out.dump();
}

absl::StatusOr<RecordKey> DecodeKey(std::string_view text) {
  absl::StatusOr<json> parsed = ParseObject(text, "key");
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> type_name = StringField(*parsed, "keytype");
  if (!type_name.ok()) return type_name.status();
  std::optional<KeyType> type = KeyTypeFromName(*type_name);
  if (!type) return absl::InvalidArgumentError(absl::StrCat("unknown keytype ", *type_name));
  RecordKey key{.type = *type};
  if (auto it = parsed->find("subject"); it != parsed->end() && !it->is_null()) {
    // Anything but a string or null would otherwise read as the global key.
    if (!it->is_string()) return absl::InvalidArgumentError("key subject is not a string");
    key.subject = it->get<std::string>();
  }
  if (key.type == KeyType::kSchema) {
    if (!key.subject) return absl::InvalidArgumentError("SCHEMA key without a subject");
    absl::StatusOr<int32_t> version = IntField(*parsed, "version");
    if (!version.ok()) return version.status();
    key.version = *version;
  }
  if ((key.type == KeyType::kDeleteSubject || key.type == KeyType::kClearSubject) && !key.subject) {
    return absl::InvalidArgumentError("DELETE_SUBJECT/CLEAR_SUBJECT key without a subject");
  }
  return key;
}

std::string EncodeSchemaValue(const SchemaValue& value) {
  ordered_json out;
  out["subject"] = value.subject;
  out["version"] = value.version;
  out["id"] = value.id;
  if (value.definition.type != SchemaType::kAvro) {
    out["schemaType"] = SchemaTypeName(value.definition.type);
  }
  if (!value.definition.references.empty()) {
    ordered_json refs = ordered_json::array();
    for (const SchemaReference& ref : value.definition.references) {
      refs.push_back({{"name", ref.name}, {"subject", ref.subject}, {"version", ref.version}});
    }
    out["references"] = std::move(refs);
  }
  out["schema"] = value.definition.text;
  out["deleted"] = value.deleted;
  return out.dump();
}

absl::StatusOr<SchemaValue> DecodeSchemaValue(std::string_view text) {
  absl::StatusOr<json> parsed = ParseObject(text, "SCHEMA value");
  if (!parsed.ok()) return parsed.status();
  SchemaValue value;
  absl::StatusOr<std::string> subject = StringField(*parsed, "subject");
  absl::StatusOr<int32_t> version = IntField(*parsed, "version");
  absl::StatusOr<int32_t> id = IntField(*parsed, "id");
  absl::StatusOr<std::string> schema = StringField(*parsed, "schema");
  for (const absl::Status& s : {subject.status(), version.status(), id.status(), schema.status()}) {
    if (!s.ok()) return s;
  }
  value.subject = *std::move(subject);
  value.version = *version;
  value.id = *id;
  value.definition.text = *std::move(schema);
  if (auto it = parsed->find("schemaType"); it != parsed->end() && it->is_string()) {
    std::optional<SchemaType> type = ParseSchemaType(it->get<std::string>());
    if (!type) return absl::InvalidArgumentError("unknown schemaType");
    value.definition.type = *type;
  }
  if (auto it = parsed->find("references"); it != parsed->end() && it->is_array()) {
    for (const json& ref : *it) {
      if (!ref.is_object()) return absl::InvalidArgumentError("reference is not an object");
      absl::StatusOr<std::string> name = StringField(ref, "name");
      absl::StatusOr<std::string> ref_subject = StringField(ref, "subject");
      absl::StatusOr<int32_t> ref_version = IntField(ref, "version");
      if (!name.ok() || !ref_subject.ok() || !ref_version.ok()) {
        return absl::InvalidArgumentError("reference needs name, subject and version");
      }
      value.definition.references.push_back({*name, *ref_subject, *ref_version});
    }
  }
  if (auto it = parsed->find("deleted"); it != parsed->end() && it->is_boolean()) {
    value.deleted = it->get<bool>();
  }
  return value;
}

std::string EncodeConfigValue(std::string_view compatibility_level) {
  ordered_json out;
  out["compatibilityLevel"] = compatibility_level;
  return out.dump();
}

absl::StatusOr<std::string> DecodeConfigValue(std::string_view text) {
  absl::StatusOr<json> parsed = ParseObject(text, "CONFIG value");
  if (!parsed.ok()) return parsed.status();
  return StringField(*parsed, "compatibilityLevel");
}

std::string EncodeModeValue(std::string_view mode) {
  ordered_json out;
  out["mode"] = mode;
  return out.dump();
}

absl::StatusOr<std::string> DecodeModeValue(std::string_view text) {
  absl::StatusOr<json> parsed = ParseObject(text, "MODE value");
  if (!parsed.ok()) return parsed.status();
  return StringField(*parsed, "mode");
}

std::string EncodeSubjectVersionValue(const SubjectVersionValue& value) {
  ordered_json out;
  out["subject"] = value.subject;
  out["version"] = value.version;
  return out.dump();
}

absl::StatusOr<SubjectVersionValue> DecodeSubjectVersionValue(std::string_view text) {
  absl::StatusOr<json> parsed = ParseObject(text, "subject value");
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> subject = StringField(*parsed, "subject");
  if (!subject.ok()) return subject.status();
  absl::StatusOr<int32_t> version = IntField(*parsed, "version");
  if (!version.ok()) return version.status();
  return SubjectVersionValue{*std::move(subject), *version};
}

std::string EncodeLeaderValue(const LeaderValue& value) {
  ordered_json out;
  out["leader"] = value.url;
  out["generation"] = value.generation;
  return out.dump();
}

std::optional<LeaderValue> DecodeLeaderValue(std::string_view text) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  auto url = parsed.find("leader");
  auto generation = parsed.find("generation");
  if (url == parsed.end() || !url->is_string()) return std::nullopt;
  LeaderValue value{.url = url->get<std::string>()};
  if (generation != parsed.end() && generation->is_number_integer()) {
    value.generation = generation->get<int64_t>();
  }
  return value;
}

}  // namespace cdcflow::schema_registry
