#include "services/schema-registry/errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry {
namespace {

constexpr char kPayloadUrl[] = "type.cdcflow.dev/confluent.error_code";

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The gRPC-facing canonical code of a Confluent error code.
absl::StatusCode CanonicalCodeOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthorized:
      return absl::StatusCode::kUnauthenticated;
    case ErrorCode::kNotFound:
    case ErrorCode::kSubjectNotFound:
    case ErrorCode::kVersionNotFound:
    case ErrorCode::kSchemaNotFound:
    case ErrorCode::kSubjectLevelCompatibilityNotConfigured:
    case ErrorCode::kSubjectLevelModeNotConfigured:
      return absl::StatusCode::kNotFound;
    case ErrorCode::kMethodNotAllowed:
    case ErrorCode::kNotAcceptable:
    case ErrorCode::kUnsupportedMediaType:
      return absl::StatusCode::kUnimplemented;
    case ErrorCode::kIncompatibleSchema:
    case ErrorCode::kSubjectSoftDeleted:
    case ErrorCode::kSubjectNotSoftDeleted:
    case ErrorCode::kSchemaVersionSoftDeleted:
    case ErrorCode::kSchemaVersionNotSoftDeleted:
    case ErrorCode::kOperationNotPermitted:
    case ErrorCode::kReferenceExists:
      return absl::StatusCode::kFailedPrecondition;
    case ErrorCode::kPayloadTooLarge:
      return absl::StatusCode::kResourceExhausted;
    case ErrorCode::kBadRequest:
    case ErrorCode::kUnprocessableEntity:
    case ErrorCode::kInvalidSchema:
    case ErrorCode::kInvalidVersion:
    case ErrorCode::kInvalidCompatibilityLevel:
    case ErrorCode::kInvalidMode:
    case ErrorCode::kInvalidSubject:
      return absl::StatusCode::kInvalidArgument;
    case ErrorCode::kStoreError:
      return absl::StatusCode::kInternal;
    case ErrorCode::kOperationTimeout:
      return absl::StatusCode::kDeadlineExceeded;
    case ErrorCode::kRequestForwardingFailed:
    case ErrorCode::kUnknownLeader:
      return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kUnknown;
}

}  // namespace

absl::Status MakeError(ErrorCode code, std::string_view message) {
  absl::Status status(CanonicalCodeOf(code), View(message));
  status.SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(static_cast<int32_t>(code))));
  return status;
}

ErrorCode ErrorCodeOf(const absl::Status& status) {
  if (absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl)) {
    int32_t code = 0;
    if (absl::SimpleAtoi(std::string(*payload), &code)) return static_cast<ErrorCode>(code);
  }
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return ErrorCode::kNotFound;
    case absl::StatusCode::kInvalidArgument:
      return ErrorCode::kUnprocessableEntity;
    case absl::StatusCode::kUnauthenticated:
      return ErrorCode::kUnauthorized;
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorCode::kOperationTimeout;
    case absl::StatusCode::kUnavailable:
      return ErrorCode::kUnknownLeader;
    default:
      return ErrorCode::kStoreError;
  }
}

int HttpStatusOf(ErrorCode code) {
  int32_t value = static_cast<int32_t>(code);
  return value >= 10000 ? value / 100 : value;
}

