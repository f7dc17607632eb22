#pragma once

// The gRPC server every service runs: grpc.health.v1.Health, server reflection (so grpcurl
// and similar tools work without .proto files), cdcflow.v1.Admin answered by the service's
// AdminHandler, plus any services the service adds (its own API).
//
// Namespace cdcflow::rpc, not cdcflow::grpc, so that `grpc::` keeps meaning gRPC's namespace
// inside cdcflow code.

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cdcflow/v1/admin.grpc.pb.h"
#include "libs/config/config.h"

namespace cdcflow::rpc {

// What a service tells the Admin service. Called on gRPC threads: implementations must be
// thread-safe and must not block on the pipeline.
class AdminHandler {
 public:
  virtual ~AdminHandler() = default;
  // Fills components and the overall state; service, version and started_at are filled by
  // the server.
  virtual void FillStatus(cdcflow::v1::GetStatusResponse& status) = 0;
  // True when the call changed the state (false: already paused / not paused).
  virtual absl::StatusOr<bool> Pause(const std::string& reason) = 0;
  virtual absl::StatusOr<bool> Resume() = 0;
};

struct AdminServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;  // each service sets its default (50051..50055); 0 = any free port
};

// Binds section "admin": `address`, `port`.
void BindAdminServerOptions(config::ConfigSpec& spec, AdminServerOptions* options);

class AdminServer {
 public:
  AdminServer(std::string service_name, AdminHandler& handler);
  ~AdminServer();

  // Adds a service of the service's own (must outlive the server). Before Start.
  void AddService(::grpc::Service* service);

  // Binds and starts serving; kUnavailable naming the address when it cannot bind.
  absl::Status Start(const AdminServerOptions& options);

  // Health of every registered service (and of the server as a whole, service "").
  void SetServing(bool serving);

  int port() const { return port_; }

  // Stops accepting calls; in-flight calls get until the deadline.
  void Shutdown(absl::Time deadline);

 private:
  class AdminServiceImpl;

  std::string service_name_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::vector<::grpc::Service*> extra_services_;
  std::vector<std::string> service_names_;
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
};

}  // namespace cdcflow::rpc
