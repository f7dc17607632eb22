#pragma once

// The logical replication messages of the pgoutput plugin (protocol versions 1 and 2), as
// documented in PostgreSQL's "Logical Replication Message Formats". Tuple data are views into
// the buffer that was decoded: they are valid only as long as that buffer is.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/cdc-capture/pgoutput/lsn.h"

namespace cdcflow::cdc_capture::pgoutput {

struct Begin {
  Lsn final_lsn = 0;        // LSN of the transaction's commit record
  int64_t commit_time = 0;  // Unix microseconds
  uint32_t xid = 0;
};

struct Commit {
  uint8_t flags = 0;
  Lsn commit_lsn = 0;
  Lsn end_lsn = 0;          // end of the commit record: what to confirm once delivered
  int64_t commit_time = 0;  // Unix microseconds
};

struct Origin {
  Lsn commit_lsn = 0;
  std::string name;
};

struct Column {
  bool part_of_key = false;  // flag 1: part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

struct Relation {
  uint32_t oid = 0;
  std::string schema;  // "pg_catalog" is sent as ""; pgoutput sends the real name
  std::string name;
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  std::vector<Column> columns;
};

struct Type {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
};

enum class ValueKind : char {
  kNull = 'n',
  kUnchangedToast = 'u',
  kText = 't',
  kBinary = 'b',
};

struct TupleValue {
  ValueKind kind = ValueKind::kNull;
  absl::string_view data;  // text or binary representation; empty for null/unchanged
};

using Tuple = std::vector<TupleValue>;

struct Insert {
  uint32_t relation_oid = 0;
  Tuple new_tuple;
};

struct Update {
  uint32_t relation_oid = 0;
  // 'K' = only the old key (the key changed), 'O' = the whole old row (REPLICA IDENTITY
  // FULL), 0 = no old tuple was sent.
  char old_kind = 0;
  Tuple old_tuple;
  Tuple new_tuple;
};

struct Delete {
  uint32_t relation_oid = 0;
  char old_kind = 'K';  // 'K' or 'O' as for Update
  Tuple old_tuple;
};

struct Truncate {
  bool cascade = false;
  bool restart_identity = false;
  std::vector<uint32_t> relation_oids;
};

struct LogicalMessage {
  bool transactional = false;
  Lsn lsn = 0;
  std::string prefix;
  absl::string_view content;
};

// Protocol version 2 (streaming of large in-progress transactions).
struct StreamStart {
  uint32_t xid = 0;
  bool first_segment = false;
};
struct StreamStop {};
struct StreamCommit {
  uint32_t xid = 0;
  uint8_t flags = 0;
  Lsn commit_lsn = 0;
  Lsn end_lsn = 0;
  int64_t commit_time = 0;  // Unix microseconds
};
struct StreamAbort {
  uint32_t xid = 0;
  uint32_t subxid = 0;
};

using Message =
    std::variant<Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate,
                 LogicalMessage, StreamStart, StreamStop, StreamCommit, StreamAbort>;

// A decoded message and, inside a streamed transaction, the xid it belongs to.
struct Decoded {
  Message message;
  std::optional<uint32_t> stream_xid;
};

}  // namespace cdcflow::cdc_capture::pgoutput
