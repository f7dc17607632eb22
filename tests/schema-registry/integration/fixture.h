#pragma once

// The gtest fixture every schema-registry integration test derives from: checks that
// deploy/local's Kafka answers, gives the test a `_schemas` topic and a group of its own
// (the topic is deleted at the end), starts registry instances on generated configs and stops
// them at the end, printing their logs when the test failed.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/schema-registry/integration/harness.h"
#include "tests/testing/testing.h"
#include "tests/testing/topic_set.h"

namespace cdcflow::schema_registry::it {

class RegistryIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status kafka = testutil::CheckTcpReachable(testutil::KafkaBootstrap(), absl::Seconds(2));
    ASSERT_TRUE(kafka.ok()) << kafka << " — start it with deploy/local/up";
    auto topics = testutil::TopicSet::Create();
    ASSERT_TRUE(topics.ok()) << topics.status();
    topics_ = std::move(*topics);
    id_ = testutil::UniqueName("sr-it");
    topic_ = id_ + "._schemas";
    group_ = id_ + "-group";
    topics_->Track(topic_);
  }

  void TearDown() override {
    for (size_t i = 0; i < instances_.size(); ++i) {
      RegistryProcess& p = *instances_[i];
      const bool was_running = p.Running() && p.WaitStarted(absl::ZeroDuration());
      const std::optional<int> code = p.Stop(absl::Seconds(30));
      if (was_running) {
        EXPECT_EQ(code, 0) << "schema-registry instance " << i << " did not stop cleanly";
      }
      if (HasFailure() || (was_running && code != 0)) {
        std::fprintf(stderr, "---- schema-registry instance %zu (exit %s), stderr:\n%s----\n", i,
                     code ? std::to_string(*code).c_str() : "none", p.Stderr().c_str());
      }
    }
    instances_.clear();
    topics_.reset();
  }

  // A config on the test's topic and group, every port free.
  InstanceConfig Config() const { return NewInstanceConfig(topic_, group_); }

  // Starts an instance and waits for its startup line; nullptr (and a test failure) when it
  // did not start.
  RegistryProcess* Start(const InstanceConfig& config) {
    auto p = RegistryProcess::Start(id_, config.Yaml());
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return nullptr;
    instances_.push_back(std::move(*p));
    RegistryProcess* process = instances_.back().get();
    if (!process->WaitStarted(absl::Seconds(45))) {
      ADD_FAILURE() << "schema-registry did not start; stderr:\n" << process->Stderr();
      return nullptr;
    }
    return process;
  }

  // Waits until `base` takes writes (it or the instance it forwards to leads): a config PUT
  // of the global level the test already set answers 200.
  bool WaitWritable(const std::string& base, absl::Duration timeout = absl::Seconds(30)) {
    return testutil::WaitFor(
        [&] {
          HttpResult r = Get(base + "/config");
          if (r.status != 200) return false;
          const std::string level = r.json().value("compatibilityLevel", "");
          return Put(base + "/config", Json{{"compatibility", level}}.dump()).status == 200;
        },
        timeout, absl::Milliseconds(200));
  }

  // POST /subjects/<subject>/versions; the id, or -1 (and a test failure) unless 200.
  int Register(const std::string& base, const std::string& subject, const std::string& schema,
               const std::string& type = "AVRO") {
    HttpResult r =
        Post(base + "/subjects/" + subject + "/versions", RegistrationBody(schema, type));
    EXPECT_EQ(r.status, 200) << subject << ": " << r;
    if (r.status != 200) return -1;
    return r.json().value("id", -1);
  }

  std::string id_;
  std::string topic_;
  std::string group_;
  std::unique_ptr<testutil::TopicSet> topics_;
  std::vector<std::unique_ptr<RegistryProcess>> instances_;
};

}  // namespace cdcflow::schema_registry::it