absl::Status SubjectNotFound(std::string_view subject) {
  return MakeError(ErrorCode::kSubjectNotFound,
                   absl::StrCat("Subject '", View(subject), "' not found."));
}
absl::Status VersionNotFound(int32_t version) {
  return MakeError(ErrorCode::kVersionNotFound, absl::StrCat("Version ", version, " not found."));
}
absl::Status SchemaNotFound() { return MakeError(ErrorCode::kSchemaNotFound, "Schema not found"); }
absl::Status SchemaIdNotFound(int32_t id) {
  return MakeError(ErrorCode::kSchemaNotFound, absl::StrCat("Schema ", id, " not found"));
}
absl::Status SubjectSoftDeleted(std::string_view subject) {
  return MakeError(ErrorCode::kSubjectSoftDeleted,
                   absl::StrCat("Subject '", View(subject),
                                "' was soft deleted.Set permanent=true to delete permanently"));
}
absl::Status SubjectNotSoftDeleted(std::string_view subject) {
  return MakeError(ErrorCode::kSubjectNotSoftDeleted,
                   absl::StrCat("Subject '", View(subject),
                                "' was not deleted first before being permanently deleted"));
}
absl::Status VersionSoftDeleted(std::string_view subject, int32_t version) {
  return MakeError(ErrorCode::kSchemaVersionSoftDeleted,
                   absl::StrCat("Subject '", View(subject), "' Version ", version,
                                " was soft deleted.Set permanent=true to delete permanently"));
}
absl::Status VersionNotSoftDeleted(std::string_view subject, int32_t version) {
  return MakeError(ErrorCode::kSchemaVersionNotSoftDeleted,
                   absl::StrCat("Subject '", View(subject), "' Version ", version,
                                " was not deleted first before being permanently deleted"));
}
absl::Status SubjectCompatibilityNotConfigured(std::string_view subject) {
  return MakeError(ErrorCode::kSubjectLevelCompatibilityNotConfigured,
                   absl::StrCat("Subject '", View(subject),
                                "' does not have subject-level compatibility configured"));
}
absl::Status SubjectModeNotConfigured(std::string_view subject) {
  return MakeError(
      ErrorCode::kSubjectLevelModeNotConfigured,
      absl::StrCat("Subject '", View(subject), "' does not have subject-level mode configured"));
}
absl::Status InvalidSchema(std::string_view why) {
  return MakeError(ErrorCode::kInvalidSchema, absl::StrCat("Invalid schema ", View(why)));
}
absl::Status InvalidVersion(std::string_view version) {
  return MakeError(ErrorCode::kInvalidVersion,
                   absl::StrCat("The specified version '", View(version),
                                "' is not a valid version id. Allowed values are between [1, "
                                "2^31-1] and the string \"latest\""));
}
absl::Status InvalidCompatibilityLevel(std::string_view level) {
  return MakeError(ErrorCode::kInvalidCompatibilityLevel,
                   absl::StrCat("Invalid compatibility level. Valid values are none, backward, "
                                "forward, full, backward_transitive, forward_transitive, and "
                                "full_transitive: ",
                                View(level)));
}
absl::Status InvalidMode(std::string_view mode) {
  return MakeError(
      ErrorCode::kInvalidMode,
      absl::StrCat("Invalid mode. Valid values are READWRITE, READONLY, IMPORT: ", View(mode)));
}
absl::Status OperationNotPermitted(std::string_view why) {
  return MakeError(ErrorCode::kOperationNotPermitted, why);
}
absl::Status ReferenceExists(std::string_view why) {
  return MakeError(ErrorCode::kReferenceExists, why);
}
absl::Status IncompatibleSchema(std::string_view details) {
  return MakeError(ErrorCode::kIncompatibleSchema, details);
}
absl::Status StoreError(std::string_view why) {
  return MakeError(ErrorCode::kStoreError,
                   absl::StrCat("Error in the backend data store: ", View(why)));
}
absl::Status OperationTimeout(std::string_view why) {
  return MakeError(ErrorCode::kOperationTimeout, why);
}
absl::Status ForwardingFailed(std::string_view why) {
  return MakeError(ErrorCode::kRequestForwardingFailed,
                   absl::StrCat("Error while forwarding the request to the leader: ", View(why)));
}
absl::Status UnknownLeader() { return MakeError(ErrorCode::kUnknownLeader, "Leader not known."); }
absl::Status MalformedBody(std::string_view why) {
  return MakeError(ErrorCode::kUnprocessableEntity,
                   absl::StrCat("Unrecognized field or malformed JSON: ", View(why)));
}
absl::Status UnknownPath() { return MakeError(ErrorCode::kNotFound, "HTTP 404 Not Found"); }

}  // namespace cdcflow::schema_registry
