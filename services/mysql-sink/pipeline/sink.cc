#include "services/mysql-sink/pipeline/sink.h"

#include <librdkafka/rdkafkacpp.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "libs/logging/fmt_absl.h"
#include "services/mysql-sink/record/json_decoder.h"
#include "services/mysql-sink/sql/table_router.h"

namespace cdcflow::mysql_sink {
namespace {

sql::TableRouter MakeRouter(const ConnectorConfig& c) {
  // Validate() checked the settings; a router that cannot be built here is a programming error.
  absl::StatusOr<sql::TableRouter> router =
      sql::TableRouter::Create(c.table_name_format, c.route_regex, c.route_replacement);
  if (!router.ok()) {
    router = sql::TableRouter::Create("${topic}", "", "");
  }
  return std::move(*router);
}

bool Retriable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kNotFound:  // a table dropped under us: check the tables again
    case absl::StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

// Calls fn(first, run) for each run of consecutive records of one partition (records arrive
// in such runs; topics are interned, so one pointer compare tells topics apart). Spares the
// hot path a TopicPartition (a std::string) per record.
template <typename Record, typename Fn>
void ForEachPartitionRun(std::span<Record> records, Fn fn) {
  size_t begin = 0;
  for (size_t i = 1; i <= records.size(); ++i) {
    if (i == records.size() || records[i].topic.data() != records[begin].topic.data() ||
        records[i].partition != records[begin].partition) {
      fn(records[begin], records.subspan(begin, i - begin));
      begin = i;
    }
  }
}

// Debian's Abseil is built as C++14: absl::StrCat takes absl::string_view only.
absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

std::optional<std::string_view> Bytes(bool present, std::string_view bytes) {
  if (!present) return std::nullopt;
  return bytes;
}

// Small fetches (1 MB, the least librdkafka allows with message.max.bytes 1 MB): a response
// of 50 MB of lz4 (the default) is 200 MB of JSON in memory at once. 16 MB fetched ahead is
// enough with the reader's wake-ups (see ReadLoop); larger only costs memory.
kafka::Properties ConsumerDefaults(const kafka::Properties& configured) {
  kafka::Properties properties = {{"fetch.max.bytes", "1048576"},
                                  {"max.partition.fetch.bytes", "1048576"},
                                  {"queued.max.messages.kbytes", "16384"}};
  for (const auto& [name, value] : configured) properties[name] = value;
  return properties;
}

}  // namespace

Sink::Sink(const Config& config, Database& database, Database& reader_database,
           SinkMetrics& metrics, std::shared_ptr<spdlog::logger> log,
           prometheus::Registry& registry, kafka::LogCallback kafka_log)
    : config_(config),
      database_(database),
      metrics_(metrics),
      log_(std::move(log)),
      registry_(registry),
      kafka_log_(std::move(kafka_log)),
      tables_({.auto_create = config.connector.auto_create,
               .auto_evolve = config.connector.auto_evolve},
              database),
      writer_(config.GetInsertMode(), config.connector.batch_size, database),
      offsets_(*OffsetTable::Create(config.connector.offsets_table, config.GroupId())),
      reader_database_(reader_database),
      reader_decoding_(std::make_unique<Decoding>(MakeDecoding())) {}

Sink::Decoding Sink::MakeDecoding() const {
  return Decoding{.decoder = std::make_unique<JsonRecordDecoder>(),
                  .mapper = RecordMapper({.pk_mode = config_.GetPkMode(),
                                          .pk_fields = config_.connector.pk_fields,
                                          .delete_enabled = config_.connector.delete_enabled},
                                         MakeRouter(config_.connector)),
                  .decoded = {}};
}

Sink::~Sink() {
  if (consumer_) consumer_->Close().IgnoreError();
}

bool Sink::SleepFor(absl::Duration duration, const std::atomic<bool>& stop) {
  const absl::Time until = absl::Now() + duration;
  while (!stop && absl::Now() < until) {
    absl::SleepFor(std::min(absl::Milliseconds(50), until - absl::Now()));
  }
  return !stop;
}

absl::Status Sink::Start() {
  absl::Status ensured;
  for (int attempt = 0; attempt <= config_.connector.max_retries; ++attempt) {
    ensured = offsets_.Ensure(database_);
    if (ensured.ok() || !Retriable(ensured)) break;
    log_->warn("database: {} (attempt {} of {})", ensured.message(), attempt + 1,
               config_.connector.max_retries + 1);
    absl::SleepFor(absl::Milliseconds(config_.connector.retry_backoff_ms));
  }
  metrics_.database_up.Set(ensured.ok() ? 1 : 0);
  RETURN_IF_ERROR(ensured);

  ASSIGN_OR_RETURN(dead_letters_, DeadLetterWriter::Create(
                                      config_.kafka.bootstrap_servers, config_.connector.dlq_topic,
                                      config_.connector.name, registry_, kafka_log_));
  kafka::ConsumerOptions options{
      .bootstrap_servers = config_.kafka.bootstrap_servers,
      .group_id = config_.GroupId(),
      .client_id = "cdcflow-mysql-sink",
      .isolation_level = kafka::IsolationLevel::kReadCommitted,
      .auto_offset_reset = config_.kafka.auto_offset_reset,
      .properties = ConsumerDefaults(config_.kafka.properties),
      .start_offsets =
          [this](const std::vector<kafka::TopicPartition>& partitions) {
            return StartOffsets(partitions);
          },
      .on_assigned =
          [this](const std::vector<kafka::TopicPartition>& partitions) {
            std::vector<kafka::TopicPartition> dead_letter_partitions;
            {
              std::lock_guard lock(mutex_);
              for (const auto& p : partitions) {
                if (IsOwnDeadLetterTopic(p.topic)) {
                  dead_letter_partitions.push_back(p);
                } else {
                  assigned_.insert(p);
                }
              }
            }
            if (!dead_letter_partitions.empty()) {
              // topics.regex matched the sink's own dead-letter topics: applying them would
              // dead-letter their failures again, into <topic>.DLQ.DLQ, without end.
              log_->warn(
                  "ignoring {} partition(s) of dead-letter topics matched by topics.regex "
                  "(first: {}); replay them with ReplayDeadLetters",
                  dead_letter_partitions.size(), dead_letter_partitions[0].topic);
              consumer_->Pause(dead_letter_partitions).IgnoreError();
            }
            if (consumer_paused_) consumer_->Pause(partitions).IgnoreError();
          },
      .on_revoked =
          [this](const std::vector<kafka::TopicPartition>& partitions, bool) {
            std::lock_guard lock(mutex_);
            Forget(partitions);
            for (const auto& p : partitions) {
              assigned_.erase(p);
              positions_.erase(p);
              partition_status_.erase(p);
              metrics_.consumer_lag.Remove(&metrics_.consumer_lag.Add(
                  {{"topic", p.topic}, {"partition", absl::StrCat(p.partition)}}));
            }
          },
      .on_log = kafka_log_};
  ASSIGN_OR_RETURN(consumer_, kafka::Consumer::Create(std::move(options), registry_));
  if (!config_.connector.topics_regex.empty()) {
    // librdkafka subscribes by regex when the name starts with '^'.
    std::string pattern = config_.connector.topics_regex;
    if (!absl::StartsWith(pattern, "^")) pattern = "^" + pattern;
    return consumer_->Subscribe({pattern});
  }
  return consumer_->Subscribe(config_.connector.topics);
}

std::vector<kafka::TopicPartitionOffset> Sink::StartOffsets(
    const std::vector<kafka::TopicPartition>& partitions) {
  // Runs inside Poll (the rebalance callback). A database that is down leaves the partitions
  // to Kafka's committed offsets, which never run ahead of the database's (they are committed
  // after it); the fence in TryApply then drops what was applied already.
  std::vector<kafka::TopicPartitionOffset> starts;
  absl::StatusOr<Positions> stored = offsets_.Load(reader_database_, partitions, false);
  for (int attempt = 0; !stored.ok() && Retriable(stored.status()) && attempt < 3; ++attempt) {
    absl::SleepFor(absl::Milliseconds(std::min<int64_t>(config_.connector.retry_backoff_ms, 1000)));
    stored = offsets_.Load(reader_database_, partitions, false);
  }
  if (!stored.ok()) {
    log_->warn("offsets of the new partitions unreadable, starting from Kafka's: {}",
               stored.status().message());
    return starts;
  }
  std::lock_guard lock(mutex_);
  for (const kafka::TopicPartition& p : partitions) {
    auto it = stored->find(p);
    if (it == stored->end()) {
      positions_.erase(p);
      continue;
    }
    positions_[p] = it->second;
    starts.push_back({p.topic, p.partition, it->second});
    log_->info("partition {}/{}: resuming at offset {} (from the offsets table)", p.topic,
               p.partition, it->second);
  }
  return starts;
}

bool Sink::Pause() {
  const bool changed = !pause_requested_.exchange(true);
  if (changed) log_->info("pause requested");
  return changed;
}

bool Sink::Resume() {
  const bool changed = pause_requested_.exchange(false);
  if (changed) log_->info("resume requested");
  return changed;
}

absl::StatusOr<ReplayResult> Sink::ReplayDeadLetters(const std::string& dlq_topic) {
  if (dlq_topic.empty()) return absl::InvalidArgumentError("topic: empty");
  ReplayRequest request{.topic = dlq_topic, .result = std::nullopt};
  std::unique_lock lock(mutex_);
  // Only the running loop answers requests: refuse rather than wait for one that stopped.
  if (!running_) return absl::UnavailableError("the sink is not running");
  replays_.push_back(&request);
  replay_done_.wait(lock, [&] { return request.result.has_value(); });
  return *request.result;
}

void Sink::ServeReplays(const std::atomic<bool>& stop) {
  while (true) {
    ReplayRequest* request = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (replays_.empty()) return;
      request = replays_.front();
    }
    absl::StatusOr<ReplayResult> result =
        stop ? absl::CancelledError("the sink is stopping") : RunReplay(request->topic, stop);
    std::lock_guard lock(mutex_);
    replays_.pop_front();
    request->result = std::move(result);
    replay_done_.notify_all();
  }
}

