#include "libs/metrics/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace cdcflow::metrics {

std::optional<ProcessStats> ParseProcStat(const std::string& stat_line, int64_t clock_ticks,
                                          int64_t page_size, int64_t boot_time_seconds) {
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so fields are
  // counted from the last ')'.
  const size_t close = stat_line.rfind(')');
  if (close == std::string::npos || clock_ticks <= 0) return std::nullopt;
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(stat_line).substr(close + 1), ' ', absl::SkipEmpty());
  // f[0] is field 3 (state); field N is f[N - 3]. utime=14 stime=15 num_threads=20
  // starttime=22 vsize=23 rss=24.
  if (f.size() < 22) return std::nullopt;
  int64_t utime, stime, threads, starttime, vsize, rss;
  if (!absl::SimpleAtoi(f[11], &utime) || !absl::SimpleAtoi(f[12], &stime) ||
      !absl::SimpleAtoi(f[17], &threads) || !absl::SimpleAtoi(f[19], &starttime) ||
      !absl::SimpleAtoi(f[20], &vsize) || !absl::SimpleAtoi(f[21], &rss)) {
    return std::nullopt;
  }
  ProcessStats s;
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(clock_ticks);
  s.start_time_seconds = static_cast<double>(boot_time_seconds) +
                         static_cast<double>(starttime) / static_cast<double>(clock_ticks);
  s.virtual_bytes = vsize;
  s.resident_bytes = rss * page_size;
  s.threads = threads;
  return s;
}

std::optional<int64_t> ParseBootTime(const std::string& proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      int64_t v;
      if (absl::SimpleAtoi(line, &v)) return v;
    }
  }
  return std::nullopt;
}

namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  static const int64_t boot_time = ParseBootTime(ReadFile("/proc/stat")).value_or(0);
  if (auto s = ParseProcStat(ReadFile("/proc/self/stat"), sysconf(_SC_CLK_TCK),
                             sysconf(_SC_PAGESIZE), boot_time)) {
    out.push_back(Family("process_cpu_seconds_total", "Total user and system CPU time spent.",
                         MetricType::Counter, s->cpu_seconds));
    out.push_back(Family("process_resident_memory_bytes", "Resident memory size.",
                         MetricType::Gauge, static_cast<double>(s->resident_bytes)));
    out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size.", MetricType::Gauge,
                         static_cast<double>(s->virtual_bytes)));
    out.push_back(Family("process_start_time_seconds", "Start time since the Unix epoch.",
                         MetricType::Gauge, s->start_time_seconds));
    out.push_back(Family("process_threads", "Number of OS threads.", MetricType::Gauge,
                         static_cast<double>(s->threads)));
  }
  std::error_code ec;
  int64_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    out.push_back(Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                         static_cast<double>(fds)));
  }
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.push_back(Family("process_max_fds", "Maximum number of open file descriptors.",
                         MetricType::Gauge, static_cast<double>(lim.rlim_cur)));
  }
  return out;
}

}  // namespace cdcflow::metrics
