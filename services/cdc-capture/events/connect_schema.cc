#include "services/cdc-capture/events/connect_schema.h"

#include "services/cdc-capture/events/json_writer.h"

namespace cdcflow::cdc_capture::events {

ConnectSchema PrimitiveSchema(absl::string_view type, bool optional) {
  ConnectSchema s;
  s.type = std::string(type);
  s.optional = optional;
  return s;
}

ConnectSchema NamedSchema(absl::string_view type, bool optional, absl::string_view name,
                          int version) {
  ConnectSchema s = PrimitiveSchema(type, optional);
  s.name = std::string(name);
  s.version = version;
  return s;
}

void AppendSchemaJson(const ConnectSchema& schema, std::string& out, absl::string_view field_name) {
  out.append("{\"type\":");
  json::AppendString(out, schema.type);
  if (schema.type == "struct") {
    out.append(",\"fields\":[");
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendSchemaJson(schema.fields[i].schema, out, schema.fields[i].name);
    }
    out.push_back(']');
  } else if (schema.type == "array" && !schema.items.empty()) {
    out.append(",\"items\":");
    AppendSchemaJson(schema.items.front(), out);
  }
  out.append(schema.optional ? ",\"optional\":true" : ",\"optional\":false");
  if (!schema.name.empty()) {
    out.append(",\"name\":");
    json::AppendString(out, schema.name);
  }
  if (schema.version != 0) {
    out.append(",\"version\":");
    json::AppendInt(out, schema.version);
  }
  if (!schema.doc.empty()) {
    out.append(",\"doc\":");
    json::AppendString(out, schema.doc);
  }
  if (!schema.parameters.empty()) {
    out.append(",\"parameters\":{");
    for (size_t i = 0; i < schema.parameters.size(); ++i) {
      if (i > 0) out.push_back(',');
      json::AppendString(out, schema.parameters[i].first);
      out.push_back(':');
      json::AppendString(out, schema.parameters[i].second);
    }
    out.push_back('}');
  }
  if (!schema.default_json.empty()) {
    out.append(",\"default\":");
    out.append(schema.default_json);
  }
  if (!field_name.empty()) {
    out.append(",\"field\":");
    json::AppendString(out, field_name);
  }
  out.push_back('}');
}

std::string SchemaJson(const ConnectSchema& schema) {
  std::string out;
  AppendSchemaJson(schema, out);
  return out;
}

}  // namespace cdcflow::cdc_capture::events
