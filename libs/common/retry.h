#pragma once

// Exponential backoff with full jitter, and a Retry() loop that retries only errors that
// are worth retrying (kUnavailable, kAborted, kDeadlineExceeded, kResourceExhausted).

#include <cstdint>
#include <functional>
#include <random>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace cdcflow::common {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(30);
  double multiplier = 2.0;
  // 0 = no jitter; 1 = the delay is uniform in [0, d] ("full jitter"). Default spreads a
  // restarted fleet without making any single delay tiny.
  double jitter = 0.5;
  // Attempts in all, the first included; 0 = unlimited.
  int max_attempts = 0;
};

// Yields successive delays: initial, initial*m, ... capped at max, each reduced by up to
// `jitter` of itself at random. Not thread-safe; one per retry loop.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, uint64_t seed = std::random_device{}());

  absl::Duration Next();
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

bool IsRetriable(const absl::Status& status);

// Calls fn until it returns OK, a non-retriable error, the attempts run out, or
// should_stop() says so (e.g. shutdown was requested). Sleeps on `clock` between attempts.
// Returns the last status.
absl::Status Retry(const std::function<absl::Status()>& fn, const BackoffPolicy& policy,
                   Clock& clock, const std::function<bool()>& should_stop = nullptr);

}  // namespace cdcflow::common