bool Sink::IsOwnDeadLetterTopic(std::string_view topic) const {
  if (config_.connector.topics_regex.empty()) return false;  // topics listed by name
  const std::string& format = config_.connector.dlq_topic;
  const size_t at = format.find("${topic}");
  if (at == std::string::npos) return topic == format;
  const std::string_view prefix = std::string_view(format).substr(0, at);
  const std::string_view suffix = std::string_view(format).substr(at + 8);
  return topic.size() > prefix.size() + suffix.size() && topic.starts_with(prefix) &&
         topic.ends_with(suffix);
}

std::string_view Sink::Intern(std::string_view topic) {
  std::lock_guard lock(topics_mutex_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) it = topics_.emplace(topic).first;
  return *it;
}

void Sink::Decode(Decoding& decoding, const kafka::Message& m, Pending& out) {
  out.record.op = Op::kSkip;
  out.early_failure.reset();
  out.raw.reset();
  out.skip_reason = {};
  out.included = true;
  DecodedRecord& decoded = decoding.decoded;
  absl::Status s = decoding.decoder->Decode(Bytes(m.has_key(), m.key()),
                                            Bytes(m.has_value(), m.value()), decoded);
  FailureStage stage = FailureStage::kDecode;
  if (s.ok()) {
    stage = FailureStage::kMap;
    s = decoding.mapper.Map(decoded, {out.source_topic, out.source_partition, out.source_offset},
                            out.record);
  }
  if (!s.ok()) {
    out.record.op = Op::kSkip;
    out.early_failure = Failure{.index = 0, .stage = stage, .status = std::move(s)};
    out.raw = std::make_unique<RawRecord>(RawRecord::From(m));
    return;
  }
  if (out.record.op == Op::kSkip) {
    out.skip_reason = decoded.op == Op::kSkip ? decoded.skip_reason : out.record.skip_reason;
  }
}

