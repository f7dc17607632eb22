#include "libs/metrics/metrics_server.h"

#include <prometheus/gauge.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "libs/metrics/process_stats.h"

#ifndef CDCFLOW_VERSION
#define CDCFLOW_VERSION "unknown"
#endif
#ifndef CDCFLOW_COMMIT
#define CDCFLOW_COMMIT "unknown"
#endif

namespace cdcflow::metrics {

const char* BuildVersion() { return CDCFLOW_VERSION; }
const char* BuildCommit() { return CDCFLOW_COMMIT; }

void BindMetricsOptions(config::ConfigSpec& spec, MetricsOptions* options) {
  spec.Bind("metrics", "address", &options->address);
  spec.Bind("metrics", "port", &options->port, {.min = 0, .max = 65535});
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& service, const MetricsOptions& options,
    std::shared_ptr<prometheus::Registry> registry) {
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  server->registry_ = std::move(registry);
  prometheus::BuildGauge()
      .Name("cdcflow_build_info")
      .Help("Always 1; labels say which build of which service this is.")
      .Register(*server->registry_)
      .Add({{"service", service}, {"version", BuildVersion()}, {"commit", BuildCommit()}})
      .Set(1);
  server->process_ = std::make_shared<ProcessCollector>();

  const std::string address = absl::StrCat(options.address, ":", options.port);
  try {
    // One thread: scrapes are rare and must not compete with the pipeline for the 2 cores.
    server->exposer_ = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", address, ": ", e.what()));
  }
  server->exposer_->RegisterCollectable(server->registry_);
  server->exposer_->RegisterCollectable(server->process_);
  return server;
}

int MetricsServer::port() const {
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace cdcflow::metrics
