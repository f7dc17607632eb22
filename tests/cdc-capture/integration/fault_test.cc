// Faults of the shared infrastructure while cdc-capture streams: PostgreSQL restarted, Kafka
// stopped and started again. These stop components of deploy/local that every other test and
// service uses, so ctest runs them alone (RUN_SERIAL), and an RAII guard starts the component
// again whatever happens in the test. They need root, as deploy/local/up and down do.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/cdc-capture/integration/fixture.h"

namespace cdcflow::cdc_capture::it {
namespace {

const std::string kDeploy = std::string(CDCFLOW_SOURCE_DIR) + "/deploy/local/";

// Stops a deploy/local component; its destructor starts it again if the test did not.
class ComponentOutage {
 public:
  explicit ComponentOutage(std::string component) : component_(std::move(component)) {}
  ~ComponentOutage() {
    if (down_) {
      const absl::Status s = Restore();
      if (!s.ok()) ADD_FAILURE() << s;
    }
  }
  absl::Status Stop() {
    std::string out;
    down_ = true;  // even a failed "down" may have stopped it
    const absl::Time start = absl::Now();
    if (RunCommand(kDeploy + "down --only " + component_, &out) != 0) {
      return absl::InternalError(absl::StrCat("deploy/local/down --only ", component_, ":\n", out));
    }
    std::fprintf(stderr, "%s stopped in %s\n", component_.c_str(),
                 absl::FormatDuration(absl::Now() - start).c_str());
    return absl::OkStatus();
  }
  absl::Status Restore() {
    std::string out;
    const absl::Time start = absl::Now();
    if (RunCommand(kDeploy + "up --only " + component_, &out) != 0) {
      return absl::InternalError(absl::StrCat("deploy/local/up --only ", component_, ":\n", out));
    }
    down_ = false;
    std::fprintf(stderr, "%s started in %s\n", component_.c_str(),
                 absl::FormatDuration(absl::Now() - start).c_str());
    return absl::OkStatus();
  }

