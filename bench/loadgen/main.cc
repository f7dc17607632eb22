// cdcflow-loadgen: writes the reference workload (shared/workload/README.md) into
// public.transaction_details, steadily (--rate) or as fast as PostgreSQL takes it.
//
//   cdcflow-loadgen --rate 10000 --duration 60s                  # reference mix, 1..1000 rows/txn
//   cdcflow-loadgen --mix insert-only --total 1000000 --txn-rows 1000
//
// Progress every --progress seconds on stderr, one line of key=value pairs:
//   loadgen t=12.0s events=24000 inserts=16800 updates=6000 deletes=1200 txns=48 rate=2000/s
//   avg=2000/s
// and at the end one JSON line on stdout (see bench/README.md). Stops at --total events, after
// --duration, or at SIGINT/SIGTERM (after the transaction in progress). Exit 0 when stopped so,
// 1 when PostgreSQL fails, 2 for a bad argument.

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/loadgen/pg_writer.h"
#include "bench/loadgen/token_bucket.h"
#include "bench/loadgen/workload.h"

namespace cdcflow::bench::loadgen {
namespace {

constexpr char kDefaultDsn[] =
    "host=127.0.0.1 port=5432 dbname=transactions user=admin password=admin";

volatile std::sig_atomic_t g_stop_signal = 0;

void OnSignal(int signal) { g_stop_signal = signal; }

struct Options {
  std::string dsn;
  std::string table = "public.transaction_details";
  double rate = 0;
  int64_t total = 0;
  std::string duration;
  std::string mix = "reference";
  std::string txn_rows = "1-1000";
  uint64_t seed = 1;
  int64_t recent_window = 10000;
  double progress = 1;
  std::string synchronous_commit;
};

struct Totals {
  Applied applied;
  int64_t planned = 0;
  int64_t transactions = 0;
};

// "45", "45s", "2m", "1m30s", "1.5h": a bare number is seconds.
std::optional<absl::Duration> ParseDurationArg(const std::string& text) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d < absl::ZeroDuration()) return std::nullopt;
  return d;
}

// Sleeps until `until`, waking early on a stop signal.
void SleepUntil(absl::Time until) {
  for (absl::Time now = absl::Now(); now < until && g_stop_signal == 0; now = absl::Now()) {
    absl::SleepFor(std::min(until - now, absl::Milliseconds(50)));
  }
}

void PrintProgress(const Totals& t, double elapsed_s, double interval_rate) {
  std::fprintf(stderr,
               "loadgen t=%.1fs events=%lld inserts=%lld updates=%lld deletes=%lld txns=%lld "
               "rate=%.0f/s avg=%.0f/s\n",
               elapsed_s, static_cast<long long>(t.applied.events()),
               static_cast<long long>(t.applied.inserted),
               static_cast<long long>(t.applied.updated), static_cast<long long>(t.applied.deleted),
               static_cast<long long>(t.transactions), interval_rate,
               elapsed_s > 0 ? static_cast<double>(t.applied.events()) / elapsed_s : 0.0);
}

