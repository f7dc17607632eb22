// schema-registry: a Confluent-compatible schema registry stored in Kafka's `_schemas` topic.
// The composition root: builds the objects and connects them; the logic lives in registry/,
// schema/, store/; the I/O in kafka/, http/, rest/forwarder, rpc/.

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "libs/common/shutdown.h"
#include "libs/config/command_line.h"
#include "libs/grpc/admin_server.h"
#include "libs/logging/logging.h"
#include "libs/metrics/metrics_server.h"
#include "services/schema-registry/config.h"
#include "services/schema-registry/http/server.h"
#include "services/schema-registry/kafka/kafka_store.h"
#include "services/schema-registry/registry/registry.h"
#include "services/schema-registry/rest/forwarder.h"
#include "services/schema-registry/rest/rest_metrics.h"
#include "services/schema-registry/rest/router.h"
#include "services/schema-registry/rpc/grpc_service.h"
#include "services/schema-registry/store/store.h"

namespace {

using namespace cdcflow;
using namespace cdcflow::schema_registry;

class RegistryAdmin final : public rpc::AdminHandler {
 public:
  RegistryAdmin(KafkaStore& kafka_store, Store& store) : kafka_store_(kafka_store), store_(store) {}
  void FillStatus(v1::GetStatusResponse& status) override {
    status.set_state(v1::COMPONENT_STATE_RUNNING);
    v1::ComponentStatus* component = status.add_components();
    component->set_name("kafkastore");
    component->set_state(v1::COMPONENT_STATE_RUNNING);
    (*component->mutable_counters())["replay_lag"] = kafka_store_.replay_lag();
    (*component->mutable_counters())["next_offset"] = store_.next_offset();
    (*component->mutable_counters())["schemas"] = static_cast<int64_t>(store_.schema_count());
    (*component->mutable_counters())["subjects"] = static_cast<int64_t>(store_.subject_count());
    (*component->mutable_attributes())["leader"] = kafka_store_.IsLeader() ? "true" : "false";
    (*component->mutable_attributes())["leader_url"] = kafka_store_.LeaderUrl().value_or("");
  }
  // The registry has no input to pause: writes come from clients.
  absl::StatusOr<bool> Pause(const std::string&) override {
    return absl::UnimplementedError("the schema registry cannot be paused");
  }
  absl::StatusOr<bool> Resume() override {
    return absl::UnimplementedError("the schema registry cannot be paused");
  }

 private:
  KafkaStore& kafka_store_;
  Store& store_;
};

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "schema-registry: %s: %s\n", what, std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  common::Shutdown shutdown;
  shutdown.InstallSignalHandlers();

  Config config;
  config::ConfigSpec spec;
  BindConfig(spec, &config);
  config::LoadOrExit("schema-registry", argc, argv, spec);
  if (absl::Status s = Validate(config); !s.ok()) {
    std::fprintf(stderr, "schema-registry: config: %s\n", std::string(s.message()).c_str());
    return config::kConfigErrorExitCode;
  }

  auto log_or = logging::MakeLogger("schema-registry", config.logging);
  if (!log_or.ok()) return Fail("logging", log_or.status());
  std::shared_ptr<spdlog::logger> log = *log_or;
  for (const std::string& line : spec.Describe()) log->debug("config {}", line);

  auto registry = std::make_shared<prometheus::Registry>();
  auto metrics_server = metrics::MetricsServer::Start("schema-registry", config.metrics, registry);
  if (!metrics_server.ok()) return Fail("metrics", metrics_server.status());

  http::ServerOptions http_options = HttpOptions(config);
  KafkaStoreOptions store_options = StoreOptions(config);
  store_options.advertised_url = AdvertisedUrl(config, http_options.port);

  Store store;
  KafkaStore kafka_store(store_options, store, *registry, log,
                         logging::SyslogLevelSink(log, "kafka: "));
  Registry schema_registry(store, kafka_store, RegistryOptionsOf(config));
  rest::CurlForwarder forwarder(ForwarderOptionsOf(config));
  std::vector<std::string> endpoints;
  for (int e = 0; e < rest::kEndpointCount; ++e) {
    endpoints.emplace_back(rest::EndpointName(static_cast<rest::Endpoint>(e)));
  }
  rest::RestMetrics rest_metrics(*registry, endpoints);
  rest::Router router(schema_registry, kafka_store, forwarder, &rest_metrics);

  // Replay `_schemas` before answering anything: reads must not see a partial state.
  if (absl::Status s = kafka_store.Start(); !s.ok()) return Fail("kafkastore", s);

  RegistryAdmin admin_handler(kafka_store, store);
  rpc::AdminServer admin("schema-registry", admin_handler);
  grpc_api::SchemaRegistryService grpc_service(router);
  admin.AddService(&grpc_service);
  if (absl::Status s = admin.Start(config.admin); !s.ok()) return Fail("admin", s);

  auto server = http::Server::Start(
      http_options, [&router](const http::Request& request, http::Response& response) {
        router.Handle(request, response);
      });
  if (!server.ok()) return Fail("rest", server.status());
  log->info(
      "schema-registry {} started: REST on {} (advertised {}), topic {} at {}; metrics on "
      "{}:{}, admin gRPC on {}:{}",
      metrics::BuildVersion(), config.registry.listeners, store_options.advertised_url,
      store_options.topic, store_options.bootstrap_servers, config.metrics.address,
      (*metrics_server)->port(), config.admin.address, admin.port());

  shutdown.Wait();
  log->info("shutting down ({})", shutdown.Reason());
  // Last registered runs first: the REST port closes, then the store leaves the group (a
  // follower takes over at once instead of after the session timeout), then gRPC.
  shutdown.OnDrain("admin", [&](absl::Time deadline) {
    admin.Shutdown(deadline);
    return absl::OkStatus();
  });
  shutdown.OnDrain("kafkastore", [&](absl::Time) {
    kafka_store.Stop();
    return absl::OkStatus();
  });
  shutdown.OnDrain("rest", [&](absl::Time) {
    (*server)->Stop();
    return absl::OkStatus();
  });
  if (absl::Status drained = shutdown.Drain(absl::Seconds(30)); !drained.ok()) {
    log->error("shutdown: {}", drained.message());
  }
  log->info("stopped cleanly");
  return 0;
}