 private:
  const std::string component_;
  bool down_ = false;
};

class FaultTest : public CaptureIntegrationTest {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "deploy/local/up and down need root";
    std::string out;
    ASSERT_EQ(RunCommand(kDeploy + "status --only postgres,kafka", &out), 0)
        << "PostgreSQL and Kafka must be healthy before a fault test:\n"
        << out;
    CaptureIntegrationTest::SetUp();
  }
};

// (a) PostgreSQL restarted (fast shutdown) mid-stream, with writes before, during (failing,
//     retried by the writer) and after: cdc-capture reconnects with backoff and resumes from
//     the slot; every row has its event (repeats allowed: the slot may resend after a
//     restart, PostgreSQL 15 does not persist a confirmed_flush-only advance at shutdown).
TEST_F(FaultTest, PostgresRestartMidStreamReconnectsAndLosesNothing) {
  constexpr int kTxns = 300, kRowsPerTxn = 10, kRows = kTxns * kRowsPerTxn;
  db_->Exec("CREATE TABLE r (txn_id bigint PRIMARY KEY, v text NOT NULL)");
  CreateTopics({"r"});
  EventReader* reader = Reader({Topic("r")});
  CaptureConfig config = Config({"r"});
  CaptureProcess* capture = StartStreaming(config);
  ASSERT_NE(capture, nullptr);

  std::atomic<bool> restart_begun{false};
  std::atomic<int> committed{0};
  std::atomic<bool> writer_gave_up{false};
  std::thread writer([&] {
    std::unique_ptr<pg::Connection> conn;
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    for (int t = 0; t < kTxns; ++t) {
      if (t == kTxns / 2)
        testutil::WaitFor([&] { return restart_begun.load(); }, absl::Seconds(60));
      const int lo = t * kRowsPerTxn + 1;
      const std::string sql = absl::StrCat(
          "INSERT INTO r SELECT g, 'v' || g FROM generate_series(", lo, ", ", lo + kRowsPerTxn - 1,
          ") g ON CONFLICT DO NOTHING");  // a retried commit that did happen adds nothing
      while (true) {
        if (absl::Now() > deadline) {
          writer_gave_up = true;
          return;
        }
        if (conn == nullptr || !conn->ok()) {
          auto c = ConnectAdmin(db_->name());
          if (!c.ok()) {
            absl::SleepFor(absl::Milliseconds(100));
            continue;
          }
          conn = std::move(*c);
        }
        if (conn->Exec(sql).ok()) break;
        absl::SleepFor(absl::Milliseconds(100));
      }
      committed = t + 1;
      absl::SleepFor(absl::Milliseconds(5));  // a stream, not one burst
    }
  });
  struct JoinWriter {
    std::thread& t;
    ~JoinWriter() {
      if (t.joinable()) t.join();
    }
  } join_writer{writer};

  std::set<int64_t> ids;
  auto consume = [&](const std::vector<Event>& batch) {
    for (const Event& e : batch) {
      ASSERT_EQ(e.Op(), "c") << e.value.value_or("<tombstone>");
      ids.insert(e.Payload()["after"]["txn_id"].get<int64_t>());
    }
  };
  // Restart once the stream is flowing.
  const absl::Time flowing = absl::Now() + absl::Seconds(30);
  while (ids.size() < 500 && absl::Now() < flowing)
    consume(reader->Read(1000, absl::Milliseconds(200)));
  ASSERT_GE(ids.size(), 500u);

  ComponentOutage outage("postgres");
  restart_begun = true;
  ASSERT_TRUE(outage.Stop().ok());
  ASSERT_TRUE(capture->Running()) << "cdc-capture exited when PostgreSQL went away";
  ASSERT_TRUE(outage.Restore().ok());

  writer.join();
  ASSERT_FALSE(writer_gave_up);
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (ids.size() < static_cast<size_t>(kRows) && absl::Now() < deadline) {
    consume(reader->Read(1000, absl::Milliseconds(200)));
  }
  ASSERT_EQ(db_->Value("SELECT count(*) FROM r"), std::to_string(kRows));
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(*ids.begin(), 1);
  EXPECT_EQ(*ids.rbegin(), kRows);
  EXPECT_TRUE(capture->Running());
  EXPECT_TRUE(absl::StrContains(capture->Stderr(), "reconnecting in")) << "no reconnect logged";
  // And it is streaming again: a new row arrives, the slot follows.
  const auto after =
      db_->CommitTxn({absl::StrCat("INSERT INTO r VALUES (", kRows + 1, ", 'after')")});
  ASSERT_TRUE(after.has_value());
  bool found = false;
  reader->ReadUntil([&](const Event& e) { return e.Payload()["after"]["txn_id"] == kRows + 1; },
                    absl::Seconds(30), &found);
  EXPECT_TRUE(found);
  EXPECT_GE(db_->WaitConfirmedAtLeast(after->commit_end, absl::Seconds(10)), after->commit_end);
}

// (b) Kafka stopped while rows are inserted: cdc-capture stays up and does not confirm past
//     the undelivered transactions; once Kafka is back every event arrives, exactly once (one
//     session, idempotent producer: the records' offsets identify them).
TEST_F(FaultTest, KafkaDownHoldsTheSlotAndDeliversEverythingWhenBack) {
  constexpr int kBefore = 10, kDuring = 100;
  db_->Exec("CREATE TABLE kd (txn_id bigint PRIMARY KEY)");
  CreateTopics({"kd"});
  EventReader* reader = Reader({Topic("kd")});
  CaptureProcess* capture = StartStreaming(Config({"kd"}));
  ASSERT_NE(capture, nullptr);

  std::map<std::pair<int32_t, int64_t>, int64_t> records;  // (partition, offset) → txn_id
  auto consume = [&](const std::vector<Event>& batch) {
    for (const Event& e : batch) {
      ASSERT_EQ(e.Op(), "c");
      records[{e.partition, e.offset}] = e.Payload()["after"]["txn_id"].get<int64_t>();
    }
  };
  std::optional<TestDatabase::Committed> delivered;
  for (int i = 1; i <= kBefore; ++i) {
    delivered = db_->CommitTxn({absl::StrCat("INSERT INTO kd VALUES (", i, ")")});
    ASSERT_TRUE(delivered.has_value());
  }
  consume(reader->Read(kBefore, absl::Seconds(30)));
  ASSERT_EQ(records.size(), static_cast<size_t>(kBefore));
  ASSERT_GE(db_->WaitConfirmedAtLeast(delivered->commit_end, absl::Seconds(5)),
            delivered->commit_end);

  ComponentOutage outage("kafka");
  ASSERT_TRUE(outage.Stop().ok());
  std::vector<TestDatabase::Committed> outage_txns;
  for (int i = kBefore + 1; i <= kBefore + kDuring; i += 5) {
    auto txn = db_->CommitTxn(
        {absl::StrCat("INSERT INTO kd SELECT generate_series(", i, ", ", i + 4, ")")});
    ASSERT_TRUE(txn.has_value());
    outage_txns.push_back(*txn);
  }
  // Then WAL with nothing to publish (a transaction in another database): PostgreSQL covers it
  // with a keepalive while the events above are still unacknowledged, and sends no further one
  // once cdc-capture reported that position as written. It must be confirmed when the last
  // event is acknowledged, not when unrelated WAL happens to come along.
  auto other = ConnectAdmin("postgres");
  ASSERT_TRUE(other.ok()) << other.status();
  const auto unrelated =
      db_->CommitTxnOn(**other, {"SELECT pg_logical_emit_message(true, 'cdc-it', 'outage')"});
  ASSERT_TRUE(unrelated.has_value());
  // For a while (status updates go on every loop): the first undelivered transaction is
  // never confirmed.
  const absl::Time watch_until = absl::Now() + absl::Seconds(3);
  while (absl::Now() < watch_until) {
    const std::optional<SlotState> s = db_->Slot();
    ASSERT_TRUE(s && s->confirmed_flush);
    ASSERT_LT(*s->confirmed_flush, outage_txns.front().commit_end)
        << "confirmed " << FormatLsn(*s->confirmed_flush) << " while Kafka is down";
    ASSERT_TRUE(capture->Running()) << "cdc-capture exited while Kafka was down";
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(outage.Restore().ok());

  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (records.size() < static_cast<size_t>(kBefore + kDuring) && absl::Now() < deadline) {
    consume(reader->Read(1000, absl::Milliseconds(200)));
  }
  consume(reader->ReadFor(absl::Milliseconds(500)));
  std::map<int64_t, int> copies;
  for (const auto& [where, id] : records) ++copies[id];
  EXPECT_EQ(copies.size(), static_cast<size_t>(kBefore + kDuring));
  for (const auto& [id, n] : copies) EXPECT_EQ(n, 1) << "txn_id " << id;
  EXPECT_EQ(copies.begin()->first, 1);
  EXPECT_EQ(copies.rbegin()->first, kBefore + kDuring);
  EXPECT_GE(db_->WaitConfirmedAtLeast(outage_txns.back().commit_end, absl::Seconds(10)),
            outage_txns.back().commit_end);
  // PostgreSQL's next keepalive would come with new WAL only (a standby snapshot every 15 s
  // at the soonest): 3 s tells the two apart.
  const Lsn confirmed = db_->WaitConfirmedAtLeast(unrelated->commit_end, absl::Seconds(3));
  EXPECT_GE(confirmed, unrelated->commit_end)
      << "slot at " << FormatLsn(confirmed) << " after every event was acknowledged; the WAL "
      << "after them ends at " << FormatLsn(unrelated->commit_end);
  EXPECT_TRUE(capture->Running());
}

}  // namespace
}  // namespace cdcflow::cdc_capture::it
