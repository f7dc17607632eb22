#include "services/schema-registry/rpc/grpc_service.h"

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry::grpc_api {
namespace {

using json = nlohmann::json;

// Path segments are percent-encoded so that any subject name survives the trip.
std::string Encode(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

json SchemaBody(const v1::Schema& schema) {
  json body{{"schema", schema.schema()}};
  if (!schema.schema_type().empty()) body["schemaType"] = schema.schema_type();
  if (schema.references_size() > 0) {
    json refs = json::array();
    for (const v1::SchemaReference& ref : schema.references()) {
      refs.push_back(
          {{"name", ref.name()}, {"subject", ref.subject()}, {"version", ref.version()}});
    }
    body["references"] = std::move(refs);
  }
  return body;
}

void FillSchema(const json& body, v1::Schema* schema) {
  schema->set_schema_type(body.value("schemaType", std::string("AVRO")));
  schema->set_schema(body.value("schema", std::string()));
  if (auto refs = body.find("references"); refs != body.end() && refs->is_array()) {
    for (const json& ref : *refs) {
      v1::SchemaReference* out = schema->add_references();
      out->set_name(ref.value("name", std::string()));
      out->set_subject(ref.value("subject", std::string()));
      out->set_version(ref.value("version", 0));
    }
  }
}

grpc::StatusCode CodeOf(int http_status) {
  switch (http_status) {
    case 400:
    case 422:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case 401:
      return grpc::StatusCode::UNAUTHENTICATED;
    case 404:
      return grpc::StatusCode::NOT_FOUND;
    case 409:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case 503:
      return grpc::StatusCode::UNAVAILABLE;
    default:
      return grpc::StatusCode::INTERNAL;
  }
}

// Runs one REST call through the router; on success returns the parsed body.
grpc::Status Call(rest::Router& router, grpc::ServerContext* context, std::string_view method,
                  std::string target, const json* body, json* out) {
  std::string body_text = body != nullptr ? body->dump() : std::string();
  http::Request request;
  request.method = method;
  request.target = target;
  request.path = std::string_view(target).substr(0, target.find('?'));
  request.body = body_text;
  request.headers = {{"Content-Type", "application/vnd.schemaregistry.v1+json"}};
  if (size_t q = target.find('?'); q != std::string::npos) {
    for (std::string_view rest = std::string_view(target).substr(q + 1); !rest.empty();) {
      std::string_view pair = rest.substr(0, rest.find('&'));
      rest = pair.size() < rest.size() ? rest.substr(pair.size() + 1) : std::string_view();
      size_t eq = pair.find('=');
      request.query.emplace_back(
          std::string(pair.substr(0, eq)),
          eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    }
  }
  http::Response response;
  router.Handle(request, response);
  json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200) {
    std::string message = response.body;
    if (parsed.is_object()) {
      message = parsed.value("message", response.body);
      if (context != nullptr && parsed.contains("error_code")) {
        context->AddTrailingMetadata("confluent-error-code", parsed["error_code"].dump());
      }
    }
    return grpc::Status(CodeOf(response.status), message);
  }
  *out = std::move(parsed);
  return grpc::Status::OK;
}

std::string Flag(bool value) { return value ? "true" : "false"; }

}  // namespace

grpc::Status SchemaRegistryService::Register(grpc::ServerContext* context,
                                             const v1::RegisterRequest* request,
                                             v1::RegisterResponse* response) {
  json body = SchemaBody(request->schema());
  json out;
  grpc::Status status = Call(router_, context, "POST",
                             absl::StrCat("/subjects/", Encode(request->subject()),
                                          "/versions?normalize=", Flag(request->normalize())),
                             &body, &out);
  if (status.ok()) response->set_id(out.value("id", 0));
  return status;
}

grpc::Status SchemaRegistryService::Lookup(grpc::ServerContext* context,
                                           const v1::LookupRequest* request,
                                           v1::SubjectSchema* response) {
  json body = SchemaBody(request->schema());
  json out;
  grpc::Status status = Call(router_, context, "POST",
                             absl::StrCat("/subjects/", Encode(request->subject()),
                                          "?normalize=", Flag(request->normalize()),
                                          "&deleted=", Flag(request->deleted())),
                             &body, &out);
  if (!status.ok()) return status;
  response->set_subject(out.value("subject", std::string()));
  response->set_version(out.value("version", 0));
  response->set_id(out.value("id", 0));
  FillSchema(out, response->mutable_schema());
  return status;
}

grpc::Status SchemaRegistryService::GetSchemaById(grpc::ServerContext* context,
                                                  const v1::GetSchemaByIdRequest* request,
                                                  v1::Schema* response) {
  json out;
  grpc::Status status =
      Call(router_, context, "GET", absl::StrCat("/schemas/ids/", request->id()), nullptr, &out);
  if (status.ok()) FillSchema(out, response);
  return status;
}

grpc::Status SchemaRegistryService::GetVersion(grpc::ServerContext* context,
                                               const v1::GetVersionRequest* request,
                                               v1::SubjectSchema* response) {
  std::string version = request->version().empty() ? "latest" : request->version();
  json out;
  grpc::Status status = Call(router_, context, "GET",
                             absl::StrCat("/subjects/", Encode(request->subject()), "/versions/",
                                          Encode(version), "?deleted=", Flag(request->deleted())),
                             nullptr, &out);
  if (!status.ok()) return status;
  response->set_subject(out.value("subject", std::string()));
  response->set_version(out.value("version", 0));
  response->set_id(out.value("id", 0));
  FillSchema(out, response->mutable_schema());
  return status;
}

grpc::Status SchemaRegistryService::CheckCompatibility(grpc::ServerContext* context,
                                                       const v1::CheckCompatibilityRequest* request,
                                                       v1::CheckCompatibilityResponse* response) {
  json body = SchemaBody(request->schema());
  std::string target =
      absl::StrCat("/compatibility/subjects/", Encode(request->subject()), "/versions");
  if (!request->version().empty()) absl::StrAppend(&target, "/", Encode(request->version()));
  absl::StrAppend(&target, "?verbose=", Flag(request->verbose()),
                  "&normalize=", Flag(request->normalize()));
  json out;
  grpc::Status status = Call(router_, context, "POST", target, &body, &out);
  if (!status.ok()) return status;
  response->set_is_compatible(out.value("is_compatible", false));
  if (auto messages = out.find("messages"); messages != out.end() && messages->is_array()) {
    for (const json& message : *messages) {
      response->add_messages(message.is_string() ? message.get<std::string>() : message.dump());
    }
  }
  return status;
}

grpc::Status SchemaRegistryService::GetConfig(grpc::ServerContext* context,
                                              const v1::GetConfigRequest* request,
                                              v1::Config* response) {
  std::string target = request->subject().empty()
                           ? std::string("/config")
                           : absl::StrCat("/config/", Encode(request->subject()),
                                          "?defaultToGlobal=", Flag(request->default_to_global()));
  json out;
  grpc::Status status = Call(router_, context, "GET", target, nullptr, &out);
  if (status.ok())
    response->set_compatibility_level(out.value("compatibilityLevel", std::string()));
  return status;
}

grpc::Status SchemaRegistryService::SetConfig(grpc::ServerContext* context,
                                              const v1::SetConfigRequest* request,
                                              v1::Config* response) {
  std::string target = request->subject().empty()
                           ? std::string("/config")
                           : absl::StrCat("/config/", Encode(request->subject()));
  json body{{"compatibility", request->compatibility_level()}};
  json out;
  grpc::Status status = Call(router_, context, "PUT", target, &body, &out);
  if (status.ok()) response->set_compatibility_level(out.value("compatibility", std::string()));
  return status;
}

}  // namespace cdcflow::schema_registry::grpc_api
