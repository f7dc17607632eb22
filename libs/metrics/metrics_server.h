#pragma once

// The /metrics endpoint of a service: prometheus-cpp's Exposer on a configurable address,
// serving the service's registry (passed in; components register into it explicitly), the
// process_* metrics and cdcflow_build_info{service,version,commit} = 1.

#include <memory>
#include <string>

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "libs/config/config.h"

namespace cdcflow::metrics {

struct MetricsOptions {
  std::string address = "127.0.0.1";
  int port = 0;  // each service sets its default (9101..9105); 0 = any free port
};

// Binds section "metrics": `address`, `port`.
void BindMetricsOptions(config::ConfigSpec& spec, MetricsOptions* options);

// The version and commit this binary was built from (set by CMake at configure time).
const char* BuildVersion();
const char* BuildCommit();

class MetricsServer {
 public:
  // Starts serving; kUnavailable naming the address when it cannot listen (port in use).
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& service, const MetricsOptions& options,
      std::shared_ptr<prometheus::Registry> registry);

  // The port actually bound (useful with port 0).
  int port() const;
  prometheus::Registry& registry() { return *registry_; }

 private:
  MetricsServer() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace cdcflow::metrics
