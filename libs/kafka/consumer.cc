#include "libs/kafka/consumer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/client.h"
#include "libs/kafka/errors.h"

namespace cdcflow::kafka {
namespace {

// Owns a librdkafka partition list for the duration of a call.
class PartitionList {
 public:
  PartitionList() = default;
  explicit PartitionList(const std::vector<TopicPartition>& partitions) {
    list_.reserve(partitions.size());
    for (const TopicPartition& p : partitions) {
      list_.push_back(RdKafka::TopicPartition::create(p.topic, p.partition));
    }
  }
  explicit PartitionList(const std::vector<TopicPartitionOffset>& offsets) {
    list_.reserve(offsets.size());
    for (const TopicPartitionOffset& o : offsets) {
      list_.push_back(RdKafka::TopicPartition::create(o.topic, o.partition, o.offset));
    }
  }
  ~PartitionList() { RdKafka::TopicPartition::destroy(list_); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;

  std::vector<RdKafka::TopicPartition*>& get() { return list_; }

 private:
  std::vector<RdKafka::TopicPartition*> list_;
};

std::vector<TopicPartition> ToPartitions(const std::vector<RdKafka::TopicPartition*>& list) {
  std::vector<TopicPartition> out;
  out.reserve(list.size());
  for (const RdKafka::TopicPartition* p : list) out.push_back({p->topic(), p->partition()});
  return out;
}

std::vector<TopicPartitionOffset> ToOffsets(const std::vector<RdKafka::TopicPartition*>& list) {
  std::vector<TopicPartitionOffset> out;
  out.reserve(list.size());
  for (const RdKafka::TopicPartition* p : list) {
    out.push_back({p->topic(), p->partition(), p->offset()});
  }
  return out;
}

std::string Describe(const std::vector<RdKafka::TopicPartition*>& list) {
  return absl::StrJoin(list, ", ", [](std::string* out, const RdKafka::TopicPartition* p) {
    absl::StrAppend(out, p->topic(), "[", p->partition(), "]");
  });
}

// The first per-partition error of a list librdkafka filled in, if any.
absl::Status PartitionErrors(const std::vector<RdKafka::TopicPartition*>& list,
                             absl::string_view operation) {
  for (const RdKafka::TopicPartition* p : list) {
    if (p->err() != RdKafka::ERR_NO_ERROR) {
      return ToStatus(p->err(), absl::StrCat(operation, " ", p->topic(), "[", p->partition(), "]"));
    }
  }
  return absl::OkStatus();
}

absl::Status Consume(RdKafka::Error* error, absl::string_view operation) {
  std::unique_ptr<RdKafka::Error> owned(error);
  return ToStatus(owned.get(), operation);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Message

Message::Message(std::unique_ptr<RdKafka::Message> message) : message_(std::move(message)) {}
Message::~Message() = default;
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;

std::string_view Message::topic() const {
  const rd_kafka_message_t* m = message_->c_ptr();
  return m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
}
int32_t Message::partition() const { return message_->c_ptr()->partition; }
int64_t Message::offset() const { return message_->c_ptr()->offset; }
int64_t Message::timestamp_ms() const {
  return rd_kafka_message_timestamp(message_->c_ptr(), nullptr);
}
bool Message::has_key() const { return message_->c_ptr()->key != nullptr; }
std::string_view Message::key() const {
  const rd_kafka_message_t* m = message_->c_ptr();
  return {static_cast<const char*>(m->key), m->key_len};
}
bool Message::has_value() const { return message_->c_ptr()->payload != nullptr; }
std::string_view Message::value() const {
  const rd_kafka_message_t* m = message_->c_ptr();
  return {static_cast<const char*>(m->payload), m->len};
}

std::optional<std::string_view> Message::header(std::string_view name) const {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message_->c_ptr(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  std::optional<std::string_view> found;
  const char* header_name;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(headers, i, &header_name, &value, &size) ==
                     RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    if (name == header_name) found = std::string_view(static_cast<const char*>(value), size);
  }
  return found;
}

std::vector<Header> Message::headers() const {
  std::vector<Header> out;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message_->c_ptr(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return out;
  }
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    out.push_back({name, std::string_view(static_cast<const char*>(value), size)});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Callbacks

class Consumer::RebalanceCallback final : public RdKafka::RebalanceCb {
 public:
  explicit RebalanceCallback(Consumer* owner) : owner_(owner) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const ConsumerOptions& options = owner_->options_;
    internal::EventHandler& events = *owner_->events_;
    // cooperative-sticky hands out increments; an "eager" strategy set through properties
    // hands out the whole assignment each time.
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      if (options.start_offsets) {
        for (const TopicPartitionOffset& start : options.start_offsets(ToPartitions(partitions))) {
          for (RdKafka::TopicPartition* p : partitions) {
            if (p->topic() == start.topic && p->partition() == start.partition &&
                start.offset != kOffsetInvalid) {
              p->set_offset(start.offset);
            }
          }
        }
      }
      absl::Status status =
          cooperative ? Consume(consumer->incremental_assign(partitions), "incremental assign")
                      : ToStatus(consumer->assign(partitions), "assign");
      events.Log(
          status.ok() ? RdKafka::Event::EVENT_SEVERITY_INFO : RdKafka::Event::EVENT_SEVERITY_ERROR,
          absl::StrCat(owner_->name_, ": assigned ", Describe(partitions), status.ok() ? "" : ": ",
                       status.message()));
      if (status.ok() && options.on_assigned) options.on_assigned(ToPartitions(partitions));
    } else if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
      const bool lost = consumer->assignment_lost();
      events.Log(
          RdKafka::Event::EVENT_SEVERITY_INFO,
          absl::StrCat(owner_->name_, lost ? ": lost " : ": revoked ", Describe(partitions)));
      if (options.on_revoked) options.on_revoked(ToPartitions(partitions), lost);
      absl::Status status =
          cooperative ? Consume(consumer->incremental_unassign(partitions), "incremental unassign")
                      : ToStatus(consumer->unassign(), "unassign");
      if (!status.ok()) events.Log(RdKafka::Event::EVENT_SEVERITY_ERROR, status.message());
    } else {
      events.Log(RdKafka::Event::EVENT_SEVERITY_ERROR,
                 ToStatus(err, absl::StrCat(owner_->name_, ": rebalance")).message());
      if (cooperative) {
        Consume(consumer->incremental_unassign(partitions), "incremental unassign").IgnoreError();
      } else {
        consumer->unassign();
      }
    }
  }

