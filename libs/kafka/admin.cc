#include "libs/kafka/admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/client.h"
#include "libs/kafka/errors.h"

namespace cdcflow::kafka {
namespace {

// unique_ptr deleters for the C API's objects.
template <auto Destroy>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Destroy(p);
  }
};
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_destroy>>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_destroy>>;
using DeleteTopicPtr =
    std::unique_ptr<rd_kafka_DeleteTopic_t, Deleter<rd_kafka_DeleteTopic_destroy>>;
using ConfigResourcePtr =
    std::unique_ptr<rd_kafka_ConfigResource_t, Deleter<rd_kafka_ConfigResource_destroy>>;

// Admin options with both timeouts set: the broker's operation timeout and the request's.
absl::StatusOr<OptionsPtr> MakeOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                                       absl::Duration timeout, bool operation_timeout) {
  OptionsPtr options(rd_kafka_AdminOptions_new(rk, op));
  char errstr[512];
  const int ms = internal::TimeoutMs(timeout);
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), ms, errstr, sizeof(errstr)) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      (operation_timeout &&
       rd_kafka_AdminOptions_set_operation_timeout(options.get(), ms, errstr, sizeof(errstr)) !=
           RD_KAFKA_RESP_ERR_NO_ERROR)) {
    return absl::InvalidArgumentError(absl::StrCat("admin timeout: ", errstr));
  }
  return options;
}

// Waits for the result event of an admin request sent to `queue`.
absl::StatusOr<EventPtr> AwaitResult(rd_kafka_queue_t* queue, absl::Duration timeout,
                                     absl::string_view operation) {
  // The request times out by itself; the extra second lets its error event arrive.
  EventPtr event(rd_kafka_queue_poll(queue, internal::TimeoutMs(timeout + absl::Seconds(1))));
  if (event == nullptr) {
    return absl::DeadlineExceededError(
        absl::StrCat(operation, ": no result within ", absl::FormatDuration(timeout)));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ToStatusFromC(rd_kafka_event_error(event.get()),
                         rd_kafka_event_error_string(event.get()), operation);
  }
  return event;
}

// Folds per-topic results into one status: the first failure's code, every failure named.
absl::Status TopicResults(const rd_kafka_topic_result_t** results, size_t count,
                          absl::string_view operation) {
  absl::Status first;
  std::vector<std::string> failures;
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    absl::Status status =
        ToStatusFromC(err, rd_kafka_topic_result_error_string(results[i]),
                      absl::StrCat(operation, " '", rd_kafka_topic_result_name(results[i]), "'"));
    failures.emplace_back(status.message());
    if (first.ok()) first = status;
  }
  if (first.ok()) return first;
  if (failures.size() == 1) return first;
  return absl::Status(first.code(), absl::StrJoin(failures, "; "));
}

}  // namespace

Admin::Admin(AdminOptions options)
    : options_(std::move(options)),
      events_(std::make_unique<internal::EventHandler>(options_.on_log)) {}

Admin::~Admin() { handle_.reset(); }

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(AdminOptions options) {
  Properties properties = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"client.id", options.client_id},
      // A metadata request for a missing topic must not create it.
      {"allow.auto.create.topics", "false"},
  };
  for (const auto& [name, value] : options.properties) properties[name] = value;
  std::unique_ptr<Admin> admin(new Admin(std::move(options)));
  ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, internal::BuildConf(properties));
  RETURN_IF_ERROR(internal::SetCallback(*conf, "event_cb", admin->events_.get()));
  std::string errstr;
  admin->handle_.reset(RdKafka::Producer::create(conf.get(), errstr));
  if (admin->handle_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("create admin client: ", errstr));
  }
  return admin;
}

