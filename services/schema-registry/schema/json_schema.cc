#include "services/schema-registry/schema/json_schema.h"

#include <cctype>
#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry::json_schema {
namespace {

using Json = JsonSchema::Json;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// JSON Pointer escaping of one path element (RFC 6901), for error messages.
std::string EscapePointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// "%2F"-style escapes in a URI fragment.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool IsTypeName(const Json& value) {
  static const std::set<std::string> kTypes = {"null",   "boolean", "object", "array",
                                               "number", "string",  "integer"};
  return value.is_string() && kTypes.count(value.get<std::string>()) > 0;
}

bool IsNonNegativeInteger(const Json& value) {
  if (!value.is_number()) return false;
  double number = value.get<double>();
  return number >= 0 && std::floor(number) == number;
}

// Structure checks for every keyword whose value type the drafts fix; unknown keywords are
// allowed (annotations, vendor extensions) and not descended into.
class Validator {
 public:
  // Every $ref met, with where it was met.
  std::vector<std::pair<std::string, std::string>> refs;

  absl::Status Schema(const Json& schema, const std::string& path) {
    if (schema.is_boolean()) return absl::OkStatus();
    if (!schema.is_object()) return Error(path, "a schema must be an object or a boolean");
    for (const auto& [key, value] : schema.items()) {
      std::string at = absl::StrCat(path, "/", EscapePointer(key));
      absl::Status status = Keyword(key, value, at);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  static absl::Status Error(const std::string& path, std::string_view reason) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON schema at '", path, "': ", AbslView(reason)));
  }

  absl::Status SchemaMap(const Json& value, const std::string& path) {
    if (!value.is_object()) return Error(path, "must be an object of schemas");
    for (const auto& [key, schema] : value.items()) {
      absl::Status status = Schema(schema, absl::StrCat(path, "/", EscapePointer(key)));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status SchemaArray(const Json& value, const std::string& path, bool non_empty) {
    if (!value.is_array() || (non_empty && value.empty())) {
      return Error(
          path, non_empty ? "must be a non-empty array of schemas" : "must be an array of schemas");
    }
    for (size_t i = 0; i < value.size(); ++i) {
      absl::Status status = Schema(value[i], absl::StrCat(path, "/", i));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  static bool IsStringArray(const Json& value) {
    if (!value.is_array()) return false;
    for (const Json& item : value) {
      if (!item.is_string()) return false;
    }
    return true;
  }

  absl::Status Keyword(const std::string& key, const Json& value, const std::string& path) {
    static const std::set<std::string> kSchemaValued = {"additionalProperties",
                                                        "additionalItems",
                                                        "unevaluatedProperties",
                                                        "unevaluatedItems",
                                                        "contains",
                                                        "propertyNames",
                                                        "not",
                                                        "if",
                                                        "then",
                                                        "else"};
    static const std::set<std::string> kSchemaMaps = {"properties", "patternProperties",
                                                      "definitions", "$defs", "dependentSchemas"};
    static const std::set<std::string> kStrings = {
        "$ref",   "$id",      "$schema", "title",           "description",     "pattern",
        "format", "$comment", "$anchor", "contentEncoding", "contentMediaType"};
    static const std::set<std::string> kCounts = {"minLength",   "maxLength",     "minItems",
                                                  "maxItems",    "minProperties", "maxProperties",
                                                  "minContains", "maxContains"};
    static const std::set<std::string> kBooleans = {"uniqueItems", "readOnly", "writeOnly",
                                                    "deprecated"};
    if (kSchemaValued.count(key) > 0) return Schema(value, path);
    if (kSchemaMaps.count(key) > 0) return SchemaMap(value, path);
    if (key == "allOf" || key == "anyOf" || key == "oneOf") return SchemaArray(value, path, true);
    if (key == "prefixItems") return SchemaArray(value, path, false);
    if (key == "items") {
      return value.is_array() ? SchemaArray(value, path, false) : Schema(value, path);
    }
    if (kStrings.count(key) > 0) {
      if (!value.is_string()) return Error(path, "must be a string");
      if (key == "$ref") refs.emplace_back(value.get<std::string>(), path);
      return absl::OkStatus();
    }
    if (kCounts.count(key) > 0) {
      return IsNonNegativeInteger(value) ? absl::OkStatus()
                                         : Error(path, "must be a non-negative integer");
    }
    if (kBooleans.count(key) > 0) {
      return value.is_boolean() ? absl::OkStatus() : Error(path, "must be a boolean");
    }
    if (key == "minimum" || key == "maximum") {
      return value.is_number() ? absl::OkStatus() : Error(path, "must be a number");
    }
    if (key == "exclusiveMinimum" || key == "exclusiveMaximum") {  // boolean in draft 4
      return value.is_number() || value.is_boolean() ? absl::OkStatus()
                                                     : Error(path, "must be a number");
    }
    if (key == "multipleOf") {
      return value.is_number() && value.get<double>() > 0
                 ? absl::OkStatus()
                 : Error(path, "must be a number greater than 0");
    }
    if (key == "type") return Type(value, path);
    if (key == "required" || key == "dependentRequired") {
      if (key == "required") {
        return IsStringArray(value) ? absl::OkStatus() : Error(path, "must be an array of strings");
      }
      if (!value.is_object()) return Error(path, "must be an object of string arrays");
      for (const auto& [name, names] : value.items()) {
        if (!IsStringArray(names)) return Error(path, "must be an object of string arrays");
      }
      return absl::OkStatus();
    }
    if (key == "enum" || key == "examples") {
      return value.is_array() ? absl::OkStatus() : Error(path, "must be an array");
    }
    if (key == "dependencies") {
      if (!value.is_object()) return Error(path, "must be an object");
      for (const auto& [name, dependency] : value.items()) {
        if (IsStringArray(dependency)) continue;
        absl::Status status = Schema(dependency, absl::StrCat(path, "/", EscapePointer(name)));
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  static absl::Status Type(const Json& value, const std::string& path) {
    if (IsTypeName(value)) return absl::OkStatus();
    if (value.is_array() && !value.empty()) {
      std::set<std::string> seen;
      for (const Json& item : value) {
        if (!IsTypeName(item) || !seen.insert(item.get<std::string>()).second) {
          return Error(path, "must be an array of distinct type names");
        }
      }
      return absl::OkStatus();
    }
    return Error(path,
                 "must be one of null, boolean, object, array, number, string, integer or an "
                 "array of them");
  }
};

absl::StatusOr<Json> ParseJson(std::string_view text) {
  try {
    Json document = Json::parse(text.begin(), text.end());
    if (!document.is_object() && !document.is_boolean()) {
      return absl::InvalidArgumentError(
          "invalid JSON schema: the schema must be a JSON object or a boolean");
    }
    return document;
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON schema: ", e.what()));
  }
}

// A subschema (or any nested object) whose `$id` (or draft-4 `id`) equals `id`.
const Json* FindById(const Json& node, const std::string& id) {
  if (node.is_object()) {
    for (const char* key : {"$id", "id"}) {
      auto it = node.find(key);
      if (it != node.end() && it->is_string() && it->get<std::string>() == id) return &node;
    }
    for (const auto& [key, value] : node.items()) {
      if (const Json* found = FindById(value, id)) return found;
    }
  } else if (node.is_array()) {
    for (const Json& value : node) {
      if (const Json* found = FindById(value, id)) return found;
    }
  }
  return nullptr;
}

// A subschema declaring `"$anchor": anchor` (or the older `"$id": "#anchor"`).
const Json* FindAnchor(const Json& node, const std::string& anchor) {
  if (node.is_object()) {
    for (const char* key : {"$anchor", "$id", "id"}) {
      auto it = node.find(key);
      if (it != node.end() && it->is_string() &&
          it->get<std::string>() ==
              (std::string_view(key) == "$anchor" ? anchor : absl::StrCat("#", anchor))) {
        return &node;
      }
    }
  }
  if (node.is_object() || node.is_array()) {
    for (const auto& item : node.items()) {
      if (const Json* found = FindAnchor(item.value(), anchor)) return found;
    }
  }
  return nullptr;
}

}  // namespace

const JsonSchema::Json* JsonSchema::FindDocument(const std::string& url, const Json& root) const {
  if (auto it = references_.find(url); it != references_.end()) return &it->second;
  if (const Json* embedded = FindById(root, url)) return embedded;
  // Relative to the document's own $id ("https://x/a/b.json" + "c.json" = "https://x/a/c.json").
  if (root.is_object()) {
    auto id = root.find("$id");
    if (id != root.end() && id->is_string()) {
      std::string base = id->get<std::string>();
      std::string resolved = absl::StrCat(base.substr(0, base.rfind('/') + 1), url);
      if (auto it = references_.find(resolved); it != references_.end()) return &it->second;
    }
  }
  // A reference registered under the URL's last segment, or under a longer URL ending with it.
  for (const auto& [name, document] : references_) {
    if ((url.size() > name.size() &&
         url.compare(url.size() - name.size(), name.size(), name) == 0 &&
         url[url.size() - name.size() - 1] == '/') ||
        (name.size() > url.size() && name.compare(name.size() - url.size(), url.size(), url) == 0 &&
         name[name.size() - url.size() - 1] == '/')) {
      return &document;
    }
  }
  return nullptr;
}

JsonSchema::Target JsonSchema::Resolve(const std::string& ref, const Json& root) const {
  size_t hash = ref.find('#');
  std::string base = ref.substr(0, hash);
  std::string fragment = hash == std::string::npos ? "" : PercentDecode(ref.substr(hash + 1));
  const Json* document = base.empty() ? &root : FindDocument(base, root);
  if (document == nullptr) return {};
  if (fragment.empty()) return {document, document};
  if (fragment.front() == '/') {
    try {
      Json::json_pointer pointer(fragment);
      if (!document->contains(pointer)) return {};
      return {&document->at(pointer), document};
    } catch (const Json::exception&) {
      return {};
    }
  }
  if (const Json* anchored = FindAnchor(*document, fragment)) return {anchored, document};
  return {};
}

absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
    std::string_view text, const std::vector<ResolvedReference>& references) {
  std::shared_ptr<JsonSchema> schema(new JsonSchema());
  for (const ResolvedReference& reference : references) {
    if (reference.type != SchemaType::kJson) {
      return absl::InvalidArgumentError(
          absl::StrCat("reference '", reference.name, "' is not a JSON schema"));
    }
    absl::StatusOr<Json> document = ParseJson(reference.text);
    if (!document.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("reference '", reference.name, "': ", document.status().message()));
    }
    schema->references_.emplace(reference.name, *std::move(document));
  }
  absl::StatusOr<Json> document = ParseJson(text);
  if (!document.ok()) return document.status();
  schema->document_ = *std::move(document);

  // Structure first, then every $ref against the document it appears in.
  auto validate = [&schema](const Json& root, std::string_view where) -> absl::Status {
    Validator validator;
    absl::Status status = validator.Schema(root, "#");
    if (!status.ok()) {
      return where.empty() ? status
                           : absl::InvalidArgumentError(absl::StrCat("reference '", AbslView(where),
                                                                     "': ", status.message()));
    }
    for (const auto& [ref, path] : validator.refs) {
      if (schema->Resolve(ref, root).schema == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(where.empty() ? "" : absl::StrCat("reference '", AbslView(where), "': "),
                         "invalid JSON schema: unresolved $ref '", ref, "' at '", path, "'"));
      }
    }
    return absl::OkStatus();
  };
  for (const auto& [name, root] : schema->references_) {
    absl::Status status = validate(root, name);
    if (!status.ok()) return status;
  }
  absl::Status status = validate(schema->document_, "");
  if (!status.ok()) return status;

  try {
    schema->canonical_ = schema->document_.dump();
    schema->normalized_ = nlohmann::json::parse(schema->canonical_).dump();
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON schema: ", e.what()));
  }
  return schema;
}

}  // namespace cdcflow::schema_registry::json_schema
