#pragma once

// Standard process_* metrics (the names every Prometheus client library exports), read from
// /proc at scrape time. Parsing is a pure function so it is tested on fixed text.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace cdcflow::metrics {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // since the Unix epoch
  int64_t resident_bytes = 0;
  int64_t virtual_bytes = 0;
  int64_t threads = 0;
};

// Parses /proc/self/stat. `boot_time_seconds` is /proc/stat's btime; `clock_ticks` is
// sysconf(_SC_CLK_TCK). nullopt when the text is not a stat line.
std::optional<ProcessStats> ParseProcStat(const std::string& stat_line, int64_t clock_ticks,
                                          int64_t page_size, int64_t boot_time_seconds);

// Reads btime from /proc/stat's text.
std::optional<int64_t> ParseBootTime(const std::string& proc_stat);

// Exposes process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds,
// process_max_fds and process_threads for the calling process.
class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace cdcflow::metrics
