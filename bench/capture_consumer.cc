// capture_consumer: the Kafka side of bench/run's cdc-capture figures.
//
//   capture_consumer latency --topic bench1.public.transaction_details [--warmup 2s] [--idle 5s]
//       Reads the topic from its beginning (read_committed, assigned, no group join) and
//       measures, per change event, receive time - source.ts_us (the source commit time).
//       Events committed before first-received + warmup are read but not measured. Stops
//       after --idle without records (once something arrived) or --max-duration. Prints one
//       JSON line: events, measured, p50/p90/p99/p999/max/mean in ms, and the p50/p99 of the
//       two parts, commit -> encoded (the envelope's ts_us, when cdc-capture built the event)
//       and encoded -> consumed, the latter split again at the broker's append time (the
//       topic is created with message.timestamp.type=LogAppendTime), and commit -> appended.
//   capture_consumer count --topic T
//       {"topic":T,"messages":N}: the sum over partitions of high - low watermark.
//   capture_consumer delete-topics T...
//       Deletes the topics; missing ones are fine.
//
// Broker: --bootstrap, else $CDCFLOW_KAFKA_BOOTSTRAP_SERVERS, else
// $CDCFLOW_LOCAL_KAFKA_BOOTSTRAP, else 127.0.0.1:9092. Exit 1 on a Kafka error, 2 on bad usage.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"

namespace cdcflow::bench {
namespace {

std::string DefaultBootstrap() {
  for (const char* name : {"CDCFLOW_KAFKA_BOOTSTRAP_SERVERS", "CDCFLOW_LOCAL_KAFKA_BOOTSTRAP"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return "127.0.0.1:9092";
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "capture_consumer: %s\n", std::string(status.message()).c_str());
  return 1;
}

// The times a Debezium change event carries, in µs since the epoch: `commit` = source.ts_us
// (or source.ts_ms * 1000), `encoded` = the envelope's ts_us (or ts_ms * 1000), when the
// connector built the event. With or without the {"schema","payload"} wrapper. commit is -1
// when the record is not a change event; encoded is -1 when the event has no envelope time.
struct EventTimes {
  int64_t commit = -1;
  int64_t encoded = -1;
};

int64_t MicrosField(const nlohmann::json& object) {
  if (object.contains("ts_us") && object["ts_us"].is_number_integer()) {
    return object["ts_us"].get<int64_t>();
  }
  if (object.contains("ts_ms") && object["ts_ms"].is_number_integer()) {
    return object["ts_ms"].get<int64_t>() * 1000;
  }
  return -1;
}

EventTimes ParseTimes(std::string_view value) {
  const nlohmann::json doc = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return {};
  const nlohmann::json& payload = doc.contains("payload") ? doc["payload"] : doc;
  if (!payload.is_object() || !payload.contains("source") || !payload["source"].is_object()) {
    return {};
  }
  return {.commit = MicrosField(payload["source"]), .encoded = MicrosField(payload)};
}

// The integer after `"ts_us":` at or after `from` (npos: none).
int64_t IntAfter(std::string_view value, std::string_view key, size_t from) {
  const size_t at = value.find(key, from);
  if (at == std::string_view::npos) return -1;
  int64_t v = 0;
  size_t i = at + key.size();
  if (i >= value.size() || value[i] < '0' || value[i] > '9') return -1;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) v = v * 10 + (value[i] - '0');
  return v;
}

// A 4 KB event (the Connect schema makes up most of it) at 10,000 events/s is 40 MB/s of
// JSON: parsing each into a DOM would make this consumer, not the pipeline, the bottleneck
// on a busy machine. So the two numbers are found by a scan of the envelope's tail (source
// is the last struct; the envelope's own ts_us follows it), and only what does not look like
// a Debezium envelope is parsed fully.
EventTimes TimesOf(std::string_view value) {
  constexpr std::string_view kSource = "\"source\":{", kTsUs = "\"ts_us\":";
  const size_t source = value.rfind(kSource);
  if (source != std::string_view::npos) {
    const size_t source_end = value.find('}', source);
    const int64_t commit = IntAfter(value, kTsUs, source);
    const int64_t encoded =
        source_end == std::string_view::npos ? -1 : IntAfter(value, kTsUs, source_end);
    if (commit >= 0 && encoded >= 0) return {.commit = commit, .encoded = encoded};
  }
  return ParseTimes(value);
}

double Percentile(const std::vector<int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  // Nearest rank.
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted_us.size())));
  return static_cast<double>(sorted_us[std::clamp<size_t>(rank, 1, sorted_us.size()) - 1]) / 1000;
}

double Round3(double v) { return std::round(v * 1000) / 1000; }

struct LatencyOptions {
  std::string topic;
  std::string warmup = "2s";
  std::string idle = "5s";
  std::string max_duration = "600s";
  int partitions = 1;
};

absl::Duration ParseDurationOrDie(const std::string& flag, const std::string& text) {
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) return absl::Seconds(seconds);
  if (absl::ParseDuration(text, &d)) return d;
  std::fprintf(stderr, "capture_consumer: %s: not a duration: \"%s\"\n", flag.c_str(),
               text.c_str());
  std::exit(2);
}

