#pragma once

// Debezium's incremental snapshot ("execute-snapshot", type incremental), after the DBLog
// watermark algorithm: tables are read in primary-key order, one chunk at a time, while
// streaming goes on. Around each chunk's SELECT the capture loop writes a low and a high
// watermark into the WAL (non-transactional logical messages). Streamed changes that arrive
// between the two watermarks are newer than (or as new as) the chunk, so they evict the
// chunk's row of the same key; at the high watermark the remaining rows are emitted as
// op "r" with source.snapshot "incremental". Pure: no I/O; the loop does the reading.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cdcflow::cdc_capture {

class IncrementalSnapshot {
 public:
  using Row = std::vector<std::optional<std::string>>;  // text values, nullopt = NULL

  // The watermark message prefix and contents ("low:<id>", "high:<id>").
  static constexpr char kMessagePrefix[] = "cdcflow-incremental-snapshot";

  explicit IncrementalSnapshot(int chunk_size = 1024) : chunk_size_(chunk_size) {}

  // Thread-safe (admin thread): queues "schema.table" names.
  void Enqueue(const std::vector<std::string>& tables);

  // Loop side. True when the loop should read the next chunk now: tables are queued and no
  // chunk is waiting for its watermarks.
  bool WantsChunk();
  // The table to read and the key to read after (empty = from the start).
  const std::string& table() const { return table_; }
  const Row& after_key() const { return after_key_; }
  int chunk_size() const { return chunk_size_; }
  uint64_t next_watermark_id() const { return watermark_id_ + 1; }

  // The chunk just read (between writing the low and the high watermark with `id`). `rows`
  // are (key, row) in key order; a chunk shorter than chunk_size ends its table.
  void ChunkRead(uint64_t id, std::vector<std::pair<Row, Row>> rows);
  // The table could not be read (dropped, no key): skip it.
  void SkipTable();

  // A watermark seen in the stream. At the high watermark of the current chunk, returns the
  // rows to emit (table(), rows); otherwise nothing.
  std::optional<std::vector<Row>> OnWatermark(const std::string& content);

  // A streamed change of `table` touching the row with this key.
  void OnChange(const std::string& table, const Row& key);

  bool InWindow() const { return window_open_; }
  size_t QueuedTables();
  const std::string& emitting_table() const { return chunk_table_; }

 private:
  static std::string KeyString(const Row& key);

  const int chunk_size_;
  std::mutex queue_mu_;
  std::deque<std::string> queue_;

  std::string table_;       // the table being read
  Row after_key_;           // the last key read of it
  bool table_done_ = true;  // no table in progress

  bool waiting_ = false;      // a chunk was read; waiting for its watermarks
  bool window_open_ = false;  // between low and high in the stream
  uint64_t watermark_id_ = 0;
  std::string chunk_table_;
  std::map<std::string, Row> buffer_;  // KeyString(key) -> row, of the current chunk
  bool chunk_ends_table_ = false;
};

}  // namespace cdcflow::cdc_capture
