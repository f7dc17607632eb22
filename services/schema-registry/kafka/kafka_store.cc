#include "services/schema-registry/kafka/kafka_store.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/admin.h"
#include "services/schema-registry/errors.h"
#include "services/schema-registry/store/records.h"

namespace cdcflow::schema_registry {
namespace {

constexpr int32_t kPartition = 0;

kafka::Properties WithDefaults(kafka::Properties properties, const kafka::Properties& defaults) {
  for (const auto& [key, value] : defaults) properties.emplace(key, value);
  return properties;
}

}  // namespace

KafkaStoreMetrics::KafkaStoreMetrics(prometheus::Registry& registry)
    : replay_lag(prometheus::BuildGauge()
                     .Name("cdcflow_schema_registry_replay_lag_records")
                     .Help("Records of the _schemas topic not yet applied to memory")
                     .Register(registry)
                     .Add({})),
      records_applied(prometheus::BuildCounter()
                          .Name("cdcflow_schema_registry_records_applied_total")
                          .Help("_schemas records applied to the in-memory state")
                          .Register(registry)
                          .Add({})),
      records_skipped(prometheus::BuildCounter()
                          .Name("cdcflow_schema_registry_records_skipped_total")
                          .Help("_schemas records skipped because they could not be understood")
                          .Register(registry)
                          .Add({})),
      is_leader(prometheus::BuildGauge()
                    .Name("cdcflow_schema_registry_leader")
                    .Help("1 while this instance is the leader (assigns ids, writes)")
                    .Register(registry)
                    .Add({})),
      leader_elections(prometheus::BuildCounter()
                           .Name("cdcflow_schema_registry_leader_elections_total")
                           .Help("Times this instance became the leader")
                           .Register(registry)
                           .Add({})),
      schemas(prometheus::BuildGauge()
                  .Name("cdcflow_schema_registry_schemas")
                  .Help("Schemas (distinct ids) registered")
                  .Register(registry)
                  .Add({})),
      subjects(prometheus::BuildGauge()
                   .Name("cdcflow_schema_registry_subjects")
                   .Help("Subjects with at least one live version")
                   .Register(registry)
                   .Add({})) {}

KafkaStore::KafkaStore(KafkaStoreOptions options, Store& store, prometheus::Registry& registry,
                       std::shared_ptr<spdlog::logger> log, kafka::LogCallback kafka_log)
    : options_(std::move(options)),
      store_(store),
      registry_(registry),
      metrics_(registry),
      log_(std::move(log)),
      kafka_log_(std::move(kafka_log)) {}

KafkaStore::~KafkaStore() { Stop(); }

absl::Status KafkaStore::EnsureTopic() {
  ASSIGN_OR_RETURN(auto admin,
                   kafka::Admin::Create({.bootstrap_servers = options_.bootstrap_servers,
                                         .client_id = "schema-registry-admin",
                                         .properties = options_.properties,
                                         .on_log = kafka_log_}));
  absl::Status created = admin->CreateTopic({.name = options_.topic,
                                             .partitions = 1,
                                             .replication_factor = options_.replication_factor,
                                             .configs = {{"cleanup.policy", "compact"}}});
  if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
  if (created.ok()) log_->info("created topic {} (1 partition, compacted)", options_.topic);
  // AwaitTopic: a topic just created, here or by another instance, is briefly unknown.
  ASSIGN_OR_RETURN(int partitions, admin->AwaitTopic(options_.topic));
  if (partitions != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("kafkastore.topic: ", options_.topic, " has ", partitions,
                     " partitions; the schema log needs exactly one"));
  }
  ASSIGN_OR_RETURN(auto configs, admin->DescribeTopicConfig(options_.topic));
  if (configs["cleanup.policy"] != "compact") {
    return absl::FailedPreconditionError(
        absl::StrCat("kafkastore.topic: ", options_.topic, " has cleanup.policy ",
                     configs["cleanup.policy"], "; the schema log needs compact"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> KafkaStore::EndOffset() {
  ASSIGN_OR_RETURN(auto watermarks,
                   reader_->QueryWatermarks(options_.topic, kPartition, absl::Seconds(5)));
  return watermarks.second;
}

absl::Status KafkaStore::Start() {
  RETURN_IF_ERROR(EnsureTopic());
  ASSIGN_OR_RETURN(
      reader_, kafka::Consumer::Create(
                   {.bootstrap_servers = options_.bootstrap_servers,
                    .group_id = options_.group_id + ".reader",  // never joined: Assign() only
                    .client_id = "schema-registry-reader",
                    .isolation_level = kafka::IsolationLevel::kReadCommitted,
                    // A write waits for its own record to come back: do not let the fetch linger.
                    .properties = WithDefaults(options_.properties, {{"fetch.wait.max.ms", "50"}}),
                    .on_log = kafka_log_},
                   registry_));
  RETURN_IF_ERROR(reader_->Assign({{options_.topic, kPartition, kafka::kOffsetBeginning}}));
  ASSIGN_OR_RETURN(int64_t end, EndOffset());
  reader_thread_ = std::thread([this] { ReadLoop(); });
  // The initial replay: every record up to the end seen at startup.
  absl::Time deadline = absl::Now() + options_.init_timeout;
  while (reader_position_.load() < end) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "replaying ", options_.topic, " did not reach offset ", end, " within ",
          absl::FormatDuration(options_.init_timeout), " (at ", reader_position_.load(), ")"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  log_->info("replayed {} up to offset {}: {} schemas, {} subjects", options_.topic, end,
             store_.schema_count(), store_.subject_count());
  started_ = true;
  if (options_.leader_eligibility) {
    ASSIGN_OR_RETURN(
        election_,
        kafka::Consumer::Create(
            {.bootstrap_servers = options_.bootstrap_servers,
             .group_id = options_.group_id,
             .client_id = "schema-registry-election",
             .properties = WithDefaults(options_.properties, {{"session.timeout.ms", "10000"},
                                                              {"heartbeat.interval.ms", "1000"}}),
             .on_assigned =
                 [this](const std::vector<kafka::TopicPartition>& partitions) {
                   // The partition itself is never read through the group.
                   (void)election_->Pause(partitions);
                   if (!partitions.empty()) assigned_ = true;
                 },
             .on_revoked =
                 [this](const std::vector<kafka::TopicPartition>& partitions, bool) {
                   if (!partitions.empty()) assigned_ = false;
                 },
             .on_log = kafka_log_},
            registry_));
    RETURN_IF_ERROR(election_->Subscribe({options_.topic}));
    election_thread_ = std::thread([this] { ElectionLoop(); });
  }
  return absl::OkStatus();
}

void KafkaStore::ReadLoop() {
  absl::Time next_lag_check = absl::InfinitePast();
  while (!stop_.load()) {
    absl::StatusOr<std::vector<kafka::Message>> batch = reader_->Poll(absl::Milliseconds(100));
    if (!batch.ok()) {
      log_->error("reading {}: {}", options_.topic, MessageOf(batch.status()));
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    for (kafka::Message& message : *batch) {
      std::string_view value = message.value();
      absl::Status applied =
          store_.Apply(message.offset(), message.key(), message.has_value() ? &value : nullptr);
      if (applied.ok()) {
        metrics_.records_applied.Increment();
      } else {
        metrics_.records_skipped.Increment();
        log_->warn("{}@{}: skipped: {}", options_.topic, message.offset(), MessageOf(applied));
      }
    }
    // The position also moves past transaction markers, which Poll() never returns.
    absl::StatusOr<std::vector<kafka::TopicPartitionOffset>> position =
        reader_->Position({{options_.topic, kPartition}});
    if (position.ok() && !position->empty() && (*position)[0].offset >= 0) {
      reader_position_ = (*position)[0].offset;
    } else if (!batch->empty()) {
      reader_position_ = batch->back().offset() + 1;
    }
    if (absl::Now() >= next_lag_check) {
      next_lag_check = absl::Now() + absl::Seconds(1);
      if (absl::StatusOr<int64_t> end = EndOffset(); end.ok()) {
        replay_lag_ = std::max<int64_t>(0, *end - reader_position_.load());
        metrics_.replay_lag.Set(static_cast<double>(replay_lag_.load()));
      }
      metrics_.schemas.Set(static_cast<double>(store_.schema_count()));
      metrics_.subjects.Set(static_cast<double>(store_.subject_count()));
    }
  }
}

void KafkaStore::ElectionLoop() {
  while (!stop_.load()) {
    absl::StatusOr<std::vector<kafka::Message>> polled = election_->Poll(absl::Milliseconds(200));
    if (!polled.ok()) {
      log_->error("leader election: {}", MessageOf(polled.status()));
      StepDown("the election consumer failed");
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (assigned_.load() && !leader_.load()) {
      BecomeLeader();
    } else if (!assigned_.load() && leader_.load()) {
      StepDown("the group gave the leadership to another member");
    }
  }
  StepDown("stopping");
  (void)election_->Close();
}

void KafkaStore::BecomeLeader() {
  std::lock_guard lock(append_mu_);
  auto fail = [&](const absl::Status& status) {
    log_->error("could not take the leadership: {}; retrying", MessageOf(status));
    producer_.reset();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  };
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer = kafka::Producer::Create(
      {.bootstrap_servers = options_.bootstrap_servers,
       .client_id = "schema-registry-leader",
       // The same id on every instance: initialising it fences the previous leader.
       .transactional_id = options_.group_id + "-leader",
       .properties = WithDefaults(options_.properties, {{"linger.ms", "0"}}),
       .statistics_interval = absl::ZeroDuration(),
       .on_delivery =
           [this](const kafka::DeliveryReport& report) {
             std::lock_guard delivered(delivered_mu_);
             if (report.status.ok()) {
               last_delivered_offset_ = std::max(last_delivered_offset_, report.offset);
             } else {
               last_delivery_error_ = report.status;
             }
           },
       .on_log = kafka_log_},
      registry_);
  if (!producer.ok()) return fail(producer.status());
  producer_ = *std::move(producer);
  if (absl::Status s = producer_->InitTransactions(options_.timeout); !s.ok()) return fail(s);
  // Everything a former leader committed must be in memory before an id is assigned.
  absl::StatusOr<int64_t> end = EndOffset();
  if (!end.ok()) return fail(end.status());
  absl::Time deadline = absl::Now() + options_.timeout;
  while (reader_position_.load() < *end && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (reader_position_.load() < *end) {
    return fail(absl::DeadlineExceededError("the reader did not reach the end of the topic"));
  }
  generation_ = std::max(generation_, store_.leader() ? store_.leader()->generation : 0) + 1;
  leader_ = true;  // AppendLocked checks it
  absl::Status announced = AppendLocked(
      {{EncodeKey({.type = KeyType::kNoop}),
        EncodeLeaderValue({.url = options_.advertised_url, .generation = generation_})}});
  if (!announced.ok()) {
    leader_ = false;
    return fail(announced);
  }
  metrics_.is_leader.Set(1);
  metrics_.leader_elections.Increment();
  log_->info("leader of group {} (generation {}), announced as {}", options_.group_id, generation_,
             options_.advertised_url);
}

void KafkaStore::StepDown(const char* why) {
  if (!leader_.exchange(false) && producer_ == nullptr) return;
  std::lock_guard lock(append_mu_);  // waits for a write in progress
  producer_.reset();
  metrics_.is_leader.Set(0);
  log_->info("no longer the leader: {}", why);
}

absl::Status KafkaStore::Append(const std::vector<Record>& records) {
  std::lock_guard lock(append_mu_);
  return AppendLocked(records);
}

absl::Status KafkaStore::AppendLocked(const std::vector<Record>& records) {
  if (!leader_.load() || producer_ == nullptr) return UnknownLeader();
  {
    std::lock_guard delivered(delivered_mu_);
    last_delivered_offset_ = -1;
    last_delivery_error_ = absl::OkStatus();
  }
  auto abort = [&](const absl::Status& status) {
    (void)producer_->AbortTransaction(options_.timeout);
    if (absl::IsInternal(status)) {
      // Fatal, e.g. fenced by a newer leader: this instance must not write again.
      leader_ = false;
      metrics_.is_leader.Set(0);
      log_->error("the leader's producer failed ({}); stepping down", MessageOf(status));
    }
    return StoreError(MessageOf(status));
  };
  if (absl::Status s = producer_->BeginTransaction(); !s.ok()) return abort(s);
  for (const Record& record : records) {
    std::string_view value = record.value ? std::string_view(*record.value) : std::string_view();
    absl::Status produced =
        producer_->Produce(options_.topic, kPartition, record.key, value, {}, /*token=*/0);
    if (!produced.ok()) return abort(produced);
  }
  if (absl::Status s = producer_->CommitTransaction(options_.timeout); !s.ok()) return abort(s);
  int64_t offset;
  {
    std::lock_guard delivered(delivered_mu_);
    if (!last_delivery_error_.ok()) return StoreError(MessageOf(last_delivery_error_));
    offset = last_delivered_offset_;
  }
  if (offset < 0) return StoreError("no delivery report for the write");
  if (!store_.WaitForOffset(offset + 1, options_.timeout)) {
    return OperationTimeout(absl::StrCat("the write at offset ", offset,
                                         " was not read back within ",
                                         absl::FormatDuration(options_.timeout)));
  }
  return absl::OkStatus();
}

std::optional<std::string> KafkaStore::LeaderUrl() const {
  if (leader_.load()) return options_.advertised_url;
  std::optional<LeaderValue> announced = store_.leader();
  // Our own stale announcement, or none: no leader known.
  if (!announced || announced->url.empty() || announced->url == options_.advertised_url) {
    return std::nullopt;
  }
  return announced->url;
}

void KafkaStore::Stop() {
  if (stop_.exchange(true)) return;
  if (election_thread_.joinable()) election_thread_.join();
  if (reader_thread_.joinable()) reader_thread_.join();
  if (reader_ != nullptr) (void)reader_->Close();
}

}  // namespace cdcflow::schema_registry