int Latency(const std::string& bootstrap, const LatencyOptions& o) {
  const absl::Duration warmup = ParseDurationOrDie("--warmup", o.warmup);
  const absl::Duration idle = ParseDurationOrDie("--idle", o.idle);
  const absl::Duration max_duration = ParseDurationOrDie("--max-duration", o.max_duration);

  // The topic exists before the first event (as auto-creation would make it), so reading can
  // start at once instead of after a metadata refresh.
  auto admin = kafka::Admin::Create({.bootstrap_servers = bootstrap});
  if (!admin.ok()) return Fail(admin.status());
  // LogAppendTime: each record's timestamp is when the broker appended it, which splits the
  // Kafka part of the latency into producer -> broker and broker -> consumer.
  absl::Status created =
      (*admin)->CreateTopic({.name = o.topic,
                             .partitions = o.partitions,
                             .configs = {{"message.timestamp.type", "LogAppendTime"}}});
  if (!created.ok() && !absl::IsAlreadyExists(created)) return Fail(created);
  absl::StatusOr<int> partitions = (*admin)->PartitionCount(o.topic);
  if (!partitions.ok()) return Fail(partitions.status());

  prometheus::Registry registry;
  auto consumer =
      kafka::Consumer::Create({.bootstrap_servers = bootstrap,
                               .group_id = absl::StrCat("cdcflow-bench-latency-", getpid()),
                               .client_id = "cdcflow-bench-latency",
                               .isolation_level = kafka::IsolationLevel::kReadCommitted,
                               .properties = {{"fetch.wait.max.ms", "100"}},
                               .statistics_interval = absl::ZeroDuration()},
                              registry);
  if (!consumer.ok()) return Fail(consumer.status());
  std::vector<kafka::TopicPartitionOffset> assignment;
  for (int p = 0; p < *partitions; ++p) {
    assignment.push_back({o.topic, p, kafka::kOffsetBeginning});
  }
  if (absl::Status s = (*consumer)->Assign(assignment); !s.ok()) return Fail(s);
  std::fprintf(stderr, "capture_consumer: reading %s (%d partition(s))\n", o.topic.c_str(),
               *partitions);

  // commit -> consumed, and its two parts: commit -> encoded by the connector (PostgreSQL,
  // the walsender, decoding, encoding) and encoded -> consumed (producer, broker, consumer).
  std::vector<int64_t> latencies_us, source_us, kafka_us, produce_us, fetch_us, appended_us;
  int64_t events = 0, tombstones = 0, other = 0;
  int64_t measure_from_us = -1;  // commit time from which events are measured
  const absl::Time start = absl::Now();
  absl::Time last_record = start;
  while (absl::Now() - start < max_duration) {
    absl::StatusOr<std::vector<kafka::Message>> batch =
        (*consumer)->Poll(absl::Milliseconds(100), 10000);
    if (!batch.ok()) return Fail(batch.status());
    const absl::Time now = absl::Now();
    if (batch->empty()) {
      if (events + tombstones + other > 0 && now - last_record >= idle) break;
      continue;
    }
    last_record = now;
    const int64_t now_us = absl::ToUnixMicros(now);
    if (measure_from_us < 0) measure_from_us = now_us + absl::ToInt64Microseconds(warmup);
    for (const kafka::Message& m : *batch) {
      if (!m.has_value()) {
        ++tombstones;
        continue;
      }
      const EventTimes t = TimesOf(m.value());
      if (t.commit < 0) {
        ++other;
        continue;
      }
      ++events;
      if (t.commit < measure_from_us) continue;
      latencies_us.push_back(now_us - t.commit);
      if (t.encoded >= 0) {
        source_us.push_back(t.encoded - t.commit);
        kafka_us.push_back(now_us - t.encoded);
        if (const int64_t append_time_us = m.timestamp_ms() * 1000; append_time_us > 0) {
          // Milliseconds only: the half-millisecond bias is removed by centring.
          produce_us.push_back(append_time_us + 500 - t.encoded);
          fetch_us.push_back(now_us - append_time_us - 500);
          appended_us.push_back(append_time_us + 500 - t.commit);
        }
      }
    }
  }
  (void)(*consumer)->Close();
  for (auto* v : {&latencies_us, &source_us, &kafka_us, &produce_us, &fetch_us, &appended_us}) {
    std::sort(v->begin(), v->end());
  }
  double sum = 0;
  for (int64_t v : latencies_us) sum += static_cast<double>(v);
  nlohmann::ordered_json out;
  out["topic"] = o.topic;
  out["events"] = events;
  out["tombstones"] = tombstones;
  out["other_records"] = other;
  out["measured"] = latencies_us.size();
  out["p50_ms"] = Round3(Percentile(latencies_us, 0.50));
  out["p90_ms"] = Round3(Percentile(latencies_us, 0.90));
  out["p99_ms"] = Round3(Percentile(latencies_us, 0.99));
  out["p999_ms"] = Round3(Percentile(latencies_us, 0.999));
  out["max_ms"] = Round3(latencies_us.empty() ? 0 : latencies_us.back() / 1000.0);
  out["mean_ms"] =
      Round3(latencies_us.empty() ? 0 : sum / static_cast<double>(latencies_us.size()) / 1000);
  out["commit_to_encoded_p50_ms"] = Round3(Percentile(source_us, 0.50));
  out["commit_to_encoded_p99_ms"] = Round3(Percentile(source_us, 0.99));
  out["encoded_to_consumed_p50_ms"] = Round3(Percentile(kafka_us, 0.50));
  out["encoded_to_consumed_p99_ms"] = Round3(Percentile(kafka_us, 0.99));
  // Split at the broker's append time (1 ms resolution; empty if the topic existed with
  // CreateTime).
  out["encoded_to_appended_p50_ms"] = Round3(Percentile(produce_us, 0.50));
  out["encoded_to_appended_p99_ms"] = Round3(Percentile(produce_us, 0.99));
  out["appended_to_consumed_p50_ms"] = Round3(Percentile(fetch_us, 0.50));
  out["appended_to_consumed_p99_ms"] = Round3(Percentile(fetch_us, 0.99));
  // commit -> appended by the broker: the producer's ack follows the append, so this is the
  // closest measure of commit -> Kafka ack from outside the connector (a lower bound of it).
  out["commit_to_appended_p50_ms"] = Round3(Percentile(appended_us, 0.50));
  out["commit_to_appended_p99_ms"] = Round3(Percentile(appended_us, 0.99));
  std::cout << out.dump() << std::endl;
  return 0;
}

