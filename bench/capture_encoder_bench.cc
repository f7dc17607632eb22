// cdc-capture's CPU per event without I/O: the reference table's inserts and updates (REPLICA
// IDENTITY FULL) encoded as the service encodes them (JSON with Connect schemas, one reused
// RecordBatch), optionally after decoding the pgoutput message. Google Benchmark; items/s is
// events/s on one core. Used to tell encoder changes apart, which the end-to-end capture
// figures (2 cores shared with PostgreSQL and Kafka) cannot resolve below ~10 %.

#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "services/cdc-capture/events/encoder.h"
#include "services/cdc-capture/pgoutput/decoder.h"
#include "tests/cdc-capture/events/reference_table.h"

namespace cdcflow::cdc_capture {
namespace {

using events::EncoderOptions;
using events::EventEncoder;
using events::Op;
using events::RecordBatch;
using events::RowChange;
using events::TableSchema;
using pgoutput::Tuple;
using pgoutput::TupleValue;
using pgoutput::ValueKind;

// Text values as pgoutput sends them, varied per row like the load generator's.
std::vector<std::string> RowText(int64_t i) {
  return {std::to_string(1000000 + i),
          std::to_string(100000 + (i * 7919) % 900000),
          std::to_string(100000 + (i * 104729) % 900000),
          std::to_string(1 + (i * 37) % 99999) + "." + std::to_string(10 + i % 90),
          "2025-07-22 09:" + std::to_string(10 + i % 50) + ":" + std::to_string(10 + i % 50) +
              ".123456",
          std::to_string(1 + i % 500),
          std::to_string(1 + i % 20),
          std::to_string(1 + i % 10),
          std::to_string(1 + i % 30),
          std::to_string(i % 5)};
}

// An Insert ('I') or Update with old tuple ('U' … 'O' … 'N') message in pgoutput's format.
std::string Message(uint32_t oid, const std::vector<std::string>* old_row,
                    const std::vector<std::string>& row) {
  std::string m;
  auto u32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) m.push_back(static_cast<char>(v >> s));
  };
  auto tuple = [&](const std::vector<std::string>& values) {
    m.push_back(0);
    m.push_back(static_cast<char>(values.size()));
    for (const std::string& v : values) {
      m.push_back('t');
      u32(static_cast<uint32_t>(v.size()));
      m += v;
    }
  };
  m.push_back(old_row != nullptr ? 'U' : 'I');
  u32(oid);
  if (old_row != nullptr) {
    m.push_back('O');
    tuple(*old_row);
  }
  m.push_back('N');
  tuple(row);
  return m;
}

constexpr int kRows = 1000;  // one reference transaction

void Encode(benchmark::State& state, bool updates, bool decode) {
  const TableSchema table = events::test_support::TransactionDetailsSchema();
  EventEncoder encoder(EncoderOptions{});
  RecordBatch batch;
  std::vector<std::vector<std::string>> rows, olds;
  std::vector<std::string> messages;
  for (int i = 0; i < kRows; ++i) {
    rows.push_back(RowText(i));
    olds.push_back(RowText(i + kRows));
  }
  for (int i = 0; i < kRows; ++i) {
    messages.push_back(Message(table.relation_oid, updates ? &olds[i] : nullptr, rows[i]));
  }
  std::vector<Tuple> after(kRows), before(kRows);
  auto to_tuple = [](const std::vector<std::string>& values, Tuple& t) {
    for (const std::string& v : values) t.push_back({ValueKind::kText, v});
  };
  for (int i = 0; i < kRows; ++i) {
    to_tuple(rows[i], after[i]);
    to_tuple(olds[i], before[i]);
  }
  pgoutput::Decoder decoder;
  RowChange change;
  change.source.commit_time_us = 1753176600500000;
  change.source.xid = 1234567;
  change.source.last_commit_lsn = 30000000000;
  int64_t now_us = 1753176601000000;
  int64_t bytes = 0;
  for (auto _ : state) {
    for (int i = 0; i < kRows; ++i) {
      change.source.lsn = 30000000100 + static_cast<uint64_t>(i) * 200;
      if (decode) {
        auto decoded = decoder.Decode(messages[i]);
        if (!decoded.ok()) {
          state.SkipWithError(std::string(decoded.status().message()).c_str());
          return;
        }
        if (auto* ins = std::get_if<pgoutput::Insert>(&decoded->message)) {
          change.op = Op::kCreate;
          change.before = nullptr;
          change.after = &ins->new_tuple;
        } else {
          const auto& upd = std::get<pgoutput::Update>(decoded->message);
          change.op = Op::kUpdate;
          change.before = &upd.old_tuple;
          change.before_kind = upd.old_kind;
          change.after = &upd.new_tuple;
        }
        batch.Clear();
        benchmark::DoNotOptimize(encoder.Encode(table, change, ++now_us, batch));
      } else {
        change.op = updates ? Op::kUpdate : Op::kCreate;
        change.before = updates ? &before[i] : nullptr;
        change.before_kind = updates ? 'O' : 0;
        change.after = &after[i];
        batch.Clear();
        benchmark::DoNotOptimize(encoder.Encode(table, change, ++now_us, batch));
      }
      bytes += static_cast<int64_t>(batch[0].key.size() + batch[0].value.size());
    }
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.SetBytesProcessed(bytes);
}

BENCHMARK_CAPTURE(Encode, inserts, false, false);
BENCHMARK_CAPTURE(Encode, updates, true, false);
BENCHMARK_CAPTURE(Encode, decode_and_encode_inserts, false, true);
BENCHMARK_CAPTURE(Encode, decode_and_encode_updates, true, true);

}  // namespace
}  // namespace cdcflow::cdc_capture

BENCHMARK_MAIN();