absl::Status Admin::CreateTopics(const std::vector<NewTopic>& topics, absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + timeout;
  rd_kafka_t* rk = handle_->c_ptr();
  std::vector<NewTopicPtr> owned;
  std::vector<rd_kafka_NewTopic_t*> requests;
  char errstr[512];
  for (const NewTopic& topic : topics) {
    NewTopicPtr request(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                              topic.replication_factor, errstr, sizeof(errstr)));
    if (request == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("create topic '", topic.name, "': ", errstr));
    }
    for (const auto& [name, value] : topic.configs) {
      if (rd_kafka_resp_err_t err =
              rd_kafka_NewTopic_set_config(request.get(), name.c_str(), value.c_str());
          err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ToStatusFromC(err, nullptr,
                             absl::StrCat("create topic '", topic.name, "': config ", name));
      }
    }
    requests.push_back(request.get());
    owned.push_back(std::move(request));
  }
  ASSIGN_OR_RETURN(OptionsPtr options,
                   MakeOptions(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, true));
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, requests.data(), requests.size(), options.get(), queue.get());
  ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, "create topics"));
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  if (result == nullptr) return absl::InternalError("create topics: unexpected result event");
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  RETURN_IF_ERROR(TopicResults(results, count, "create topic"));
  for (const NewTopic& topic : topics) {
    RETURN_IF_ERROR(
        AwaitTopic(topic.name, std::max(deadline - absl::Now(), absl::Seconds(1))).status());
  }
  return absl::OkStatus();
}

absl::Status Admin::DeleteTopics(const std::vector<std::string>& topics, absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  rd_kafka_t* rk = handle_->c_ptr();
  std::vector<DeleteTopicPtr> owned;
  std::vector<rd_kafka_DeleteTopic_t*> requests;
  for (const std::string& topic : topics) {
    owned.emplace_back(rd_kafka_DeleteTopic_new(topic.c_str()));
    requests.push_back(owned.back().get());
  }
  ASSIGN_OR_RETURN(OptionsPtr options,
                   MakeOptions(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout, true));
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_DeleteTopics(rk, requests.data(), requests.size(), options.get(), queue.get());
  ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, "delete topics"));
  const rd_kafka_DeleteTopics_result_t* result = rd_kafka_event_DeleteTopics_result(event.get());
  if (result == nullptr) return absl::InternalError("delete topics: unexpected result event");
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_DeleteTopics_result_topics(result, &count);
  return TopicResults(results, count, "delete topic");
}

absl::StatusOr<std::map<std::string, std::string>> Admin::DescribeTopicConfig(
    const std::string& topic, absl::Duration timeout) {
  rd_kafka_t* rk = handle_->c_ptr();
  const std::string operation = absl::StrCat("describe config of topic '", topic, "'");
  ConfigResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  ASSIGN_OR_RETURN(OptionsPtr options,
                   MakeOptions(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout, false));
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_DescribeConfigs(rk, resources, 1, options.get(), queue.get());
  ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, operation));
  const rd_kafka_DescribeConfigs_result_t* result =
      rd_kafka_event_DescribeConfigs_result(event.get());
  if (result == nullptr) return absl::InternalError(absl::StrCat(operation, ": no result"));
  size_t count = 0;
  const rd_kafka_ConfigResource_t** described =
      rd_kafka_DescribeConfigs_result_resources(result, &count);
  if (count != 1) {
    return absl::InternalError(absl::StrCat(operation, ": ", count, " resources in the result"));
  }
  if (rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(described[0]);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ToStatusFromC(err, rd_kafka_ConfigResource_error_string(described[0]), operation);
  }
  size_t entry_count = 0;
  const rd_kafka_ConfigEntry_t** entries =
      rd_kafka_ConfigResource_configs(described[0], &entry_count);
  std::map<std::string, std::string> configs;
  for (size_t i = 0; i < entry_count; ++i) {
    const char* value = rd_kafka_ConfigEntry_value(entries[i]);
    configs[rd_kafka_ConfigEntry_name(entries[i])] = value != nullptr ? value : "";
  }
  return configs;
}

absl::StatusOr<int> Admin::PartitionCount(const std::string& topic, absl::Duration timeout) {
  return internal::PartitionCount(handle_->c_ptr(), topic, timeout);
}

absl::StatusOr<int> Admin::AwaitTopic(const std::string& topic, absl::Duration timeout) {
  return internal::AwaitTopic(handle_->c_ptr(), topic, timeout);
}

}  // namespace cdcflow::kafka
