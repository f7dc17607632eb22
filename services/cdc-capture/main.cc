// cdc-capture: PostgreSQL logical replication -> Kafka, Debezium-compatible events.
// The composition root: builds the objects and connects them; the logic lives in pipeline/.

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "cdcflow/v1/capture.grpc.pb.h"
#include "libs/common/clock.h"
#include "libs/common/shutdown.h"
#include "libs/config/command_line.h"
#include "libs/grpc/admin_server.h"
#include "libs/grpc/status.h"
#include "libs/logging/logging.h"
#include "libs/metrics/metrics_server.h"
#include "services/cdc-capture/config.h"
#include "services/cdc-capture/pipeline/capture.h"
#include "services/cdc-capture/pipeline/kafka_event_sink.h"

namespace {

using namespace cdcflow;

class CaptureAdmin final : public rpc::AdminHandler {
 public:
  explicit CaptureAdmin(cdc_capture::Capture& capture) : capture_(capture) {}
  void FillStatus(v1::GetStatusResponse& status) override { capture_.FillStatus(status); }
  absl::StatusOr<bool> Pause(const std::string&) override { return capture_.Pause(); }
  absl::StatusOr<bool> Resume() override { return capture_.Resume(); }

 private:
  cdc_capture::Capture& capture_;
};

class CaptureService final : public v1::Capture::Service {
 public:
  explicit CaptureService(cdc_capture::Capture& capture) : capture_(capture) {}
  grpc::Status ExecuteSnapshot(grpc::ServerContext*, const v1::ExecuteSnapshotRequest* request,
                               v1::ExecuteSnapshotResponse* response) override {
    absl::StatusOr<int> queued = capture_.ExecuteSnapshot(
        {request->data_collections().begin(), request->data_collections().end()});
    if (!queued.ok()) return rpc::ToGrpcStatus(queued.status());
    response->set_queued_tables(*queued);
    return grpc::Status::OK;
  }

 private:
  cdc_capture::Capture& capture_;
};

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "cdc-capture: %s: %s\n", what, std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  common::Shutdown shutdown;
  shutdown.InstallSignalHandlers();

  cdc_capture::Config config;
  config::ConfigSpec spec;
  cdc_capture::BindConfig(spec, &config);
  config::LoadOrExit("cdc-capture", argc, argv, spec);
  if (absl::Status s = cdc_capture::Validate(config); !s.ok()) {
    std::fprintf(stderr, "cdc-capture: config: %s\n", std::string(s.message()).c_str());
    return config::kConfigErrorExitCode;
  }

  auto log_or = logging::MakeLogger("cdc-capture", config.logging);
  if (!log_or.ok()) return Fail("logging", log_or.status());
  std::shared_ptr<spdlog::logger> log = *log_or;
  for (const std::string& line : spec.Describe()) log->debug("config {}", line);

  auto registry = std::make_shared<prometheus::Registry>();
  auto metrics_server = metrics::MetricsServer::Start("cdc-capture", config.metrics, registry);
  if (!metrics_server.ok()) return Fail("metrics", metrics_server.status());
  cdc_capture::CaptureMetrics metrics(*registry);

  kafka::LogCallback kafka_log = logging::SyslogLevelSink(log, "kafka: ");
  std::atomic<cdc_capture::Capture*> capture_ptr{nullptr};
  auto topic_creation = cdc_capture::ParseTopicCreation(config.connector);  // validated already
  auto sink = cdc_capture::KafkaEventSink::Create(
      config.kafka, topic_creation.ok() ? *topic_creation : std::nullopt, *registry,
      [&capture_ptr](uint64_t token, const absl::Status& status) {
        if (auto* c = capture_ptr.load()) c->OnDelivered(token, status);
      },
      kafka_log);
  if (!sink.ok()) return Fail("kafka", sink.status());

  cdc_capture::Capture capture(config, **sink, metrics, log, common::SystemClock::Get());
  std::unique_ptr<cdc_capture::OffsetStore> offsets = cdc_capture::MakeKafkaOffsetStore(
      config.kafka.bootstrap_servers, config.kafka.offset_storage_topic,
      config.connector.topic_prefix + "/" + config.connector.slot_name, *registry, kafka_log);
  capture.set_offset_store(offsets.get());
  capture_ptr = &capture;

  CaptureAdmin admin_handler(capture);
  rpc::AdminServer admin("cdc-capture", admin_handler);
  CaptureService capture_service(capture);
  admin.AddService(&capture_service);
  if (absl::Status s = admin.Start(config.admin); !s.ok()) return Fail("admin", s);
  log->info("cdc-capture {} started: metrics on {}:{}, admin gRPC on {}:{}",
            metrics::BuildVersion(), config.metrics.address, (*metrics_server)->port(),
            config.admin.address, admin.port());

  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread runner([&] {
    result = capture.RunForever(stop);
    shutdown.Request(result.ok() ? "capture finished" : "capture failed");
  });

  shutdown.Wait();
  log->info("shutting down ({})", shutdown.Reason());
  shutdown.OnDrain("admin", [&](absl::Time deadline) {
    admin.Shutdown(deadline);
    return absl::OkStatus();
  });
  shutdown.OnDrain("capture", [&](absl::Time) {
    // The loop flushes in-flight events and confirms their LSN before it returns.
    stop = true;
    runner.join();
    return absl::OkStatus();
  });
  if (absl::Status drained = shutdown.Drain(absl::Seconds(30)); !drained.ok()) {
    log->error("shutdown: {}", drained.message());
  }
  capture_ptr = nullptr;
  if (!result.ok()) {
    // One line naming the error: the text log is on stderr too, so only JSON logs repeat it.
    if (config.logging.format == "json") log->error("stopped: {}", result.message());
    std::fprintf(stderr, "cdc-capture: %s\n", std::string(result.message()).c_str());
    return 1;
  }
  log->info("stopped cleanly at LSN {}", cdc_capture::FormatLsn(capture.confirmed_lsn()));
  return 0;
}
