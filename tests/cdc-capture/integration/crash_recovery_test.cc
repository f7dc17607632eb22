// kill -9 of cdc-capture in the middle of a stream of 20,000 inserts (2,000 transactions),
// then a restart: nothing is lost, and only transactions the slot had not confirmed at the
// kill are sent again, with the same source.lsn.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/cdc-capture/integration/fixture.h"

namespace cdcflow::cdc_capture::it {
namespace {

struct Seen {
  int64_t lsn = 0;
  int64_t xid = 0;
  std::string after;
  int copies = 0;
};

TEST_F(CaptureIntegrationTest, KillNineMidStreamLosesNothingAndRepeatsOnlyUnconfirmedEvents) {
  constexpr int kTxns = 2000;
  constexpr int kRowsPerTxn = 10;
  constexpr int kRows = kTxns * kRowsPerTxn;
  constexpr size_t kKillAfterEvents = 4000;
  // pg_walinspect gives each transaction's exact commit end; a physical slot reserving WAL
  // from now keeps that WAL readable after cdc-capture has confirmed it.
  db_->Exec("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
  db_->Exec(absl::StrCat("SELECT pg_create_physical_replication_slot('", id(), "_pin', true)"));
  db_->Exec("CREATE TABLE big (txn_id bigint PRIMARY KEY, payload text NOT NULL)");
  CreateTopics({"big"});
  EventReader* reader = Reader({Topic("big")});
  CaptureConfig config = Config({"big"});
  // Batches wait 200 ms in the producer: at the kill there are always events handed to
  // Kafka's client but not acknowledged, which must not have been confirmed (else they are
  // lost: the restart would not send them again).
  config.kafka_properties["linger.ms"] = "200";
  CaptureProcess* first = StartStreaming(config);
  ASSERT_NE(first, nullptr);

  std::atomic<int> committed{0};
  std::atomic<bool> killed{false};
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    auto conn = ConnectAdmin(db_->name());
    if (!conn.ok()) {
      writer_failed = true;
      return;
    }
    for (int t = 0; t < kTxns; ++t) {
      // Past 60 % the writer waits for the kill, so the kill always lands mid-stream.
      if (t == kTxns * 6 / 10) {
        testutil::WaitFor([&] { return killed.load(); }, absl::Seconds(60));
      }
      const int lo = t * kRowsPerTxn + 1;
      auto r =
          (*conn)->Exec(absl::StrCat("INSERT INTO big SELECT g, md5(g::text) FROM "
                                     "generate_series(",
                                     lo, ", ", lo + kRowsPerTxn - 1, ") g"));
      if (!r.ok()) {
        writer_failed = true;
        return;
      }
      committed = t + 1;
    }
  });
  struct JoinWriter {
    std::thread& t;
    ~JoinWriter() {
      if (t.joinable()) t.join();
    }
  } join_writer{writer};

  std::map<int64_t, Seen> seen;  // txn_id →
  size_t events = 0;
  bool consistent = true;
  auto consume = [&](const std::vector<Event>& batch) {
    for (const Event& e : batch) {
      ++events;
      const Json p = e.Payload();
      if (e.tombstone() || p["op"] != "c") {
        ADD_FAILURE() << "unexpected event " << e.value.value_or("<tombstone>");
        consistent = false;
        continue;
      }
      Seen& s = seen[p["after"]["txn_id"].get<int64_t>()];
      const int64_t lsn = p["source"]["lsn"].get<int64_t>();
      const int64_t xid = p["source"]["txId"].get<int64_t>();
      const std::string after = p["after"].dump();
      if (s.copies > 0 && (s.lsn != lsn || s.xid != xid || s.after != after)) {
        ADD_FAILURE() << "repeat of txn_id " << p["after"]["txn_id"] << " differs: lsn " << s.lsn
                      << " vs " << lsn << ", txId " << s.xid << " vs " << xid;
        consistent = false;
      }
      s.lsn = lsn;
      s.xid = xid;
      s.after = after;
      ++s.copies;
    }
  };