 private:
  Consumer* const owner_;
};

class Consumer::CommitCallback final : public RdKafka::OffsetCommitCb {
 public:
  explicit CommitCallback(Consumer* owner) : owner_(owner) {}

  void offset_commit_cb(RdKafka::ErrorCode err,
                        std::vector<RdKafka::TopicPartition*>& offsets) override {
    // ERR__NO_OFFSET: nothing to commit. Success is silent.
    if (err == RdKafka::ERR_NO_ERROR || err == RdKafka::ERR__NO_OFFSET) return;
    owner_->metrics_->errors().Increment();
    owner_->events_->Log(
        RdKafka::Event::EVENT_SEVERITY_ERROR,
        ToStatus(err, absl::StrCat(owner_->name_, ": commit offsets of ", Describe(offsets)))
            .message());
  }

 private:
  Consumer* const owner_;
};

// ---------------------------------------------------------------------------------------------
// Consumer

Properties ConsumerProperties(const ConsumerOptions& options) {
  Properties properties = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"group.id", options.group_id},
      {"client.id", options.client_id},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", options.auto_offset_reset},
      {"isolation.level", options.isolation_level == IsolationLevel::kReadCommitted
                              ? "read_committed"
                              : "read_uncommitted"},
      {"statistics.interval.ms",
       absl::StrCat(absl::ToInt64Milliseconds(options.statistics_interval))},
  };
  for (const auto& [name, value] : options.properties) properties[name] = value;
  return properties;
}

