#pragma once

// Steady rate for the load generator: a token bucket refilled at `rate` tokens per second up
// to `burst`. Take(n) always succeeds and says how long to wait before those n events may be
// written; a deficit is carried, so over any long interval the rate is exactly `rate`, even
// when one transaction is larger than the bucket. Pure: the caller passes the time.

#include <algorithm>
#include <cstdint>

#include "absl/time/time.h"

namespace cdcflow::bench::loadgen {

class TokenBucket {
 public:
  // rate <= 0: unlimited (Take never waits). The bucket starts empty.
  TokenBucket(double rate, double burst, absl::Time now)
      : rate_(rate), burst_(burst), tokens_(0), last_(now) {}

  absl::Duration Take(int64_t n, absl::Time now) {
    if (rate_ <= 0) return absl::ZeroDuration();
    if (now > last_) {
      tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
      last_ = now;
    }
    tokens_ -= static_cast<double>(n);
    return tokens_ >= 0 ? absl::ZeroDuration() : absl::Seconds(-tokens_ / rate_);
  }

  double rate() const { return rate_; }

 private:
  const double rate_;
  const double burst_;
  double tokens_;
  absl::Time last_;
};

}  // namespace cdcflow::bench::loadgen
