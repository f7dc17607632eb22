#include "services/schema-registry/rest/router.h"

#include <chrono>
#include <exception>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/schema-registry/errors.h"

namespace cdcflow::schema_registry::rest {
namespace {

using json = nlohmann::ordered_json;

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// ---------------------------------------------------------------------------- request parts

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Path segments are split before decoding, so a subject may contain an encoded '/'.
std::string DecodeSegment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size()) {
      int hi = HexValue(segment[i + 1]);
      int lo = HexValue(segment[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(segment[i]);
  }
  return out;
}

std::vector<std::string> PathSegments(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> segments;
  for (absl::string_view part : absl::StrSplit(View(path), '/', absl::SkipEmpty())) {
    segments.push_back(DecodeSegment(std::string_view(part.data(), part.size())));
  }
  return segments;
}

// Confluent parses booleans case-insensitively ("True", "FALSE"); absent → `fallback`.
bool BoolParam(const http::Request& request, std::string_view name, bool fallback = false) {
  std::optional<std::string_view> value = request.query_param(name);
  if (!value) return fallback;
  return absl::EqualsIgnoreCase(View(*value), "true");
}

std::string StringParam(const http::Request& request, std::string_view name) {
  std::optional<std::string_view> value = request.query_param(name);
  return value ? std::string(*value) : std::string();
}

int64_t IntParam(const http::Request& request, std::string_view name, int64_t fallback) {
  std::optional<std::string_view> value = request.query_param(name);
  int64_t number = 0;
  if (!value || !absl::SimpleAtoi(View(*value), &number)) return fallback;
  return number;
}

absl::Status BadRequest(std::string_view why) { return MakeError(ErrorCode::kBadRequest, why); }

// The JSON body of a POST/PUT, which must be an object.
absl::StatusOr<json> JsonBody(const http::Request& request) {
  if (std::optional<std::string_view> type = request.header("Content-Type")) {
    std::string media(type->substr(0, type->find(';')));
    absl::StripAsciiWhitespace(&media);
    absl::AsciiStrToLower(&media);
    if (!media.empty() && media != "application/vnd.schemaregistry.v1+json" &&
        media != "application/vnd.schemaregistry+json" && media != "application/json" &&
        media != "application/octet-stream") {
      return MakeError(ErrorCode::kUnsupportedMediaType, "HTTP 415 Unsupported Media Type");
    }
  }
  json body = json::parse(request.body.begin(), request.body.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return BadRequest("Unexpected character: the request body is not valid JSON");
  }
  if (!body.is_object()) return MalformedBody("the request body must be a JSON object");
  return body;
}

bool FitsInt32(const json& number) {
  if (number.is_number_unsigned()) {
    return number.get<uint64_t>() <= static_cast<uint64_t>(INT32_MAX);
  }
  int64_t value = number.get<int64_t>();
  return value >= INT32_MIN && value <= INT32_MAX;
}

// {"schema": …, "schemaType": …, "references": […], "id": …, "version": …}
absl::StatusOr<Registration> ParseRegistration(const json& body, bool normalize) {
  Registration registration{.normalize = normalize};
  auto schema = body.find("schema");
  if (schema == body.end() || schema->is_null()) return InvalidSchema("Empty schema");
  if (!schema->is_string()) return MalformedBody("\"schema\" must be a string");
  registration.definition.text = schema->get<std::string>();
  if (registration.definition.text.empty()) return InvalidSchema("Empty schema");
  if (auto type = body.find("schemaType"); type != body.end() && !type->is_null()) {
    if (!type->is_string()) return MalformedBody("\"schemaType\" must be a string");
    std::optional<SchemaType> parsed = ParseSchemaType(type->get<std::string>());
    if (!parsed) {
      return InvalidSchema(absl::StrCat("Invalid schema type ", type->get<std::string>()));
    }
    registration.definition.type = *parsed;
  }
  if (auto refs = body.find("references"); refs != body.end() && !refs->is_null()) {
    if (!refs->is_array()) return MalformedBody("\"references\" must be an array");
    for (const json& ref : *refs) {
      if (!ref.is_object()) return MalformedBody("a reference must be an object");
      auto name = ref.find("name");
      auto subject = ref.find("subject");
      auto version = ref.find("version");
      if (name == ref.end() || !name->is_string() || subject == ref.end() ||
          !subject->is_string() || version == ref.end() || !version->is_number_integer() ||
          !FitsInt32(*version)) {
        return MalformedBody("a reference needs a string name and subject and an integer version");
      }
      registration.definition.references.push_back(
          {name->get<std::string>(), subject->get<std::string>(), version->get<int32_t>()});
    }
  }
  for (const char* field : {"id", "version"}) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_number_integer() || !FitsInt32(*it)) {
      return MalformedBody(absl::StrCat("\"", field, "\" must be a 32-bit integer"));
    }
    int64_t value = it->get<int64_t>();
    if (value <= 0) continue;  // Confluent's clients send -1/0 for "unset"
    if (std::string_view(field) == "id") {
      registration.id = static_cast<int32_t>(value);
    } else {
      registration.version = static_cast<int32_t>(value);
    }
  }
  return registration;
}

