#pragma once

// Kafka topics a test creates (or that the code under test creates) and deletes at the end.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/admin.h"

namespace cdcflow::testutil {

class TopicSet {
 public:
  // An admin client on KafkaBootstrap().
  static absl::StatusOr<std::unique_ptr<TopicSet>> Create();
  // Deletes every topic added or tracked; failures are printed, not fatal.
  ~TopicSet();

  // Creates `topic` and waits until the broker's metadata shows all its partitions: a consumer
  // that subscribes before that leaves the topic out until its next metadata refresh.
  absl::Status Add(const std::string& topic, int partitions = 1);
  // Deletes `topic` at the end if it exists (a topic the code under test creates itself).
  void Track(const std::string& topic);
  const std::vector<std::string>& topics() const { return topics_; }

 private:
  std::unique_ptr<kafka::Admin> admin_;
  std::vector<std::string> topics_;
  std::vector<std::string> tracked_;
};

}  // namespace cdcflow::testutil
