#pragma once

// A Kafka Connect schema, just enough of it to write the JSON that Connect's JsonConverter emits
// in the "schema" half of a {"schema":…,"payload":…} message: keys in JsonConverter's order
// (type, fields|items, optional, name, version, doc, parameters, default, then "field" for a
// struct member). Built once per table and serialized once; never on the per-event path.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace cdcflow::cdc_capture::events {

struct ConnectField;

struct ConnectSchema {
  std::string type;  // "boolean", "int16", "int32", "int64", "float", "double", "bytes",
                     // "string", "array", "struct"
  bool optional = true;
  std::string name;  // logical name, e.g. "io.debezium.time.MicroTimestamp"; empty = none
  int version = 0;   // 0 = none
  std::string doc;
  std::vector<std::pair<std::string, std::string>> parameters;  // insertion order is kept
  std::string default_json;          // the default value as a JSON literal; empty = none
  std::vector<ConnectField> fields;  // struct members
  std::vector<ConnectSchema> items;  // array: exactly one element schema
};

struct ConnectField {
  std::string name;
  ConnectSchema schema;
};

// Convenience constructors for the common shapes.
ConnectSchema PrimitiveSchema(absl::string_view type, bool optional);
ConnectSchema NamedSchema(absl::string_view type, bool optional, absl::string_view name,
                          int version);

// Appends the JSON of `schema`; when `field_name` is non-empty the object ends with "field".
void AppendSchemaJson(const ConnectSchema& schema, std::string& out,
                      absl::string_view field_name = {});

std::string SchemaJson(const ConnectSchema& schema);

}  // namespace cdcflow::cdc_capture::events
