// Producer throughput: cdcflow::kafka::Producer against the raw librdkafka C++ API, same
// broker, same settings (idempotent, acks=all, murmur2 partitioner, linger.ms, batch.size),
// same ~200-byte CDC-like records with keys. One benchmark run = one process = one fresh
// topic; bench/run interleaves runs of both sides and reports medians.
//
//   kafka_producer_bench --benchmark_filter=BM_ProducerWrapper --messages=1000000
//
// Broker: $CDCFLOW_KAFKA_BOOTSTRAP_SERVERS, else $CDCFLOW_LOCAL_KAFKA_BOOTSTRAP, else
// 127.0.0.1:9092. Exits 2 with a message when the broker cannot be reached.

#include <librdkafka/rdkafkacpp.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <prometheus/registry.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"

namespace cdcflow::bench {
namespace {

constexpr int kPartitions = 4;
constexpr int kDistinctRecords = 4096;
constexpr int kDistinctKeys = 10'000;

std::string Bootstrap() {
  for (const char* name : {"CDCFLOW_KAFKA_BOOTSTRAP_SERVERS", "CDCFLOW_LOCAL_KAFKA_BOOTSTRAP"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return "127.0.0.1:9092";
}

// The settings both sides share (the wrapper sets the first four itself too).
const kafka::Properties& SharedProperties() {
  static const kafka::Properties properties = {
      {"enable.idempotence", "true"},    {"acks", "all"},
      {"partitioner", "murmur2_random"}, {"linger.ms", "5"},
      {"batch.size", "1000000"},         {"queue.buffering.max.messages", "100000"},
  };
  return properties;
}

// Pre-built records shaped like a Debezium change event (~200 bytes), so that building
// them costs nothing inside the measured loop.
struct Workload {
  int64_t messages = 1'000'000;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  int64_t bytes = 0;  // key + value bytes of all messages

  explicit Workload(int64_t n) : messages(n) {
    for (int i = 0; i < kDistinctRecords; ++i) {
      const int id = (i * 7919) % kDistinctKeys;
      keys.push_back(absl::StrCat("{\"id\":", id, "}"));
      std::string value = absl::StrFormat(
          "{\"before\":null,\"after\":{\"id\":%d,\"account\":\"acc-%05d\",\"amount\":\"%d.%02d\","
          "\"currency\":\"EUR\",\"status\":\"settled\"},\"source\":{\"lsn\":%d,\"txId\":%d},"
          "\"op\":\"c\",\"ts_ms\":1732186800000}",
          id, i % 977, 10 + i % 5000, i % 100, 24000000 + i, 700 + i / 8);
      value.resize(200, ' ');
      values.push_back(std::move(value));
    }
    for (int64_t i = 0; i < messages; ++i) {
      bytes += static_cast<int64_t>(keys[i % kDistinctRecords].size() +
                                    values[i % kDistinctRecords].size());
    }
  }
};

// A fresh topic per run, deleted afterwards.
class BenchTopic {
 public:
  BenchTopic() {
    auto admin = kafka::Admin::Create({.bootstrap_servers = Bootstrap()});
    if (!admin.ok()) {
      status_ = admin.status();
      return;
    }
    admin_ = std::move(*admin);
    name_ = absl::StrCat("cdcflow-bench-", absl::ToUnixNanos(absl::Now()));
    status_ = admin_->CreateTopic({.name = name_, .partitions = kPartitions});
  }
  ~BenchTopic() {
    if (status_.ok()) admin_->DeleteTopics({name_}).IgnoreError();
  }
  const absl::Status& status() const { return status_; }
  const std::string& name() const { return name_; }

 private:
  std::unique_ptr<kafka::Admin> admin_;
  std::string name_;
  absl::Status status_;
};

// CPU time of the whole process (every thread: the caller, librdkafka's, the poll thread).
int64_t ProcessCpuNanos() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto nanos = [](const timeval& t) {
    return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + static_cast<int64_t>(t.tv_usec) * 1000;
  };
  return nanos(usage.ru_utime) + nanos(usage.ru_stime);
}

void Report(benchmark::State& state, const Workload& w, int64_t delivered, int64_t failed,
            int64_t cpu_nanos) {
  state.SetItemsProcessed(state.iterations() * w.messages);
  state.counters["process_cpu_ns_per_message"] =
      static_cast<double>(cpu_nanos) / static_cast<double>(state.iterations() * w.messages);
  state.SetBytesProcessed(state.iterations() * w.bytes);
  state.counters["delivered"] = static_cast<double>(delivered);
  if (failed != 0 || delivered != state.iterations() * w.messages) {
    state.SkipWithError(absl::StrCat("delivered ", delivered, " of ",
                                     state.iterations() * w.messages, ", ", failed, " failed")
                            .c_str());
  }
}

// --- cdcflow::kafka::Producer ---------------------------------------------------------------

// The wrapper as services use it: its poll thread serves the delivery reports; on a full queue
// the caller waits in Poll() for the poll thread to free space.
void BM_ProducerWrapper(benchmark::State& state, const Workload* w) {
  BenchTopic topic;
  if (!topic.status().ok()) {
    state.SkipWithError(std::string(topic.status().message()).c_str());
    return;
  }
  prometheus::Registry registry;
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  auto producer = kafka::Producer::Create(
      {.bootstrap_servers = Bootstrap(),
       .client_id = "cdcflow-bench",
       .properties = SharedProperties(),
       .on_delivery =
           [&](const kafka::DeliveryReport& r) {
             (r.status.ok() ? delivered : failed).fetch_add(1, std::memory_order_relaxed);
           }},
      registry);
  if (!producer.ok()) {
    state.SkipWithError(std::string(producer.status().message()).c_str());
    return;
  }
  kafka::Producer& p = **producer;
  // Warm-up outside the measurement: connection, producer id, topic metadata.
  if (!p.Produce(topic.name(), kafka::kPartitionUnassigned, "warm", "up", {}, 0).ok() ||
      !p.Flush(absl::Seconds(30)).ok()) {
    state.SkipWithError("warm-up message not delivered");
    return;
  }
  delivered = 0;

  const int64_t cpu_start = ProcessCpuNanos();
  for (auto _ : state) {
    for (int64_t i = 0; i < w->messages; ++i) {
      const std::string& key = w->keys[i % kDistinctRecords];
      const std::string& value = w->values[i % kDistinctRecords];
      while (true) {
        absl::Status s = p.Produce(topic.name(), kafka::kPartitionUnassigned, key, value, {},
                                   static_cast<uint64_t>(i));
        if (s.ok()) break;
        if (!absl::IsResourceExhausted(s)) {
          state.SkipWithError(std::string(s.message()).c_str());
          return;
        }
        p.Poll(absl::Milliseconds(10));  // backpressure: wait for delivery reports
      }
    }
    if (absl::Status s = p.Flush(absl::Seconds(120)); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  Report(state, *w, delivered.load(), failed.load(), ProcessCpuNanos() - cpu_start);
}

// --- raw librdkafka C++ API -----------------------------------------------------------------

class CountingDeliveryCallback final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    (message.err() == RdKafka::ERR_NO_ERROR ? delivered : failed)
        .fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
};

void BM_ProducerRaw(benchmark::State& state, const Workload* w) {
  BenchTopic topic;
  if (!topic.status().ok()) {
    state.SkipWithError(std::string(topic.status().message()).c_str());
    return;
  }
  CountingDeliveryCallback callback;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  kafka::Properties properties = SharedProperties();
  properties["bootstrap.servers"] = Bootstrap();
  properties["client.id"] = "cdcflow-bench-raw";
  for (const auto& [name, value] : properties) {
    if (conf->set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
      state.SkipWithError(errstr.c_str());
      return;
    }
  }
  conf->set("dr_cb", &callback, errstr);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), errstr));
  if (producer == nullptr) {
    state.SkipWithError(errstr.c_str());
    return;
  }
  const char warm[] = "warm-up";
  producer->produce(topic.name(), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                    const_cast<char*>(warm), sizeof(warm) - 1, nullptr, 0, 0, nullptr);
  if (producer->flush(30000) != RdKafka::ERR_NO_ERROR || callback.delivered != 1) {
    state.SkipWithError("warm-up message not delivered");
    return;
  }
  callback.delivered = 0;

