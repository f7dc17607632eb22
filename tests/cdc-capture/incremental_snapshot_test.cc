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

  snap.ChunkRead(1, Rows({1, 2}));
  EXPECT_FALSE(snap.WantsChunk()) << "waits for the watermarks";
  EXPECT_FALSE(snap.OnWatermark("low:1").has_value());
  auto rows = snap.OnWatermark("high:1");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"1", "2"}));

  ASSERT_TRUE(snap.WantsChunk());
  EXPECT_EQ(snap.after_key(), Row{"2"});
  snap.ChunkRead(2, Rows({3}));  // short chunk: the table ends
  snap.OnWatermark("low:2");
  EXPECT_EQ(Ids(*snap.OnWatermark("high:2")), (std::vector<std::string>{"3"}));
  EXPECT_FALSE(snap.WantsChunk());
  EXPECT_EQ(snap.QueuedTables(), 0u);
}

TEST(IncrementalSnapshot, ChangesInsideTheWindowEvictTheirRows) {
  IncrementalSnapshot snap(3);
  snap.Enqueue({"public.a"});
  ASSERT_TRUE(snap.WantsChunk());
  snap.ChunkRead(7, Rows({1, 2, 3}));
  snap.OnChange("public.a", Row{"2"});  // before the low watermark: older than the chunk
  snap.OnWatermark("low:7");
  snap.OnChange("public.a", Row{"3"});  // inside the window: the streamed event wins
  snap.OnChange("public.b", Row{"1"});  // another table: no effect
  auto rows = snap.OnWatermark("high:7");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"1", "2"}));
}

TEST(IncrementalSnapshot, ForeignWatermarksAreIgnored) {
  IncrementalSnapshot snap(3);
  snap.Enqueue({"public.a"});
  ASSERT_TRUE(snap.WantsChunk());
  snap.ChunkRead(5, Rows({1}));
  EXPECT_FALSE(snap.OnWatermark("high:4").has_value());
  EXPECT_FALSE(snap.OnWatermark("garbage").has_value());
  EXPECT_FALSE(snap.InWindow());
  snap.OnWatermark("low:5");
  EXPECT_TRUE(snap.InWindow());
  EXPECT_TRUE(snap.OnWatermark("high:5").has_value());
}

TEST(IncrementalSnapshot, CompositeAndNullKeysDoNotCollide) {
  IncrementalSnapshot snap(5);
  snap.Enqueue({"s.t"});
  ASSERT_TRUE(snap.WantsChunk());
  std::vector<std::pair<Row, Row>> rows = {
      {Row{"a:1", "b"}, Row{"x"}}, {Row{"a", "1:b"}, Row{"y"}}, {Row{std::nullopt, "b"}, Row{"z"}}};
  snap.ChunkRead(1, rows);
  snap.OnWatermark("low:1");
  snap.OnChange("s.t", Row{"a", "1:b"});
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
