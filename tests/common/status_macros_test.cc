#include "libs/common/status_macros.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace {

absl::Status Fail(bool fail) { return fail ? absl::UnavailableError("down") : absl::OkStatus(); }

absl::StatusOr<std::unique_ptr<int>> MakeInt(bool fail, int v) {
  if (fail) return absl::InvalidArgumentError("bad");
  return std::make_unique<int>(v);
}

int steps = 0;

absl::Status TwoSteps(bool fail_first) {
  steps = 0;
  RETURN_IF_ERROR(Fail(fail_first));
  ++steps;
  RETURN_IF_ERROR(Fail(false));
  ++steps;
  return absl::OkStatus();
}

absl::StatusOr<int> Sum(bool fail_second) {
  ASSIGN_OR_RETURN(auto a, MakeInt(false, 2));
  ASSIGN_OR_RETURN(std::unique_ptr<int> b, MakeInt(fail_second, 3));  // move-only value
  return *a + *b;
}

TEST(StatusMacros, ReturnIfErrorStopsAtTheFirstError) {
  absl::Status s = TwoSteps(true);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "down");
  EXPECT_EQ(steps, 0);
  EXPECT_TRUE(TwoSteps(false).ok());
  EXPECT_EQ(steps, 2);
}

TEST(StatusMacros, AssignOrReturnMovesValuesAndPropagatesErrors) {
  absl::StatusOr<int> ok = Sum(false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  absl::StatusOr<int> bad = Sum(true);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "bad");
}

}  // namespace
