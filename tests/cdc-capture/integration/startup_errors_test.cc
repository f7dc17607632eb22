// Startup errors of the cdc-capture binary: each one exits promptly with its exit code and one
// clear stderr line, instead of retrying forever.
//
// Not covered: wal_level != logical. It needs a PostgreSQL restart with another wal_level,
// which the shared deploy/local server (used by every other test and service) cannot take.
// The check is Capture::Prepare's "SHOW wal_level" (FailedPrecondition → exit 1).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/cdc-capture/integration/fixture.h"

namespace cdcflow::cdc_capture::it {
namespace {

// Permanent errors must end the process well within this (the first session fails at once;
// retries would back off from 200 ms and never exit).
constexpr absl::Duration kExitTimeout = absl::Seconds(20);

std::vector<std::string> LinesContaining(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, needle)) out.emplace_back(line);
  }
  return out;
}

class StartupErrorTest : public CaptureIntegrationTest {
 protected:
  // Runs the binary on `config` (default logging: info, text, on stderr) and returns its exit
  // code; -1 if it was still running after kExitTimeout.
  int RunToExit(const CaptureConfig& config, std::string* stderr_text) {
    CaptureProcess* p = StartCapture(config);
    if (p == nullptr) return -1;
    std::optional<int> code = p->WaitExit(kExitTimeout);
    *stderr_text = p->Stderr();
    return code.value_or(-1);
  }
};

TEST_F(StartupErrorTest, WrongPasswordExitsOneWithOneLineNamingAuthentication) {
  CaptureConfig config = Config({"t"});
  const std::string password = "wrong-" + id();
  config.connector["database.password"] = password;
  std::string err;
  EXPECT_EQ(RunToExit(config, &err), 1) << err;
  const std::vector<std::string> lines = LinesContaining(err, "authentication");
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_TRUE(absl::StartsWith(lines[0], "cdc-capture: ")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "password authentication failed")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], LocalPg().user)) << lines[0];
  EXPECT_FALSE(absl::StrContains(err, password)) << "the password must never be printed";
}

TEST_F(StartupErrorTest, UserWithoutReplicationPrivilegeExitsOneNamingIt) {
  const std::string role = id() + "_norepl";
  const std::string password = "pw-" + id();
  db_->Exec(absl::StrCat("CREATE ROLE ", role, " LOGIN NOREPLICATION PASSWORD '", password, "'"));
  CaptureConfig config = Config({"t"});
  config.connector["database.user"] = role;
  config.connector["database.password"] = password;
  std::string err;
  const int code = RunToExit(config, &err);
  db_->Exec(absl::StrCat("DROP ROLE ", role));
  EXPECT_EQ(code, 1) << err;
  // PostgreSQL 15 says "must be superuser or replication role to start walsender".
  const std::vector<std::string> lines = LinesContaining(err, "replication role");
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_TRUE(absl::StartsWith(lines[0], "cdc-capture: ")) << lines[0];
  EXPECT_FALSE(absl::StrContains(err, password));
}

TEST_F(StartupErrorTest, FilteredPublicationMatchingNoTableExitsOneNamingTheList) {
  db_->Exec("CREATE TABLE other (id int PRIMARY KEY)");
  CaptureConfig config = Config({"no_such_table"});
  std::string err;
  EXPECT_EQ(RunToExit(config, &err), 1) << err;
  const std::vector<std::string> lines = LinesContaining(err, "matches no table");
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_TRUE(absl::StrContains(lines[0], "table.include.list")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "public.no_such_table")) << lines[0];
  // Nothing was created on the way.
  EXPECT_EQ(
      db_->Value(absl::StrCat("SELECT count(*) FROM pg_publication WHERE pubname = '", id(), "'")),
      "0");
}

TEST_F(StartupErrorTest, UnknownConfigKeyExitsTwoNamingTheKey) {
  CaptureConfig config = Config({"t"});
  config.connector.insert_or_assign("no.such.key", std::string("1"));
  std::string err;
  EXPECT_EQ(RunToExit(config, &err), 2) << err;
  const std::vector<std::string> lines = LinesContaining(err, "no.such.key");
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_TRUE(absl::StrContains(lines[0], "connector.no.such.key")) << lines[0];
  EXPECT_FALSE(db_->Slot().has_value()) << "no slot for a config that does not load";
}

TEST_F(StartupErrorTest, TopicCreationWithoutReplicationFactorExitsTwoNamingIt) {
  CaptureConfig config = Config({"t"});
  config.connector["topic.creation.default.partitions"] = "3";
  std::string err;
  EXPECT_EQ(RunToExit(config, &err), 2) << err;
  const std::vector<std::string> lines =
      LinesContaining(err, "connector.topic.creation.default.replication.factor: required");
  EXPECT_EQ(lines.size(), 1u) << err;
}

// The broker judges topic configs when the first event's topic is created: a config it refuses
// is permanent (a new session would fail the same way), so the service stops, naming it.
TEST_F(StartupErrorTest, TopicConfigTheBrokerRefusesStopsTheServiceNamingIt) {
  db_->Exec("CREATE TABLE t (id int PRIMARY KEY)");
  topics_->Track(Topic("t"));
  CaptureConfig config = Config({"t"});
  config.connector["topic.creation.default.partitions"] = "1";
  config.connector["topic.creation.default.replication.factor"] = "-1";
  config.connector["topic.creation.default.cleanup.policy"] = "sometimes";
  CaptureProcess* p = StartStreaming(config);
  ASSERT_NE(p, nullptr);
  db_->Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(p->WaitExit(kExitTimeout), 1);
  const std::vector<std::string> lines = LinesContaining(p->Stderr(), "cdc-capture: ");
  ASSERT_EQ(lines.size(), 1u) << p->Stderr();
  EXPECT_TRUE(absl::StrContains(lines[0], "topic.creation.default: create " + Topic("t")))
      << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "sometimes")) << lines[0];
}

}  // namespace
}  // namespace cdcflow::cdc_capture::it
