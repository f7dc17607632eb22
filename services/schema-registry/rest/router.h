#pragma once

// Router: Confluent Schema Registry's REST API (7.x paths, parameters, bodies and error codes)
// over Registry. Reads are answered here; writes are answered here on the leader and
// forwarded to the leader elsewhere. Holds no state of its own.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/schema-registry/http/server.h"
#include "services/schema-registry/registry/registry.h"
#include "services/schema-registry/rest/rest_metrics.h"

namespace cdcflow::schema_registry::rest {

// Who may write, as far as this instance knows (kafka/leader_election.h).
class Leadership {
 public:
  virtual ~Leadership() = default;
  virtual bool IsLeader() const = 0;
  // The leader's REST URL, e.g. "http://10.0.0.5:8081"; nullopt while none is known.
  virtual std::optional<std::string> LeaderUrl() const = 0;
};

// Sends a request to the leader as it came (method, target, body, auth) and returns the
// leader's answer (rest/forwarder.h). kUnavailable when the leader cannot be reached.
class Forwarder {
 public:
  virtual ~Forwarder() = default;
  virtual absl::StatusOr<http::Response> Forward(const std::string& leader_url,
                                                 const http::Request& request) = 0;
};

// The routes, for metric labels.
enum class Endpoint {
  kRoot,
  kSubjects,
  kSubject,          // POST lookup, DELETE
  kSubjectVersions,  // GET list, POST register
  kSubjectVersion,   // GET, DELETE
  kSubjectVersionSchema,
  kReferencedBy,
  kSchemas,
  kSchemaById,
  kSchemaByIdSchema,
  kSchemaByIdSubjects,
  kSchemaByIdVersions,
  kSchemaTypes,
  kConfig,
  kSubjectConfig,
  kMode,
  kSubjectMode,
  kCompatibilityVersion,
  kCompatibilityVersions,
  kUnknown,
};
std::string_view EndpointName(Endpoint endpoint);
constexpr int kEndpointCount = static_cast<int>(Endpoint::kUnknown) + 1;

class Router {
 public:
  Router(Registry& registry, Leadership& leadership, Forwarder& forwarder,
         RestMetrics* metrics = nullptr);

  // Thread-safe; never throws.
  void Handle(const http::Request& request, http::Response& response);

 private:
  struct Route;
  void Dispatch(const http::Request& request, const Route& route, http::Response& response);
  // Writes: on a follower, forwards; on the leader, runs `local`.
  template <typename Fn>
  void Write(const http::Request& request, http::Response& response, Fn local);

  Registry& registry_;
  Leadership& leadership_;
  Forwarder& forwarder_;
  RestMetrics* metrics_;
};

// Confluent's error body for a status: {"error_code":40401,"message":"…"}.
void WriteError(const absl::Status& status, http::Response& response);

}  // namespace cdcflow::schema_registry::rest