void Sink::Forget(const std::vector<kafka::TopicPartition>& partitions) {  // mutex_ held
  std::erase_if(buffer_, [&](const Pending& p) {
    for (const kafka::TopicPartition& tp : partitions) {
      if (p.partition == tp.partition && p.topic == tp.topic) return true;
    }
    return false;
  });
}

void Sink::ReadLoop() {
  pthread_setname_np(pthread_self(), "sink-reader");
  const size_t max_buffered = static_cast<size_t>(config_.connector.max_buffered_records);
  std::vector<Pending> decoded;
  absl::Time last_wakeup = absl::InfinitePast();
  absl::Time last_data = absl::InfinitePast();
  kafka::TopicPartition last_woken;
  while (true) {
    size_t room = 0;
    bool empty = false;
    {
      std::unique_lock lock(mutex_);
      // A full buffer: wait for the applier. librdkafka's queue then fills and it stops
      // fetching; a second's Poll still serves rebalances (a slow database must not cost the
      // group membership) and takes one record at most.
      buffer_changed_.wait_for(lock, std::chrono::seconds(1),
                               [&] { return stop_reader_ || buffer_.size() < max_buffered; });
      if (stop_reader_) return;
      room = buffer_.size() < max_buffered ? max_buffered - buffer_.size() : 1;
      empty = buffer_.empty();
    }
    // Fetching stops only while the admin API paused the sink. A full buffer is backpressure
    // enough: librdkafka's queue then fills to queued.max.messages.kbytes and it stops
    // fetching. (Pausing partitions for backpressure was measured: on librdkafka 2.0 a resume
    // often waits a whole second before the next fetch, which made catching up 3x slower.)
    const bool want_pause = pause_requested_;
    if (want_pause != consumer_paused_) {
      std::vector<kafka::TopicPartition> all;
      {
        std::lock_guard lock(mutex_);
        all.assign(assigned_.begin(), assigned_.end());
      }
      absl::Status s = want_pause ? consumer_->Pause(all) : consumer_->Resume(all);
      if (!s.ok()) log_->warn("{}: {}", want_pause ? "pause" : "resume", s.message());
      consumer_paused_ = want_pause;
    }
    if (pause_requested_ != admin_paused_) {
      admin_paused_ = pause_requested_;
      metrics_.paused.Set(admin_paused_ ? 1 : 0);
      log_->info("{}", admin_paused_ ? "paused" : "resumed");
    }
    absl::StatusOr<std::vector<kafka::Message>> batch = consumer_->Poll(
        empty ? absl::Milliseconds(100) : absl::Milliseconds(5), std::min(room, size_t{5000}));
    if (!batch.ok()) {
      std::lock_guard lock(mutex_);
      reader_status_ = batch.status();
      buffer_changed_.notify_all();
      return;
    }
    // Decode outside the lock; the 4 KB messages are released when `batch` goes.
    decoded.clear();
    for (const kafka::Message& m : *batch) {
      Pending& p = decoded.emplace_back();
      p.topic = p.source_topic = Intern(m.topic());
      p.partition = p.source_partition = m.partition();
      p.offset = p.source_offset = m.offset();
      Decode(*reader_decoding_, m, p);
    }
    // librdkafka 2.0 re-decides whether to fetch only when its broker thread wakes up, and
    // once its queue reached queued.max.messages.kbytes it sleeps up to a second
    // (fetch.queue.backoff.ms came in 2.1). Any request to that broker wakes it: when a Poll
    // found the queue drained, and records came in the last 2 s (an idle topic has an empty
    // queue and a fetcher that is not asleep), ask for a partition's watermarks (one
    // small round trip), at most every 50 ms, rotating over the assignment so each leader's thread
    // gets its turn. Measured on the reference topic: 264k records in 2.2 s instead of 4 s.
    const absl::Time now = absl::Now();
    if (!batch->empty()) last_data = now;
    if (batch->size() < std::min(room, size_t{5000}) && !consumer_paused_ &&
        now - last_data < absl::Seconds(2) && now - last_wakeup > absl::Milliseconds(50)) {
      last_wakeup = now;
      std::optional<kafka::TopicPartition> target;
      {
        std::lock_guard lock(mutex_);
        if (!assigned_.empty()) {
          auto it = assigned_.upper_bound(last_woken);
          target = it != assigned_.end() ? *it : *assigned_.begin();
        }
      }
      if (target) {
        last_woken = *target;
        (void)consumer_->QueryWatermarks(target->topic, target->partition, absl::Milliseconds(500));
      }
    }
    std::lock_guard lock(mutex_);
    // Records of partitions revoked during this Poll belong to their new owner now. (Records
    // come in runs of one partition: look each run up once. Topics are interned, so equal
    // topics share one pointer.)
    const char* run_topic = nullptr;
    int32_t run_partition = -1;
    bool run_assigned = false;
    for (Pending& p : decoded) {
      if (p.topic.data() != run_topic || p.partition != run_partition) {
        run_topic = p.topic.data();
        run_partition = p.partition;
        run_assigned = assigned_.contains({std::string(p.topic), p.partition});
      }
      if (run_assigned) buffer_.push_back(std::move(p));
    }
    reader_drained_ = batch->size() < std::min(room, size_t{5000});
    buffer_changed_.notify_all();
  }
}