// ---------------------------------------------------------------------------- responses

// Invalid UTF-8 (a subject sent as %FF) is replaced rather than thrown on.
std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Ok(http::Response& response, const json& body) {
  response.status = 200;
  response.body = Dump(body);
}

void AddDefinition(json& out, const SchemaDefinition& definition) {
  if (definition.type != SchemaType::kAvro) out["schemaType"] = SchemaTypeName(definition.type);
  if (!definition.references.empty()) {
    json refs = json::array();
    for (const SchemaReference& ref : definition.references) {
      refs.push_back({{"name", ref.name}, {"subject", ref.subject}, {"version", ref.version}});
    }
    out["references"] = std::move(refs);
  }
  out["schema"] = definition.text;
}

json VersionBody(const RegisteredSchema& registered) {
  json out;
  out["subject"] = registered.subject;
  out["version"] = registered.version;
  out["id"] = registered.id;
  AddDefinition(out, registered.schema->definition);
  return out;
}

// …/schema answers the schema itself: JSON for Avro and JSON Schema, text for Protobuf.
void RawSchema(http::Response& response, const SchemaDefinition& definition) {
  response.status = 200;
  response.body = definition.text;
  if (definition.type == SchemaType::kProtobuf) response.content_type = "text/plain";
}

void MethodNotAllowed(http::Response& response) {
  WriteError(MakeError(ErrorCode::kMethodNotAllowed, "HTTP 405 Method Not Allowed"), response);
}

}  // namespace

void WriteError(const absl::Status& status, http::Response& response) {
  ErrorCode code = ErrorCodeOf(status);
  json body;
  body["error_code"] = static_cast<int32_t>(code);
  body["message"] = std::string(MessageOf(status));
  response.status = HttpStatusOf(code);
  response.content_type = "application/vnd.schemaregistry.v1+json";
  response.body = Dump(body);
}

std::string_view EndpointName(Endpoint endpoint) {
  static constexpr std::string_view kNames[kEndpointCount] = {
      "root",
      "subjects",
      "subject",
      "subject_versions",
      "subject_version",
      "subject_version_schema",
      "referencedby",
      "schemas",
      "schema_by_id",
      "schema_by_id_schema",
      "schema_by_id_subjects",
      "schema_by_id_versions",
      "schema_types",
      "config",
      "subject_config",
      "mode",
      "subject_mode",
      "compatibility_version",
      "compatibility_versions",
      "unknown",
  };
  return kNames[static_cast<int>(endpoint)];
}

// A matched path: the endpoint and its path parameters.
struct Router::Route {
  Endpoint endpoint = Endpoint::kUnknown;
  std::string subject;
  std::string version;
  int32_t id = 0;
};

Router::Router(Registry& registry, Leadership& leadership, Forwarder& forwarder,
               RestMetrics* metrics)
    : registry_(registry), leadership_(leadership), forwarder_(forwarder), metrics_(metrics) {}

