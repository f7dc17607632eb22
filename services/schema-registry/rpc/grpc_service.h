#pragma once

// cdcflow.v1.SchemaRegistry over gRPC. Each call is answered by the REST router in-process
// (the same code path, the same forwarding to the leader, the same Confluent errors), so the
// two APIs cannot drift apart; the Confluent error code travels in the trailer
// "confluent-error-code".

#include <grpcpp/grpcpp.h>

#include "cdcflow/v1/schema_registry.grpc.pb.h"
#include "services/schema-registry/rest/router.h"

namespace cdcflow::schema_registry::grpc_api {

class SchemaRegistryService final : public v1::SchemaRegistry::Service {
 public:
  explicit SchemaRegistryService(rest::Router& router) : router_(router) {}

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override;
  grpc::Status Lookup(grpc::ServerContext* context, const v1::LookupRequest* request,
                      v1::SubjectSchema* response) override;
  grpc::Status GetSchemaById(grpc::ServerContext* context, const v1::GetSchemaByIdRequest* request,
                             v1::Schema* response) override;
  grpc::Status GetVersion(grpc::ServerContext* context, const v1::GetVersionRequest* request,
                          v1::SubjectSchema* response) override;
  grpc::Status CheckCompatibility(grpc::ServerContext* context,
                                  const v1::CheckCompatibilityRequest* request,
                                  v1::CheckCompatibilityResponse* response) override;
  grpc::Status GetConfig(grpc::ServerContext* context, const v1::GetConfigRequest* request,
                         v1::Config* response) override;
  grpc::Status SetConfig(grpc::ServerContext* context, const v1::SetConfigRequest* request,
                         v1::Config* response) override;

 private:
  rest::Router& router_;
};

}  // namespace cdcflow::schema_registry::grpc_api