absl::Status Sink::Run(const std::atomic<bool>& stop) {
  {
    std::lock_guard lock(mutex_);
    running_ = true;
  }
  std::thread reader([this] { ReadLoop(); });
  absl::Status result = absl::OkStatus();
  absl::Time last_lag = absl::InfinitePast();
  const size_t batch_size = static_cast<size_t>(config_.connector.batch_size);
  while (!stop) {
    ServeReplays(stop);
    if (absl::Now() - last_lag > absl::Seconds(1)) {
      UpdateLag();
      last_lag = absl::Now();
    }
    batch_.clear();
    {
      std::unique_lock lock(mutex_);
      // A full batch, or what there is once librdkafka's queue is drained.
      buffer_changed_.wait_for(lock, std::chrono::milliseconds(200), [&] {
        return !reader_status_.ok() || buffer_.size() >= batch_size ||
               (!buffer_.empty() && reader_drained_);
      });
      if (!reader_status_.ok()) {
        result = reader_status_;
        break;
      }
      const size_t n = std::min(batch_size, buffer_.size());
      if (n == 0) continue;
      for (size_t i = 0; i < n; ++i) batch_.push_back(std::move(buffer_[i]));
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
      buffer_changed_.notify_all();
    }
    absl::StatusOr<BatchOutcome> outcome = ProcessBatch(batch_, /*replay=*/false, stop);
    if (!outcome.ok()) {
      if (outcome.status().code() != absl::StatusCode::kCancelled) result = outcome.status();
      break;
    }
  }
  {
    std::lock_guard lock(mutex_);
    stop_reader_ = true;
    running_ = false;
    if (!result.ok()) last_error_ = std::string(result.message());
    buffer_changed_.notify_all();
    // Replays still queued will not run: answer them, so their callers (and shutdown) go on.
    for (ReplayRequest* request : replays_) {
      request->result = absl::UnavailableError("the sink stopped before the replay ran");
    }
    replays_.clear();
    replay_done_.notify_all();
  }
  reader.join();
  return result;
}