int Run(const Options& o) {
  absl::StatusOr<Mix> mix = ParseMix(o.mix);
  absl::StatusOr<TxnRows> txn_rows = ParseTxnRows(o.txn_rows);
  std::optional<absl::Duration> duration;
  if (!o.duration.empty()) duration = ParseDurationArg(o.duration);
  for (const absl::Status& s : {mix.status(), txn_rows.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "cdcflow-loadgen: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  if (!o.duration.empty() && !duration) {
    std::fprintf(stderr, "cdcflow-loadgen: --duration: expected seconds or 30s/2m/1h, got \"%s\"\n",
                 o.duration.c_str());
    return 2;
  }

  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "cdcflow-loadgen: %s\n", std::string(s.message()).c_str());
    return 1;
  };
  absl::StatusOr<std::unique_ptr<PgWriter>> writer_or =
      PgWriter::Connect(o.dsn, o.table, o.synchronous_commit);
  if (!writer_or.ok()) return fail(writer_or.status());
  PgWriter& writer = **writer_or;
  absl::StatusOr<int64_t> max_id = writer.MaxTxnId();
  if (!max_id.ok()) return fail(max_id.status());

  Workload workload({.mix = *mix,
                     .txn_rows = *txn_rows,
                     .seed = o.seed,
                     .first_txn_id = *max_id + 1,
                     .recent_window = static_cast<size_t>(o.recent_window)});
  if (mix->update + mix->del > 0) {
    absl::StatusOr<std::vector<int64_t>> existing = writer.NewestIds(o.recent_window);
    if (!existing.ok()) return fail(existing.status());
    for (int64_t id : *existing) workload.AddExisting(id);
  }

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  const absl::Time start = absl::Now();
  const std::optional<absl::Time> deadline =
      duration ? std::optional<absl::Time>(start + *duration) : std::nullopt;
  // A burst of one large transaction at most, or 100 ms worth of events.
  TokenBucket bucket(o.rate, std::max(static_cast<double>(txn_rows->max), o.rate / 10), start);
  Totals totals;
  TxnPlan plan;
  std::string reason = "signal";
  absl::Time last_progress = start;
  int64_t events_at_last_progress = 0;
  absl::Status error;

  while (g_stop_signal == 0) {
    const int64_t remaining = o.total > 0 ? o.total - totals.planned : INT64_MAX;
    if (remaining <= 0) {
      reason = "total";
      break;
    }
    const int64_t rows = workload.NextSize(remaining);
    const absl::Time now = absl::Now();
    const absl::Time write_at = now + bucket.Take(rows, now);
    if (deadline && write_at >= *deadline) {
      SleepUntil(*deadline);
      if (g_stop_signal == 0) reason = "duration";
      break;
    }
    SleepUntil(write_at);
    if (g_stop_signal != 0) break;
    workload.Fill(rows, absl::ToUnixMicros(absl::Now()), plan);
    absl::StatusOr<Applied> applied = writer.Apply(plan);
    if (!applied.ok()) {
      error = applied.status();
      reason = "error";
      break;
    }
    totals.planned += plan.events();
    totals.applied.inserted += applied->inserted;
    totals.applied.updated += applied->updated;
    totals.applied.deleted += applied->deleted;
    ++totals.transactions;

    const absl::Time after = absl::Now();
    if (o.progress > 0 && after - last_progress >= absl::Seconds(o.progress)) {
      const double interval_s = absl::ToDoubleSeconds(after - last_progress);
      PrintProgress(
          totals, absl::ToDoubleSeconds(after - start),
          static_cast<double>(totals.applied.events() - events_at_last_progress) / interval_s);
      last_progress = after;
      events_at_last_progress = totals.applied.events();
    }
  }
  const double elapsed_s = absl::ToDoubleSeconds(absl::Now() - start);
  if (o.progress > 0) {
    const double interval_s = absl::ToDoubleSeconds(absl::Now() - last_progress);
    PrintProgress(
        totals, elapsed_s,
        interval_s > 0
            ? static_cast<double>(totals.applied.events() - events_at_last_progress) / interval_s
            : 0.0);
  }

  nlohmann::ordered_json summary;
  summary["loadgen"] = "summary";
  summary["stopped_by"] = reason;
  summary["events"] = totals.applied.events();
  summary["inserts"] = totals.applied.inserted;
  summary["updates"] = totals.applied.updated;
  summary["deletes"] = totals.applied.deleted;
  // Updates/deletes whose row was already gone (another writer), and updates/deletes that
  // became inserts because no recent row was free.
  summary["missed"] = totals.planned - totals.applied.events();
  summary["converted_to_inserts"] = workload.converted();
  summary["transactions"] = totals.transactions;
  summary["seconds"] = std::round(elapsed_s * 1000) / 1000;
  summary["events_per_second"] =
      std::round(elapsed_s > 0 ? static_cast<double>(totals.applied.events()) / elapsed_s : 0);
  summary["target_rate"] = o.rate > 0 ? nlohmann::ordered_json(o.rate) : nullptr;
  summary["mix"] = mix->ToString();
  summary["txn_rows"] = txn_rows->ToString();
  summary["seed"] = o.seed;
  summary["first_txn_id"] = *max_id + 1;
  summary["next_txn_id"] = workload.next_txn_id();
  absl::StatusOr<std::string> lsn =
      error.ok() ? writer.CurrentWalLsn() : absl::StatusOr<std::string>(error);
  summary["end_lsn"] = lsn.ok() ? nlohmann::ordered_json(*lsn) : nullptr;
  std::cout << summary.dump() << std::endl;
  if (!error.ok()) return fail(error);
  return 0;
}

}  // namespace
}  // namespace cdcflow::bench::loadgen

int main(int argc, char** argv) {
  using cdcflow::bench::loadgen::Options;
  Options o;
  const char* env_dsn = std::getenv("CDCFLOW_LOCAL_PG_DSN");
  o.dsn = env_dsn != nullptr && env_dsn[0] != '\0' ? env_dsn : cdcflow::bench::loadgen::kDefaultDsn;

  CLI::App app{"cdcflow-loadgen: writes the reference workload into PostgreSQL"};
  app.add_option("--dsn", o.dsn, "libpq connection string (default: $CDCFLOW_LOCAL_PG_DSN)");
  app.add_option("--table", o.table, "target table, schema.table")->capture_default_str();
  app.add_option("--rate", o.rate, "events per second, steady (0 = as fast as possible)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--total", o.total, "stop after this many events (0 = no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--duration", o.duration, "stop after this long: 60, 60s, 2m, 1h");
  app.add_option("--mix", o.mix, "reference (70:25:5), insert-only, update-only, or I:U:D weights")
      ->capture_default_str();
  app.add_option("--txn-rows", o.txn_rows, "rows per transaction: N or MIN-MAX")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "random seed (values, sizes, row choices)")
      ->capture_default_str();
  app.add_option("--recent-window", o.recent_window,
                 "updates and deletes pick among this many newest rows")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--progress", o.progress, "seconds between progress lines (0 = none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--synchronous-commit", o.synchronous_commit,
                 "SET synchronous_commit for the session (on, off, ...; default: server's)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return cdcflow::bench::loadgen::Run(o);
}