Consumer::Consumer(ConsumerOptions options)
    : options_(std::move(options)),
      events_(std::make_unique<internal::EventHandler>(options_.on_log)),
      rebalance_callback_(std::make_unique<RebalanceCallback>(this)),
      commit_callback_(std::make_unique<CommitCallback>(this)) {}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(ConsumerOptions options,
                                                           prometheus::Registry& registry) {
  if (options.group_id.empty()) {
    return absl::InvalidArgumentError("create consumer: group_id is empty");
  }
  std::unique_ptr<Consumer> consumer(new Consumer(std::move(options)));
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf,
                   internal::BuildConf(ConsumerProperties(consumer->options_)));
  RETURN_IF_ERROR(internal::SetCallback(*conf, "event_cb", consumer->events_.get()));
  RETURN_IF_ERROR(
      internal::SetCallback(*conf, "rebalance_cb", consumer->rebalance_callback_.get()));
  RETURN_IF_ERROR(
      internal::SetCallback(*conf, "offset_commit_cb", consumer->commit_callback_.get()));
  std::string errstr;
  consumer->handle_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  if (consumer->handle_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("create consumer: ", errstr));
  }
  consumer->name_ = consumer->handle_->name();
  consumer->metrics_ =
      std::make_unique<ClientMetrics>(registry, consumer->name_, ClientMetrics::Kind::kConsumer);
  consumer->events_->set_metrics(consumer->metrics_.get());
  return consumer;
}

Consumer::~Consumer() {
  if (handle_ == nullptr) return;
  if (absl::Status status = Close(); !status.ok()) {
    events_->Log(RdKafka::Event::EVENT_SEVERITY_WARNING, status.message());
  }
  handle_.reset();
  events_->set_metrics(nullptr);
}

absl::Status Consumer::Subscribe(const std::vector<std::string>& topics) {
  return ToStatus(handle_->subscribe(topics),
                  absl::StrCat("subscribe to ", absl::StrJoin(topics, ", ")));
}

absl::Status Consumer::Assign(const std::vector<TopicPartitionOffset>& partitions) {
  std::vector<RdKafka::TopicPartition*> list;
  list.reserve(partitions.size());
  for (const auto& p : partitions) {
    list.push_back(RdKafka::TopicPartition::create(p.topic, p.partition, p.offset));
  }
  absl::Status status = ToStatus(handle_->assign(list), "assign partitions");
  RdKafka::TopicPartition::destroy(list);
  return status;
}

absl::StatusOr<std::vector<Message>> Consumer::Poll(absl::Duration timeout, size_t max_messages) {
  if (closed_) {
    return absl::FailedPreconditionError(absl::StrCat("poll consumer ", name_, ": closed"));
  }
  std::vector<Message> batch;
  const absl::Time deadline = absl::Now() + timeout;
  while (batch.size() < max_messages) {
    // Wait for the first message only; after it, take what is already there.
    const int wait_ms =
        batch.empty() ? internal::TimeoutMs(std::max(deadline - absl::Now(), absl::ZeroDuration()))
                      : 0;
    std::unique_ptr<RdKafka::Message> message(handle_->consume(wait_ms));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        batch.emplace_back(std::move(message));
        continue;
      case RdKafka::ERR__TIMED_OUT:
        return batch;
      case RdKafka::ERR__PARTITION_EOF:  // only with enable.partition.eof=true
        continue;
      default:
        break;
    }
    metrics_->errors().Increment();
    const RdKafka::ErrorCode code = message->err();
    if (code == RdKafka::ERR__FATAL) {
      std::string reason;
      RdKafka::ErrorCode fatal = handle_->fatal_error(reason);
      return ToStatus(ErrorInfo{.code = fatal, .message = reason, .fatal = true},
                      absl::StrCat("consume (", name_, ")"));
    }
    absl::Status status = ToStatus(ErrorInfo{.code = code, .message = message->errstr()},
                                   absl::StrCat("consume (", name_, ") ", message->topic_name(),
                                                "[", message->partition(), "]"));
    if (absl::IsPermissionDenied(status)) return status;
    events_->Log(RdKafka::Event::EVENT_SEVERITY_WARNING, status.message());
    if (absl::Now() >= deadline) return batch;
  }
  return batch;
}

