#include "services/cdc-capture/pgoutput/decoder.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/status_macros.h"

namespace cdcflow::cdc_capture::pgoutput {

namespace {

// A bounds-checked big-endian reader over one message.
class Reader {
 public:
  Reader(absl::string_view bytes, char type) : bytes_(bytes), type_(type) {}

  absl::StatusOr<uint8_t> U8() {
    RETURN_IF_ERROR(Need(1));
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  absl::StatusOr<uint16_t> U16() { return Int<uint16_t>(); }
  absl::StatusOr<uint32_t> U32() { return Int<uint32_t>(); }
  absl::StatusOr<uint64_t> U64() { return Int<uint64_t>(); }
  absl::StatusOr<int32_t> I32() {
    ASSIGN_OR_RETURN(uint32_t v, U32());
    return static_cast<int32_t>(v);
  }
  absl::StatusOr<int64_t> I64() {
    ASSIGN_OR_RETURN(uint64_t v, U64());
    return static_cast<int64_t>(v);
  }

  // A NUL-terminated string.
  absl::StatusOr<std::string> CString() {
    const size_t end = bytes_.find('\0', pos_);
    if (end == absl::string_view::npos) return Error("unterminated string");
    std::string s(bytes_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

  absl::StatusOr<absl::string_view> Bytes(size_t n) {
    RETURN_IF_ERROR(Need(n));
    absl::string_view v = bytes_.substr(pos_, n);
    pos_ += n;
    return v;
  }

  absl::Status ExpectEnd() const {
    if (pos_ != bytes_.size()) {
      return Error(absl::StrCat(bytes_.size() - pos_, " unexpected trailing bytes"));
    }
    return absl::OkStatus();
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrFormat("pgoutput: malformed '%c' message at offset %d: %s",
                        type_ >= 0x20 && type_ < 0x7f ? type_ : '?', pos_, what));
  }

 private:
  absl::Status Need(size_t n) const {
    if (bytes_.size() - pos_ < n) {
      return Error(absl::StrCat("needs ", n, " more bytes, has ", bytes_.size() - pos_));
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::StatusOr<T> Int() {
    RETURN_IF_ERROR(Need(sizeof(T)));
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      v = static_cast<T>((v << 8) | static_cast<uint8_t>(bytes_[pos_ + i]));
    }
    pos_ += sizeof(T);
    return v;
  }

  absl::string_view bytes_;
  size_t pos_ = 0;
  char type_;
};

absl::StatusOr<Tuple> ReadTuple(Reader& r) {
  ASSIGN_OR_RETURN(uint16_t n, r.U16());
  Tuple tuple;
  tuple.reserve(n);
  for (uint16_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(uint8_t kind, r.U8());
    TupleValue v;
    switch (kind) {
      case 'n':
      case 'u':
        v.kind = static_cast<ValueKind>(kind);
        break;
      case 't':
      case 'b': {
        v.kind = static_cast<ValueKind>(kind);
        ASSIGN_OR_RETURN(int32_t len, r.I32());
        if (len < 0) return r.Error("negative column length");
        ASSIGN_OR_RETURN(v.data, r.Bytes(static_cast<size_t>(len)));
        break;
      }
      default:
        return r.Error(absl::StrFormat("unknown tuple value kind 0x%02x", kind));
    }
    tuple.push_back(v);
  }
  return tuple;
}

absl::StatusOr<Relation> ReadRelation(Reader& r) {
  Relation rel;
  ASSIGN_OR_RETURN(rel.oid, r.U32());
  ASSIGN_OR_RETURN(rel.schema, r.CString());
  ASSIGN_OR_RETURN(rel.name, r.CString());
  ASSIGN_OR_RETURN(uint8_t identity, r.U8());
  rel.replica_identity = static_cast<char>(identity);
  ASSIGN_OR_RETURN(uint16_t ncols, r.U16());
  rel.columns.reserve(ncols);
  for (uint16_t i = 0; i < ncols; ++i) {
    Column c;
    ASSIGN_OR_RETURN(uint8_t flags, r.U8());
    c.part_of_key = (flags & 1) != 0;
    ASSIGN_OR_RETURN(c.name, r.CString());
    ASSIGN_OR_RETURN(c.type_oid, r.U32());
    ASSIGN_OR_RETURN(c.type_modifier, r.I32());
    rel.columns.push_back(std::move(c));
  }
  return rel;
}

}  // namespace

absl::StatusOr<Decoded> Decoder::Decode(absl::string_view bytes) {
  if (bytes.empty()) {
    return absl::InvalidArgumentError("pgoutput: empty message");
  }
  const char type = bytes[0];
  Reader r(bytes.substr(1), type);
  Decoded out;

  // Inside a streamed transaction, data messages start with the xid they belong to.
  auto read_stream_xid = [&]() -> absl::Status {
    if (in_stream_) {
      ASSIGN_OR_RETURN(uint32_t xid, r.U32());
      out.stream_xid = xid;
    }
    return absl::OkStatus();
  };

  switch (type) {
    case 'B': {
      Begin m;
      ASSIGN_OR_RETURN(m.final_lsn, r.U64());
      ASSIGN_OR_RETURN(int64_t t, r.I64());
      m.commit_time = PgMicrosToUnixMicros(t);
      ASSIGN_OR_RETURN(m.xid, r.U32());
      out.message = m;
      break;
    }
    case 'C': {
      Commit m;
      ASSIGN_OR_RETURN(m.flags, r.U8());
      ASSIGN_OR_RETURN(m.commit_lsn, r.U64());
      ASSIGN_OR_RETURN(m.end_lsn, r.U64());
      ASSIGN_OR_RETURN(int64_t t, r.I64());
      m.commit_time = PgMicrosToUnixMicros(t);
      out.message = m;
      break;
    }
    case 'O': {
      Origin m;
      ASSIGN_OR_RETURN(m.commit_lsn, r.U64());
      ASSIGN_OR_RETURN(m.name, r.CString());
      out.message = std::move(m);
      break;
    }
    case 'R': {
      RETURN_IF_ERROR(read_stream_xid());
      ASSIGN_OR_RETURN(Relation m, ReadRelation(r));
      out.message = std::move(m);
      break;
    }
    case 'Y': {
      RETURN_IF_ERROR(read_stream_xid());
      Type m;
      ASSIGN_OR_RETURN(m.oid, r.U32());
      ASSIGN_OR_RETURN(m.schema, r.CString());
      ASSIGN_OR_RETURN(m.name, r.CString());
      out.message = std::move(m);
      break;
    }
    case 'I': {
      RETURN_IF_ERROR(read_stream_xid());
      Insert m;
      ASSIGN_OR_RETURN(m.relation_oid, r.U32());
      ASSIGN_OR_RETURN(uint8_t marker, r.U8());
      if (marker != 'N') return r.Error("expected 'N' before the new tuple");
      ASSIGN_OR_RETURN(m.new_tuple, ReadTuple(r));
      out.message = std::move(m);
      break;
    }
    case 'U': {
      RETURN_IF_ERROR(read_stream_xid());
      Update m;
      ASSIGN_OR_RETURN(m.relation_oid, r.U32());
      ASSIGN_OR_RETURN(uint8_t marker, r.U8());
      if (marker == 'K' || marker == 'O') {
        m.old_kind = static_cast<char>(marker);
        ASSIGN_OR_RETURN(m.old_tuple, ReadTuple(r));
        ASSIGN_OR_RETURN(marker, r.U8());
      }
      if (marker != 'N') return r.Error("expected 'N' before the new tuple");
      ASSIGN_OR_RETURN(m.new_tuple, ReadTuple(r));
      out.message = std::move(m);
      break;
    }
    case 'D': {
      RETURN_IF_ERROR(read_stream_xid());
      Delete m;
      ASSIGN_OR_RETURN(m.relation_oid, r.U32());
      ASSIGN_OR_RETURN(uint8_t marker, r.U8());
      if (marker != 'K' && marker != 'O') return r.Error("expected 'K' or 'O' before old tuple");
      m.old_kind = static_cast<char>(marker);
      ASSIGN_OR_RETURN(m.old_tuple, ReadTuple(r));
      out.message = std::move(m);
      break;
    }
    case 'T': {
      RETURN_IF_ERROR(read_stream_xid());
      Truncate m;
      ASSIGN_OR_RETURN(uint32_t n, r.U32());
      ASSIGN_OR_RETURN(uint8_t options, r.U8());
      m.cascade = (options & 1) != 0;
      m.restart_identity = (options & 2) != 0;
      for (uint32_t i = 0; i < n; ++i) {
        ASSIGN_OR_RETURN(uint32_t oid, r.U32());
        m.relation_oids.push_back(oid);
      }
      out.message = std::move(m);
      break;
    }
    case 'M': {
      RETURN_IF_ERROR(read_stream_xid());
      LogicalMessage m;
      ASSIGN_OR_RETURN(uint8_t flags, r.U8());
      m.transactional = (flags & 1) != 0;
      ASSIGN_OR_RETURN(m.lsn, r.U64());
      ASSIGN_OR_RETURN(m.prefix, r.CString());
      ASSIGN_OR_RETURN(uint32_t len, r.U32());
      ASSIGN_OR_RETURN(m.content, r.Bytes(len));
      out.message = std::move(m);
      break;
    }
    case 'S': {
      if (in_stream_) return r.Error("StreamStart inside a stream");
      StreamStart m;
      ASSIGN_OR_RETURN(m.xid, r.U32());
      ASSIGN_OR_RETURN(uint8_t first, r.U8());
      m.first_segment = first == 1;
      in_stream_ = true;
      out.message = m;
      break;
    }
    case 'E': {
      if (!in_stream_) return r.Error("StreamStop outside a stream");
      in_stream_ = false;
      out.message = StreamStop{};
      break;
    }
    case 'c': {
      StreamCommit m;
      ASSIGN_OR_RETURN(m.xid, r.U32());
      ASSIGN_OR_RETURN(m.flags, r.U8());
      ASSIGN_OR_RETURN(m.commit_lsn, r.U64());
      ASSIGN_OR_RETURN(m.end_lsn, r.U64());
      ASSIGN_OR_RETURN(int64_t t, r.I64());
      m.commit_time = PgMicrosToUnixMicros(t);
      out.message = m;
      break;
    }
    case 'A': {
      StreamAbort m;
      ASSIGN_OR_RETURN(m.xid, r.U32());
      ASSIGN_OR_RETURN(m.subxid, r.U32());
      // Protocol version 4 (PostgreSQL 16+) appends abort LSN and time; accept and ignore.
      out.message = m;
      return out;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrFormat("pgoutput: unknown message type 0x%02x", static_cast<uint8_t>(type)));
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return out;
}

}  // namespace cdcflow::cdc_capture::pgoutput
