#include "services/schema-registry/config.h"

#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry {
namespace {

struct Listener {
  bool tls = false;
  std::string host;
  int port = 0;
};

absl::StatusOr<Listener> ParseListener(const std::string& url) {
  static const std::regex kUrl(R"(^(http|https)://(\[[0-9a-fA-F:]+\]|[^:/\[\]]+):([0-9]{1,5})/?$)");
  std::smatch match;
  int port = 0;
  if (!std::regex_match(url, match, kUrl) || !absl::SimpleAtoi(match[3].str(), &port) ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "registry.listeners: expected http://host:port or https://host:port, got \"", url, "\""));
  }
  std::string host = match[2].str();
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return Listener{match[1].str() == "https", host, port};
}

}  // namespace

void BindConfig(config::ConfigSpec& spec, Config* c) {
  RegistryConfig& r = c->registry;
  spec.Bind("registry", "listeners", &r.listeners);
  spec.Bind("registry", "host.name", &r.host_name);
  spec.Bind("registry", "kafkastore.bootstrap.servers", &r.kafkastore_bootstrap_servers);
  spec.Bind("registry", "kafkastore.topic", &r.kafkastore_topic);
  spec.Bind("registry", "kafkastore.topic.replication.factor",
            &r.kafkastore_topic_replication_factor, {.min = -1, .max = 32});
  spec.Bind("registry", "kafkastore.timeout.ms", &r.kafkastore_timeout_ms,
            {.min = 100, .max = 600000});
  spec.Bind("registry", "kafkastore.init.timeout.ms", &r.kafkastore_init_timeout_ms, {.min = 1000});
  spec.Bind("registry", "kafkastore.properties", &r.kafkastore_properties);
  spec.Bind("registry", "schema.registry.group.id", &r.group_id);
  spec.Bind("registry", "leader.eligibility", &r.leader_eligibility);
  spec.Bind("registry", "schema.compatibility.level", &r.compatibility_level);
  spec.Bind("registry", "mode", &r.mode);
  spec.Bind("registry", "ssl.certificate.location", &r.ssl_certificate_location);
  spec.Bind("registry", "ssl.key.location", &r.ssl_key_location);
  spec.Bind("registry", "ssl.ca.location", &r.ssl_ca_location);
  spec.Bind("registry", "authentication.method", &r.authentication_method,
            {.one_of = {"NONE", "BASIC"}});
  spec.Bind("registry", "authentication.users", &r.authentication_users, {.secret = true});
  spec.Bind("registry", "http.io.threads", &r.http_io_threads, {.min = 1, .max = 64});
  spec.Bind("registry", "http.blocking.threads", &r.http_blocking_threads, {.min = 1, .max = 256});
  spec.Bind("registry", "http.max.body.bytes", &r.http_max_body_bytes,
            {.min = 1024, .max = 1024 * 1024 * 1024});

  logging::BindLoggingOptions(spec, &c->logging);
  metrics::BindMetricsOptions(spec, &c->metrics);
  rpc::BindAdminServerOptions(spec, &c->admin);
}

absl::Status Validate(const Config& c) {
  const RegistryConfig& r = c.registry;
  absl::StatusOr<Listener> listener = ParseListener(r.listeners);
  if (!listener.ok()) return listener.status();
  if (r.kafkastore_bootstrap_servers.empty()) {
    return absl::InvalidArgumentError("registry.kafkastore.bootstrap.servers: must be set");
  }
  if (r.kafkastore_topic.empty()) {
    return absl::InvalidArgumentError("registry.kafkastore.topic: must not be empty");
  }
  if (r.group_id.empty()) {
    return absl::InvalidArgumentError("registry.schema.registry.group.id: must not be empty");
  }
  if (!ParseCompatibilityLevel(r.compatibility_level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "registry.schema.compatibility.level: one of none, backward, backward_transitive, "
        "forward, forward_transitive, full, full_transitive; got \"",
        r.compatibility_level, "\""));
  }
  if (!ParseMode(r.mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry.mode: one of READWRITE, READONLY, IMPORT; got \"", r.mode, "\""));
  }
  if (r.ssl_certificate_location.empty() != r.ssl_key_location.empty()) {
    return absl::InvalidArgumentError(
        "registry.ssl.key.location: ssl.certificate.location and ssl.key.location go together");
  }
  if (listener->tls && r.ssl_certificate_location.empty()) {
    return absl::InvalidArgumentError(
        "registry.ssl.certificate.location: an https listener needs a certificate and a key");
  }
  if (!listener->tls && !r.ssl_certificate_location.empty()) {
    return absl::InvalidArgumentError(
        "registry.listeners: TLS files are set but the listener is http://");
  }
  if (r.authentication_method == "BASIC" && r.authentication_users.empty()) {
    return absl::InvalidArgumentError(
        "registry.authentication.users: BASIC authentication needs at least one user");
  }
  return absl::OkStatus();
}

http::ServerOptions HttpOptions(const Config& c) {
  const RegistryConfig& r = c.registry;
  Listener listener = *ParseListener(r.listeners);
  http::ServerOptions options;
  options.host = listener.host;
  options.port = listener.port;
  options.io_threads = r.http_io_threads;
  options.blocking_threads = r.http_blocking_threads;
  options.max_body_bytes = static_cast<size_t>(r.http_max_body_bytes);
  options.tls_cert_file = r.ssl_certificate_location;
  options.tls_key_file = r.ssl_key_location;
  if (r.authentication_method == "BASIC") {
    for (const auto& [user, password] : r.authentication_users) {
      options.basic_auth_users.emplace_back(user, password);
    }
  }
  return options;
}

std::string AdvertisedUrl(const Config& c, int bound_port) {
  Listener listener = *ParseListener(c.registry.listeners);
  std::string host = c.registry.host_name;
  if (host.empty()) {
    host = (listener.host == "0.0.0.0" || listener.host == "::") ? "127.0.0.1" : listener.host;
  }
  if (host.find(':') != std::string::npos) host = absl::StrCat("[", host, "]");
  return absl::StrCat(listener.tls ? "https" : "http", "://", host, ":", bound_port);
}

KafkaStoreOptions StoreOptions(const Config& c) {
  const RegistryConfig& r = c.registry;
  KafkaStoreOptions options;
  options.bootstrap_servers = r.kafkastore_bootstrap_servers;
  options.properties =
      kafka::Properties(r.kafkastore_properties.begin(), r.kafkastore_properties.end());
  options.topic = r.kafkastore_topic;
  options.replication_factor = r.kafkastore_topic_replication_factor;
  options.group_id = r.group_id;
  options.leader_eligibility = r.leader_eligibility;
  options.timeout = absl::Milliseconds(r.kafkastore_timeout_ms);
  options.init_timeout = absl::Milliseconds(r.kafkastore_init_timeout_ms);
  return options;
}

RegistryOptions RegistryOptionsOf(const Config& c) {
  return {.default_compatibility = *ParseCompatibilityLevel(c.registry.compatibility_level),
          .default_mode = *ParseMode(c.registry.mode)};
}

rest::ForwarderOptions ForwarderOptionsOf(const Config& c) {
  rest::ForwarderOptions options;
  options.timeout = absl::Milliseconds(c.registry.kafkastore_timeout_ms) + absl::Seconds(5);
  options.ca_file = c.registry.ssl_ca_location;
  if (c.registry.authentication_method == "BASIC" && !c.registry.authentication_users.empty()) {
    options.user = c.registry.authentication_users.begin()->first;
    options.password = c.registry.authentication_users.begin()->second;
  }
  return options;
}

}  // namespace cdcflow::schema_registry
