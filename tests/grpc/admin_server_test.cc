#include "libs/grpc/admin_server.h"

#include <grpcpp/generic/generic_stub.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/grpc/status.h"
#include "libs/metrics/metrics_server.h"

namespace cdcflow::rpc {
namespace {

using ::testing::HasSubstr;

class FakeHandler final : public AdminHandler {
 public:
  void FillStatus(cdcflow::v1::GetStatusResponse& status) override {
    std::lock_guard lock(mu_);
    status.set_state(paused_ ? cdcflow::v1::COMPONENT_STATE_PAUSED
                             : cdcflow::v1::COMPONENT_STATE_RUNNING);
    auto* c = status.add_components();
    c->set_name("reader");
    c->set_state(status.state());
    (*c->mutable_counters())["events_total"] = 7;
    (*c->mutable_attributes())["slot"] = "cdcflow";
  }
  absl::StatusOr<bool> Pause(const std::string& reason) override {
    if (reason == "refuse") return absl::FailedPreconditionError("cannot pause now");
    std::lock_guard lock(mu_);
    const bool changed = !paused_;
    paused_ = true;
    return changed;
  }
  absl::StatusOr<bool> Resume() override {
    std::lock_guard lock(mu_);
    const bool changed = paused_;
    paused_ = false;
    return changed;
  }

 private:
  std::mutex mu_;
  bool paused_ = false;
};

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start({.address = "127.0.0.1", .port = 0}).ok());
    ASSERT_GT(server_.port(), 0);
    channel_ = ::grpc::CreateChannel(Target(), ::grpc::InsecureChannelCredentials());
    stub_ = cdcflow::v1::Admin::NewStub(channel_);
  }
  std::string Target() const { return "127.0.0.1:" + std::to_string(server_.port()); }

  // grpc.health.v1.Health/Check over the generic stub: the request for service "" is empty,
  // the response is HealthCheckResponse{status}, field 1 varint (1 = SERVING, 2 = NOT_SERVING).
  int HealthStatus() {
    ::grpc::GenericStub generic(channel_);
    ::grpc::ClientContext ctx;
    ::grpc::Slice empty;
    ::grpc::ByteBuffer request(&empty, 1);  // a default ByteBuffer is "no message", not ""
    ::grpc::ByteBuffer response;
    std::promise<::grpc::Status> done;
    generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", ::grpc::StubOptions(), &request,
                      &response, [&](::grpc::Status s) { done.set_value(s); });
    ::grpc::Status status = done.get_future().get();
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<::grpc::Slice> slices;
    EXPECT_TRUE(response.Dump(&slices).ok());
    std::string bytes;
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    if (bytes.size() != 2 || bytes[0] != 0x08) return -1;
    return bytes[1];
  }

  FakeHandler handler_;
  AdminServer server_{"test-service", handler_};
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<cdcflow::v1::Admin::Stub> stub_;
};

