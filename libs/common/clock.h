#pragma once

// The clock seam: code that waits or timestamps takes a Clock&, so tests inject FakeClock and
// never sleep.

#include <condition_variable>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace cdcflow::common {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  virtual void SleepFor(absl::Duration d) = 0;
};

// Wall clock; SleepFor really sleeps.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }

  // The process-wide instance (stateless, so sharing it is harmless).
  static SystemClock& Get();
};

// Manually advanced clock for tests: SleepFor advances time instead of waiting.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}

  absl::Time Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void SleepFor(absl::Duration d) override { Advance(d); }
  void Advance(absl::Duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
    slept_ += d;
  }
  // Total time "slept" or advanced: what a retry test asserts on.
  absl::Duration Slept() const {
    std::lock_guard lock(mu_);
    return slept_;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
  absl::Duration slept_ = absl::ZeroDuration();
};

}  // namespace cdcflow::common
