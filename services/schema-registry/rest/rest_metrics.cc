#include "services/schema-registry/rest/rest_metrics.h"

#include <string>

namespace cdcflow::schema_registry::rest {
namespace {

// The statuses the API answers with; anything else is counted as "other".
constexpr int kKnownStatuses[] = {200, 400, 401, 404, 405, 409, 413, 415, 422, 500, 503};

}  // namespace

RestMetrics::RestMetrics(prometheus::Registry& registry, const std::vector<std::string>& endpoints)
    : requests_(prometheus::BuildCounter()
                    .Name("cdcflow_schema_registry_requests_total")
                    .Help("REST requests answered, by endpoint and HTTP status")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("cdcflow_schema_registry_request_duration_seconds")
                   .Help("Time from a parsed request to its response, by endpoint")
                   .Register(registry)) {
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};
  for (const std::string& endpoint : endpoints) {
    histograms_.push_back(&latency_.Add({{"endpoint", endpoint}}, buckets));
    std::array<prometheus::Counter*, kStatuses>& counters = counters_.emplace_back();
    for (int s = 0; s < kStatuses; ++s) {
      std::string status = s < kStatuses - 1 ? std::to_string(kKnownStatuses[s]) : "other";
      counters[s] = &requests_.Add({{"endpoint", endpoint}, {"status", status}});
    }
  }
}

int RestMetrics::StatusSlot(int http_status) {
  for (int s = 0; s < kStatuses - 1; ++s) {
    if (kKnownStatuses[s] == http_status) return s;
  }
  return kStatuses - 1;
}

void RestMetrics::Observe(int endpoint, int http_status, double seconds) {
  if (endpoint < 0 || endpoint >= static_cast<int>(histograms_.size())) return;
  counters_[endpoint][StatusSlot(http_status)]->Increment();
  histograms_[endpoint]->Observe(seconds);
}

}  // namespace cdcflow::schema_registry::rest
