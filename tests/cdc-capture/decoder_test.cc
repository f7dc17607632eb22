#include "services/cdc-capture/pgoutput/decoder.h"

#include <deque>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cdc-capture/wire.h"

namespace cdcflow::cdc_capture::pgoutput {
namespace {

using ::testing::HasSubstr;
using testing::Wire;

// 2025-07-22 09:30:00 UTC in PostgreSQL microseconds (since 2000-01-01).
constexpr int64_t kPgTime = 806'491'800'000'000;
constexpr int64_t kUnixTime = 1'753'176'600'000'000;

// Decoded tuples point into the input: keep every input alive for the whole test binary.
const std::string& Keep(std::string bytes) {
  static std::deque<std::string> kept;
  return kept.emplace_back(std::move(bytes));
}

template <typename T>
T DecodeAs(Decoder& d, std::string bytes) {
  absl::StatusOr<Decoded> r = d.Decode(Keep(std::move(bytes)));
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::holds_alternative<T>(r->message));
  return std::get<T>(r->message);
}

TEST(Lsn, FormatsAndParsesLikePostgres) {
  EXPECT_EQ(FormatLsn(0x16B374D848ULL), "16/B374D848");
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(ParseLsn("16/B374D848"), 0x16B374D848ULL);
  EXPECT_EQ(ParseLsn("0/0"), 0u);
  EXPECT_FALSE(ParseLsn("16B374D848").has_value());
  EXPECT_FALSE(ParseLsn("/1").has_value());
  EXPECT_FALSE(ParseLsn("1/").has_value());
  EXPECT_FALSE(ParseLsn("G/1").has_value());
}

TEST(Decoder, BeginAndCommit) {
  Decoder d;
  auto begin = DecodeAs<Begin>(d, Wire('B').U64(0x1000).U64(kPgTime).U32(777).bytes());
  EXPECT_EQ(begin.final_lsn, 0x1000u);
  EXPECT_EQ(begin.commit_time, kUnixTime);
  EXPECT_EQ(begin.xid, 777u);

  auto commit = DecodeAs<Commit>(d, Wire('C').U8(0).U64(0x1000).U64(0x1030).U64(kPgTime).bytes());
  EXPECT_EQ(commit.commit_lsn, 0x1000u);
  EXPECT_EQ(commit.end_lsn, 0x1030u);
  EXPECT_EQ(commit.commit_time, kUnixTime);
}

TEST(Decoder, RelationWithKeyColumns) {
  Decoder d;
  auto rel = DecodeAs<Relation>(d, Wire('R')
                                       .U32(16385)
                                       .Str("public")
                                       .Str("transaction_details")
                                       .U8('f')
                                       .U16(2)
                                       .U8(1)
                                       .Str("txn_id")
                                       .U32(20)
                                       .U32(0xFFFFFFFF)
                                       .U8(0)
                                       .Str("amount")
                                       .U32(1700)
                                       .U32((12 << 16) + 2 + 4)
                                       .bytes());
  EXPECT_EQ(rel.oid, 16385u);
  EXPECT_EQ(rel.schema, "public");
  EXPECT_EQ(rel.name, "transaction_details");
  EXPECT_EQ(rel.replica_identity, 'f');
  ASSERT_EQ(rel.columns.size(), 2u);
  EXPECT_TRUE(rel.columns[0].part_of_key);
  EXPECT_EQ(rel.columns[0].name, "txn_id");
  EXPECT_EQ(rel.columns[0].type_oid, 20u);
  EXPECT_EQ(rel.columns[0].type_modifier, -1);
  EXPECT_FALSE(rel.columns[1].part_of_key);
  EXPECT_EQ(rel.columns[1].type_modifier, (12 << 16) + 6);
}

TEST(Decoder, InsertWithNullAndUnchangedToast) {
  Decoder d;
  const std::string bytes = Wire('I').U32(16385).U8('N').U16(3).Text("42").U8('n').U8('u').bytes();
  auto ins = DecodeAs<Insert>(d, bytes);
  EXPECT_EQ(ins.relation_oid, 16385u);
  ASSERT_EQ(ins.new_tuple.size(), 3u);
  EXPECT_EQ(ins.new_tuple[0].kind, ValueKind::kText);
  EXPECT_EQ(ins.new_tuple[0].data, "42");
  EXPECT_EQ(ins.new_tuple[1].kind, ValueKind::kNull);
  EXPECT_EQ(ins.new_tuple[2].kind, ValueKind::kUnchangedToast);
}

TEST(Decoder, UpdateWithAndWithoutOldTuple) {
  Decoder d;
  auto plain = DecodeAs<Update>(d, Wire('U').U32(1).U8('N').U16(1).Text("b").bytes());
  EXPECT_EQ(plain.old_kind, 0);
  EXPECT_TRUE(plain.old_tuple.empty());
  EXPECT_EQ(plain.new_tuple[0].data, "b");

  auto full = DecodeAs<Update>(
      d, Wire('U').U32(1).U8('O').U16(1).Text("a").U8('N').U16(1).Text("b").bytes());
  EXPECT_EQ(full.old_kind, 'O');
  EXPECT_EQ(full.old_tuple[0].data, "a");
  EXPECT_EQ(full.new_tuple[0].data, "b");

  auto key = DecodeAs<Update>(
      d, Wire('U').U32(1).U8('K').U16(1).Text("1").U8('N').U16(1).Text("2").bytes());
  EXPECT_EQ(key.old_kind, 'K');
}

TEST(Decoder, DeleteTruncateOriginTypeAndMessage) {
  Decoder d;
  auto del = DecodeAs<Delete>(d, Wire('D').U32(9).U8('K').U16(1).Text("7").bytes());
  EXPECT_EQ(del.old_kind, 'K');
  EXPECT_EQ(del.old_tuple[0].data, "7");

  auto tr = DecodeAs<Truncate>(d, Wire('T').U32(2).U8(3).U32(10).U32(11).bytes());
  EXPECT_TRUE(tr.cascade);
  EXPECT_TRUE(tr.restart_identity);
  EXPECT_EQ(tr.relation_oids, (std::vector<uint32_t>{10, 11}));

  auto origin = DecodeAs<Origin>(d, Wire('O').U64(0x55).Str("node_a").bytes());
  EXPECT_EQ(origin.commit_lsn, 0x55u);
  EXPECT_EQ(origin.name, "node_a");

  auto type = DecodeAs<Type>(d, Wire('Y').U32(16400).Str("public").Str("mood").bytes());
  EXPECT_EQ(type.oid, 16400u);
  EXPECT_EQ(type.name, "mood");

  auto msg = DecodeAs<LogicalMessage>(
      d, Wire('M').U8(1).U64(0x99).Str("cdcflow").U32(5).Raw("hello").bytes());
  EXPECT_TRUE(msg.transactional);
  EXPECT_EQ(msg.lsn, 0x99u);
  EXPECT_EQ(msg.prefix, "cdcflow");
  EXPECT_EQ(msg.content, "hello");
}

TEST(Decoder, StreamedTransactionsCarryTheirXid) {
  Decoder d;
  auto start = DecodeAs<StreamStart>(d, Wire('S').U32(900).U8(1).bytes());
  EXPECT_EQ(start.xid, 900u);
  EXPECT_TRUE(start.first_segment);
  EXPECT_TRUE(d.in_stream());

  absl::StatusOr<Decoded> ins =
      d.Decode(Keep(Wire('I').U32(900).U32(5).U8('N').U16(1).Text("x").bytes()));
  ASSERT_TRUE(ins.ok()) << ins.status();
  EXPECT_EQ(ins->stream_xid, 900u);
  EXPECT_EQ(std::get<Insert>(ins->message).relation_oid, 5u);

  DecodeAs<StreamStop>(d, Wire('E').bytes());
  EXPECT_FALSE(d.in_stream());

  auto commit = DecodeAs<StreamCommit>(
      d, Wire('c').U32(900).U8(0).U64(0x2000).U64(0x2040).U64(kPgTime).bytes());
  EXPECT_EQ(commit.xid, 900u);
  EXPECT_EQ(commit.end_lsn, 0x2040u);
  EXPECT_EQ(commit.commit_time, kUnixTime);

  auto abort = DecodeAs<StreamAbort>(d, Wire('A').U32(901).U32(902).bytes());
  EXPECT_EQ(abort.xid, 901u);
  EXPECT_EQ(abort.subxid, 902u);

  // Outside a stream, the same Insert bytes are not a valid Insert.
  EXPECT_FALSE(d.Decode(Wire('I').U32(900).U32(5).U8('N').U16(1).Text("x").bytes()).ok());
}

TEST(Decoder, EveryTruncationIsAnErrorNeverACrash) {
  const std::string full = Wire('U')
                               .U32(1)
                               .U8('O')
                               .U16(2)
                               .Text("old")
                               .U8('n')
                               .U8('N')
                               .U16(2)
                               .Text("new")
                               .U8('u')
                               .bytes();
  Decoder d;
  ASSERT_TRUE(d.Decode(full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    absl::StatusOr<Decoded> r = d.Decode(absl::string_view(full).substr(0, n));
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(Decoder, ErrorsNameTheProblem) {
  Decoder d;
  EXPECT_EQ(d.Decode("").status().message(), "pgoutput: empty message");
  EXPECT_EQ(d.Decode("Z").status().message(), "pgoutput: unknown message type 0x5a");
  EXPECT_EQ(d.Decode(Wire('I').U32(1).U8('N').U16(1).U8('x').bytes()).status().message(),
            "pgoutput: malformed 'I' message at offset 8: unknown tuple value kind 0x78");
  EXPECT_THAT(std::string(d.Decode(Wire('C').U8(0).U64(1).bytes()).status().message()),
              HasSubstr("needs 8 more bytes, has 0"));
  EXPECT_THAT(
      std::string(d.Decode(Wire('B').U64(1).U64(2).U32(3).U8(0).bytes()).status().message()),
      HasSubstr("1 unexpected trailing bytes"));
  EXPECT_THAT(std::string(d.Decode(Wire('I').U32(1).U8('N').U16(1).U8('t').U32(0x80000000).bytes())
                              .status()
                              .message()),
              HasSubstr("negative column length"));
  EXPECT_THAT(std::string(d.Decode(Wire('R').U32(1).Raw("public").bytes()).status().message()),
              HasSubstr("unterminated string"));
  EXPECT_FALSE(d.Decode(Wire('E').bytes()).ok());  // StreamStop outside a stream
}

}  // namespace
}  // namespace cdcflow::cdc_capture::pgoutput
