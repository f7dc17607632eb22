#pragma once

// Confluent Schema Registry's error set, in one place (as Redpanda's
// pandaproxy/schema_registry/errors.h keeps it). An error travels as an absl::Status whose
// canonical code suits gRPC and whose payload carries Confluent's error_code; REST answers
// with HTTP status error_code / 100 (error_code itself when it has three digits) and the body
// {"error_code": …, "message": …}.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace cdcflow::schema_registry {

// Confluent's error codes (io.confluent.kafka.schemaregistry.rest.exceptions.Errors).
enum class ErrorCode : int32_t {
  kBadRequest = 400,  // unparsable JSON body
  kUnauthorized = 401,
  kNotFound = 404,  // unknown path
  kMethodNotAllowed = 405,
  kNotAcceptable = 406,
  kIncompatibleSchema = 409,
  kPayloadTooLarge = 413,
  kUnsupportedMediaType = 415,
  kUnprocessableEntity = 422,  // malformed JSON body
  kSubjectNotFound = 40401,
  kVersionNotFound = 40402,
  kSchemaNotFound = 40403,
  kSubjectSoftDeleted = 40404,
  kSubjectNotSoftDeleted = 40405,
  kSchemaVersionSoftDeleted = 40406,
  kSchemaVersionNotSoftDeleted = 40407,
  kSubjectLevelCompatibilityNotConfigured = 40408,
  kSubjectLevelModeNotConfigured = 40409,
  kInvalidSchema = 42201,
  kInvalidVersion = 42202,
  kInvalidCompatibilityLevel = 42203,
  kInvalidMode = 42204,
  kOperationNotPermitted = 42205,
  kReferenceExists = 42206,
  kInvalidSubject = 42208,
  kStoreError = 50001,
  kOperationTimeout = 50002,
  kRequestForwardingFailed = 50003,
  kUnknownLeader = 50004,
};

// The Confluent error code a status carries; for a status made elsewhere, one derived from its
// canonical code (kInternal → 50001 and so on).
ErrorCode ErrorCodeOf(const absl::Status& status);
// The HTTP status of an error code: 40401 → 404, 409 → 409.
int HttpStatusOf(ErrorCode code);
// A status with `code` as payload.
absl::Status MakeError(ErrorCode code, std::string_view message);

// Factories with Confluent's messages.
absl::Status SubjectNotFound(std::string_view subject);
absl::Status VersionNotFound(int32_t version);
absl::Status SchemaNotFound();
absl::Status SchemaIdNotFound(int32_t id);
absl::Status SubjectSoftDeleted(std::string_view subject);
absl::Status SubjectNotSoftDeleted(std::string_view subject);
absl::Status VersionSoftDeleted(std::string_view subject, int32_t version);
absl::Status VersionNotSoftDeleted(std::string_view subject, int32_t version);
absl::Status SubjectCompatibilityNotConfigured(std::string_view subject);
absl::Status SubjectModeNotConfigured(std::string_view subject);
absl::Status InvalidSchema(std::string_view why);
absl::Status InvalidVersion(std::string_view version);
absl::Status InvalidCompatibilityLevel(std::string_view level);
absl::Status InvalidMode(std::string_view mode);
absl::Status OperationNotPermitted(std::string_view why);
absl::Status ReferenceExists(std::string_view why);
absl::Status IncompatibleSchema(std::string_view details);
absl::Status StoreError(std::string_view why);
absl::Status OperationTimeout(std::string_view why);
absl::Status ForwardingFailed(std::string_view why);
absl::Status UnknownLeader();
absl::Status MalformedBody(std::string_view why);
absl::Status UnknownPath();

// A status's message as std::string_view (Debian's abseil has its own string_view type).
inline std::string_view MessageOf(const absl::Status& status) {
  return std::string_view(status.message().data(), status.message().size());
}

}  // namespace cdcflow::schema_registry
