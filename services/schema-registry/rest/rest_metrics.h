#pragma once

// The REST API's metrics: requests by endpoint and status, and their latency.

#include <array>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdcflow::schema_registry::rest {

class RestMetrics {
 public:
  // `endpoints`: every endpoint label, pre-created so the hot path never takes a lock.
  RestMetrics(prometheus::Registry& registry, const std::vector<std::string>& endpoints);

  void Observe(int endpoint, int http_status, double seconds);

 private:
  static constexpr int kStatuses = 12;  // see StatusSlot()
  static int StatusSlot(int http_status);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  std::vector<std::array<prometheus::Counter*, kStatuses>> counters_;
  std::vector<prometheus::Histogram*> histograms_;
};

}  // namespace cdcflow::schema_registry::rest