  // Phase 1: stream until kKillAfterEvents are in Kafka, then kill -9.
  const absl::Time deadline1 = absl::Now() + absl::Seconds(60);
  while (events < kKillAfterEvents && absl::Now() < deadline1 && !writer_failed &&
         first->Running()) {
    consume(reader->Read(1000, absl::Milliseconds(200)));
  }
  ASSERT_GE(events, kKillAfterEvents) << "the stream did not get going";
  first->Signal(SIGKILL);
  ASSERT_EQ(first->WaitExit(absl::Seconds(10)), 128 + SIGKILL);
  killed = true;
  const int committed_at_kill = committed.load();
  // What the slot had confirmed at the kill: read once its walsender noticed the dead client
  // (a status update still in the socket may be applied until then).
  ASSERT_TRUE(testutil::WaitFor(
      [&] {
        std::optional<SlotState> s = db_->Slot();
        return s && !s->active;
      },
      absl::Seconds(30)))
      << "the slot stayed active after kill -9";
  const Lsn confirmed_at_kill = db_->Slot()->confirmed_flush.value_or(0);

  // Phase 2: restart on the same slot while the writer goes on.
  CaptureProcess* second = StartCapture(config);
  ASSERT_NE(second, nullptr);
  writer.join();
  ASSERT_FALSE(writer_failed);
  ASSERT_EQ(committed.load(), kTxns);
  EXPECT_LT(committed_at_kill, kTxns) << "the writer had finished before the kill";
  const absl::Time deadline2 = absl::Now() + absl::Seconds(90);
  while (seen.size() < static_cast<size_t>(kRows) && absl::Now() < deadline2 && second->Running()) {
    consume(reader->Read(5000, absl::Milliseconds(200)));
  }
  // Anything still on its way (nothing should be: one partition, the last row is the last
  // event of both runs).
  consume(reader->ReadFor(absl::Milliseconds(300)));

  // Every source row has its create event.
  ASSERT_EQ(db_->Value("SELECT count(*) FROM big"), std::to_string(kRows));
  ASSERT_EQ(seen.size(), static_cast<size_t>(kRows)) << "rows without an event";
  EXPECT_EQ(seen.begin()->first, 1);
  EXPECT_EQ(seen.rbegin()->first, kRows);
  EXPECT_TRUE(consistent);

  // Each transaction's commit end, from the WAL itself.
  int64_t min_lsn = INT64_MAX;
  for (const auto& [id, s] : seen) min_lsn = std::min(min_lsn, s.lsn);
  pg::Result commits = db_->Exec(
      absl::StrCat("SELECT xid::text, end_lsn FROM pg_get_wal_records_info('", FormatLsn(min_lsn),
                   "', pg_current_wal_flush_lsn()) WHERE resource_manager = 'Transaction' "
                   "AND record_type = 'COMMIT'"));
  std::map<int64_t, Lsn> commit_end;
  for (int i = 0; i < commits.rows(); ++i) {
    int64_t xid = 0;
    ASSERT_TRUE(absl::SimpleAtoi(commits.Get(i, 0), &xid));
    commit_end[xid] = MustParseLsn(commits.Get(i, 1));
  }

