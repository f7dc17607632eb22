#pragma once

// Debezium's incremental snapshot ("execute-snapshot", type incremental), after the DBLog
// watermark algorithm: tables are read in primary-key order, one chunk at a time, while
// streaming goes on. Around each chunk's SELECT the capture loop writes a low and a high
// watermark into the WAL (non-transactional logical messages); at the high watermark the
// chunk's rows are emitted as op "r" with source.snapshot "incremental".
//
// Which streamed changes supersede a chunk row is decided by the SELECT's own MVCC snapshot
// rather than by WAL position alone: a transaction can have its commit record in the WAL
// before the low watermark and still be invisible to the SELECT (it commits in the WAL
// first and becomes visible a moment later). So every change streamed between reading the
// chunk and its high watermark whose transaction the SELECT did not see evicts the chunk's
// row of that key; the streamed event carries the newer row. Pure: no I/O.

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

  // The MVCC snapshot the chunk was read under (pg_current_snapshot(), 32-bit xids as
  // pgoutput sends them).
  struct Snapshot {
    uint32_t xmin = 0;
    uint32_t xmax = 0;
    std::vector<uint32_t> in_progress;
    // True when a transaction's effects were visible to the snapshot.
    bool Sees(uint32_t xid) const;
    // Parses pg_current_snapshot()'s text "xmin:xmax:xip,xip" (64-bit values).
    static std::optional<Snapshot> Parse(const std::string& text);
  };

  // The chunk just read (between writing the low and the high watermark with `id`). `rows`
  // are (key, row) in key order; a chunk shorter than chunk_size ends its table.
  void ChunkRead(uint64_t id, const Snapshot& snapshot, std::vector<std::pair<Row, Row>> rows);
  // The table could not be read (dropped, no key): skip it.
  void SkipTable();

  // A watermark seen in the stream. At the high watermark of the current chunk, returns the
  // rows to emit (table(), rows); otherwise nothing.
  std::optional<std::vector<Row>> OnWatermark(const std::string& content);

  // A streamed change of `table` by transaction `xid` touching the row with this key.
  void OnChange(const std::string& table, const Row& key, uint32_t xid);

  // True while a chunk waits for its high watermark (streamed changes must be checked).
  bool InWindow() const { return waiting_; }
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

  bool waiting_ = false;  // a chunk was read; waiting for its high watermark
  Snapshot snapshot_;     // what the chunk's SELECT saw
  uint64_t watermark_id_ = 0;
  std::string chunk_table_;
  std::map<std::string, Row> buffer_;  // KeyString(key) -> row, of the current chunk
  bool chunk_ends_table_ = false;
};

}  // namespace cdcflow::cdc_capture
