#pragma once

// Avro schemas as the registry sees them: parsed and validated per the Avro 1.11 specification
// with Java Avro's rules (the ones Confluent applies), printed back as Java's Schema.toString()
// prints them (the canonical text the registry stores) and in a normalized form in which
// formatting, key order and relative vs full names no longer matter. Pure logic: no I/O.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry::avro {

// JSON values (defaults, custom properties) keep the order in which the schema gave their keys,
// because Java prints them in that order.
using Json = nlohmann::ordered_json;

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// The name as written in a schema: "int", "record", "union", ...
std::string_view TypeName(Type type);

struct Node;

enum class FieldOrder { kAscending, kDescending, kIgnore };

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<std::string> doc;
  std::optional<Json> default_value;  // a JSON null default is a value, not nullopt
  FieldOrder order = FieldOrder::kAscending;
  std::vector<std::string> aliases;  // as given, duplicates removed
  Json props = Json::object();       // custom attributes, in the order given
};

// One type of a schema. Named types (record, error, enum, fixed) are single nodes shared by every
// place that refers to them, so the graph of a recursive schema has cycles.
struct Node {
  explicit Node(Type t) : type(t) {}

  bool IsNamed() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
  // "space.name", or "name" without a namespace.
  std::string FullName() const;

  Type type;
  // Named types.
  std::string name;   // the short name
  std::string space;  // the namespace; empty when there is none
  std::optional<std::string> doc;
  std::vector<std::string> aliases;  // full names, duplicates removed
  // Records.
  bool is_error = false;
  std::vector<Field> fields;
  // Enums.
  std::vector<std::string> symbols;
  std::optional<std::string> enum_default;
  // Fixed.
  int64_t size = 0;
  // Arrays and maps.
  const Node* items = nullptr;
  const Node* values = nullptr;
  // Unions.
  std::vector<const Node*> branches;
  // Custom attributes (logicalType among them), in the order given.
  Json props = Json::object();
  // The logical type when it is valid for this node ("decimal", "date", ...); an invalid one is
  // ignored (kept only as a property), as Java does.
  std::string logical_type;
};

// A parsed Avro schema: the graph of its types, which it owns together with the types of its
// references, and its canonical text.
class AvroSchema final : public ParsedSchema {
 public:
  // `nodes` owns every node; `root` is the schema itself; `referenced` are the named types that
  // the references defined (printed by name only).
  AvroSchema(std::vector<std::unique_ptr<Node>> nodes, const Node* root,
             std::vector<const Node*> referenced);

  SchemaType type() const override { return SchemaType::kAvro; }
  const std::string& canonical() const override { return canonical_; }
  std::string Normalized() const override { return normalized_; }

  const Node& root() const { return *root_; }

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  const Node* root_;
  std::vector<const Node*> referenced_;
  std::string canonical_;
  std::string normalized_;
};

// Parses `text` after `references` (each an Avro schema, in dependency order), whose named types
// the text may use by name. kInvalidArgument says what is wrong and where.
absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
    std::string_view text, const std::vector<ResolvedReference>& references);

}  // namespace cdcflow::schema_registry::avro
