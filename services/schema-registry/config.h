#pragma once

// schema-registry's configuration. Section `registry` keeps the key names of Confluent
// Schema Registry's properties (listeners, host.name, kafkastore.*, schema.registry.group.id,
// leader.eligibility, schema.compatibility.level), so its configuration translates key for
// key; `logging`, `metrics`, `admin` are the common sections.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "libs/config/config.h"
#include "libs/grpc/admin_server.h"
#include "libs/logging/logging.h"
#include "libs/metrics/metrics_server.h"
#include "services/schema-registry/http/server.h"
#include "services/schema-registry/kafka/kafka_store.h"
#include "services/schema-registry/registry/registry.h"
#include "services/schema-registry/rest/forwarder.h"

namespace cdcflow::schema_registry {

struct RegistryConfig {
  // Where the REST API listens: http://host:port or https://host:port.
  std::string listeners = "http://127.0.0.1:8081";
  // The host other instances reach this one at (forwarded writes); default: the listener's
  // host, or 127.0.0.1 when it listens on every address.
  std::string host_name;
  std::string kafkastore_bootstrap_servers = "127.0.0.1:9092";
  std::string kafkastore_topic = "_schemas";
  int kafkastore_topic_replication_factor = -1;
  int64_t kafkastore_timeout_ms = 10000;
  int64_t kafkastore_init_timeout_ms = 60000;
  std::map<std::string, std::string> kafkastore_properties;  // any librdkafka property
  std::string group_id = "schema-registry";                  // schema.registry.group.id
  bool leader_eligibility = true;
  std::string compatibility_level = "backward";  // schema.compatibility.level
  std::string mode = "READWRITE";                // the global mode while none was set
  // TLS for the REST port (PEM files); both or neither.
  std::string ssl_certificate_location;
  std::string ssl_key_location;
  std::string ssl_ca_location;  // to verify a TLS leader when forwarding
  // NONE or BASIC; BASIC checks `authentication.users` (user → password).
  std::string authentication_method = "NONE";
  std::map<std::string, std::string> authentication_users;
  // One event loop serves ~85k GET/s on this 2-core machine with the load generator beside it;
  // more only pays with more cores.
  int http_io_threads = 1;
  int http_blocking_threads = 4;
  int64_t http_max_body_bytes = 16 * 1024 * 1024;
};

struct Config {
  RegistryConfig registry;
  logging::LoggingOptions logging;
  metrics::MetricsOptions metrics{.address = "127.0.0.1", .port = 9102};
  rpc::AdminServerOptions admin{.address = "127.0.0.1", .port = 50052};
};

void BindConfig(config::ConfigSpec& spec, Config* config);

// Cross-field checks, naming the key: listeners is a valid URL, TLS files go together.
absl::Status Validate(const Config& config);

// What the parts are built with, derived from a valid Config.
http::ServerOptions HttpOptions(const Config& config);
KafkaStoreOptions StoreOptions(const Config& config);
RegistryOptions RegistryOptionsOf(const Config& config);
rest::ForwarderOptions ForwarderOptionsOf(const Config& config);
// scheme://host.name:port — how the other instances reach this one.
std::string AdvertisedUrl(const Config& config, int bound_port);

}  // namespace cdcflow::schema_registry
