#include "libs/kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/client.h"
#include "libs/kafka/errors.h"

namespace cdcflow::kafka {

static_assert(sizeof(void*) >= sizeof(uint64_t), "tokens travel as librdkafka msg_opaque");

namespace {
// Recorded delivery reports that wake the poll thread before its next tick.
constexpr size_t kWakeUpReports = 8192;
}  // namespace

class Producer::DeliveryCallback final : public RdKafka::DeliveryReportCb {
 public:
  explicit DeliveryCallback(Producer* producer) : producer_(producer) {}
  void dr_cb(RdKafka::Message& message) override { producer_->OnDelivery(message.c_ptr()); }

 private:
  Producer* const producer_;
};

Properties ProducerProperties(const ProducerOptions& options) {
  Properties properties = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"client.id", options.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"partitioner", "murmur2_random"},
      {"statistics.interval.ms",
       absl::StrCat(absl::ToInt64Milliseconds(options.statistics_interval))},
  };
  if (!options.transactional_id.empty()) {
    properties["transactional.id"] = options.transactional_id;
  }
  for (const auto& [name, value] : options.properties) properties[name] = value;
  return properties;
}

Producer::Producer(ProducerOptions options)
    : options_(std::move(options)),
      events_(std::make_unique<internal::EventHandler>(options_.on_log)),
      delivery_callback_(std::make_unique<DeliveryCallback>(this)) {}

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(ProducerOptions options,
                                                           prometheus::Registry& registry) {
  if (options.bootstrap_servers.empty() && !options.properties.contains("bootstrap.servers") &&
      !options.properties.contains("test.mock.num.brokers")) {
    return absl::InvalidArgumentError("create producer: bootstrap_servers is empty");
  }
  std::unique_ptr<Producer> producer(new Producer(std::move(options)));
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf,
                   internal::BuildConf(ProducerProperties(producer->options_)));
  RETURN_IF_ERROR(internal::SetCallback(*conf, "event_cb", producer->events_.get()));
  RETURN_IF_ERROR(internal::SetCallback(*conf, "dr_cb", producer->delivery_callback_.get()));
  std::string errstr;
  producer->handle_.reset(RdKafka::Producer::create(conf.get(), errstr));
  if (producer->handle_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("create producer: ", errstr));
  }
  producer->name_ = producer->handle_->name();
  producer->metrics_ =
      std::make_unique<ClientMetrics>(registry, producer->name_, ClientMetrics::Kind::kProducer);
  producer->events_->set_metrics(producer->metrics_.get());
  if (producer->options_.poll_thread) {
    producer->poll_thread_ = std::thread([p = producer.get()] { p->PollLoop(); });
  }
  return producer;
}

Producer::~Producer() {
  if (poll_thread_.joinable()) {
    {
      std::lock_guard lock(reports_mu_);
      stop_.store(true, std::memory_order_relaxed);
    }
    reports_cv_.notify_all();
    poll_thread_.join();
  }
  if (handle_ == nullptr) return;  // Create() failed half-way
  if (handle_->flush(internal::TimeoutMs(options_.close_timeout)) != RdKafka::ERR_NO_ERROR) {
    events_->Log(RdKafka::Event::EVENT_SEVERITY_WARNING,
                 absl::StrCat("producer ", name_, ": ", handle_->outq_len(),
                              " messages not delivered within the close timeout; purging"));
    handle_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    handle_->flush(1000);  // serves the purged messages' delivery reports
  }
  RunHandlers();  // every accepted message's handler has run
  {
    std::lock_guard lock(topics_mu_);
    for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
    topics_.clear();
  }
  handle_.reset();
  events_->set_metrics(nullptr);
}

void Producer::PollLoop() {
  // While the caller keeps calling Produce()/Poll()/Flush(), those calls serve librdkafka
  // (and free the messages on the thread that allocated them, which glibc's malloc rewards):
  // this thread then only runs the handlers for what they recorded. When the caller has been
  // quiet for kCallerIdle (e.g. all produced, nothing more to send), this thread serves
  // librdkafka itself, so the last delivery reports never wait for the next Produce().
  constexpr auto kCallerIdle = std::chrono::milliseconds(50);
  uint64_t last_activity = caller_activity_.load(std::memory_order_relaxed);
  auto last_active = std::chrono::steady_clock::now();
  while (!stop_.load(std::memory_order_relaxed)) {
    const auto now = std::chrono::steady_clock::now();
    if (const uint64_t activity = caller_activity_.load(std::memory_order_relaxed);
        activity != last_activity || callers_polling_.load(std::memory_order_relaxed) > 0) {
      last_activity = activity;
      last_active = now;
    }
    if (now - last_active < kCallerIdle) {
      // Handlers run in batches every few milliseconds (sooner when many are due): one
      // wake-up per batch, not per delivery report.
      std::unique_lock lock(reports_mu_);
      reports_cv_.wait_for(lock, std::chrono::milliseconds(5), [&] {
        return pending_.size() >= kWakeUpReports || stop_.load(std::memory_order_relaxed);
      });
    } else {
      handle_->poll(100);  // returns as soon as something was served
    }
    RunHandlers();
  }
}

