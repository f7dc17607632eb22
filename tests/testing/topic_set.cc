#include "tests/testing/topic_set.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "tests/testing/testing.h"

namespace cdcflow::testutil {

absl::StatusOr<std::unique_ptr<TopicSet>> TopicSet::Create() {
  auto set = std::make_unique<TopicSet>();
  ASSIGN_OR_RETURN(set->admin_, kafka::Admin::Create({.bootstrap_servers = KafkaBootstrap(),
                                                      .on_log = LogToStderr}));
  return set;
}

TopicSet::~TopicSet() {
  if (admin_ == nullptr) return;
  if (!topics_.empty()) {
    absl::Status s = admin_->DeleteTopics(topics_, absl::Seconds(15));
    if (!s.ok()) std::fprintf(stderr, "cleanup: deleting topics: %s\n", s.ToString().c_str());
  }
  for (const std::string& t : tracked_) {
    absl::Status s = admin_->DeleteTopics({t}, absl::Seconds(15));
    if (!s.ok() && !absl::IsNotFound(s)) {
      std::fprintf(stderr, "cleanup: deleting topic %s: %s\n", t.c_str(), s.ToString().c_str());
    }
  }
}

void TopicSet::Track(const std::string& topic) {
  if (std::find(tracked_.begin(), tracked_.end(), topic) == tracked_.end()) {
    tracked_.push_back(topic);
  }
}

absl::Status TopicSet::Add(const std::string& topic, int partitions) {
  RETURN_IF_ERROR(admin_->CreateTopic({.name = topic, .partitions = partitions}));
  topics_.push_back(topic);
  absl::StatusOr<int> count = admin_->PartitionCount(topic, absl::Seconds(5));
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while ((!count.ok() || *count != partitions) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    count = admin_->PartitionCount(topic, absl::Seconds(5));
  }
  if (!count.ok()) return count.status();
  if (*count != partitions) {
    return absl::InternalError(absl::StrCat(topic, " has ", *count, " partitions"));
  }
  return absl::OkStatus();
}

}  // namespace cdcflow::testutil