absl::Status Consumer::Commit(const std::vector<TopicPartitionOffset>& offsets, bool async) {
  if (offsets.empty()) return absl::OkStatus();
  PartitionList list(offsets);
  const char* operation = async ? "commit offsets (async)" : "commit offsets";
  RdKafka::ErrorCode code =
      async ? handle_->commitAsync(list.get()) : handle_->commitSync(list.get());
  RETURN_IF_ERROR(ToStatus(code, absl::StrCat(operation, " of ", Describe(list.get()))));
  return async ? absl::OkStatus() : PartitionErrors(list.get(), operation);
}

absl::Status Consumer::CommitSync(const std::vector<TopicPartitionOffset>& offsets) {
  return Commit(offsets, /*async=*/false);
}

absl::Status Consumer::CommitAsync(const std::vector<TopicPartitionOffset>& offsets) {
  return Commit(offsets, /*async=*/true);
}

absl::StatusOr<std::vector<TopicPartitionOffset>> Consumer::Committed(
    const std::vector<TopicPartition>& partitions, absl::Duration timeout) {
  PartitionList list(partitions);
  RETURN_IF_ERROR(ToStatus(handle_->committed(list.get(), internal::TimeoutMs(timeout)),
                           "fetch committed offsets"));
  RETURN_IF_ERROR(PartitionErrors(list.get(), "fetch committed offset of"));
  return ToOffsets(list.get());
}

absl::StatusOr<std::vector<TopicPartitionOffset>> Consumer::Position(
    const std::vector<TopicPartition>& partitions) {
  PartitionList list(partitions);
  RETURN_IF_ERROR(ToStatus(handle_->position(list.get()), "get position"));
  RETURN_IF_ERROR(PartitionErrors(list.get(), "get position of"));
  return ToOffsets(list.get());
}

absl::StatusOr<std::vector<TopicPartition>> Consumer::Assignment() {
  PartitionList list;
  RETURN_IF_ERROR(ToStatus(handle_->assignment(list.get()), "get assignment"));
  return ToPartitions(list.get());
}

absl::StatusOr<std::pair<int64_t, int64_t>> Consumer::QueryWatermarks(const std::string& topic,
                                                                      int32_t partition,
                                                                      absl::Duration timeout) {
  int64_t low = 0;
  int64_t high = 0;
  RETURN_IF_ERROR(ToStatus(
      handle_->query_watermark_offsets(topic, partition, &low, &high, internal::TimeoutMs(timeout)),
      absl::StrCat("query watermarks of ", topic, "[", partition, "]")));
  return std::make_pair(low, high);
}

absl::Status Consumer::Pause(const std::vector<TopicPartition>& partitions) {
  PartitionList list(partitions);
  RETURN_IF_ERROR(ToStatus(handle_->pause(list.get()), "pause"));
  return PartitionErrors(list.get(), "pause");
}

absl::Status Consumer::Resume(const std::vector<TopicPartition>& partitions) {
  PartitionList list(partitions);
  RETURN_IF_ERROR(ToStatus(handle_->resume(list.get()), "resume"));
  return PartitionErrors(list.get(), "resume");
}

absl::Status Consumer::Seek(const TopicPartitionOffset& position, absl::Duration timeout) {
  std::unique_ptr<RdKafka::TopicPartition> partition(
      RdKafka::TopicPartition::create(position.topic, position.partition, position.offset));
  return ToStatus(
      handle_->seek(*partition, internal::TimeoutMs(timeout)),
      absl::StrCat("seek ", position.topic, "[", position.partition, "] to ", position.offset));
}

absl::StatusOr<GroupMetadata> Consumer::GetGroupMetadata() {
  RdKafka::ConsumerGroupMetadata* metadata = handle_->groupMetadata();
  if (metadata == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("get group metadata (", name_, "): the consumer has no group"));
  }
  return GroupMetadata(metadata);
}

absl::Status Consumer::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  return ToStatus(handle_->close(), absl::StrCat("close consumer ", name_));
}

}  // namespace cdcflow::kafka
