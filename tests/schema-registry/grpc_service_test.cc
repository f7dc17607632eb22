// cdcflow.v1.SchemaRegistry over a real in-process gRPC server: each call gives the REST
// API's answer, errors carry the canonical code and Confluent's code in a trailer.

#include "services/schema-registry/rpc/grpc_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "services/schema-registry/registry/registry.h"
#include "services/schema-registry/rest/router.h"
#include "services/schema-registry/store/store.h"
#include "tests/schema-registry/fake_schema_log.h"

namespace cdcflow::schema_registry {
namespace {

constexpr char kRecord[] = R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})";
constexpr char kIncompatible[] =
    R"({"type":"record","name":"r","fields":[{"name":"b","type":"int"}]})";

class GrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    stub_ = v1::SchemaRegistry::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  std::string ErrorCode(const grpc::ClientContext& context) {
    auto it = context.GetServerTrailingMetadata().find("confluent-error-code");
    if (it == context.GetServerTrailingMetadata().end()) return "";
    return std::string(it->second.data(), it->second.size());
  }

  int32_t Register(const std::string& subject, const std::string& schema,
                   const std::string& type = "") {
    grpc::ClientContext context;
    v1::RegisterRequest request;
    request.set_subject(subject);
    request.mutable_schema()->set_schema(schema);
    request.mutable_schema()->set_schema_type(type);
    v1::RegisterResponse response;
    grpc::Status status = stub_->Register(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.id();
  }

  Store store_;
  testing::FakeSchemaLog log_{store_};
  Registry registry_{store_, log_, RegistryOptions{}};
  testing::FakeLeadership leadership_;
  testing::FakeForwarder forwarder_;
  rest::Router router_{registry_, leadership_, forwarder_};
  grpc_api::SchemaRegistryService service_{router_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::SchemaRegistry::Stub> stub_;
};

TEST_F(GrpcServiceTest, RegisterLookupAndGetAnswerAsRest) {
  EXPECT_EQ(Register("orders/value", kRecord), 1);  // a '/' in the subject survives
  EXPECT_EQ(Register("orders/value", kRecord), 1);  // no new version
  EXPECT_EQ(Register("other", kRecord), 1);         // same schema, same id
  EXPECT_EQ(Register("proto", "syntax = \"proto3\";\nmessage M { int32 a = 1; }", "PROTOBUF"), 2);

  grpc::ClientContext by_id_context;
  v1::GetSchemaByIdRequest by_id;
  by_id.set_id(2);
  v1::Schema schema;
  ASSERT_TRUE(stub_->GetSchemaById(&by_id_context, by_id, &schema).ok());
  EXPECT_EQ(schema.schema_type(), "PROTOBUF");
  EXPECT_NE(schema.schema().find("message M"), std::string::npos);

  grpc::ClientContext version_context;
  v1::GetVersionRequest version;
  version.set_subject("orders/value");
  v1::SubjectSchema found;
  ASSERT_TRUE(stub_->GetVersion(&version_context, version, &found).ok());
  EXPECT_EQ(found.subject(), "orders/value");
  EXPECT_EQ(found.version(), 1);
  EXPECT_EQ(found.id(), 1);
  EXPECT_EQ(found.schema().schema_type(), "AVRO");
  EXPECT_EQ(found.schema().schema(), kRecord);

  grpc::ClientContext lookup_context;
  v1::LookupRequest lookup;
  lookup.set_subject("other");
  lookup.mutable_schema()->set_schema(kRecord);
  v1::SubjectSchema looked_up;
  ASSERT_TRUE(stub_->Lookup(&lookup_context, lookup, &looked_up).ok());
  EXPECT_EQ(looked_up.id(), 1);
  EXPECT_EQ(looked_up.version(), 1);
}

TEST_F(GrpcServiceTest, ErrorsCarryCanonicalCodeAndConfluentCode) {
  grpc::ClientContext context;
  v1::GetSchemaByIdRequest request;
  request.set_id(42);
  v1::Schema schema;
  grpc::Status status = stub_->GetSchemaById(&context, request, &schema);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "Schema 42 not found");
  EXPECT_EQ(ErrorCode(context), "40403");

  grpc::ClientContext invalid_context;
  v1::RegisterRequest invalid;
  invalid.set_subject("s");
  invalid.mutable_schema()->set_schema("{not avro");
  v1::RegisterResponse response;
  status = stub_->Register(&invalid_context, invalid, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorCode(invalid_context), "42201");
}

TEST_F(GrpcServiceTest, CompatibilityAndConfig) {
  Register("s", kRecord);
  grpc::ClientContext check_context;
  v1::CheckCompatibilityRequest check;
  check.set_subject("s");
  check.set_version("latest");
  check.set_verbose(true);
  check.mutable_schema()->set_schema(kIncompatible);
  v1::CheckCompatibilityResponse verdict;
  ASSERT_TRUE(stub_->CheckCompatibility(&check_context, check, &verdict).ok());
  EXPECT_FALSE(verdict.is_compatible());
  ASSERT_FALSE(verdict.messages().empty());
  EXPECT_NE(verdict.messages(0).find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos);

  grpc::ClientContext set_context;
  v1::SetConfigRequest set;
  set.set_subject("s");
  set.set_compatibility_level("none");
  v1::Config config;
  ASSERT_TRUE(stub_->SetConfig(&set_context, set, &config).ok());
  EXPECT_EQ(config.compatibility_level(), "NONE");

  grpc::ClientContext get_context;
  v1::GetConfigRequest get;
  get.set_subject("s");
  ASSERT_TRUE(stub_->GetConfig(&get_context, get, &config).ok());
  EXPECT_EQ(config.compatibility_level(), "NONE");
  EXPECT_EQ(Register("s", kIncompatible), 2);  // NONE lets it in

  grpc::ClientContext bad_context;
  set.set_compatibility_level("sideways");
  grpc::Status status = stub_->SetConfig(&bad_context, set, &config);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorCode(bad_context), "42203");
}

TEST_F(GrpcServiceTest, WritesOnAFollowerGoToTheLeader) {
  leadership_.SetFollower("http://leader:8081");
  http::Response answer;
  answer.body = R"({"id":7})";
  forwarder_.AnswerWith(answer);
  EXPECT_EQ(Register("s", kRecord), 7);
  ASSERT_EQ(forwarder_.forwarded().size(), 1u);
  EXPECT_EQ(forwarder_.forwarded()[0].leader_url, "http://leader:8081");
  EXPECT_EQ(forwarder_.forwarded()[0].method, "POST");
  EXPECT_EQ(forwarder_.forwarded()[0].target, "/subjects/s/versions?normalize=false");
}

}  // namespace
}  // namespace cdcflow::schema_registry
