#pragma once

// Admin: create, describe and delete topics. librdkafka's C++ API has no admin calls, so
// this uses the C API (rd_kafka_CreateTopics & co.) on the C handle of a C++ client, with
// every C object owned by a smart pointer.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/types.h"

namespace RdKafka {
class Producer;
}  // namespace RdKafka

namespace cdcflow::kafka {
namespace internal {
class EventHandler;
}  // namespace internal

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: the broker's default.replication.factor
  // Topic configs, e.g. {"cleanup.policy", "compact"}.
  std::map<std::string, std::string> configs;
};

struct AdminOptions {
  std::string bootstrap_servers;
  std::string client_id = "cdcflow-admin";
  Properties properties;
  LogCallback on_log;
};

class Admin {
 public:
  static absl::StatusOr<std::unique_ptr<Admin>> Create(AdminOptions options);
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // OK when every topic was created and is in the metadata the broker serves (a KRaft broker
  // learns of a new topic a moment after CreateTopics answers: waiting here lets the caller
  // use the topics at once). Otherwise the first failure's code (kAlreadyExists when a topic
  // exists, kInvalidArgument for a bad config or partition count, kDeadlineExceeded when a
  // created topic did not show up within `timeout`...) with every failure in the message.
  absl::Status CreateTopics(const std::vector<NewTopic>& topics,
                            absl::Duration timeout = absl::Seconds(30));
  absl::Status CreateTopic(const NewTopic& topic, absl::Duration timeout = absl::Seconds(30)) {
    return CreateTopics({topic}, timeout);
  }

  // kNotFound when a topic does not exist.
  absl::Status DeleteTopics(const std::vector<std::string>& topics,
                            absl::Duration timeout = absl::Seconds(30));

  // Every config of the topic (defaults included), e.g. "cleanup.policy" → "compact".
  // Sensitive values the broker hides are empty.
  absl::StatusOr<std::map<std::string, std::string>> DescribeTopicConfig(
      const std::string& topic, absl::Duration timeout = absl::Seconds(30));

  // kNotFound when the topic does not exist.
  absl::StatusOr<int> PartitionCount(const std::string& topic,
                                     absl::Duration timeout = absl::Seconds(30));

  // PartitionCount, asked again every 50 ms while the topic is unknown or has no leader yet
  // (just created, here or by another client): kDeadlineExceeded, with the last answer, when
  // it is still so after `timeout`.
  absl::StatusOr<int> AwaitTopic(const std::string& topic,
                                 absl::Duration timeout = absl::Seconds(30));

 private:
  explicit Admin(AdminOptions options);

  const AdminOptions options_;
  std::unique_ptr<internal::EventHandler> events_;  // outlives handle_
  std::unique_ptr<RdKafka::Producer> handle_;
};

}  // namespace cdcflow::kafka