template <typename Fn>
auto Producer::CallerServes(Fn fn) {
  caller_activity_.fetch_add(1, std::memory_order_relaxed);
  callers_polling_.fetch_add(1, std::memory_order_relaxed);
  auto result = fn();
  callers_polling_.fetch_sub(1, std::memory_order_relaxed);
  return result;
}

int Producer::Poll(absl::Duration timeout) {
  const int served = CallerServes([&] { return handle_->poll(internal::TimeoutMs(timeout)); });
  if (!options_.poll_thread) RunHandlers();
  return served;
}

absl::StatusOr<rd_kafka_topic_t*> Producer::Topic(std::string_view name) {
  std::lock_guard lock(topics_mu_);
  auto it = topics_.find(absl::string_view(name.data(), name.size()));
  if (it != topics_.end()) return it->second;
  std::string owned(name);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(handle_->c_ptr(), owned.c_str(), nullptr);
  if (topic == nullptr) {
    return ToStatusFromC(rd_kafka_last_error(), nullptr,
                         absl::StrCat("produce to '", owned, "': create topic handle"));
  }
  topics_.emplace(std::move(owned), topic);
  return topic;
}

absl::StatusOr<int> Producer::AwaitTopic(const std::string& topic, absl::Duration timeout) {
  return internal::AwaitTopic(handle_->c_ptr(), topic, timeout);
}

absl::Status Producer::Produce(std::string_view topic, int32_t partition, std::string_view key,
                               std::string_view value, absl::Span<const Header> headers,
                               uint64_t token) {
  ASSIGN_OR_RETURN(rd_kafka_topic_t * rkt, Topic(topic));

  rd_kafka_headers_t* c_headers = nullptr;
  if (!headers.empty()) {
    c_headers = rd_kafka_headers_new(headers.size());
    for (const Header& header : headers) {
      rd_kafka_header_add(c_headers, header.name.data(), static_cast<ssize_t>(header.name.size()),
                          header.value.data(), static_cast<ssize_t>(header.value.size()));
    }
  }

  // The C variadic-array API: the topic handle is cached (no per-message topic string) and
  // payload and key are passed as pointer + size and copied once by librdkafka.
  rd_kafka_vu_t args[7];
  size_t n = 0;
  args[n].vtype = RD_KAFKA_VTYPE_RKT;
  args[n++].u.rkt = rkt;
  args[n].vtype = RD_KAFKA_VTYPE_PARTITION;
  args[n++].u.i32 = partition;
  args[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[n++].u.i = RD_KAFKA_MSG_F_COPY;
  args[n].vtype = RD_KAFKA_VTYPE_VALUE;
  args[n].u.mem.ptr = const_cast<char*>(value.data());
  args[n++].u.mem.size = value.size();
  args[n].vtype = RD_KAFKA_VTYPE_KEY;
  args[n].u.mem.ptr = const_cast<char*>(key.data());
  args[n++].u.mem.size = key.size();
  args[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[n++].u.ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(token));
  if (c_headers != nullptr) {
    args[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    args[n++].u.headers = c_headers;
  }

  rd_kafka_error_t* error = rd_kafka_produceva(handle_->c_ptr(), args, n);
  if (error == nullptr) {  // librdkafka owns c_headers now
    // Serve what is ready without waiting, as librdkafka's examples do after each produce,
    // but every kProducesPerPoll produces: each poll takes librdkafka's queue lock, and
    // reports arrive per request (hundreds of messages) anyway. The reports are only recorded
    // here, and the messages freed on this thread.
    if (caller_activity_.fetch_add(1, std::memory_order_relaxed) % kProducesPerPoll == 0) {
      handle_->poll(0);
    }
    return absl::OkStatus();
  }

  if (c_headers != nullptr) rd_kafka_headers_destroy(c_headers);
  ErrorInfo info{.code = static_cast<RdKafka::ErrorCode>(rd_kafka_error_code(error)),
                 .message = rd_kafka_error_string(error),
                 .fatal = rd_kafka_error_is_fatal(error) != 0,
                 .retriable = rd_kafka_error_is_retriable(error) != 0,
                 .txn_requires_abort = rd_kafka_error_txn_requires_abort(error) != 0};
  absl::Status status =
      ToStatus(info, absl::StrCat("produce to '", internal::View(topic), "' [", partition, "]"));
  rd_kafka_error_destroy(error);
  if (absl::IsResourceExhausted(status)) {
    metrics_->queue_full()->Increment();
  } else {
    metrics_->produce_errors()->Increment();
  }
  return status;
}

void Producer::OnDelivery(const void* c_message) {
  const auto* message = static_cast<const rd_kafka_message_t*>(c_message);
  PendingReport report{
      .token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message->_private)),
      .topic = message->rkt,
      .partition = message->partition,
      .offset = message->offset,
      .error = message->err,
      .possibly_persisted =
          message->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
          rd_kafka_message_status(message) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED};
  bool wake_up;
  {
    std::lock_guard lock(reports_mu_);
    pending_.push_back(report);
    wake_up = pending_.size() == kWakeUpReports;
  }
  if (wake_up && options_.poll_thread) reports_cv_.notify_one();
}