absl::StatusOr<Sink::BatchOutcome> Sink::ProcessBatch(std::span<Pending> batch, bool replay,
                                                      const std::atomic<bool>& stop) {
  const absl::Time started = absl::Now();
  for (int attempt = 0;; ++attempt) {
    BatchOutcome outcome;
    absl::Status status = TryApply(batch, replay, outcome);
    if (status.ok()) {
      metrics_.database_up.Set(1);
      metrics_.batch_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - started));
      std::lock_guard lock(mutex_);
      degraded_ = false;
      return outcome;
    }
    database_.Rollback();
    if (!Retriable(status)) return status;
    if (status.code() == absl::StatusCode::kUnavailable) metrics_.database_up.Set(0);
    tables_.Invalidate();
    {
      std::lock_guard lock(mutex_);
      degraded_ = true;
      last_error_ = std::string(status.message());
    }
    if (attempt >= config_.connector.max_retries) {
      return absl::Status(
          status.code(),
          absl::StrCat("giving up after ", attempt, " retries (max.retries): ", status.message()));
    }
    metrics_.retries.Increment();
    log_->warn("batch of {} records failed, retry {} of {} in {} ms: {}", batch.size(), attempt + 1,
               config_.connector.max_retries, config_.connector.retry_backoff_ms, status.message());
    if (!SleepFor(absl::Milliseconds(config_.connector.retry_backoff_ms), stop)) {
      return absl::CancelledError("stopped while retrying");
    }
  }
}

absl::StatusOr<RawRecord> Sink::Refetch(std::string_view topic, int32_t partition, int64_t offset) {
  if (!refetcher_) {
    ASSIGN_OR_RETURN(refetcher_,
                     kafka::Consumer::Create({.bootstrap_servers = config_.kafka.bootstrap_servers,
                                              .group_id = config_.GroupId() + "-refetch",
                                              .client_id = "cdcflow-mysql-sink-refetch",
                                              .properties = config_.kafka.properties,
                                              .statistics_interval = absl::ZeroDuration(),
                                              .on_log = kafka_log_},
                                             registry_));
  }
  RETURN_IF_ERROR(refetcher_->Assign({{std::string(topic), partition, offset}}));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    ASSIGN_OR_RETURN(std::vector<kafka::Message> messages,
                     refetcher_->Poll(absl::Milliseconds(500), 1));
    for (const kafka::Message& m : messages) {
      if (m.topic() == topic && m.partition() == partition && m.offset() == offset) {
        return RawRecord::From(m);
      }
    }
  }
  return absl::UnavailableError(absl::StrCat("read ", View(topic), "/", partition, "@", offset,
                                             " again for its dead letter: timed out"));
}