  std::set<int64_t> repeated_txns, txns;
  int repeated_events = 0, after_kill_point = 0;
  for (const auto& [row, s] : seen) {
    txns.insert(s.xid);
    auto it = commit_end.find(s.xid);
    ASSERT_NE(it, commit_end.end()) << "no COMMIT record for txId " << s.xid;
    if (it->second > confirmed_at_kill) ++after_kill_point;
    EXPECT_LE(s.copies, 2) << "txn_id " << row;
    if (s.copies > 1) {
      ++repeated_events;
      repeated_txns.insert(s.xid);
      // A transaction confirmed before the kill is never sent again.
      EXPECT_GT(it->second, confirmed_at_kill)
          << "txn_id " << row << " (txId " << s.xid << ", commit end " << FormatLsn(it->second)
          << ") was repeated though the slot had confirmed " << FormatLsn(confirmed_at_kill);
    }
  }
  EXPECT_EQ(txns.size(), static_cast<size_t>(kTxns));
  // (A transaction cut by the kill may have only some of its events repeated: those Kafka
  // had before the kill appear twice, the rest once.)
  // The kill landed inside the stream: some transactions confirmed, some not.
  EXPECT_GT(after_kill_point, 0);
  EXPECT_LT(after_kill_point, kRows);
  std::fprintf(stderr,
               "kill -9 after %zu events (%d of %d transactions committed); slot confirmed %s; "
               "%d rows committed after it; %d events (%zu transactions) repeated; %zu events "
               "in total\n",
               kKillAfterEvents, committed_at_kill, kTxns, FormatLsn(confirmed_at_kill).c_str(),
               after_kill_point, repeated_events, repeated_txns.size(), events);
  EXPECT_EQ(events, static_cast<size_t>(kRows + repeated_events));
}

// SIGTERM is a graceful stop: in-flight events are flushed and confirmed, so a restart sends
// exactly what was committed meanwhile, nothing twice.
TEST_F(CaptureIntegrationTest, SigtermThenRestartResumesWithoutRepeats) {
  db_->Exec("CREATE TABLE g (id int PRIMARY KEY)");
  CreateTopics({"g"});
  EventReader* reader = Reader({Topic("g")});
  const CaptureConfig config = Config({"g"});
  CaptureProcess* first = StartStreaming(config);
  ASSERT_NE(first, nullptr);
  const auto before = db_->CommitTxn({"INSERT INTO g SELECT generate_series(1, 100)"});
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(reader->Read(100, absl::Seconds(30)).size(), 100u);
  first->Signal(SIGTERM);
  ASSERT_EQ(first->WaitExit(absl::Seconds(20)), 0) << first->Stderr();
  EXPECT_TRUE(absl::StrContains(first->Stderr(), "stopped cleanly"));
  const std::optional<SlotState> slot = db_->Slot();
  ASSERT_TRUE(slot && slot->confirmed_flush);
  EXPECT_GE(*slot->confirmed_flush, before->commit_end) << "graceful stop left it unconfirmed";

  for (int i = 101; i <= 200; i += 10) {
    db_->Exec(absl::StrCat("INSERT INTO g SELECT generate_series(", i, ", ", i + 9, ")"));
  }
  ASSERT_NE(StartCapture(config), nullptr);
  std::vector<Event> events = reader->Read(100, absl::Seconds(30));
  ASSERT_EQ(events.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(events[i].Op(), "c");
    EXPECT_EQ(events[i].Payload()["after"]["id"], 101 + i);
  }
  EXPECT_TRUE(reader->ReadFor(absl::Milliseconds(500)).empty()) << "events sent twice";
}

// kill -9 while the initial snapshot runs: the slot exists but its snapshot never completed,
// so the restart drops it and snapshots again (rows are sent twice, never skipped), then
// streams. The snapshot is held mid-way deterministically: it reads a_rows, then blocks on
// b_blocked, which the test keeps locked until the kill.
TEST_F(CaptureIntegrationTest, KillNineDuringTheSnapshotRedoesTheSnapshot) {
  constexpr int kRowsA = 20000, kRowsB = 100;
  db_->Exec("CREATE TABLE a_rows (id int PRIMARY KEY, v text NOT NULL)");
  db_->Exec(absl::StrCat("INSERT INTO a_rows SELECT g, md5(g::text) FROM generate_series(1, ",
                         kRowsA, ") g"));
  db_->Exec("CREATE TABLE b_blocked (id int PRIMARY KEY, v text NOT NULL)");
  db_->Exec(absl::StrCat("INSERT INTO b_blocked SELECT g, md5(g::text) FROM generate_series(1, ",
                         kRowsB, ") g"));
  CreateTopics({"a_rows", "b_blocked"});
  EventReader* reader = Reader({Topic("a_rows"), Topic("b_blocked")});
  CaptureConfig config = Config({"a_rows", "b_blocked"});
  config.connector["snapshot.fetch.size"] = "100";
  CaptureProcess* first = StartStreaming(config);
  ASSERT_NE(first, nullptr);
  // Tables are snapshotted in name order: a_rows (20,000 rows, 200 fetches) is being read
  // while b_blocked gets locked.
  auto locker = ConnectAdmin(db_->name());
  ASSERT_TRUE(locker.ok()) << locker.status();
  ASSERT_TRUE((*locker)->Exec("BEGIN").ok());
  ASSERT_TRUE((*locker)->Exec("LOCK TABLE b_blocked IN ACCESS EXCLUSIVE MODE").ok());
  const bool blocked = testutil::WaitFor(
      [&] {
        return db_->Value(absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE datname = '",
                                       id(),
                                       "' AND wait_event_type = 'Lock' AND query LIKE "
                                       "'%cdcflow_snapshot%b_blocked%'")) == "1";
      },
      absl::Seconds(30), absl::Milliseconds(20));
  ASSERT_TRUE(blocked) << "the snapshot never reached b_blocked:\n" << first->Stderr();
  ASSERT_FALSE(absl::StrContains(first->Stderr(), "snapshot done"));
  first->Signal(SIGKILL);
  ASSERT_EQ(first->WaitExit(absl::Seconds(10)), 128 + SIGKILL);
  ASSERT_TRUE((*locker)->Exec("ROLLBACK").ok());
  ASSERT_TRUE(testutil::WaitFor(
      [&] {
        std::optional<SlotState> s = db_->Slot();
        return s && !s->active;
      },
      absl::Seconds(30)));