void Producer::RunHandlers() {
  std::lock_guard running(handlers_mu_);
  {
    std::lock_guard lock(reports_mu_);
    if (pending_.empty()) return;
    running_.swap(pending_);
  }
  rd_kafka_topic_t* topic = nullptr;
  std::string_view topic_name;
  for (const PendingReport& pending : running_) {
    if (pending.topic != topic) {
      topic = pending.topic;
      topic_name = topic != nullptr ? rd_kafka_topic_name(topic) : "";
    }
    DeliveryReport report;
    report.token = pending.token;
    report.topic = topic_name;
    report.partition = pending.partition;
    if (pending.error == RD_KAFKA_RESP_ERR_NO_ERROR) {
      report.offset = pending.offset;
    } else {
      std::string operation = absl::StrCat("deliver message to '", internal::View(report.topic),
                                           "' [", report.partition, "]");
      if (pending.possibly_persisted) absl::StrAppend(&operation, " (possibly persisted)");
      report.status = ToStatusFromC(pending.error, nullptr, operation);
      // "Message timed out" alone does not say why: add what the connection reported.
      if (std::string broker_error = events_->LastBrokerError(); !broker_error.empty()) {
        report.status = absl::Status(
            report.status.code(),
            absl::StrCat(report.status.message(), "; last broker error: ", broker_error));
      }
    }
    // Counted before the handler runs: whoever reacts to a report sees it in the metrics.
    (report.status.ok() ? metrics_->delivered() : metrics_->delivery_errors())->Increment();
    if (options_.on_delivery) options_.on_delivery(report);
  }
  running_.clear();  // keeps its capacity
}

absl::Status Producer::Flush(absl::Duration timeout) {
  RdKafka::ErrorCode code =
      CallerServes([&] { return handle_->flush(internal::TimeoutMs(timeout)); });
  RunHandlers();
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  return ToStatus(
      code, absl::StrCat("flush producer ", name_, " (", handle_->outq_len(),
                         " messages still queued after ", absl::FormatDuration(timeout), ")"));
}

int Producer::OutQueueLength() const { return handle_->outq_len(); }

namespace {

// Takes ownership of `error`.
absl::Status Consume(RdKafka::Error* error, absl::string_view operation) {
  std::unique_ptr<RdKafka::Error> owned(error);
  return ToStatus(owned.get(), operation);
}

}  // namespace

absl::Status Producer::InitTransactions(absl::Duration timeout) {
  return Consume(handle_->init_transactions(internal::TimeoutMs(timeout)), "init transactions");
}

absl::Status Producer::BeginTransaction() {
  return Consume(handle_->begin_transaction(), "begin transaction");
}

absl::Status Producer::SendOffsetsToTransaction(const std::vector<TopicPartitionOffset>& offsets,
                                                const GroupMetadata& group,
                                                absl::Duration timeout) {
  std::vector<RdKafka::TopicPartition*> partitions;
  partitions.reserve(offsets.size());
  for (const TopicPartitionOffset& o : offsets) {
    partitions.push_back(RdKafka::TopicPartition::create(o.topic, o.partition, o.offset));
  }
  absl::Status status = Consume(
      handle_->send_offsets_to_transaction(partitions, group.get(), internal::TimeoutMs(timeout)),
      "send offsets to transaction");
  RdKafka::TopicPartition::destroy(partitions);
  return status;
}

absl::Status Producer::CommitTransaction(absl::Duration timeout) {
  // Commit flushes: the transaction's delivery reports are served meanwhile.
  absl::Status status = CallerServes([&] {
    return Consume(handle_->commit_transaction(internal::TimeoutMs(timeout)), "commit transaction");
  });
  RunHandlers();
  return status;
}

absl::Status Producer::AbortTransaction(absl::Duration timeout) {
  absl::Status status = CallerServes([&] {
    return Consume(handle_->abort_transaction(internal::TimeoutMs(timeout)), "abort transaction");
  });
  RunHandlers();
  return status;
}

}  // namespace cdcflow::kafka