absl::Status Sink::TryApply(std::span<Pending> batch, bool replay, BatchOutcome& outcome) {
  const size_t n = batch.size();
  std::vector<Failure> failures;
  std::vector<uint8_t> failed(n, 0);
  for (size_t i = 0; i < n; ++i) {
    batch[i].included = true;
    batch[i].record.source_index = i;
    if (batch[i].early_failure) {
      failures.push_back({i, batch[i].early_failure->stage, batch[i].early_failure->status});
      failed[i] = 1;
    }
  }

  // 1. Tables: DDL before the transaction (MySQL commits DDL implicitly).
  std::map<std::string_view, std::vector<size_t>> by_table;
  for (size_t i = 0; i < n; ++i) {
    if (!failed[i] && batch[i].record.op != Op::kSkip) by_table[batch[i].record.table].push_back(i);
  }
  for (auto& [table_view, indexes] : by_table) {
    const std::string table(table_view);
    std::set<uint64_t> prepared;
    for (size_t i : indexes) {
      const SinkRecord& r = batch[i].record;
      if (r.op != Op::kUpsert || failed[i]) continue;
      if (!prepared.insert(r.value_schema->fingerprint).second) continue;
      absl::Status s = tables_.Prepare(table, *r.value_schema, *r.key_columns);
      if (s.ok()) continue;
      if (Retriable(s)) return s;
      // The table cannot take rows of this shape: each of them is dead-lettered.
      for (size_t j : indexes) {
        const SinkRecord& other = batch[j].record;
        if (other.op == Op::kUpsert && !failed[j] &&
            other.value_schema->fingerprint == r.value_schema->fingerprint) {
          failures.push_back({j, FailureStage::kTable, s});
          failed[j] = 1;
        }
      }
    }
  }

  // 2. The transaction: fence on the offsets, apply, dead-letter, store offsets, commit.
  RETURN_IF_ERROR(database_.Begin());
  std::map<kafka::TopicPartition, int64_t> first_offset;
  ForEachPartitionRun(batch, [&](const Pending& run_start, std::span<Pending> run) {
    auto [it, inserted] = first_offset.try_emplace(
        kafka::TopicPartition{std::string(run_start.topic), run_start.partition}, run_start.offset);
    for (const Pending& p : run) it->second = std::min(it->second, p.offset);
  });
  std::vector<kafka::TopicPartition> partitions;
  for (const auto& [tp, first] : first_offset) partitions.push_back(tp);
  ASSIGN_OR_RETURN(Positions stored, offsets_.Load(database_, partitions, /*for_update=*/true));
  std::vector<kafka::TopicPartitionOffset> seeks;
  for (const auto& [tp, first] : first_offset) {
    auto d = stored.find(tp);
    if (d == stored.end()) continue;
    bool went_back = false;
    if (!replay) {
      std::lock_guard lock(mutex_);
      auto p = positions_.find(tp);
      went_back = p != positions_.end() && d->second < p->second;
    }
    if (first >= d->second && !went_back) continue;
    // Someone else (a previous owner of the partition) applied records past ours, or the
    // table was reset: never apply a record twice, never skip one.
    for (Pending& pending : batch) {
      if (pending.topic == tp.topic && pending.partition == tp.partition &&
          (went_back || pending.offset < d->second)) {
        pending.included = false;
      }
    }
    log_->warn("partition {}/{}: the offsets table says {}, this batch starts at {}: {}", tp.topic,
               tp.partition, d->second, first,
               went_back ? "seeking back to it" : "dropping the records already applied");
    if (went_back) seeks.push_back({tp.topic, tp.partition, d->second});
  }

  std::map<std::string_view, TableWriteResult> written;
  std::vector<const SinkRecord*> table_records;
  for (auto& [table_view, indexes] : by_table) {
    table_records.clear();
    for (size_t i : indexes) {
      if (!failed[i] && batch[i].included) table_records.push_back(&batch[i].record);
    }
    if (table_records.empty()) continue;
    const std::string table(table_view);
    ASSIGN_OR_RETURN(bool exists, tables_.Exists(table));
    ASSIGN_OR_RETURN(TableWriteResult result, writer_.Write(table, table_records, exists));
    for (RecordFailure& f : result.failures) {
      failures.push_back({f.source_index, FailureStage::kApply, std::move(f.status)});
      failed[f.source_index] = 1;
    }
    written[table_view] = std::move(result);
  }

  // Failures of records the fence dropped are someone else's.
  std::erase_if(failures, [&](const Failure& f) { return !batch[f.index].included; });
  std::sort(failures.begin(), failures.end(),
            [](const Failure& a, const Failure& b) { return a.index < b.index; });
  if (!failures.empty() && config_.connector.errors_tolerance == "none") {
    const Failure& f = failures.front();
    const Pending& p = batch[f.index];
    return absl::FailedPreconditionError(
        absl::StrCat("record ", View(p.source_topic), "/", p.source_partition, "@", p.source_offset,
                     " (", View(StageName(f.stage)), "): ", f.status.message(),
                     " — errors.tolerance is none, so the sink stops; the record was not applied "
                     "and its offset not committed"));
  }
  if (!failures.empty()) {
    std::vector<RawRecord> refetched;
    refetched.reserve(failures.size());
    std::vector<DeadLetter> letters;
    letters.reserve(failures.size());
    for (const Failure& f : failures) {
      const Pending& p = batch[f.index];
      const RawRecord* raw = p.raw.get();
      if (raw == nullptr) {
        ASSIGN_OR_RETURN(RawRecord again, Refetch(p.topic, p.partition, p.offset));
        refetched.push_back(std::move(again));
        raw = &refetched.back();
      }
      letters.push_back({.record = raw,
                         .topic = p.source_topic,
                         .partition = p.source_partition,
                         .offset = p.source_offset,
                         .stage = f.stage,
                         .error = f.status});
    }
    RETURN_IF_ERROR(dead_letters_->Send(letters, absl::Seconds(30)));
  }

  Positions next;
  ForEachPartitionRun(batch, [&](const Pending& run_start, std::span<Pending> run) {
    int64_t last = -1;
    for (const Pending& p : run) {
      if (p.included) last = std::max(last, p.offset);
    }
    if (last < 0) return;
    int64_t& position = next[{std::string(run_start.topic), run_start.partition}];
    position = std::max(position, last + 1);
  });
  RETURN_IF_ERROR(offsets_.Store(database_, next));
  RETURN_IF_ERROR(database_.Commit());

  // Committed: account for it.
  if (!replay) {
    std::vector<kafka::TopicPartitionOffset> commits;
    std::lock_guard lock(mutex_);
    for (const auto& [tp, offset] : next) {
      positions_[tp] = offset;
      commits.push_back({tp.topic, tp.partition, offset});
    }
    // Kafka's copy of the offsets is for lag tools (kafka-consumer-groups); the database's
    // copy is the one the sink resumes from.
    if (!commits.empty()) consumer_->CommitAsync(commits).IgnoreError();
    for (const kafka::TopicPartitionOffset& seek : seeks) {
      positions_[{seek.topic, seek.partition}] = seek.offset;
      Forget({{seek.topic, seek.partition}});
      consumer_->Seek(seek, absl::Seconds(10)).IgnoreError();
    }
  }
  {
    // Family::Add looks the labels up: once per topic (or reason) and batch, not per record.
    std::map<std::string_view, int64_t> per_topic;
    std::map<std::string_view, int64_t> skipped;
    for (const Pending& p : batch) {
      if (!p.included) continue;
      ++per_topic[p.source_topic];
      if (p.record.op == Op::kSkip && !p.early_failure) ++skipped[p.skip_reason];
    }
    for (const auto& [topic, count] : per_topic) {
      metrics_.records.Add({{"topic", std::string(topic)}}).Increment(static_cast<double>(count));
    }
    for (const auto& [reason, count] : skipped) {
      metrics_.records_skipped.Add({{"reason", std::string(reason)}})
          .Increment(static_cast<double>(count));
    }
  }
  std::lock_guard lock(mutex_);
  for (const auto& [table_view, result] : written) {
    const std::string table(table_view);
    metrics_.rows_upserted.Add({{"table", table}})
        .Increment(static_cast<double>(result.rows_upserted));
    metrics_.rows_deleted.Add({{"table", table}})
        .Increment(static_cast<double>(result.rows_deleted));
    metrics_.statements.Increment(static_cast<double>(result.statements));
    TableStatus& status = table_status_[table];
    status.upserted += result.rows_upserted;
    status.deleted += result.rows_deleted;
  }
  for (const Failure& f : failures) {
    const Pending& p = batch[f.index];
    metrics_.dlq_records
        .Add({{"topic", std::string(p.source_topic)}, {"stage", std::string(StageName(f.stage))}})
        .Increment();
    if (p.record.op != Op::kSkip) ++table_status_[std::string(p.record.table)].dead_letters;
  }
  for (const auto& [tp, offset] : next) partition_status_[tp].next_offset = offset;
  metrics_.tables_created.Increment(
      static_cast<double>(tables_.tables_created() - reported_tables_created_));
  metrics_.columns_added.Increment(
      static_cast<double>(tables_.columns_added() - reported_columns_added_));
  reported_tables_created_ = tables_.tables_created();
  reported_columns_added_ = tables_.columns_added();
  metrics_.batches.Increment();
  int64_t included = 0;
  for (const Pending& p : batch) included += p.included ? 1 : 0;
  metrics_.batch_rows.Observe(static_cast<double>(included));
  outcome.failed = static_cast<int64_t>(failures.size());
  outcome.applied = included - outcome.failed;
  return absl::OkStatus();
}