TEST_F(AdminServerTest, GetStatusCarriesServiceVersionAndComponents) {
  ::grpc::ClientContext ctx;
  cdcflow::v1::GetStatusResponse response;
  ASSERT_TRUE(stub_->GetStatus(&ctx, {}, &response).ok());
  EXPECT_EQ(response.service(), "test-service");
  EXPECT_EQ(response.version(), metrics::BuildVersion());
  EXPECT_GT(response.started_at().seconds(), 1'600'000'000);
  EXPECT_EQ(response.state(), cdcflow::v1::COMPONENT_STATE_RUNNING);
  ASSERT_EQ(response.components_size(), 1);
  EXPECT_EQ(response.components(0).name(), "reader");
  EXPECT_EQ(response.components(0).counters().at("events_total"), 7);
  EXPECT_EQ(response.components(0).attributes().at("slot"), "cdcflow");
}

TEST_F(AdminServerTest, PauseAndResumeReportWhetherTheyChangedAnything) {
  auto pause = [&](const std::string& reason, cdcflow::v1::PauseResponse* r) {
    ::grpc::ClientContext ctx;
    cdcflow::v1::PauseRequest req;
    req.set_reason(reason);
    return stub_->Pause(&ctx, req, r);
  };
  auto resume = [&](cdcflow::v1::ResumeResponse* r) {
    ::grpc::ClientContext ctx;
    return stub_->Resume(&ctx, {}, r);
  };
  cdcflow::v1::PauseResponse p;
  cdcflow::v1::ResumeResponse r;
  ASSERT_TRUE(pause("maintenance", &p).ok());
  EXPECT_TRUE(p.changed());
  ASSERT_TRUE(pause("again", &p).ok());
  EXPECT_FALSE(p.changed());
  ASSERT_TRUE(resume(&r).ok());
  EXPECT_TRUE(r.changed());
  ASSERT_TRUE(resume(&r).ok());
  EXPECT_FALSE(r.changed());

  ::grpc::Status refused = pause("refuse", &p);
  EXPECT_EQ(refused.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(refused.error_message(), "cannot pause now");
}

TEST_F(AdminServerTest, HealthFollowsSetServing) {
  EXPECT_EQ(HealthStatus(), 1);
  server_.SetServing(false);
  EXPECT_EQ(HealthStatus(), 2);
  server_.SetServing(true);
  EXPECT_EQ(HealthStatus(), 1);
}

// A real third-party client: grpcurl (installed by deploy/local/install-deps) lists the
// services through server reflection and calls Admin/GetStatus with JSON.
std::string FindGrpcurl() {
  // $CDCFLOW_HOME/bin (deploy/local/env.sh), else the repo's default .local/bin, else PATH.
  for (const char* dir : {static_cast<const char*>(std::getenv("CDCFLOW_HOME")),
                          static_cast<const char*>(CDCFLOW_DEFAULT_HOME)}) {
    if (dir == nullptr) continue;
    std::filesystem::path p = std::filesystem::path(dir) / "bin" / "grpcurl";
    if (std::filesystem::exists(p)) return p;
  }
  return "grpcurl";
}

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  const int rc = pclose(f);
  if (rc != 0) out += "\n[exit " + std::to_string(rc) + "]";
  return out;
}

TEST_F(AdminServerTest, GrpcurlSeesServicesThroughReflection) {
  const std::string grpcurl = FindGrpcurl();
  const std::string list = RunCommand(grpcurl + " -plaintext " + Target() + " list");
  EXPECT_THAT(list, HasSubstr("cdcflow.v1.Admin"));
  EXPECT_THAT(list, HasSubstr("grpc.health.v1.Health"));
  EXPECT_EQ(list.find("[exit"), std::string::npos)
      << "grpcurl missing or failing (deploy/local/install-deps installs it): " << list;

  const std::string status =
      RunCommand(grpcurl + " -plaintext " + Target() + " cdcflow.v1.Admin/GetStatus");
  EXPECT_THAT(status, HasSubstr("\"service\": \"test-service\""));
  EXPECT_THAT(status, HasSubstr("\"events_total\": \"7\""));
}

TEST(AdminServer, PortInUseIsAClearError) {
  FakeHandler handler;
  AdminServer first("a", handler);
  ASSERT_TRUE(first.Start({.address = "127.0.0.1", .port = 0}).ok());
  AdminServer second("b", handler);
  absl::Status s = second.Start({.address = "127.0.0.1", .port = first.port()});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "admin gRPC: cannot listen on 127.0.0.1:" + std::to_string(first.port()));
}

TEST(StatusConversion, CodesMapOneToOne) {
  for (int code = 0; code <= 16; ++code) {
    absl::Status s(static_cast<absl::StatusCode>(code), code == 0 ? "" : "msg");
    ::grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(FromGrpcStatus(g), s);
  }
}

}  // namespace
}  // namespace cdcflow::rpc