  // (consistent point LSN) → "table/id" → copies
  std::map<int64_t, std::map<std::string, int>> runs;
  std::map<int64_t, int> lasts;
  auto consume = [&](const std::vector<Event>& batch) {
    for (const Event& e : batch) {
      const Json p = e.Payload();
      ASSERT_EQ(p["op"], "r");
      const int64_t lsn = p["source"]["lsn"].get<int64_t>();
      const int id = p["after"]["id"].get<int>();
      ++runs[lsn][absl::StrCat(p["source"]["table"].get<std::string>(), "/", id)];
      if (p["source"]["snapshot"] == "last") ++lasts[lsn];
    }
  };
  CaptureProcess* second = StartCapture(config);
  ASSERT_NE(second, nullptr);
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  auto complete = [&] {
    for (const auto& [lsn, rows] : runs) {
      if (rows.size() == static_cast<size_t>(kRowsA + kRowsB)) return true;
    }
    return false;
  };
  while (!complete() && absl::Now() < deadline && second->Running()) {
    consume(reader->Read(5000, absl::Milliseconds(100)));
  }
  EXPECT_TRUE(second->WaitForLog("no completed snapshot on record", absl::Seconds(1)))
      << second->Stderr();
  ASSERT_EQ(runs.size(), 2u) << "expected the interrupted snapshot and a complete one";
  const auto& [first_lsn, first_rows] = *runs.begin();
  const auto& [second_lsn, second_rows] = *runs.rbegin();
  EXPECT_LT(first_lsn, second_lsn) << "the redo must use a new slot (a new consistent point)";
  for (const auto& [row, copies] : first_rows) {
    EXPECT_TRUE(absl::StartsWith(row, "a_rows/")) << row << " read past the lock?";
  }
  EXPECT_EQ(lasts.count(first_lsn), 0u);
  ASSERT_EQ(second_rows.size(), static_cast<size_t>(kRowsA + kRowsB))
      << "rows missing; per topic: " << reader->Describe();
  for (const auto& [row, copies] : second_rows) EXPECT_EQ(copies, 1) << row;
  EXPECT_EQ(lasts[second_lsn], 1);

  // Then it streams from the new slot.
  db_->Exec(absl::StrCat("INSERT INTO b_blocked VALUES (", kRowsB + 1, ", 'after')"));
  bool found = false;
  std::vector<Event> rest =
      reader->ReadUntil([&](const Event& e) { return e.Op() == "c"; }, absl::Seconds(30), &found);
  ASSERT_TRUE(found);
  EXPECT_EQ(rest.back().Payload()["after"]["id"], kRowsB + 1);
  // At or after the new slot's consistent point (the first record after it starts there).
  EXPECT_GE(rest.back().Payload()["source"]["lsn"].get<int64_t>(), second_lsn);
}

}  // namespace
}  // namespace cdcflow::cdc_capture::it
