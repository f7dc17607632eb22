#include "libs/grpc/admin_server.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/metrics/metrics_server.h"

namespace cdcflow::rpc {

class AdminServer::AdminServiceImpl final : public cdcflow::v1::Admin::Service {
 public:
  AdminServiceImpl(std::string service_name, AdminHandler& handler)
      : service_name_(std::move(service_name)),
        handler_(handler),
        started_at_(google::protobuf::util::TimeUtil::GetCurrentTime()) {}

  ::grpc::Status GetStatus(::grpc::ServerContext*, const cdcflow::v1::GetStatusRequest*,
                           cdcflow::v1::GetStatusResponse* response) override {
    response->set_service(service_name_);
    response->set_version(metrics::BuildVersion());
    *response->mutable_started_at() = started_at_;
    handler_.FillStatus(*response);
    return ::grpc::Status::OK;
  }

  ::grpc::Status Pause(::grpc::ServerContext*, const cdcflow::v1::PauseRequest* request,
                       cdcflow::v1::PauseResponse* response) override {
    absl::StatusOr<bool> changed = handler_.Pause(request->reason());
    if (!changed.ok()) return ToGrpcStatus(changed.status());
    response->set_changed(*changed);
    return ::grpc::Status::OK;
  }

  ::grpc::Status Resume(::grpc::ServerContext*, const cdcflow::v1::ResumeRequest*,
                        cdcflow::v1::ResumeResponse* response) override {
    absl::StatusOr<bool> changed = handler_.Resume();
    if (!changed.ok()) return ToGrpcStatus(changed.status());
    response->set_changed(*changed);
    return ::grpc::Status::OK;
  }

 private:
  const std::string service_name_;
  AdminHandler& handler_;
  const google::protobuf::Timestamp started_at_;
};

void BindAdminServerOptions(config::ConfigSpec& spec, AdminServerOptions* options) {
  spec.Bind("admin", "address", &options->address);
  spec.Bind("admin", "port", &options->port, {.min = 0, .max = 65535});
}

AdminServer::AdminServer(std::string service_name, AdminHandler& handler)
    : service_name_(service_name),
      admin_service_(std::make_unique<AdminServiceImpl>(std::move(service_name), handler)) {}

AdminServer::~AdminServer() {
  if (server_) Shutdown(absl::Now());
}

void AdminServer::AddService(::grpc::Service* service) { extra_services_.push_back(service); }

absl::Status AdminServer::Start(const AdminServerOptions& options) {
  // Both are process-wide switches of gRPC; they must be set before the builder is made.
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  const std::string address = absl::StrCat(options.address, ":", options.port);
  ::grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second instance would silently share the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(address, ::grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(admin_service_.get());
  service_names_ = {cdcflow::v1::Admin::service_full_name()};
  for (::grpc::Service* service : extra_services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("admin gRPC: cannot listen on ", address));
  }
  SetServing(true);
  return absl::OkStatus();
}

void AdminServer::SetServing(bool serving) {
  if (!server_) return;
  ::grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);  // every service, and "" (the server)
}

void AdminServer::Shutdown(absl::Time deadline) {
  if (!server_) return;
  SetServing(false);
  server_->Shutdown(absl::ToChronoTime(deadline));
  server_->Wait();
  server_.reset();
}

}  // namespace cdcflow::rpc
