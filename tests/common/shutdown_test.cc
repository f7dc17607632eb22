#include "libs/common/shutdown.h"

#include <signal.h>

#include <atomic>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cdcflow::common {
namespace {

TEST(Shutdown, RequestWakesWaiters) {
  Shutdown shutdown;
  EXPECT_FALSE(shutdown.Requested());
  EXPECT_FALSE(shutdown.WaitFor(absl::Milliseconds(10)));
  std::thread t([&] { shutdown.Request("test"); });
  EXPECT_TRUE(shutdown.WaitFor(absl::Seconds(10)));
  t.join();
  EXPECT_TRUE(shutdown.Requested());
  EXPECT_EQ(shutdown.Reason(), "test");
  shutdown.Request("second");  // first reason wins
  EXPECT_EQ(shutdown.Reason(), "test");
}

TEST(Shutdown, SigtermIsTurnedIntoARequest) {
  Shutdown shutdown;
  shutdown.InstallSignalHandlers();
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  EXPECT_TRUE(shutdown.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(shutdown.Reason(), "SIGTERM");
}

TEST(Shutdown, DrainRunsStepsInReverseOrderAndReportsTheFirstFailure) {
  Shutdown shutdown;
  std::vector<std::string> order;
  shutdown.OnDrain("reader", [&](absl::Time) {
    order.push_back("reader");
    return absl::OkStatus();
  });
  shutdown.OnDrain("producer", [&](absl::Time) {
    order.push_back("producer");
    return absl::UnavailableError("broker gone");
  });
  shutdown.OnDrain("metrics", [&](absl::Time) {
    order.push_back("metrics");
    return absl::InternalError("later failure");
  });
  absl::Status s = shutdown.Drain(absl::Seconds(5), [] { FAIL() << "no overrun expected"; });
  EXPECT_EQ(order, (std::vector<std::string>{"metrics", "producer", "reader"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "drain step 'metrics': later failure");
}

TEST(Shutdown, StepsAfterTheBudgetAreSkipped) {
  Shutdown shutdown;
  bool second_ran = false;
  shutdown.OnDrain("second", [&](absl::Time) {
    second_ran = true;
    return absl::OkStatus();
  });
  shutdown.OnDrain("slow", [&](absl::Time deadline) {
    absl::SleepFor(deadline - absl::Now() + absl::Milliseconds(5));
    return absl::OkStatus();
  });
  absl::Status s = shutdown.Drain(absl::Milliseconds(50), [] {});
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(second_ran);
}

TEST(Shutdown, AHungStepTriggersTheOverrunAction) {
  Shutdown shutdown;
  std::atomic<bool> overrun{false};
  shutdown.OnDrain("hung", [&](absl::Time) {
    while (!overrun) absl::SleepFor(absl::Milliseconds(5));
    return absl::OkStatus();
  });
  // Budget 10 ms + 1 s grace: the watchdog must fire, or this test hangs until ctest's timeout.
  EXPECT_TRUE(shutdown.Drain(absl::Milliseconds(10), [&] { overrun = true; }).ok());
  EXPECT_TRUE(overrun);
}

}  // namespace
}  // namespace cdcflow::common
