#include "services/schema-registry/schema/schema.h"

#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry {

const char* SchemaTypeName(SchemaType type) {
  switch (type) {
    case SchemaType::kAvro:
      return "AVRO";
    case SchemaType::kProtobuf:
      return "PROTOBUF";
    case SchemaType::kJson:
      return "JSON";
  }
  return "AVRO";
}

std::optional<SchemaType> ParseSchemaType(std::string_view name) {
  if (name == "AVRO") return SchemaType::kAvro;
  if (name == "PROTOBUF") return SchemaType::kProtobuf;
  if (name == "JSON") return SchemaType::kJson;
  return std::nullopt;
}

std::string Incompatibility::ToString() const {
  std::string out = absl::StrCat("{errorType:'", error_type, "', description:'", description, "'");
  if (!additional_info.empty()) absl::StrAppend(&out, ", additionalInfo:'", additional_info, "'");
  out += "}";
  return out;
}

}  // namespace cdcflow::schema_registry
