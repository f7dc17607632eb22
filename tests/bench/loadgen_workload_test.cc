#include "bench/loadgen/workload.h"

#include <algorithm>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "bench/loadgen/token_bucket.h"

namespace cdcflow::bench::loadgen {
namespace {

constexpr int64_t kNowUs = 1753176600'000000;  // 2025-07-22 09:30:00 UTC

TEST(ParseMixTest, NamesAndWeights) {
  EXPECT_EQ(ParseMix("reference")->ToString(), "70:25:5");
  EXPECT_EQ(ParseMix("insert-only")->ToString(), "100:0:0");
  EXPECT_EQ(ParseMix("update-only")->ToString(), "0:100:0");
  EXPECT_EQ(ParseMix("80:20:0")->ToString(), "80:20:0");
  EXPECT_FALSE(ParseMix("0:0:0").ok());
  EXPECT_FALSE(ParseMix("70:25").ok());
  EXPECT_FALSE(ParseMix("inserts").ok());
}

TEST(ParseTxnRowsTest, FixedAndRange) {
  EXPECT_EQ(ParseTxnRows("1000")->min, 1000);
  EXPECT_EQ(ParseTxnRows("1000")->max, 1000);
  EXPECT_EQ(ParseTxnRows("1-1000")->ToString(), "1-1000");
  EXPECT_FALSE(ParseTxnRows("0").ok());
  EXPECT_FALSE(ParseTxnRows("10-5").ok());
  EXPECT_FALSE(ParseTxnRows("a-b").ok());
}

TEST(TextTest, Timestamp) {
  std::string s;
  AppendTimestamp(kNowUs + 123456, s);
  EXPECT_EQ(s, "2025-07-22 09:30:00.123456");
  s.clear();
  AppendTimestamp(951868799'000001, s);
  EXPECT_EQ(s, "2000-02-29 23:59:59.000001");
  s.clear();
  AppendTimestamp(0, s);
  EXPECT_EQ(s, "1970-01-01 00:00:00.000000");
}

TEST(TextTest, Amount) {
  std::string s;
  AppendAmount(100, s);
  s += ' ';
  AppendAmount(1000000, s);
  s += ' ';
  AppendAmount(5, s);
  EXPECT_EQ(s, "1.00 10000.00 0.05");
}

TEST(TextTest, CopyLine) {
  std::string s;
  AppendCopyLine({.txn_id = 7,
                  .sender_account_id = 100000,
                  .receiver_account_id = 999999,
                  .amount_cents = 123456,
                  .last_modified_us = kNowUs,
                  .product_id = 999,
                  .product_type_id = 20,
                  .transactor_module_id = 9,
                  .module_id = 4,
                  .status = 1},
                 s);
  EXPECT_EQ(s, "7\t100000\t999999\t1234.56\t2025-07-22 09:30:00.000000\t999\t20\t9\t4\t1\n");
}

TEST(TextTest, Statements) {
  EXPECT_EQ(
      UpdateStatement("\"public\".\"t\"", {{.txn_id = 1, .amount_cents = 150, .status = 2},
                                           {.txn_id = 9, .amount_cents = 1000000, .status = 4}}),
      "UPDATE \"public\".\"t\" AS t SET amount = v.amount, status = v.status FROM "
      "unnest('{1,9}'::bigint[], '{1.50,10000.00}'::numeric[], '{2,4}'::integer[]) AS "
      "v(txn_id, amount, status) WHERE t.txn_id = v.txn_id");
  EXPECT_EQ(DeleteStatement("t", {3, 4}), "DELETE FROM t WHERE txn_id = ANY ('{3,4}'::bigint[])");
}

TEST(WorkloadTest, InsertOnlyRowsFollowTheDistributions) {
  Workload w({.mix = {100, 0, 0}, .txn_rows = {1000, 1000}, .seed = 7, .first_txn_id = 42});
  TxnPlan plan;
  int64_t next_id = 42, late = 0, rows = 0;
  std::set<int64_t> products;
  for (int t = 0; t < 100; ++t) {
    const int64_t size = w.NextSize(INT64_MAX);
    ASSERT_EQ(size, 1000);
    w.Fill(size, kNowUs, plan);
    ASSERT_EQ(plan.inserts.size(), 1000u);
    ASSERT_TRUE(plan.updates.empty() && plan.deletes.empty());
    for (const Row& r : plan.inserts) {
      ASSERT_EQ(r.txn_id, next_id++);
      ASSERT_GE(r.sender_account_id, 100000);
      ASSERT_LE(r.sender_account_id, 999999);
      ASSERT_GE(r.receiver_account_id, 100000);
      ASSERT_LE(r.receiver_account_id, 999999);
      ASSERT_GE(r.amount_cents, 100);
      ASSERT_LE(r.amount_cents, 1000000);
      const int64_t lag = kNowUs - r.last_modified_us;
      ASSERT_GE(lag, 0);
      ASSERT_LE(lag, 20 * 60 * 1000000LL);
      ASSERT_TRUE(lag <= 30 * 1000000LL || lag >= 60 * 1000000LL) << lag;
      if (lag > 30 * 1000000LL) ++late;
      ASSERT_GE(r.product_id, 1);
      ASSERT_LE(r.product_id, 999);
      ASSERT_GE(r.product_type_id, 1);
      ASSERT_LE(r.product_type_id, 20);
      ASSERT_GE(r.transactor_module_id, 1);
      ASSERT_LE(r.transactor_module_id, 9);
      ASSERT_GE(r.module_id, 1);
      ASSERT_LE(r.module_id, 4);
      ASSERT_GE(r.status, 1);
      ASSERT_LE(r.status, 4);
      products.insert(r.product_id);
      ++rows;
    }
  }
  EXPECT_EQ(products.size(), 999u);  // 100,000 draws cover 1..999
  EXPECT_NEAR(static_cast<double>(late) / static_cast<double>(rows), 0.01, 0.002);
  EXPECT_EQ(w.next_txn_id(), 42 + 100000);
}

TEST(WorkloadTest, ReferenceMixTouchesLiveRecentRowsOncePerTransaction) {
  Workload w({.mix = {70, 25, 5},
              .txn_rows = {1, 1000},
              .seed = 3,
              .first_txn_id = 5001,
              .recent_window = 5000});
  std::set<int64_t> live;
  for (int64_t id = 1; id <= 5000; ++id) {
    w.AddExisting(id);
    live.insert(id);
  }
  TxnPlan plan;
  int64_t inserts = 0, updates = 0, deletes = 0;
  while (inserts + updates + deletes < 300000) {
    const int64_t size = w.NextSize(INT64_MAX);
    ASSERT_GE(size, 1);
    ASSERT_LE(size, 1000);
    w.Fill(size, kNowUs, plan);
    ASSERT_EQ(plan.events(), size);
    std::set<int64_t> touched;
    for (const Update& u : plan.updates) {
      ASSERT_TRUE(live.count(u.txn_id)) << u.txn_id;
      ASSERT_TRUE(touched.insert(u.txn_id).second);
      ASSERT_GE(u.amount_cents, 100);
      ASSERT_LE(u.amount_cents, 1000000);
    }
    for (int64_t id : plan.deletes) {
      ASSERT_TRUE(live.count(id)) << id;
      ASSERT_TRUE(touched.insert(id).second);
    }
    for (int64_t id : plan.deletes) live.erase(id);
    for (const Row& r : plan.inserts) live.insert(r.txn_id);
    inserts += static_cast<int64_t>(plan.inserts.size());
    updates += static_cast<int64_t>(plan.updates.size());
    deletes += static_cast<int64_t>(plan.deletes.size());
  }
  const double n = static_cast<double>(inserts + updates + deletes);
  EXPECT_NEAR(inserts / n, 0.70, 0.01);
  EXPECT_NEAR(updates / n, 0.25, 0.01);
  EXPECT_NEAR(deletes / n, 0.05, 0.005);
  EXPECT_EQ(w.converted(), 0);
}

TEST(WorkloadTest, SameSeedSameValues) {
  Workload a({.seed = 11}), b({.seed = 11});
  TxnPlan pa, pb;
  for (int i = 0; i < 20; ++i) {
    const int64_t size = a.NextSize(INT64_MAX);
    ASSERT_EQ(size, b.NextSize(INT64_MAX));
    a.Fill(size, kNowUs, pa);
    b.Fill(size, kNowUs, pb);
    std::string ta, tb;
    for (const Row& r : pa.inserts) AppendCopyLine(r, ta);
    for (const Row& r : pb.inserts) AppendCopyLine(r, tb);
    ASSERT_EQ(ta, tb);
    ASSERT_EQ(pa.updates.size(), pb.updates.size());
    ASSERT_EQ(pa.deletes, pb.deletes);
  }
}

TEST(WorkloadTest, UpdatesWithoutRowsBecomeInserts) {
  Workload w({.mix = {0, 100, 0}, .txn_rows = {10, 10}});
  TxnPlan plan;
  w.Fill(10, kNowUs, plan);
  EXPECT_EQ(plan.inserts.size(), 10u);
  EXPECT_EQ(w.converted(), 10);
  w.Fill(10, kNowUs, plan);  // now the first ten rows exist
  EXPECT_EQ(plan.updates.size(), 10u);
  EXPECT_EQ(w.converted(), 10);
}

TEST(WorkloadTest, TransactionSizesAreUniform) {
  Workload w({.txn_rows = {1, 1000}, .seed = 5});
  double sum = 0;
  int64_t min = 1000, max = 1;
  for (int i = 0; i < 40000; ++i) {
    const int64_t size = w.NextSize(INT64_MAX);
    sum += static_cast<double>(size);
    min = std::min(min, size);
    max = std::max(max, size);
  }
  EXPECT_EQ(min, 1);
  EXPECT_EQ(max, 1000);
  EXPECT_NEAR(sum / 40000, 500.5, 8);  // standard error 1.44
}

TEST(WorkloadTest, TotalClipsTheLastTransaction) {
  Workload w({.txn_rows = {1000, 1000}});
  EXPECT_EQ(w.NextSize(37), 37);
}

TEST(TokenBucketTest, SteadyRate) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  TokenBucket bucket(1000, 1000, t0);
  auto seconds = [](absl::Duration d) { return absl::ToDoubleSeconds(d); };
  EXPECT_NEAR(seconds(bucket.Take(500, t0)), 0.5, 1e-9);
  // Writing at t0 + 0.5 s: the next 500 are due at t0 + 1 s.
  EXPECT_NEAR(seconds(bucket.Take(500, t0 + absl::Milliseconds(500))), 0.5, 1e-9);
  // After a long pause the bucket holds at most `burst`.
  EXPECT_EQ(bucket.Take(1000, t0 + absl::Seconds(100)), absl::ZeroDuration());
  EXPECT_NEAR(seconds(bucket.Take(1, t0 + absl::Seconds(100))), 0.001, 1e-9);
}

TEST(TokenBucketTest, UnlimitedNeverWaits) {
  TokenBucket bucket(0, 0, absl::UnixEpoch());
  EXPECT_EQ(bucket.Take(1000000, absl::UnixEpoch()), absl::ZeroDuration());
}

}  // namespace
}  // namespace cdcflow::bench::loadgen