void Sink::UpdateLag() {
  if (!consumer_) return;
  std::lock_guard lock(mutex_);
  for (const kafka::TopicPartition& tp : assigned_) {
    int64_t low = 0;
    int64_t high = 0;
    if (consumer_->handle()->get_watermark_offsets(tp.topic, tp.partition, &low, &high) !=
            RdKafka::ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    auto p = positions_.find(tp);
    const int64_t position = p != positions_.end() ? p->second : low;
    const int64_t lag = std::max<int64_t>(0, high - position);
    metrics_.consumer_lag.Add({{"topic", tp.topic}, {"partition", absl::StrCat(tp.partition)}})
        .Set(static_cast<double>(lag));
    PartitionStatus& status = partition_status_[tp];
    status.lag = lag;
    status.next_offset = position;
  }
}

absl::StatusOr<ReplayResult> Sink::RunReplay(const std::string& dlq_topic,
                                             const std::atomic<bool>& stop) {
  ReplayResult total;
  kafka::ConsumerOptions options{.bootstrap_servers = config_.kafka.bootstrap_servers,
                                 .group_id = config_.GroupId() + "-replay",
                                 .client_id = "cdcflow-mysql-sink-replay",
                                 .properties = config_.kafka.properties,
                                 .statistics_interval = absl::ZeroDuration(),
                                 .on_log = kafka_log_};
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Consumer> reader,
                   kafka::Consumer::Create(std::move(options), registry_));
  RdKafka::Metadata* raw_metadata = nullptr;
  std::unique_ptr<RdKafka::Topic> topic_handle;
  {
    std::string error;
    topic_handle.reset(RdKafka::Topic::create(reader->handle(), dlq_topic, nullptr, error));
    if (!topic_handle) return absl::InternalError(absl::StrCat("replay: ", error));
  }
  if (reader->handle()->metadata(false, topic_handle.get(), &raw_metadata, 10000) !=
      RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("replay: no metadata for topic ", dlq_topic));
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw_metadata);
  std::vector<kafka::TopicPartition> partitions;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->err() != RdKafka::ERR_NO_ERROR) {
      return absl::NotFoundError(
          absl::StrCat("replay: topic ", dlq_topic, ": ", RdKafka::err2str(t->err())));
    }
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      partitions.push_back({dlq_topic, p->id()});
    }
  }
  if (partitions.empty()) return absl::NotFoundError(absl::StrCat("replay: no topic ", dlq_topic));

  // From where the last replay stopped (kept in the offsets table) to today's end.
  ASSIGN_OR_RETURN(Positions stored, offsets_.Load(database_, partitions, false));
  std::map<kafka::TopicPartition, int64_t> ends;
  std::vector<kafka::TopicPartitionOffset> starts;
  for (const kafka::TopicPartition& tp : partitions) {
    ASSIGN_OR_RETURN(auto marks,
                     reader->QueryWatermarks(tp.topic, tp.partition, absl::Seconds(10)));
    auto it = stored.find(tp);
    const int64_t start = it != stored.end() ? std::max(it->second, marks.first) : marks.first;
    if (start < marks.second) {
      ends[tp] = marks.second;
      starts.push_back({tp.topic, tp.partition, start});
    }
  }
  log_->info("replay of {}: {} partition(s) with records to replay", dlq_topic, starts.size());
  if (starts.empty()) return total;
  RETURN_IF_ERROR(reader->Assign(starts));

  std::vector<Pending> pending;
  Decoding decoding = MakeDecoding();
  while (!ends.empty() && !stop) {
    ASSIGN_OR_RETURN(
        std::vector<kafka::Message> batch,
        reader->Poll(absl::Milliseconds(500), static_cast<size_t>(config_.connector.batch_size)));
    pending.clear();
    for (const kafka::Message& m : batch) {
      auto end = ends.find({std::string(m.topic()), m.partition()});
      if (end == ends.end() || m.offset() >= end->second) continue;
      Pending& p = pending.emplace_back();
      p.topic = p.source_topic = Intern(m.topic());
      p.partition = p.source_partition = m.partition();
      p.offset = p.source_offset = m.offset();
      // The original coordinates, as the dead-letter headers recorded them.
      std::optional<std::string_view> topic = m.header("__connect.errors.topic");
      std::optional<std::string_view> partition = m.header("__connect.errors.partition");
      std::optional<std::string_view> offset = m.header("__connect.errors.offset");
      if (topic && topic->data() != nullptr) p.source_topic = Intern(*topic);
      if (partition && partition->data() != nullptr) {
        (void)absl::SimpleAtoi(View(*partition), &p.source_partition);
      }
      if (offset && offset->data() != nullptr) {
        (void)absl::SimpleAtoi(View(*offset), &p.source_offset);
      }
      Decode(decoding, m, p);
    }
    for (const kafka::Message& m : batch) {
      auto end = ends.find({std::string(m.topic()), m.partition()});
      if (end != ends.end() && m.offset() + 1 >= end->second) ends.erase(end);
    }
    if (pending.empty()) continue;
    ASSIGN_OR_RETURN(BatchOutcome outcome, ProcessBatch(pending, /*replay=*/true, stop));
    total.records += static_cast<int64_t>(pending.size());
    total.applied += outcome.applied;
    total.failed += outcome.failed;
  }
  reader->Close().IgnoreError();
  log_->info("replay of {}: {} records, {} applied, {} failed again", dlq_topic, total.records,
             total.applied, total.failed);
  return total;
}