  const int64_t cpu_start = ProcessCpuNanos();
  for (auto _ : state) {
    // librdkafka's examples/producer.cpp idiom: poll(0) after each produce serves delivery
    // reports; on a full queue, poll (block) and retry.
    for (int64_t i = 0; i < w->messages; ++i) {
      const std::string& key = w->keys[i % kDistinctRecords];
      const std::string& value = w->values[i % kDistinctRecords];
      while (true) {
        RdKafka::ErrorCode err = producer->produce(
            topic.name(), RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
            const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0,
            reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
        if (err == RdKafka::ERR_NO_ERROR) break;
        if (err != RdKafka::ERR__QUEUE_FULL) {
          state.SkipWithError(RdKafka::err2str(err).c_str());
          return;
        }
        producer->poll(10);
      }
      producer->poll(0);
    }
    if (producer->flush(120000) != RdKafka::ERR_NO_ERROR) {
      state.SkipWithError("flush timed out");
      return;
    }
  }
  Report(state, *w, callback.delivered.load(), callback.failed.load(),
         ProcessCpuNanos() - cpu_start);
}

// The broker must answer a metadata request; otherwise there is nothing to measure.
absl::Status CheckBroker() {
  auto admin = kafka::Admin::Create({.bootstrap_servers = Bootstrap()});
  if (!admin.ok()) return admin.status();
  absl::Status status =
      (*admin)->PartitionCount("cdcflow-bench-probe-nonexistent", absl::Seconds(5)).status();
  if (status.ok() || absl::IsNotFound(status)) return absl::OkStatus();
  return status;
}

}  // namespace
}  // namespace cdcflow::bench

int main(int argc, char** argv) {
  int64_t messages = 1'000'000;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    constexpr char kFlag[] = "--messages=";
    if (std::strncmp(argv[i], kFlag, sizeof(kFlag) - 1) == 0) {
      if (!absl::SimpleAtoi(argv[i] + sizeof(kFlag) - 1, &messages) || messages <= 0) {
        std::fprintf(stderr, "bad %s\n", argv[i]);
        return 2;
      }
      continue;
    }
    args.push_back(argv[i]);
  }
  int remaining = static_cast<int>(args.size());
  benchmark::Initialize(&remaining, args.data());
  if (benchmark::ReportUnrecognizedArguments(remaining, args.data())) return 2;

  if (absl::Status broker = cdcflow::bench::CheckBroker(); !broker.ok()) {
    std::fprintf(stderr,
                 "kafka_producer_bench: Kafka broker %s unreachable: %s\n"
                 "Start it with deploy/local/up --only kafka (or set "
                 "CDCFLOW_KAFKA_BOOTSTRAP_SERVERS).\n",
                 cdcflow::bench::Bootstrap().c_str(), std::string(broker.message()).c_str());
    return 2;
  }

  static const cdcflow::bench::Workload workload(messages);
  for (auto [name, fn] : {std::pair{"BM_ProducerRaw", &cdcflow::bench::BM_ProducerRaw},
                          std::pair{"BM_ProducerWrapper", &cdcflow::bench::BM_ProducerWrapper}}) {
    benchmark::RegisterBenchmark(name, fn, &workload)
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
