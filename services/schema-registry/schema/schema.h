#pragma once

// What a schema is to the registry, whatever its type: its definition as registered
// (type, text, references) and, once parsed, the forms used to compare and return it.
// Parsers and compatibility checkers per type (avro.h, protobuf.h, json_schema.h) produce and
// consume these; nothing here knows HTTP, Kafka or the store.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdcflow::schema_registry {

enum class SchemaType { kAvro, kProtobuf, kJson };

// "AVRO", "PROTOBUF", "JSON".
const char* SchemaTypeName(SchemaType type);
// Exact, upper-case names as Confluent accepts them; nullopt otherwise.
std::optional<SchemaType> ParseSchemaType(std::string_view name);

// One import of a schema: `name` is how the importing schema refers to it (an Avro full type
// name, a Protobuf import path, a JSON Schema $ref URL), `subject`/`version` where it lives.
struct SchemaReference {
  std::string name;
  std::string subject;
  int32_t version = 0;

  friend bool operator==(const SchemaReference&, const SchemaReference&) = default;
};

// A schema as a client registers it.
struct SchemaDefinition {
  SchemaType type = SchemaType::kAvro;
  std::string text;
  std::vector<SchemaReference> references;

  friend bool operator==(const SchemaDefinition&, const SchemaDefinition&) = default;
};

// A referenced schema resolved to its text. A parser receives every schema the one it parses
// imports, transitively, in dependency order (a schema's own imports come before it).
struct ResolvedReference {
  std::string name;  // SchemaReference::name of the import
  SchemaType type = SchemaType::kAvro;
  std::string text;
};

// A valid schema. Immutable once built; safe to share between threads.
class ParsedSchema {
 public:
  virtual ~ParsedSchema() = default;
  virtual SchemaType type() const = 0;
  // The text the registry stores, returns and compares to find "the same schema": Avro as
  // Java's Schema.toString() prints it (compact JSON), JSON Schema as compact JSON in the
  // order given, Protobuf as printed from its descriptor.
  virtual const std::string& canonical() const = 0;
  // What `normalize=true` compares and stores instead: a form in which schemas that differ only
  // in ways that cannot matter (key order, whitespace, optional defaults spelled out or not,
  // relative vs full names) are equal.
  virtual std::string Normalized() const = 0;
};

// One reason why a reader schema cannot read data written with a writer schema.
struct Incompatibility {
  std::string error_type;       // e.g. "READER_FIELD_MISSING_DEFAULT_VALUE"
  std::string path;             // where, e.g. "/fields/1"
  std::string description;      // a sentence for people
  std::string additional_info;  // e.g. the field name

  // Confluent's rendering in verbose results and 409 messages:
  // {errorType:'…', description:'…', additionalInfo:'…'}
  std::string ToString() const;
};

}  // namespace cdcflow::schema_registry