void Sink::FillStatus(v1::GetStatusResponse& status) {
  std::lock_guard lock(mutex_);
  const bool paused = pause_requested_;
  const v1::ComponentState state = degraded_ ? v1::COMPONENT_STATE_DEGRADED
                                   : paused  ? v1::COMPONENT_STATE_PAUSED
                                             : v1::COMPONENT_STATE_RUNNING;
  status.set_state(state);
  v1::ComponentStatus* consumer = status.add_components();
  consumer->set_name("consumer");
  consumer->set_state(state);
  consumer->set_message(last_error_);
  (*consumer->mutable_attributes())["group_id"] = config_.GroupId();
  (*consumer->mutable_counters())["assigned_partitions"] =
      static_cast<int64_t>(partition_status_.size());
  for (const auto& [table, t] : table_status_) {
    v1::ComponentStatus* c = status.add_components();
    c->set_name("table:" + table);
    c->set_state(state);
    (*c->mutable_counters())["rows_upserted"] = t.upserted;
    (*c->mutable_counters())["rows_deleted"] = t.deleted;
    (*c->mutable_counters())["dead_letters"] = t.dead_letters;
  }
  for (const auto& [tp, p] : partition_status_) {
    v1::ComponentStatus* c = status.add_components();
    c->set_name(absl::StrCat("partition:", tp.topic, "/", tp.partition));
    c->set_state(state);
    (*c->mutable_counters())["next_offset"] = p.next_offset;
    (*c->mutable_counters())["lag"] = p.lag;
  }
}

}  // namespace cdcflow::mysql_sink
