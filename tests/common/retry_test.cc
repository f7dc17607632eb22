#include "libs/common/retry.h"

#include <vector>

#include <gtest/gtest.h>

namespace cdcflow::common {
namespace {

TEST(Backoff, GrowsExponentiallyUpToTheCapWithoutJitter) {
  Backoff b(
      {.initial = absl::Milliseconds(100), .max = absl::Seconds(1), .multiplier = 2, .jitter = 0});
  std::vector<absl::Duration> got;
  for (int i = 0; i < 6; ++i) got.push_back(b.Next());
  EXPECT_EQ(got, (std::vector<absl::Duration>{absl::Milliseconds(100), absl::Milliseconds(200),
                                              absl::Milliseconds(400), absl::Milliseconds(800),
                                              absl::Seconds(1), absl::Seconds(1)}));
  b.Reset();
  EXPECT_EQ(b.Next(), absl::Milliseconds(100));
}

TEST(Backoff, JitterStaysWithinItsFractionAndVaries) {
  Backoff b({.initial = absl::Seconds(1), .max = absl::Seconds(1), .jitter = 0.5}, /*seed=*/42);
  absl::Duration lo = absl::InfiniteDuration(), hi = absl::ZeroDuration();
  for (int i = 0; i < 1000; ++i) {
    absl::Duration d = b.Next();
    ASSERT_GE(d, absl::Milliseconds(500));
    ASSERT_LE(d, absl::Seconds(1));
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  // 1000 uniform draws over [0.5s, 1s] cover most of the range.
  EXPECT_LT(lo, absl::Milliseconds(550));
  EXPECT_GT(hi, absl::Milliseconds(950));
}

TEST(Backoff, ManyAttemptsDoNotOverflow) {
  Backoff b({.initial = absl::Milliseconds(1), .max = absl::Seconds(30), .jitter = 0});
  for (int i = 0; i < 10000; ++i) b.Next();
  EXPECT_EQ(b.Next(), absl::Seconds(30));
}

TEST(Retry, RetriesRetriableErrorsUntilSuccessSleepingOnTheClock) {
  FakeClock clock;
  int calls = 0;
  absl::Status s =
      Retry([&] { return ++calls < 4 ? absl::UnavailableError("later") : absl::OkStatus(); },
            {.initial = absl::Milliseconds(10), .multiplier = 2, .jitter = 0}, clock);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(clock.Slept(), absl::Milliseconds(10 + 20 + 40));
}

TEST(Retry, DoesNotRetryPermanentErrors) {
  FakeClock clock;
  int calls = 0;
  absl::Status s = Retry(
      [&] {
        ++calls;
        return absl::InvalidArgumentError("bad config");
      },
      {}, clock);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(clock.Slept(), absl::ZeroDuration());
}

TEST(Retry, GivesUpAfterMaxAttemptsWithTheLastError) {
  FakeClock clock;
  int calls = 0;
  absl::Status s = Retry(
      [&] {
        ++calls;
        return absl::AbortedError("conflict");
      },
      {.jitter = 0, .max_attempts = 3}, clock);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 3);
}

TEST(Retry, StopsWhenAskedTo) {
  FakeClock clock;
  int calls = 0;
  absl::Status s = Retry(
      [&] {
        ++calls;
        return absl::UnavailableError("down");
      },
      {}, clock, [&] { return calls == 2; });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 2);
}

TEST(IsRetriable, ClassifiesCodes) {
  EXPECT_TRUE(IsRetriable(absl::UnavailableError("")));
  EXPECT_TRUE(IsRetriable(absl::AbortedError("")));
  EXPECT_TRUE(IsRetriable(absl::DeadlineExceededError("")));
  EXPECT_TRUE(IsRetriable(absl::ResourceExhaustedError("")));
  EXPECT_FALSE(IsRetriable(absl::InternalError("")));
  EXPECT_FALSE(IsRetriable(absl::NotFoundError("")));
  EXPECT_FALSE(IsRetriable(absl::OkStatus()));
}

}  // namespace
}  // namespace cdcflow::common
