#pragma once

// The gtest fixture every cdc-capture integration test derives from: a database of its own
// (created in SetUp, dropped with its slots in TearDown), Kafka topics created up front and
// deleted at the end, cdc-capture processes stopped before the database goes, and their logs
// printed when the test failed.

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/cdc-capture/integration/harness.h"
#include "tests/testing/testing.h"

namespace cdcflow::cdc_capture::it {

class CaptureIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status kafka = testutil::CheckTcpReachable(testutil::KafkaBootstrap(), absl::Seconds(2));
    ASSERT_TRUE(kafka.ok()) << kafka << " — start it with deploy/local/up";
    auto db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status() << " — start PostgreSQL with deploy/local/up";
    db_ = std::move(*db);
    auto topics = TopicSet::Create();
    ASSERT_TRUE(topics.ok()) << topics.status();
    topics_ = std::move(*topics);
  }

  void TearDown() override {
    for (size_t i = 0; i < captures_.size(); ++i) {
      const bool was_running = captures_[i]->Running();
      captures_[i]->Signal(SIGTERM);
      const std::optional<int> code = captures_[i]->WaitExit(absl::Seconds(20));
      // SIGTERM is the graceful stop: flush, confirm, exit 0.
      if (was_running) {
        EXPECT_EQ(code, 0) << "cdc-capture run " << i << " did not stop cleanly";
      }
      if (HasFailure() || !code.has_value()) {
        std::fprintf(stderr, "---- cdc-capture run %zu (exit %s), stderr:\n%s----\n", i,
                     code ? std::to_string(*code).c_str() : "none: still running",
                     captures_[i]->Stderr().c_str());
      }
    }
    captures_.clear();
    readers_.clear();
    db_.reset();
    topics_.reset();
  }

  const std::string& id() const { return db_->id(); }
  std::string Topic(const std::string& table) const {
    return absl::StrCat(id(), ".public.", table);
  }

  // Creates the topics of `tables` ("t" → "<id>.public.t").
  void CreateTopics(const std::vector<std::string>& tables, int partitions = 1) {
    for (const std::string& t : tables) {
      absl::Status s = topics_->Add(Topic(t), partitions);
      ASSERT_TRUE(s.ok()) << s;
    }
  }

  // A config capturing public.<table> for each of `tables`, with an offset topic of its own.
  CaptureConfig Config(const std::vector<std::string>& tables) {
    CaptureConfig c;
    c.dbname = db_->name();
    c.id = id();
    c.offset_storage_topic = id() + ".offsets";
    topics_->Track(c.offset_storage_topic);
    for (const std::string& t : tables) c.tables.push_back("public." + t);
    return c;
  }

  CaptureProcess* StartCapture(const CaptureConfig& config) {
    auto p = CaptureProcess::Start(id(), config.Yaml());
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return nullptr;
    captures_.push_back(std::move(*p));
    return captures_.back().get();
  }

  // Starts a capture and waits until its slot is consistent: later commits are streamed.
  CaptureProcess* StartStreaming(const CaptureConfig& config) {
    CaptureProcess* p = StartCapture(config);
    if (p == nullptr) return nullptr;
    EXPECT_TRUE(db_->WaitSlotConsistent(absl::Seconds(30))) << "slot " << id() << " not created";
    return p;
  }

  EventReader* Reader(const std::vector<std::string>& topics) {
    auto r = EventReader::Create(topics);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    readers_.push_back(std::move(*r));
    return readers_.back().get();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TopicSet> topics_;
  std::vector<std::unique_ptr<CaptureProcess>> captures_;
  std::vector<std::unique_ptr<EventReader>> readers_;
};

}  // namespace cdcflow::cdc_capture::it
