#include "libs/metrics/process_stats.h"

#include <gtest/gtest.h>

namespace cdcflow::metrics {
namespace {

// A real /proc/self/stat line, with a comm containing spaces and a parenthesis.
constexpr char kStat[] =
    "4242 (cdc capture) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 7 0 "
    "360000 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

TEST(ParseProcStat, ReadsCpuMemoryThreadsAndStartTime) {
  auto s = ParseProcStat(kStat, /*clock_ticks=*/100, /*page_size=*/4096,
                         /*boot_time_seconds=*/1700000000);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.0);  // (250 + 50) / 100
  EXPECT_EQ(s->threads, 7);
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1700000000 + 3600.0);
  EXPECT_EQ(s->virtual_bytes, 104857600);
  EXPECT_EQ(s->resident_bytes, 2560 * 4096);
}

TEST(ParseProcStat, RejectsGarbage) {
  EXPECT_FALSE(ParseProcStat("", 100, 4096, 0).has_value());
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2", 100, 4096, 0).has_value());
  EXPECT_FALSE(ParseProcStat(kStat, 0, 4096, 0).has_value());
}

TEST(ParseBootTime, FindsBtime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nbtime 1763700000\nprocesses 9\n"), 1763700000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").has_value());
}

TEST(ProcessCollector, ReportsThisProcess) {
  ProcessCollector collector;
  std::map<std::string, double> values;
  for (const auto& family : collector.Collect()) {
    values[family.name] = family.type == prometheus::MetricType::Counter
                              ? family.metric.at(0).counter.value
                              : family.metric.at(0).gauge.value;
  }
  EXPECT_GT(values.at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(values.at("process_open_fds"), 3);
  EXPECT_GE(values.at("process_threads"), 1);
  EXPECT_GT(values.at("process_start_time_seconds"), 1.6e9);
  EXPECT_GE(values.at("process_cpu_seconds_total"), 0);
  EXPECT_GT(values.at("process_max_fds"), 0);
}

}  // namespace
}  // namespace cdcflow::metrics