int Count(const std::string& bootstrap, const std::string& topic) {
  auto admin = kafka::Admin::Create({.bootstrap_servers = bootstrap});
  if (!admin.ok()) return Fail(admin.status());
  absl::StatusOr<int> partitions = (*admin)->PartitionCount(topic);
  if (!partitions.ok()) return Fail(partitions.status());
  prometheus::Registry registry;
  auto consumer =
      kafka::Consumer::Create({.bootstrap_servers = bootstrap,
                               .group_id = absl::StrCat("cdcflow-bench-count-", getpid()),
                               .client_id = "cdcflow-bench-count",
                               .statistics_interval = absl::ZeroDuration()},
                              registry);
  if (!consumer.ok()) return Fail(consumer.status());
  int64_t messages = 0;
  for (int p = 0; p < *partitions; ++p) {
    auto marks = (*consumer)->QueryWatermarks(topic, p, absl::Seconds(30));
    if (!marks.ok()) return Fail(marks.status());
    messages += marks->second - marks->first;
  }
  (void)(*consumer)->Close();
  std::cout << nlohmann::ordered_json{{"topic", topic}, {"messages", messages}}.dump() << std::endl;
  return 0;
}

int DeleteTopics(const std::string& bootstrap, const std::vector<std::string>& topics) {
  auto admin = kafka::Admin::Create({.bootstrap_servers = bootstrap});
  if (!admin.ok()) return Fail(admin.status());
  int rc = 0;
  for (const std::string& topic : topics) {
    absl::Status s = (*admin)->DeleteTopics({topic});
    if (!s.ok() && !absl::IsNotFound(s)) rc = Fail(s);
  }
  return rc;
}

}  // namespace
}  // namespace cdcflow::bench

int main(int argc, char** argv) {
  using namespace cdcflow::bench;
  CLI::App app{"capture_consumer: Kafka helpers for bench/run's cdc-capture figures"};
  app.require_subcommand(1);
  std::string bootstrap = DefaultBootstrap();
  app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->capture_default_str();

  LatencyOptions latency;
  CLI::App* latency_cmd = app.add_subcommand("latency", "commit -> consumed latency of a topic");
  latency_cmd->add_option("--topic", latency.topic, "topic to read")->required();
  latency_cmd
      ->add_option("--warmup", latency.warmup,
                   "not measured: events committed this long "
                   "after the first record arrived")
      ->capture_default_str();
  latency_cmd->add_option("--idle", latency.idle, "stop after this long without records")
      ->capture_default_str();
  latency_cmd->add_option("--max-duration", latency.max_duration, "stop after this long anyway")
      ->capture_default_str();
  latency_cmd
      ->add_option("--partitions", latency.partitions,
                   "partitions when the topic has to be created")
      ->capture_default_str();

  std::string count_topic;
  CLI::App* count_cmd = app.add_subcommand("count", "messages in a topic");
  count_cmd->add_option("--topic", count_topic, "topic")->required();

  std::vector<std::string> delete_list;
  CLI::App* delete_cmd = app.add_subcommand("delete-topics", "delete topics (missing ones: ok)");
  delete_cmd->add_option("topics", delete_list, "topic names")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (latency_cmd->parsed()) return Latency(bootstrap, latency);
  if (count_cmd->parsed()) return Count(bootstrap, count_topic);
  return DeleteTopics(bootstrap, delete_list);
}
