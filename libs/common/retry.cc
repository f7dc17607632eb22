#include "libs/common/retry.h"

#include <algorithm>

namespace cdcflow::common {

Backoff::Backoff(BackoffPolicy policy, uint64_t seed) : policy_(policy), rng_(seed) {}

absl::Duration Backoff::Next() {
  // Grow from `initial` by `multiplier` per attempt, computed in double seconds to avoid
  // overflowing Duration arithmetic after many attempts.
  double secs = absl::ToDoubleSeconds(policy_.initial);
  const double cap = absl::ToDoubleSeconds(policy_.max);
  for (int i = 0; i < attempt_ && secs < cap; ++i) secs *= policy_.multiplier;
  secs = std::min(secs, cap);
  ++attempt_;
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (jitter > 0) {
    std::uniform_real_distribution<double> dist(1.0 - jitter, 1.0);
    secs *= dist(rng_);
  }
  return absl::Seconds(secs);
}

bool IsRetriable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

absl::Status Retry(const std::function<absl::Status()>& fn, const BackoffPolicy& policy,
                   Clock& clock, const std::function<bool()>& should_stop) {
  Backoff backoff(policy);
  for (int attempt = 1;; ++attempt) {
    absl::Status status = fn();
    if (status.ok() || !IsRetriable(status)) return status;
    if (policy.max_attempts > 0 && attempt >= policy.max_attempts) return status;
    if (should_stop && should_stop()) return status;
    clock.SleepFor(backoff.Next());
  }
}

}  // namespace cdcflow::common
