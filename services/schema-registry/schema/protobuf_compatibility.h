#pragma once

// Protobuf reader/writer compatibility, following Confluent's ProtobufSchema rules: messages
// matched by name (nested types by their path), fields by number, scalars grouped by wire
// compatibility, oneof membership changes checked. Only incompatible differences are
// returned; error_type is Confluent's Difference.Type name (e.g. FIELD_SCALAR_KIND_CHANGED) and
// path its "#/Message/fieldNumber" form.

#include <vector>

#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry::protobuf {

// Empty = compatible: a reader with `reader` can read data written with `writer`. Both must
// have been returned by protobuf::Parse.
std::vector<Incompatibility> CheckCompatibility(const ParsedSchema& reader,
                                                const ParsedSchema& writer);

}  // namespace cdcflow::schema_registry::protobuf
