#include "services/cdc-capture/pipeline/incremental_snapshot.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace cdcflow::cdc_capture {
namespace {

using Row = IncrementalSnapshot::Row;

std::vector<std::pair<Row, Row>> Rows(std::vector<int> ids) {
  std::vector<std::pair<Row, Row>> out;
  for (int id : ids) {
    out.push_back({Row{absl::StrCat(id)}, Row{absl::StrCat(id), absl::StrCat("v", id)}});
  }
  return out;
}

// A snapshot that saw every transaction before xid 1000.
const IncrementalSnapshot::Snapshot kSeesNothingNew{.xmin = 1000, .xmax = 1000};

std::vector<std::string> Ids(const std::vector<Row>& rows) {
  std::vector<std::string> ids;
  for (const auto& r : rows) ids.push_back(*r[0]);
  return ids;
}

TEST(IncrementalSnapshot, ReadsTablesChunkByChunkInKeyOrder) {
  IncrementalSnapshot snap(/*chunk_size=*/2);
  EXPECT_FALSE(snap.WantsChunk());
  snap.Enqueue({"public.a"});
  ASSERT_TRUE(snap.WantsChunk());
  EXPECT_EQ(snap.table(), "public.a");
  EXPECT_TRUE(snap.after_key().empty());

  snap.ChunkRead(1, kSeesNothingNew, Rows({1, 2}));
  EXPECT_FALSE(snap.WantsChunk()) << "waits for the watermarks";
  EXPECT_FALSE(snap.OnWatermark("low:1").has_value());
  auto rows = snap.OnWatermark("high:1");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"1", "2"}));

  ASSERT_TRUE(snap.WantsChunk());
  EXPECT_EQ(snap.after_key(), Row{"2"});
  snap.ChunkRead(2, kSeesNothingNew, Rows({3}));  // short chunk: the table ends
  snap.OnWatermark("low:2");
  EXPECT_EQ(Ids(*snap.OnWatermark("high:2")), (std::vector<std::string>{"3"}));
  EXPECT_FALSE(snap.WantsChunk());
  EXPECT_EQ(snap.QueuedTables(), 0u);
}

TEST(IncrementalSnapshot, ChangesTheChunkDidNotSeeEvictTheirRows) {
  IncrementalSnapshot snap(4);
  snap.Enqueue({"public.a"});
  ASSERT_TRUE(snap.WantsChunk());
  // The SELECT saw every transaction before 100 except 97 (still committing).
  snap.ChunkRead(7, {.xmin = 97, .xmax = 100, .in_progress = {97}}, Rows({1, 2, 3, 4}));
  snap.OnChange("public.a", Row{"1"}, 90);  // seen by the chunk: the chunk row stays
  snap.OnChange("public.a", Row{"2"}, 97);  // in progress for the chunk: evicts
  snap.OnWatermark("low:7");
  snap.OnChange("public.a", Row{"3"}, 120);  // after the chunk: evicts
  snap.OnChange("public.b", Row{"4"}, 120);  // another table: no effect
  auto rows = snap.OnWatermark("high:7");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"1", "4"}));
  // After the high watermark nothing is evicted any more.
  snap.OnChange("public.a", Row{"1"}, 130);
}

TEST(IncrementalSnapshotSnapshot, ParsesAndDecidesVisibilityModulo32Bits) {
  auto s = IncrementalSnapshot::Snapshot::Parse("4294967390:4294967400:4294967392,4294967395");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->xmin, 94u);  // 2^32 + 94: pgoutput sends the low 32 bits
  EXPECT_EQ(s->xmax, 104u);
  EXPECT_TRUE(s->Sees(93));
  EXPECT_TRUE(s->Sees(94));
  EXPECT_FALSE(s->Sees(96));   // in progress
  EXPECT_FALSE(s->Sees(104));  // at or after xmax
  EXPECT_TRUE(s->Sees(4294967295u)) << "just before a wrapped xmin";
  EXPECT_FALSE(IncrementalSnapshot::Snapshot::Parse("1:2").has_value());
  EXPECT_FALSE(IncrementalSnapshot::Snapshot::Parse("a:2:").has_value());
  EXPECT_TRUE(IncrementalSnapshot::Snapshot::Parse("5:5:").has_value());
}

TEST(IncrementalSnapshot, ForeignWatermarksAreIgnored) {
  IncrementalSnapshot snap(3);
  snap.Enqueue({"public.a"});
  ASSERT_TRUE(snap.WantsChunk());
  snap.ChunkRead(5, kSeesNothingNew, Rows({1}));
  EXPECT_TRUE(snap.InWindow());
  EXPECT_FALSE(snap.OnWatermark("high:4").has_value());
  EXPECT_FALSE(snap.OnWatermark("garbage").has_value());
  EXPECT_FALSE(snap.OnWatermark("low:5").has_value());
  EXPECT_TRUE(snap.InWindow());
  EXPECT_TRUE(snap.OnWatermark("high:5").has_value());
  EXPECT_FALSE(snap.InWindow());
}

TEST(IncrementalSnapshot, CompositeAndNullKeysDoNotCollide) {
  IncrementalSnapshot snap(5);
  snap.Enqueue({"s.t"});
  ASSERT_TRUE(snap.WantsChunk());
  std::vector<std::pair<Row, Row>> rows = {
      {Row{"a:1", "b"}, Row{"x"}}, {Row{"a", "1:b"}, Row{"y"}}, {Row{std::nullopt, "b"}, Row{"z"}}};
  snap.ChunkRead(1, kSeesNothingNew, rows);
  snap.OnWatermark("low:1");
  snap.OnChange("s.t", Row{"a", "1:b"}, 2000);
  auto out = snap.OnWatermark("high:1");
  ASSERT_EQ(out->size(), 2u);
}

TEST(IncrementalSnapshot, SkippedTableMovesOn) {
  IncrementalSnapshot snap(2);
  snap.Enqueue({"public.gone", "public.next"});
  ASSERT_TRUE(snap.WantsChunk());
  snap.SkipTable();
  ASSERT_TRUE(snap.WantsChunk());
  EXPECT_EQ(snap.table(), "public.next");
}

}  // namespace
}  // namespace cdcflow::cdc_capture
