#pragma once

// Test harness for schema-registry's integration tests against deploy/local's real Kafka: the
// real schema-registry binary started on a generated config (a `_schemas` topic and a group of
// the test's own, every port free), an HTTP(S) client over libcurl that returns the status and
// the body, and a raw producer for records written as Confluent's registry writes them.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/child_process.h"

namespace cdcflow::schema_registry::it {

using Json = nlohmann::ordered_json;

// The generated YAML config of one instance. Every port must be set (UnusedLoopbackPort()).
struct InstanceConfig {
  std::string topic;     // registry.kafkastore.topic
  std::string group_id;  // registry.schema.registry.group.id
  int port = 0;          // REST
  int metrics_port = 0;
  int admin_port = 0;
  bool https = false;  // listeners https://…; needs cert_file and key_file
  std::string cert_file;
  std::string key_file;
  std::map<std::string, std::string> users;  // non-empty: authentication.method BASIC
  std::string compatibility_level;           // "" = the service's default
  // More `registry` keys, written as they are (YAML scalars, single-quoted).
  std::map<std::string, std::string> registry;
  std::string log_level = "info";

  std::string Yaml() const;
  // http(s)://127.0.0.1:<port>
  std::string BaseUrl() const;
};

// A config on a new topic and group with every port free.
InstanceConfig NewInstanceConfig(const std::string& topic, const std::string& group_id);

// The schema-registry binary (SCHEMA_REGISTRY_BINARY, or $SCHEMA_REGISTRY_BINARY) on a config.
// The destructor stops it (SIGTERM, SIGKILL after 30 s); SR_IT_KEEP_LOGS=1 keeps its files.
class RegistryProcess : public testutil::ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<RegistryProcess>> Start(const std::string& name,
                                                                const std::string& yaml);
  // Polls its log for the startup line ("schema-registry … started: REST on …").
  bool WaitStarted(absl::Duration timeout = absl::Seconds(30)) const;

 private:
  RegistryProcess() = default;
};

// ---- HTTP ----

struct HttpOptions {
  std::optional<std::string> body;  // nullopt: no body
  std::string content_type = "application/vnd.schemaregistry.v1+json";
  std::string user;  // basic auth when not empty
  std::string password;
  bool verify_tls = false;
  absl::Duration timeout = absl::Seconds(30);
};

struct HttpResult {
  long status = 0;  // 0: no answer (see error)
  std::string body;
  std::string error;  // curl's message when status is 0
  // The body parsed (discarded value when it is not JSON).
  Json json() const;
};
std::ostream& operator<<(std::ostream& os, const HttpResult& r);

// One request to `url`; never throws.
HttpResult Http(const std::string& method, const std::string& url, HttpOptions options = {});
inline HttpResult Get(const std::string& url) { return Http("GET", url); }
inline HttpResult Post(const std::string& url, const std::string& body) {
  return Http("POST", url, {.body = body});
}
inline HttpResult Put(const std::string& url, const std::string& body) {
  return Http("PUT", url, {.body = body});
}
inline HttpResult Delete(const std::string& url) { return Http("DELETE", url); }

// The body of a registration: {"schema": <schema>} plus "schemaType" unless Avro.
std::string RegistrationBody(const std::string& schema, const std::string& type = "AVRO");

// An Avro record schema named `name` with one string field per entry of `fields`.
std::string AvroRecord(const std::string& name, const std::vector<std::string>& fields);

// ---- Kafka ----

// Creates a compacted 1-partition topic (as Confluent's registry needs its `_schemas`).
absl::Status CreateCompactedTopic(const std::string& topic);

// Produces each (key, value) in order (nullopt value = null) and waits for every ack.
absl::Status ProduceRaw(
    const std::string& topic,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records);

// Runs `command` through /bin/sh; its exit code (-1 when it could not run), output in `out`.
int RunShell(const std::string& command, std::string* out = nullptr);

}  // namespace cdcflow::schema_registry::it
