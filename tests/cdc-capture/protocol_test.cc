#include "services/cdc-capture/replication/protocol.h"

#include <gtest/gtest.h>

#include "tests/cdc-capture/wire.h"

namespace cdcflow::cdc_capture::replication {
namespace {

using testing::Wire;

constexpr int64_t kPgTime = 806'491'800'000'000;
constexpr int64_t kUnixTime = 1'753'176'600'000'000;

TEST(ReplicationProtocol, ParsesXLogData) {
  const std::string bytes = Wire('w').U64(0x10).U64(0x20).U64(kPgTime).Raw("Bpayload").bytes();
  auto m = ParseServerMessage(bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  const auto& x = std::get<XLogData>(*m);
  EXPECT_EQ(x.wal_start, 0x10u);
  EXPECT_EQ(x.wal_end, 0x20u);
  EXPECT_EQ(x.send_time, kUnixTime);
  EXPECT_EQ(x.data, "Bpayload");
}

TEST(ReplicationProtocol, ParsesKeepalive) {
  auto m = ParseServerMessage(Wire('k').U64(0xABCDEF).U64(kPgTime).U8(1).bytes());
  ASSERT_TRUE(m.ok()) << m.status();
  const auto& k = std::get<Keepalive>(*m);
  EXPECT_EQ(k.wal_end, 0xABCDEFu);
  EXPECT_EQ(k.send_time, kUnixTime);
  EXPECT_TRUE(k.reply_requested);
}

TEST(ReplicationProtocol, RejectsMalformedMessages) {
  EXPECT_EQ(ParseServerMessage("").status().message(), "replication: empty CopyData message");
  EXPECT_EQ(ParseServerMessage(Wire('w').U64(1).bytes()).status().message(),
            "replication: XLogData header needs 25 bytes, got 9");
  EXPECT_EQ(ParseServerMessage(Wire('k').U64(1).bytes()).status().message(),
            "replication: keepalive must be 18 bytes, got 9");
  EXPECT_EQ(ParseServerMessage("x").status().message(),
            "replication: unknown CopyData message type 0x78");
}

TEST(ReplicationProtocol, StandbyStatusUpdateLayout) {
  const std::string got = StandbyStatusUpdate(0x30, 0x20, 0x10, kUnixTime, true);
  EXPECT_EQ(got, Wire('r').U64(0x30).U64(0x20).U64(0x10).U64(kPgTime).U8(1).bytes());
  EXPECT_EQ(got.size(), 34u);
}

}  // namespace
}  // namespace cdcflow::cdc_capture::replication
