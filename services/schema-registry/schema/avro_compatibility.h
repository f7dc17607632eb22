#pragma once

// Avro schema resolution (the spec's "Schema Resolution", with the semantics of Java's
// SchemaCompatibility, which Confluent applies): can a reader schema read every datum written
// with a writer schema? Pure logic over schemas parsed by avro::Parse.

#include <vector>

#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry::avro {

// Every reason why `reader` cannot read data written with `writer`; empty = it can. error_type
// is one of Java's SchemaIncompatibilityType names (NAME_MISMATCH, FIXED_SIZE_MISMATCH,
// MISSING_ENUM_SYMBOLS, READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH,
// MISSING_UNION_BRANCH); path is a JSON pointer into the reader schema ("/fields/1/type");
// descriptions use Confluent's wording, in which the reader is "the new schema".
// Both schemas must come from avro::Parse.
std::vector<Incompatibility> CheckCompatibility(const ParsedSchema& reader,
                                                const ParsedSchema& writer);

}  // namespace cdcflow::schema_registry::avro