void Router::Handle(const http::Request& request, http::Response& response) {
  auto start = std::chrono::steady_clock::now();
  Route route;
  try {
    std::vector<std::string> segments = PathSegments(request.target);
    // Match by shape; ids must be numbers.
    const size_t n = segments.size();
    auto is = [&](size_t i, std::string_view word) { return i < n && segments[i] == word; };
    if (n == 0) {
      route.endpoint = Endpoint::kRoot;
    } else if (is(0, "subjects")) {
      if (n >= 2) route.subject = segments[1];
      if (n >= 4) route.version = segments[3];
      if (n == 1) route.endpoint = Endpoint::kSubjects;
      if (n == 2) route.endpoint = Endpoint::kSubject;
      if (n == 3 && is(2, "versions")) route.endpoint = Endpoint::kSubjectVersions;
      if (n == 4 && is(2, "versions")) route.endpoint = Endpoint::kSubjectVersion;
      if (n == 5 && is(2, "versions") && is(4, "schema")) {
        route.endpoint = Endpoint::kSubjectVersionSchema;
      }
      if (n == 5 && is(2, "versions") && is(4, "referencedby")) {
        route.endpoint = Endpoint::kReferencedBy;
      }
    } else if (is(0, "schemas")) {
      if (n == 1) route.endpoint = Endpoint::kSchemas;
      if (n == 2 && is(1, "types")) route.endpoint = Endpoint::kSchemaTypes;
      if (n >= 3 && n <= 4 && is(1, "ids")) {
        if (!absl::SimpleAtoi(segments[2], &route.id)) {
          route.endpoint = Endpoint::kUnknown;
        } else if (n == 3) {
          route.endpoint = Endpoint::kSchemaById;
        } else if (is(3, "schema")) {
          route.endpoint = Endpoint::kSchemaByIdSchema;
        } else if (is(3, "subjects")) {
          route.endpoint = Endpoint::kSchemaByIdSubjects;
        } else if (is(3, "versions")) {
          route.endpoint = Endpoint::kSchemaByIdVersions;
        }
      }
    } else if (is(0, "config") && n <= 2) {
      route.endpoint = n == 1 ? Endpoint::kConfig : Endpoint::kSubjectConfig;
      if (n == 2) route.subject = segments[1];
    } else if (is(0, "mode") && n <= 2) {
      route.endpoint = n == 1 ? Endpoint::kMode : Endpoint::kSubjectMode;
      if (n == 2) route.subject = segments[1];
    } else if (is(0, "compatibility") && is(1, "subjects") && is(3, "versions")) {
      route.subject = segments[2];
      if (n == 4) route.endpoint = Endpoint::kCompatibilityVersions;
      if (n == 5) {
        route.endpoint = Endpoint::kCompatibilityVersion;
        route.version = segments[4];
      }
    }
    if (route.endpoint == Endpoint::kUnknown) {
      WriteError(UnknownPath(), response);
    } else {
      Dispatch(request, route, response);
    }
  } catch (const std::exception& e) {
    WriteError(StoreError(e.what()), response);
  }
  if (metrics_ != nullptr) {
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    metrics_->Observe(static_cast<int>(route.endpoint), response.status, elapsed.count());
  }
}

template <typename Fn>
void Router::Write(const http::Request& request, http::Response& response, Fn local) {
  if (leadership_.IsLeader()) {
    local();
    return;
  }
  std::optional<std::string> leader = leadership_.LeaderUrl();
  if (!leader) {
    WriteError(UnknownLeader(), response);
    return;
  }
  absl::StatusOr<http::Response> forwarded = forwarder_.Forward(*leader, request);
  if (!forwarded.ok()) {
    WriteError(ForwardingFailed(MessageOf(forwarded.status())), response);
    return;
  }
  response = *std::move(forwarded);
}

