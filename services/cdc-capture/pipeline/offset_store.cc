#include "services/cdc-capture/pipeline/offset_store.h"

#include <nlohmann/json.hpp>

#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"

namespace cdcflow::cdc_capture {

std::string CaptureOffsets::ToJson() const {
  return nlohmann::json{{"snapshot_completed", snapshot_completed},
                        {"snapshot_lsn", FormatLsn(snapshot_lsn)}}
      .dump();
}

absl::StatusOr<CaptureOffsets> CaptureOffsets::FromJson(absl::string_view json) {
  const auto j =
      nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("snapshot_completed") ||
      !j["snapshot_completed"].is_boolean()) {
    return absl::InvalidArgumentError(absl::StrCat("offsets: not an offsets record: ", json));
  }
  CaptureOffsets o;
  o.snapshot_completed = j["snapshot_completed"].get<bool>();
  if (j.contains("snapshot_lsn") && j["snapshot_lsn"].is_string()) {
    o.snapshot_lsn = ParseLsn(j["snapshot_lsn"].get<std::string>()).value_or(0);
  }
  return o;
}

namespace {

class KafkaOffsetStore final : public OffsetStore {
 public:
  KafkaOffsetStore(std::string bootstrap, std::string topic, std::string key,
                   prometheus::Registry& registry, kafka::LogCallback on_log)
      : bootstrap_(std::move(bootstrap)),
        topic_(std::move(topic)),
        key_(std::move(key)),
        registry_(registry),
        on_log_(std::move(on_log)) {}

  absl::StatusOr<std::optional<CaptureOffsets>> Load() override {
    RETURN_IF_ERROR(EnsureTopic());
    ASSIGN_OR_RETURN(auto consumer,
                     kafka::Consumer::Create({.bootstrap_servers = bootstrap_,
                                              .group_id = "cdcflow-capture-offsets-reader",
                                              .client_id = "cdcflow-capture-offsets",
                                              .statistics_interval = absl::ZeroDuration(),
                                              .on_log = on_log_},
                                             registry_));
    ASSIGN_OR_RETURN(auto marks, consumer->QueryWatermarks(topic_, 0, absl::Seconds(30)));
    const auto [low, high] = marks;
    std::optional<CaptureOffsets> found;
    if (high <= low) return found;
    RETURN_IF_ERROR(consumer->Assign({{topic_, 0, low}}));
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    int64_t next = low;
    while (next < high) {
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("offsets: could not read ", topic_, " up to offset ", high));
      }
      ASSIGN_OR_RETURN(std::vector<kafka::Message> batch, consumer->Poll(absl::Seconds(1)));
      for (const kafka::Message& m : batch) {
        next = m.offset() + 1;
        if (!m.has_key() || m.key() != key_) continue;
        if (!m.has_value()) {
          found.reset();  // a tombstone forgets the slot
          continue;
        }
        const std::string_view v = m.value();
        ASSIGN_OR_RETURN(CaptureOffsets o,
                         CaptureOffsets::FromJson(absl::string_view(v.data(), v.size())));
        found = o;
      }
    }
    (void)consumer->Close();
    return found;
  }

  absl::Status Save(const CaptureOffsets& offsets) override {
    RETURN_IF_ERROR(EnsureTopic());
    absl::Status delivered = absl::UnknownError("no delivery report");
    {
      ASSIGN_OR_RETURN(
          auto producer,
          kafka::Producer::Create(
              {.bootstrap_servers = bootstrap_,
               .client_id = "cdcflow-capture-offsets",
               .statistics_interval = absl::ZeroDuration(),
               .on_delivery = [&](const kafka::DeliveryReport& r) { delivered = r.status; },
               .on_log = on_log_},
              registry_));
      const std::string value = offsets.ToJson();
      RETURN_IF_ERROR(producer->Produce(topic_, 0, key_, value, {}, 0));
      RETURN_IF_ERROR(producer->Flush(absl::Seconds(30)));
    }
    if (!delivered.ok()) {
      return absl::Status(delivered.code(),
                          absl::StrCat("offsets: saving to ", topic_, ": ", delivered.message()));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status EnsureTopic() {
    if (topic_ready_) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto admin,
                     kafka::Admin::Create({.bootstrap_servers = bootstrap_, .on_log = on_log_}));
    absl::Status s = admin->CreateTopic(
        {.name = topic_, .partitions = 1, .configs = {{"cleanup.policy", "compact"}}});
    if (!s.ok() && !absl::IsAlreadyExists(s)) return s;
    topic_ready_ = true;
    return absl::OkStatus();
  }

  const std::string bootstrap_;
  const std::string topic_;
  const std::string key_;
  prometheus::Registry& registry_;
  kafka::LogCallback on_log_;
  bool topic_ready_ = false;
};

}  // namespace

std::unique_ptr<OffsetStore> MakeKafkaOffsetStore(std::string bootstrap_servers, std::string topic,
                                                  std::string key, prometheus::Registry& registry,
                                                  kafka::LogCallback on_log) {
  return std::make_unique<KafkaOffsetStore>(std::move(bootstrap_servers), std::move(topic),
                                            std::move(key), registry, std::move(on_log));
}

}  // namespace cdcflow::cdc_capture
