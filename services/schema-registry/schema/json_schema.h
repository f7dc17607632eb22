#pragma once

// JSON Schema schemas: a JSON object or boolean whose keywords have the types the drafts
// require (checked recursively through every subschema position), with each $ref resolvable:
// to a place in the same document ("#/definitions/…", "#/$defs/…", "#anchor", an embedded
// $id) or to one of the schema's references (ResolvedReference::name is the $ref URL).

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry::json_schema {

class JsonSchema final : public ParsedSchema {
 public:
  using Json = nlohmann::ordered_json;

  SchemaType type() const override { return SchemaType::kJson; }
  // Compact JSON, keys in the order given.
  const std::string& canonical() const override { return canonical_; }
  // Compact JSON, object keys sorted recursively.
  std::string Normalized() const override { return normalized_; }

  const Json& document() const { return document_; }

  // The schema a $ref met inside `root` (this document or one of its references' documents)
  // points to, with the root of the document it lives in; {nullptr, nullptr} when unknown.
  struct Target {
    const Json* schema = nullptr;
    const Json* root = nullptr;
  };
  Target Resolve(const std::string& ref, const Json& root) const;

 private:
  friend absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
      std::string_view text, const std::vector<ResolvedReference>& references);

  JsonSchema() = default;

  const Json* FindDocument(const std::string& url, const Json& root) const;

  Json document_;
  std::map<std::string, Json> references_;  // by ResolvedReference::name
  std::string canonical_;
  std::string normalized_;
};

// Parses and validates `text`; kInvalidArgument with the reason (and the JSON parser's line and
// column for malformed JSON).
absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
    std::string_view text, const std::vector<ResolvedReference>& references);

}  // namespace cdcflow::schema_registry::json_schema
