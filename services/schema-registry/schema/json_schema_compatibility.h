#pragma once

// JSON Schema reader/writer compatibility, following Confluent's JSON Schema rules: types may
// widen (integer -> number, a type -> a union containing it) but not narrow or change; the
// content model of objects decides whether properties may be added or removed (open = no
// additionalProperties/patternProperties restriction, closed = additionalProperties false,
// partially open = a schema for additional or pattern properties); constraints may be relaxed
// but not added or tightened. Only incompatible differences are returned; error_type is
// Confluent's Difference.Type name and path its "#/properties/name/maxLength" form.

#include <vector>

#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry::json_schema {

// Empty = compatible: a reader with `reader` can read data written with `writer`. Both must
// have been returned by json_schema::Parse.
std::vector<Incompatibility> CheckCompatibility(const ParsedSchema& reader,
                                                const ParsedSchema& writer);

}  // namespace cdcflow::schema_registry::json_schema