void Router::Dispatch(const http::Request& request, const Route& route, http::Response& response) {
  const std::string_view method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  auto fail = [&](const absl::Status& status) { WriteError(status, response); };

  switch (route.endpoint) {
    case Endpoint::kRoot:
      if (!get) return MethodNotAllowed(response);
      return Ok(response, json::object());

    case Endpoint::kSubjects: {
      if (!get) return MethodNotAllowed(response);
      SubjectFilter filter{.prefix = StringParam(request, "subjectPrefix"),
                           .include_deleted = BoolParam(request, "deleted"),
                           .deleted_only = BoolParam(request, "deletedOnly")};
      return Ok(response, registry_.ListSubjects(filter));
    }

    case Endpoint::kSubject: {
      if (method == "POST") {  // lookup: is this schema registered under the subject?
        absl::StatusOr<json> body = JsonBody(request);
        if (!body.ok()) return fail(body.status());
        absl::StatusOr<Registration> registration =
            ParseRegistration(*body, BoolParam(request, "normalize"));
        if (!registration.ok()) return fail(registration.status());
        absl::StatusOr<RegisteredSchema> found =
            registry_.Lookup(route.subject, *registration, BoolParam(request, "deleted"));
        if (!found.ok()) return fail(found.status());
        return Ok(response, VersionBody(*found));
      }
      if (method == "DELETE") {
        return Write(request, response, [&] {
          absl::StatusOr<std::vector<int32_t>> deleted =
              registry_.DeleteSubject(route.subject, BoolParam(request, "permanent"));
          if (!deleted.ok()) return fail(deleted.status());
          Ok(response, *deleted);
        });
      }
      return MethodNotAllowed(response);
    }

    case Endpoint::kSubjectVersions: {
      if (get) {
        absl::StatusOr<std::vector<int32_t>> versions = registry_.ListVersions(
            route.subject, BoolParam(request, "deleted"), BoolParam(request, "deletedOnly"));
        if (!versions.ok()) return fail(versions.status());
        return Ok(response, *versions);
      }
      if (method != "POST") return MethodNotAllowed(response);
      absl::StatusOr<json> body = JsonBody(request);
      if (!body.ok()) return fail(body.status());
      absl::StatusOr<Registration> registration =
          ParseRegistration(*body, BoolParam(request, "normalize"));
      if (!registration.ok()) return fail(registration.status());
      // Already registered: any instance answers, the leader is not needed.
      absl::StatusOr<std::optional<int32_t>> known =
          registry_.RegisteredId(route.subject, *registration);
      if (!known.ok()) return fail(known.status());
      if (*known) return Ok(response, json{{"id", **known}});
      return Write(request, response, [&] {
        absl::StatusOr<int32_t> id = registry_.Register(route.subject, *registration);
        if (!id.ok()) return fail(id.status());
        Ok(response, json{{"id", *id}});
      });
    }

    case Endpoint::kSubjectVersion: {
      if (get) {
        absl::StatusOr<RegisteredSchema> found =
            registry_.GetVersion(route.subject, route.version, BoolParam(request, "deleted"));
        if (!found.ok()) return fail(found.status());
        return Ok(response, VersionBody(*found));
      }
      if (method != "DELETE") return MethodNotAllowed(response);
      return Write(request, response, [&] {
        absl::StatusOr<int32_t> version =
            registry_.DeleteVersion(route.subject, route.version, BoolParam(request, "permanent"));
        if (!version.ok()) return fail(version.status());
        Ok(response, *version);
      });
    }

    case Endpoint::kSubjectVersionSchema: {
      if (!get) return MethodNotAllowed(response);
      absl::StatusOr<RegisteredSchema> found =
          registry_.GetVersion(route.subject, route.version, BoolParam(request, "deleted"));
      if (!found.ok()) return fail(found.status());
      return RawSchema(response, found->schema->definition);
    }

    case Endpoint::kReferencedBy: {
      if (!get) return MethodNotAllowed(response);
      absl::StatusOr<std::vector<int32_t>> ids =
          registry_.ReferencedBy(route.subject, route.version);
      if (!ids.ok()) return fail(ids.status());
      return Ok(response, *ids);
    }

    case Endpoint::kSchemas: {
      if (!get) return MethodNotAllowed(response);
      std::vector<RegisteredSchema> all =
          registry_.ListSchemas(StringParam(request, "subjectPrefix"),
                                BoolParam(request, "deleted"), BoolParam(request, "latestOnly"));
      int64_t offset = std::max<int64_t>(0, IntParam(request, "offset", 0));
      int64_t limit = IntParam(request, "limit", -1);
      json out = json::array();
      for (size_t i = static_cast<size_t>(offset); i < all.size(); ++i) {
        if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
        out.push_back(VersionBody(all[i]));
      }
      return Ok(response, out);
    }

    case Endpoint::kSchemaById: {
      if (!get) return MethodNotAllowed(response);
      absl::StatusOr<std::shared_ptr<const StoredSchema>> schema = registry_.GetSchema(route.id);
      if (!schema.ok()) return fail(schema.status());
      json out;
      AddDefinition(out, (*schema)->definition);
      if (BoolParam(request, "fetchMaxId")) out["maxId"] = registry_.max_id();
      return Ok(response, out);
    }

    case Endpoint::kSchemaByIdSchema: {
      if (!get) return MethodNotAllowed(response);
      absl::StatusOr<std::shared_ptr<const StoredSchema>> schema = registry_.GetSchema(route.id);
      if (!schema.ok()) return fail(schema.status());
      return RawSchema(response, (*schema)->definition);
    }

    case Endpoint::kSchemaByIdSubjects: {
      if (!get) return MethodNotAllowed(response);
      absl::StatusOr<std::vector<std::string>> subjects =
          registry_.SubjectsOf(route.id, BoolParam(request, "deleted"));
      if (!subjects.ok()) return fail(subjects.status());
      return Ok(response, *subjects);
    }

    case Endpoint::kSchemaByIdVersions: {
      if (!get) return MethodNotAllowed(response);
      absl::StatusOr<std::vector<SubjectVersion>> versions =
          registry_.VersionsOf(route.id, BoolParam(request, "deleted"));
      if (!versions.ok()) return fail(versions.status());
      json out = json::array();
      for (const SubjectVersion& v : *versions) {
        out.push_back({{"subject", v.subject}, {"version", v.version}});
      }
      return Ok(response, out);
    }

    case Endpoint::kSchemaTypes:
      if (!get) return MethodNotAllowed(response);
      return Ok(response, json::array({"JSON", "PROTOBUF", "AVRO"}));

    case Endpoint::kConfig:
    case Endpoint::kSubjectConfig: {
      std::optional<std::string> subject;
      if (route.endpoint == Endpoint::kSubjectConfig) subject = route.subject;
      if (get) {
        absl::StatusOr<CompatibilityLevel> level =
            subject
                ? registry_.SubjectCompatibility(*subject, BoolParam(request, "defaultToGlobal"))
                : registry_.GlobalCompatibility();
        if (!level.ok()) return fail(level.status());
        return Ok(response, json{{"compatibilityLevel", CompatibilityLevelName(*level)}});
      }
      if (method == "PUT") {
        absl::StatusOr<json> body = JsonBody(request);
        if (!body.ok()) return fail(body.status());
        auto level = body->find("compatibility");
        if (level == body->end() || !level->is_string()) {
          // The type, not the value: echoing a hostile nested value back costs a stack frame
          // per level.
          return fail(InvalidCompatibilityLevel(
              level == body->end()
                  ? ""
                  : (level->is_structured() ? level->type_name() : level->dump())));
        }
        std::string name = level->get<std::string>();
        if (!ParseCompatibilityLevel(name)) return fail(InvalidCompatibilityLevel(name));
        return Write(request, response, [&] {
          absl::StatusOr<CompatibilityLevel> set = registry_.SetCompatibility(subject, name);
          if (!set.ok()) return fail(set.status());
          Ok(response, json{{"compatibility", CompatibilityLevelName(*set)}});
        });
      }
      if (method == "DELETE") {
        return Write(request, response, [&] {
          absl::StatusOr<CompatibilityLevel> previous = registry_.DeleteCompatibility(subject);
          if (!previous.ok()) return fail(previous.status());
          Ok(response, json{{"compatibilityLevel", CompatibilityLevelName(*previous)}});
        });
      }
      return MethodNotAllowed(response);
    }

    case Endpoint::kMode:
    case Endpoint::kSubjectMode: {
      std::optional<std::string> subject;
      if (route.endpoint == Endpoint::kSubjectMode) subject = route.subject;
      if (get) {
        absl::StatusOr<Mode> mode =
            subject ? registry_.SubjectMode(*subject, BoolParam(request, "defaultToGlobal"))
                    : registry_.GlobalMode();
        if (!mode.ok()) return fail(mode.status());
        return Ok(response, json{{"mode", ModeName(*mode)}});
      }
      if (method == "PUT") {
        absl::StatusOr<json> body = JsonBody(request);
        if (!body.ok()) return fail(body.status());
        auto mode = body->find("mode");
        if (mode == body->end() || !mode->is_string()) {
          return fail(InvalidMode(
              mode == body->end() ? ""
                                  : (mode->is_structured() ? mode->type_name() : mode->dump())));
        }
        std::string name = mode->get<std::string>();
        if (!ParseMode(name)) return fail(InvalidMode(name));
        return Write(request, response, [&] {
          absl::StatusOr<Mode> set = registry_.SetMode(subject, name, BoolParam(request, "force"));
          if (!set.ok()) return fail(set.status());
          Ok(response, json{{"mode", ModeName(*set)}});
        });
      }
      if (method == "DELETE" && subject) {
        return Write(request, response, [&] {
          absl::StatusOr<Mode> previous = registry_.DeleteMode(subject);
          if (!previous.ok()) return fail(previous.status());
          Ok(response, json{{"mode", ModeName(*previous)}});
        });
      }
      return MethodNotAllowed(response);
    }

    case Endpoint::kCompatibilityVersion:
    case Endpoint::kCompatibilityVersions: {
      if (method != "POST") return MethodNotAllowed(response);
      absl::StatusOr<json> body = JsonBody(request);
      if (!body.ok()) return fail(body.status());
      absl::StatusOr<Registration> registration =
          ParseRegistration(*body, BoolParam(request, "normalize"));
      if (!registration.ok()) return fail(registration.status());
      std::optional<std::string> version;
      if (route.endpoint == Endpoint::kCompatibilityVersion) version = route.version;
      absl::StatusOr<std::vector<std::string>> problems =
          registry_.TestCompatibility(route.subject, version, *registration);
      if (!problems.ok()) return fail(problems.status());
      json out{{"is_compatible", problems->empty()}};
      if (BoolParam(request, "verbose")) out["messages"] = *problems;
      return Ok(response, out);
    }

    case Endpoint::kUnknown:
      break;
  }
  WriteError(UnknownPath(), response);
}

}  // namespace cdcflow::schema_registry::rest
