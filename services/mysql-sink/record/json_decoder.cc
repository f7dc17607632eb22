#include "services/mysql-sink/record/json_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/common/status_macros.h"
#include "services/mysql-sink/record/literal.h"

namespace cdcflow::mysql_sink {
namespace {

namespace od = simdjson::ondemand;
namespace dom = simdjson::dom;

// Debian's Abseil is built as C++14: absl::string_view is not std::string_view.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// How a declared field's JSON value becomes a literal (finer than FieldType: a kDateTime may
// count milli-, micro- or nanoseconds).
enum class Codec : uint8_t {
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kBoolean,
  kString,  // also Uuid and Json: a JSON string rendered as a quoted literal
  kBytes,
  kDecimal,
  kVariableDecimal,
  kDate,
  kTimeMillis,
  kTimeMicros,
  kTimeNanos,
  kTimestampMillis,
  kTimestampMicros,
  kTimestampNanos,
  kZonedTimestamp,
  kStructured,  // struct / array / map: the value's JSON text
};

struct FieldCodec {
  Codec codec = Codec::kString;
  int32_t scale = 0;           // kDecimal
  const char* type_name = "";  // for messages: "int64", "Decimal", "MicroTimestamp"
  bool plain_name = true;      // no '"', '\\' or control byte: a raw key compare is exact
};

// A declared row: its shared Schema and, in the same order, how to render each field.
struct RowCodec {
  std::shared_ptr<const Schema> schema;
  std::vector<FieldCodec> fields;
  int deleted_index = -1;  // ExtractNewRecordState's __deleted, if the row has it
  int op_index = -1;       // and its __op
};

enum class SchemaKind : uint8_t {
  kEnvelope,      // Debezium's envelope; `row` is its after/before struct
  kRow,           // a plain (or flattened) struct row
  kPrimitive,     // a key that is not a struct: one field named "key"
  kSchemaChange,  // a Debezium schema-change event (skipped)
  kHeartbeat,     // a Debezium heartbeat (skipped)
};

struct SchemaEntry {
  SchemaKind kind = SchemaKind::kRow;
  RowCodec row;
  std::string_view raw;  // the cache key: the schema's exact JSON text
};

enum class Side : uint8_t { kKey = 0, kValue = 1 };

std::string_view Prefix(Side side) { return side == Side::kKey ? "key: " : "value: "; }

const char* JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "unknown";
}

absl::Status SideError(Side side, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(AV(Prefix(side)), message));
}

absl::Status Malformed(Side side, simdjson::error_code e) {
  return absl::InvalidArgumentError(
      absl::StrCat(AV(Prefix(side)), "malformed JSON: ", simdjson::error_message(e)));
}

absl::Status FieldError(Side side, std::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(AV(Prefix(side)), "field \"", AV(field), "\": ", message));
}

// Errors of RenderCell carry no prefix; RenderField adds side and field.
absl::Status CellMalformed(simdjson::error_code e) {
  return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", simdjson::error_message(e)));
}

absl::Status Mismatch(const FieldCodec& fc, const char* expected, od::json_type got) {
  return absl::InvalidArgumentError(
      absl::StrCat(fc.type_name, " expects ", expected, ", got ", JsonTypeName(got)));
}

bool IsPlainName(std::string_view name) {
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

// FNV-1a, 64 bits: stable across processes and builds.
class Fnv64 {
 public:
  void Bytes(std::string_view s) {
    for (const char c : s) Byte(static_cast<uint8_t>(c));
  }
  void Byte(uint8_t b) {
    h_ ^= b;
    h_ *= 0x100000001b3ULL;
  }
  void Int(uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

uint64_t Fingerprint(std::span<const Field> fields) {
  Fnv64 h;
  h.Int(fields.size());
  for (const Field& f : fields) {
    h.Int(f.name.size());
    h.Bytes(f.name);
    h.Byte(static_cast<uint8_t>(f.type));
    h.Byte(f.optional ? 1 : 0);
    h.Int(static_cast<uint64_t>(static_cast<int64_t>(f.precision)));
    h.Int(static_cast<uint64_t>(static_cast<int64_t>(f.scale)));
    h.Int(static_cast<uint64_t>(static_cast<int64_t>(f.fsp)));
  }
  return h.value();
}

// Hashes a schema's JSON text by its length, first and last 128 bytes: where the schemas of
// two tables differ (first columns; the record name at the end). Equality compares it all.
struct SchemaTextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    constexpr size_t kEdge = 128;
    if (s.size() <= 2 * kEdge) return std::hash<std::string_view>{}(s);
    const size_t head = std::hash<std::string_view>{}(s.substr(0, kEdge));
    const size_t tail = std::hash<std::string_view>{}(s.substr(s.size() - kEdge));
    return head ^ (tail * 0x9e3779b97f4a7c15ULL) ^ s.size();
  }
};

// One shared_ptr per distinct field list (and declared flag), so equal schemas are one object
// whether they came from a cached Connect schema or were inferred record after record.
class SchemaInterner {
 public:
  explicit SchemaInterner(size_t max_size) : max_size_(max_size) {}

  // Sets `out` to the interned schema; kInvalidArgument (no prefix) for duplicate names.
  absl::Status Intern(std::span<const Field> fields, bool declared,
                      std::shared_ptr<const Schema>& out) {
    const uint64_t fp = Fingerprint(fields);
    auto& bucket = by_fingerprint_[fp];
    for (const auto& s : bucket) {
      if (s->declared == declared &&
          std::equal(s->fields.begin(), s->fields.end(), fields.begin(), fields.end())) {
        if (out != s) out = s;  // skips two atomic operations in the steady state
        return absl::OkStatus();
      }
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (fields[i].name == fields[j].name) {
          return absl::InvalidArgumentError(
              absl::StrCat("duplicate field \"", AV(fields[i].name), "\""));
        }
      }
    }
    if (size_ >= max_size_) {
      by_fingerprint_.clear();
      size_ = 0;
    }
    auto schema = std::make_shared<Schema>();
    schema->fields.assign(fields.begin(), fields.end());
    schema->declared = declared;
    schema->fingerprint = fp;
    out = std::move(schema);
    by_fingerprint_[fp].push_back(out);
    ++size_;
    return absl::OkStatus();
  }

 private:
  size_t max_size_;
  size_t size_ = 0;
  std::unordered_map<uint64_t, std::vector<std::shared_ptr<const Schema>>> by_fingerprint_;
};

// ---- Connect schema JSON → SchemaEntry (cache misses only; allocation is fine here) ----

struct LogicalType {
  std::string_view name;
  std::string_view physical;
  Codec codec;
  FieldType type;
  int fsp;
  const char* type_name;
};

constexpr LogicalType kLogicalTypes[] = {
    {"org.apache.kafka.connect.data.Decimal", "bytes", Codec::kDecimal, FieldType::kDecimal, 0,
     "Decimal"},
    {"io.debezium.data.VariableScaleDecimal", "struct", Codec::kVariableDecimal,
     FieldType::kVariableDecimal, 0, "VariableScaleDecimal"},
    {"org.apache.kafka.connect.data.Date", "int32", Codec::kDate, FieldType::kDate, 0, "Date"},
    {"io.debezium.time.Date", "int32", Codec::kDate, FieldType::kDate, 0, "Date"},
    {"org.apache.kafka.connect.data.Time", "int32", Codec::kTimeMillis, FieldType::kTime, 3,
     "Time"},
    {"io.debezium.time.Time", "int32", Codec::kTimeMillis, FieldType::kTime, 3, "Time"},
    {"io.debezium.time.MicroTime", "int64", Codec::kTimeMicros, FieldType::kTime, 6, "MicroTime"},
    {"io.debezium.time.NanoTime", "int64", Codec::kTimeNanos, FieldType::kTime, 6, "NanoTime"},
    {"org.apache.kafka.connect.data.Timestamp", "int64", Codec::kTimestampMillis,
     FieldType::kDateTime, 3, "Timestamp"},
    {"io.debezium.time.Timestamp", "int64", Codec::kTimestampMillis, FieldType::kDateTime, 3,
     "Timestamp"},
    {"io.debezium.time.MicroTimestamp", "int64", Codec::kTimestampMicros, FieldType::kDateTime, 6,
     "MicroTimestamp"},
    {"io.debezium.time.NanoTimestamp", "int64", Codec::kTimestampNanos, FieldType::kDateTime, 6,
     "NanoTimestamp"},
    {"io.debezium.time.ZonedTimestamp", "string", Codec::kZonedTimestamp,
     FieldType::kZonedTimestamp, 6, "ZonedTimestamp"},
    {"io.debezium.data.Json", "string", Codec::kString, FieldType::kJson, 0, "Json"},
    {"io.debezium.data.Uuid", "string", Codec::kString, FieldType::kUuid, 0, "Uuid"},
};

struct PhysicalType {
  std::string_view name;
  Codec codec;
  FieldType type;
  const char* type_name;
};

// JsonConverter spells float32/float64 "float"/"double"; the Connect names are accepted too.
constexpr PhysicalType kPhysicalTypes[] = {
    {"int8", Codec::kInt8, FieldType::kInt8, "int8"},
    {"int16", Codec::kInt16, FieldType::kInt16, "int16"},
    {"int32", Codec::kInt32, FieldType::kInt32, "int32"},
    {"int64", Codec::kInt64, FieldType::kInt64, "int64"},
    {"float", Codec::kFloat32, FieldType::kFloat32, "float32"},
    {"float32", Codec::kFloat32, FieldType::kFloat32, "float32"},
    {"double", Codec::kFloat64, FieldType::kFloat64, "float64"},
    {"float64", Codec::kFloat64, FieldType::kFloat64, "float64"},
    {"boolean", Codec::kBoolean, FieldType::kBoolean, "boolean"},
    {"string", Codec::kString, FieldType::kString, "string"},
    {"bytes", Codec::kBytes, FieldType::kBytes, "bytes"},
    {"struct", Codec::kStructured, FieldType::kJson, "struct"},
    {"array", Codec::kStructured, FieldType::kJson, "array"},
    {"map", Codec::kStructured, FieldType::kJson, "map"},
};

std::string_view StringOr(dom::element e, std::string_view key, std::string_view fallback) {
  std::string_view s;
  if (e[key].get(s) != simdjson::SUCCESS) return fallback;
  return s;
}

// A Decimal parameter: JsonConverter writes them as strings ("2"); numbers are accepted too.
bool IntParameter(dom::element schema, std::string_view name, int& out) {
  dom::element v;
  if (schema["parameters"][name].get(v) != simdjson::SUCCESS) return false;
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return absl::SimpleAtoi(AV(s), &out);
  int64_t i = 0;
  if (v.get(i) != simdjson::SUCCESS || i < std::numeric_limits<int>::min() ||
      i > std::numeric_limits<int>::max()) {
    return false;
  }
  out = static_cast<int>(i);
  return true;
}

// One field's Field and FieldCodec from its Connect schema object; errors have no prefix.
absl::Status BuildField(dom::element schema, std::string_view name, Field& field,
                        FieldCodec& codec) {
  std::string_view type;
  if (schema["type"].get(type) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema of field \"", AV(name), "\" has no \"type\""));
  }
  field.name = std::string(name);
  bool optional = false;
  if (schema["optional"].get(optional) != simdjson::SUCCESS) optional = false;
  field.optional = optional;
  codec.plain_name = IsPlainName(name);
  const std::string_view logical = StringOr(schema, "name", "");
  if (!logical.empty()) {
    for (const LogicalType& l : kLogicalTypes) {
      if (l.name != logical || l.physical != type) continue;
      field.type = l.type;
      field.fsp = l.fsp;
      codec.codec = l.codec;
      codec.type_name = l.type_name;
      if (l.codec == Codec::kDecimal) {
        if (!IntParameter(schema, "scale", field.scale)) {
          return absl::InvalidArgumentError(
              absl::StrCat("Decimal field \"", AV(name), "\" has no integer scale parameter"));
        }
        if (field.scale > kMaxDecimalScale || field.scale < -kMaxDecimalScale) {
          return absl::InvalidArgumentError(
              absl::StrCat("Decimal field \"", AV(name), "\" has an unsupported scale"));
        }
        codec.scale = field.scale;
        if (!IntParameter(schema, "connect.decimal.precision", field.precision)) {
          field.precision = 0;
        }
      }
      return absl::OkStatus();
    }
  }
  // Unknown logical names (Enum, ZonedTime, MicroDuration, Year, Bits, ...) are their physical
  // type.
  for (const PhysicalType& p : kPhysicalTypes) {
    if (p.name != type) continue;
    field.type = p.type;
    codec.codec = p.codec;
    codec.type_name = p.type_name;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("field \"", AV(name), "\" has an unknown Connect type \"", AV(type), "\""));
}

absl::Status BuildRowCodec(dom::element struct_schema, SchemaInterner& interner, RowCodec& rc) {
  dom::array fields;
  if (struct_schema["fields"].get(fields) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("struct schema has no \"fields\" array");
  }
  std::vector<Field> list;
  for (dom::element f : fields) {
    std::string_view name;
    if (f["field"].get(name) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("a struct field has no \"field\" name");
    }
    Field field;
    FieldCodec codec;
    RETURN_IF_ERROR(BuildField(f, name, field, codec));
    list.push_back(std::move(field));
    rc.fields.push_back(codec);
  }
  RETURN_IF_ERROR(interner.Intern(list, /*declared=*/true, rc.schema));
  if (auto i = rc.schema->Find("__deleted")) rc.deleted_index = static_cast<int>(*i);
  if (auto i = rc.schema->Find("__op")) rc.op_index = static_cast<int>(*i);
  return absl::OkStatus();
}

absl::Status BuildEntry(Side side, dom::element schema, SchemaInterner& interner,
                        SchemaEntry& entry) {
  std::string_view type;
  if (schema["type"].get(type) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the Connect schema has no \"type\"");
  }
  const std::string_view name = StringOr(schema, "name", "");
  if (type != "struct") {
    if (side == Side::kValue) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the Connect schema is ", AV(type), ", not a struct (a row or a Debezium envelope)"));
    }
    entry.kind = SchemaKind::kPrimitive;
    Field field;
    FieldCodec codec;
    RETURN_IF_ERROR(BuildField(schema, "key", field, codec));
    entry.row.fields.push_back(codec);
    RETURN_IF_ERROR(
        interner.Intern(std::span<const Field>(&field, 1), /*declared=*/true, entry.row.schema));
    return absl::OkStatus();
  }
  if (side == Side::kValue && name.ends_with(".Envelope")) {
    entry.kind = SchemaKind::kEnvelope;
    dom::array fields;
    if (schema["fields"].get(fields) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("the envelope schema has no \"fields\" array");
    }
    dom::element before, after;
    bool has_before = false, has_after = false;
    for (dom::element f : fields) {
      const std::string_view field_name = StringOr(f, "field", "");
      if (StringOr(f, "type", "") != "struct") continue;
      if (field_name == "after") {
        after = f;
        has_after = true;
      } else if (field_name == "before") {
        before = f;
        has_before = true;
      }
    }
    if (!has_after && !has_before) {
      return absl::InvalidArgumentError(
          "the envelope schema has no \"after\" or \"before\" struct");
    }
    return BuildRowCodec(has_after ? after : before, interner, entry.row);
  }
  if (side == Side::kValue && name.ends_with(".SchemaChangeValue")) {
    entry.kind = SchemaKind::kSchemaChange;
    return absl::OkStatus();
  }
  if (side == Side::kValue && name == "io.debezium.connector.common.Heartbeat") {
    entry.kind = SchemaKind::kHeartbeat;
    return absl::OkStatus();
  }
  entry.kind = SchemaKind::kRow;
  return BuildRowCodec(schema, interner, entry.row);
}

// Whether a document has been read to its end. simdjson 3.0.1's On-Demand API has no public
// document::at_end() (3.2 adds it); without this check `{...} {...}` would pass as `{...}`.
struct DocumentEnd : od::document {
  static bool AtEnd(od::document& doc) { return (doc.*(&DocumentEnd::iter)).at_end(); }
};

constexpr size_t kRecentSchemas = 8;

constexpr std::string_view kSchemaPrefix = R"({"schema":)";
constexpr std::string_view kPayloadInfix = R"(,"payload":)";

}  // namespace

struct JsonRecordDecoder::Impl {
  // What remains to be done once the first pass over the document has ended (it needs a
  // rewind, which the first pass cannot do while it iterates).
  enum class Pending : uint8_t {
    kNone,
    kDeclaredBefore,  // render the envelope's `before` with the declared row codec
    kInferAfter,      // infer and render the envelope's `after`
    kInferBefore,     // ... its `before`
    kInferFlattened,  // infer and render the whole payload object as the row
  };

  struct SideCache {
    std::unordered_map<std::string, std::unique_ptr<SchemaEntry>, SchemaTextHash, std::equal_to<>>
        entries;
    // The schemas of the latest records on this side, most recent first: a record whose
    // schema text is one of these skips parsing it (interleaved tables stay on that path).
    std::array<const SchemaEntry*, kRecentSchemas> recent{};

    void MakeRecent(const SchemaEntry* entry) {
      auto it = std::find(recent.begin(), recent.end(), entry);
      if (it == recent.end()) it = recent.end() - 1;
      std::move_backward(recent.begin(), it, it + 1);
      recent[0] = entry;
    }
  };

  explicit Impl(Options o) : options(o), interner(o.max_cached_schemas * 2) {}

  Options options;
  od::parser parser;
  od::document doc;
  dom::parser schema_parser;
  SchemaInterner interner;
  std::array<SideCache, 2> caches;
  size_t schemas_parsed = 0;

  // The input, copied with simdjson's padding after it.
  std::unique_ptr<char[]> buf;
  size_t buf_capacity = 0;
  size_t buf_len = 0;

  // Out-of-order fields in a declared row (rare): their literals and where they go.
  struct Override {
    size_t index;
    size_t begin;
    size_t end;
  };
  std::string scratch;
  std::vector<Override> overrides;
  Row reorder_row;
  std::vector<uint32_t> null_filled;  // == generation: that cell was NULL-filled in this row
  uint32_t generation = 0;
  // Inferred rows: their fields, reused across records (the names keep their capacity).
  std::vector<Field> inferred;

  void Load(std::string_view bytes) {
    const size_t need = bytes.size() + simdjson::SIMDJSON_PADDING;
    if (need > buf_capacity) {
      buf_capacity = std::max(need, buf_capacity * 2);
      buf = std::make_unique<char[]>(buf_capacity);
    }
    std::memcpy(buf.get(), bytes.data(), bytes.size());
    std::memset(buf.get() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);
    buf_len = bytes.size();
  }

  simdjson::error_code Iterate() {
    return parser.iterate(buf.get(), buf_len, buf_capacity).get(doc);
  }

  absl::Status Decode(std::optional<std::string_view> key, std::optional<std::string_view> value,
                      DecodedRecord& out) {
    if (key.has_value()) {
      RETURN_IF_ERROR(DecodeSide(Side::kKey, *key, out));
    } else {
      out.key_schema.reset();
      out.key.Clear();
    }
    out.flattened = false;
    out.skip_reason = {};
    if (!value.has_value()) {
      SetTombstone(out);
      return absl::OkStatus();
    }
    return DecodeSide(Side::kValue, *value, out);
  }

  static void SetTombstone(DecodedRecord& out) {
    out.op = Op::kDelete;
    out.value_schema.reset();
    out.value.Clear();
    out.flattened = false;
    out.skip_reason = {};
  }

  static void SetSkip(DecodedRecord& out, std::string_view reason) {
    out.op = Op::kSkip;
    out.value_schema.reset();
    out.value.Clear();
    out.flattened = false;
    out.skip_reason = reason;
  }

  static void SetSchema(std::shared_ptr<const Schema>& slot,
                        const std::shared_ptr<const Schema>& schema) {
    if (slot != schema) slot = schema;  // skips two atomic operations in the steady state
  }

  absl::Status DecodeSide(Side side, std::string_view bytes, DecodedRecord& out) {
    SideCache& cache = caches[static_cast<size_t>(side)];
    if (bytes.starts_with(kSchemaPrefix)) {
      for (const SchemaEntry* recent : cache.recent) {
        if (recent == nullptr) break;
        const std::string_view raw = recent->raw;
        const size_t cut = kSchemaPrefix.size() + raw.size();
        if (bytes.size() <= cut + kPayloadInfix.size() ||
            bytes.compare(cut, kPayloadInfix.size(), kPayloadInfix) != 0 ||
            std::memcmp(bytes.data() + kSchemaPrefix.size(), raw.data(), raw.size()) != 0) {
          continue;
        }
        // The schema text is byte-identical to a cached one, and since a JSON value is
        // self-delimiting, it is that schema: parse only `{"payload":...}`.
        cache.MakeRecent(recent);
        Load(bytes.substr(cut));
        buf[0] = '{';
        bool handled = false;
        absl::Status status = DecodeWithKnownSchema(side, *recent, out, handled);
        if (handled) return status;
        break;
      }
    }
    Load(bytes);
    return DecodeGeneral(side, out);
  }

  // The document is `{"payload":...}` and `entry` its schema. `handled` is false when the
  // document turns out to have more members: the caller then decodes it the general way.
  absl::Status DecodeWithKnownSchema(Side side, const SchemaEntry& entry, DecodedRecord& out,
                                     bool& handled) {
    if (auto e = Iterate()) return Malformed(side, e);
    od::object top;
    if (auto e = doc.get_object().get(top)) return Malformed(side, e);
    Pending pending = Pending::kNone;
    size_t index = 0;
    for (auto member : top) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Malformed(side, e);
      if (index++ != 0) return absl::OkStatus();  // not handled
      RETURN_IF_ERROR(ProcessPayload(side, &entry, field.value(), out, pending));
    }
    if (index == 0) return absl::OkStatus();
    handled = true;
    if (!DocumentEnd::AtEnd(doc)) {
      return SideError(side, "malformed JSON: content after the document");
    }
    return Finish(side, &entry, /*wrapped=*/true, pending, out);
  }

  absl::Status DecodeGeneral(Side side, DecodedRecord& out) {
    if (auto e = Iterate()) return Malformed(side, e);
    od::json_type type;
    if (auto e = doc.type().get(type)) return Malformed(side, e);
    if (type != od::json_type::object) return DecodeNonObject(side, type, out);
    od::object top;
    if (auto e = doc.get_object().get(top)) return Malformed(side, e);
    // Debezium's layout: exactly "schema" (an object or null), then "payload".
    const SchemaEntry* entry = nullptr;
    std::string_view raw;
    Pending pending = Pending::kNone;
    size_t index = 0;
    bool wrapper = true;
    for (auto member : top) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Malformed(side, e);
      if (index == 0 && field.key().unsafe_is_equal("schema")) {
        RETURN_IF_ERROR(SchemaText(side, field.value(), raw, wrapper));
        if (!wrapper) break;
      } else if (index == 1 && field.key().unsafe_is_equal("payload")) {
        RETURN_IF_ERROR(LookupSchema(side, raw, entry));
        RETURN_IF_ERROR(ProcessPayload(side, entry, field.value(), out, pending));
      } else {
        wrapper = false;
        break;
      }
      ++index;
    }
    if (wrapper && index == 2) {
      if (!DocumentEnd::AtEnd(doc)) {
        return SideError(side, "malformed JSON: content after the document");
      }
      if (entry != nullptr) caches[static_cast<size_t>(side)].MakeRecent(entry);
      return Finish(side, entry, /*wrapped=*/true, pending, out);
    }
    return DecodeOtherLayout(side, out);
  }

  // "schema" and "payload" in another order, or an object that is the payload itself.
  absl::Status DecodeOtherLayout(Side side, DecodedRecord& out) {
    doc.rewind();
    od::object top;
    if (auto e = doc.get_object().get(top)) return Malformed(side, e);
    size_t members = 0;
    bool has_schema = false, has_payload = false;
    for (auto member : top) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Malformed(side, e);
      ++members;
      if (field.key().unsafe_is_equal("payload")) has_payload = true;
      if (field.key().unsafe_is_equal("schema")) {
        od::json_type t;
        if (auto e = field.value().type().get(t)) return Malformed(side, e);
        has_schema = t == od::json_type::object || t == od::json_type::null;
      }
    }
    if (!DocumentEnd::AtEnd(doc)) {
      return SideError(side, "malformed JSON: content after the document");
    }
    doc.rewind();
    if (auto e = doc.get_object().get(top)) return Malformed(side, e);
    Pending pending = Pending::kNone;
    if (members == 2 && has_schema && has_payload) {
      const SchemaEntry* entry = nullptr;
      std::string_view raw;
      bool wrapper = true;
      od::value schema_value, payload_value;
      if (auto e = top.find_field_unordered("schema").get(schema_value)) return Malformed(side, e);
      RETURN_IF_ERROR(SchemaText(side, schema_value, raw, wrapper));
      RETURN_IF_ERROR(LookupSchema(side, raw, entry));
      if (auto e = top.find_field_unordered("payload").get(payload_value)) {
        return Malformed(side, e);
      }
      RETURN_IF_ERROR(ProcessPayload(side, entry, payload_value, out, pending));
      return Finish(side, entry, /*wrapped=*/true, pending, out);
    }
    RETURN_IF_ERROR(ProcessObject(side, nullptr, top, out, pending));
    return Finish(side, nullptr, /*wrapped=*/false, pending, out);
  }

  // A document that is not an object: a null value (a tombstone), or a bare primitive key.
  absl::Status DecodeNonObject(Side side, od::json_type type, DecodedRecord& out) {
    if (type == od::json_type::null) {
      bool is_null = false;
      if (auto e = doc.is_null().get(is_null)) return Malformed(side, e);
      if (!is_null) return SideError(side, "malformed JSON: expected null");
      if (side == Side::kKey) {
        out.key_schema.reset();
        out.key.Clear();
      } else {
        SetTombstone(out);
      }
      return absl::OkStatus();
    }
    if (side == Side::kValue) {
      return SideError(side, absl::StrCat("expected a JSON object (a row or a Debezium envelope), "
                                          "got ",
                                          JsonTypeName(type)));
    }
    // simdjson cannot treat a scalar document as a value; wrapped in [ ] it is an element.
    std::string wrapped;
    wrapped.reserve(buf_len + 2);
    wrapped.push_back('[');
    wrapped.append(buf.get(), buf_len);
    wrapped.push_back(']');
    Load(wrapped);
    if (auto e = Iterate()) return Malformed(side, e);
    od::array array;
    if (auto e = doc.get_array().get(array)) return Malformed(side, e);
    size_t elements = 0;
    for (auto element : array) {
      od::value v;
      if (auto e = std::move(element).get(v)) return Malformed(side, e);
      if (elements++ == 0) RETURN_IF_ERROR(RenderPrimitiveKey(nullptr, v, out));
    }
    if (elements != 1 || !DocumentEnd::AtEnd(doc)) {
      return SideError(side, "malformed JSON: content after the document");
    }
    return absl::OkStatus();
  }

  // The "schema" member's value: its JSON text, empty for null. `wrapper` is set false when
  // the value is neither an object nor null (then this is not JsonConverter's wrapper).
  static absl::Status SchemaText(Side side, od::value value, std::string_view& raw, bool& wrapper) {
    raw = {};
    od::json_type t;
    if (auto e = value.type().get(t)) return Malformed(side, e);
    if (t == od::json_type::null) return absl::OkStatus();
    if (t != od::json_type::object) {
      wrapper = false;
      return absl::OkStatus();
    }
    od::object schema;
    if (auto e = value.get_object().get(schema)) return Malformed(side, e);
    if (auto e = schema.raw_json().get(raw)) return Malformed(side, e);
    return absl::OkStatus();
  }

  // The cache entry of a schema's JSON text (nullptr for none), parsed on a miss.
  absl::Status LookupSchema(Side side, std::string_view raw, const SchemaEntry*& entry) {
    entry = nullptr;
    if (raw.empty()) return absl::OkStatus();
    SideCache& cache = caches[static_cast<size_t>(side)];
    if (auto it = cache.entries.find(raw); it != cache.entries.end()) {
      entry = it->second.get();
      return absl::OkStatus();
    }
    // A miss: parse the schema (its text lies inside `buf`, so the padding is there).
    dom::element root;
    if (auto e = schema_parser.parse(raw.data(), raw.size(), false).get(root)) {
      return SideError(side, absl::StrCat("schema: malformed JSON: ", simdjson::error_message(e)));
    }
    auto parsed = std::make_unique<SchemaEntry>();
    if (absl::Status s = BuildEntry(side, root, interner, *parsed); !s.ok()) {
      return SideError(side, absl::StrCat("schema: ", s.message()));
    }
    ++schemas_parsed;
    if (cache.entries.size() >= options.max_cached_schemas) {
      cache.entries.clear();
      cache.recent.fill(nullptr);
    }
    auto [it, inserted] = cache.entries.emplace(std::string(raw), std::move(parsed));
    it->second->raw = it->first;
    entry = it->second.get();
    return absl::OkStatus();
  }

  absl::Status ProcessPayload(Side side, const SchemaEntry* entry, od::value payload,
                              DecodedRecord& out, Pending& pending) {
    od::json_type t;
    if (auto e = payload.type().get(t)) return Malformed(side, e);
    if (t == od::json_type::null) {
      if (side == Side::kKey) {
        out.key_schema.reset();
        out.key.Clear();
      } else {
        SetTombstone(out);
      }
      return absl::OkStatus();
    }
    if (t == od::json_type::object) {
      od::object object;
      if (auto e = payload.get_object().get(object)) return Malformed(side, e);
      return ProcessObject(side, entry, object, out, pending);
    }
    if (side == Side::kKey) return RenderPrimitiveKey(entry, payload, out);
    return SideError(side, absl::StrCat("the payload must be an object (a row or a Debezium "
                                        "envelope), got ",
                                        JsonTypeName(t)));
  }

  absl::Status ProcessObject(Side side, const SchemaEntry* entry, od::object object,
                             DecodedRecord& out, Pending& pending) {
    if (side == Side::kKey) {
      if (entry == nullptr) return InferRow(side, object, out.key, out.key_schema);
      if (entry->kind == SchemaKind::kPrimitive) {
        return SideError(side, absl::StrCat("the schema is ", entry->row.fields[0].type_name,
                                            " but the payload is an object"));
      }
      SetSchema(out.key_schema, entry->row.schema);
      return RenderDeclaredRow(side, object, entry->row, out.key);
    }
    if (entry == nullptr) return ScanInferredValue(object, out, pending);
    switch (entry->kind) {
      case SchemaKind::kEnvelope:
        return ScanDeclaredEnvelope(*entry, object, out, pending);
      case SchemaKind::kSchemaChange:
        SetSkip(out, "schema_change");
        return absl::OkStatus();
      case SchemaKind::kHeartbeat:
        SetSkip(out, "heartbeat");
        return absl::OkStatus();
      case SchemaKind::kRow:
      case SchemaKind::kPrimitive:
        break;
    }
    RETURN_IF_ERROR(RenderDeclaredRow(side, object, entry->row, out.value));
    SetSchema(out.value_schema, entry->row.schema);
    out.flattened = true;
    out.skip_reason = {};
    out.op =
        FlattenedOp(*entry->row.schema, entry->row.deleted_index, entry->row.op_index, out.value);
    return absl::OkStatus();
  }

  static Op FlattenedOp(const Schema& schema, int deleted_index, int op_index, const Row& row) {
    if (deleted_index >= 0) {
      const std::string_view v = row.literal(static_cast<size_t>(deleted_index));
      const bool boolean =
          schema.fields[static_cast<size_t>(deleted_index)].type == FieldType::kBoolean;
      if (boolean ? v == "1" : v == "'true'") return Op::kDelete;
    }
    if (op_index >= 0 && row.literal(static_cast<size_t>(op_index)) == "'d'") return Op::kDelete;
    return Op::kUpsert;
  }

  struct EnvelopeScan {
    bool has_op = false;
    bool op_is_string = false;
    char op[8] = {};
    size_t op_len = 0;
    bool source_is_object = false;
    bool has_before_key = false;
    bool has_after_key = false;
    bool before_present = false;  // non-null
    bool after_present = false;
    bool after_rendered = false;
  };

  // One pass over an envelope payload. With `codec` (a declared schema) a non-null `after` is
  // rendered into out.value on the way; `before` is only noted (a delete renders it later).
  absl::Status ScanEnvelope(od::object payload, const RowCodec* codec, DecodedRecord& out,
                            EnvelopeScan& scan) {
    for (auto member : payload) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Malformed(Side::kValue, e);
      const od::raw_json_string key = field.key();
      if (key.unsafe_is_equal("after") || key.unsafe_is_equal("before")) {
        const bool after = key.unsafe_is_equal("after");
        (after ? scan.has_after_key : scan.has_before_key) = true;
        od::value v = field.value();
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return Malformed(Side::kValue, e);
        if (is_null) continue;
        (after ? scan.after_present : scan.before_present) = true;
        if (after && codec != nullptr) {
          od::object row;
          if (v.get_object().get(row) != simdjson::SUCCESS) {
            return SideError(Side::kValue, "\"after\" must be an object or null");
          }
          RETURN_IF_ERROR(RenderDeclaredRow(Side::kValue, row, *codec, out.value));
          scan.after_rendered = true;
        }
      } else if (key.unsafe_is_equal("op")) {
        scan.has_op = true;
        od::value v = field.value();
        od::json_type t;
        if (auto e = v.type().get(t)) return Malformed(Side::kValue, e);
        if (t != od::json_type::string) continue;
        std::string_view op;
        if (auto e = v.get_string().get(op)) return Malformed(Side::kValue, e);
        scan.op_is_string = true;
        scan.op_len = op.size();
        std::memcpy(scan.op, op.data(), std::min(op.size(), sizeof(scan.op)));
      } else if (key.unsafe_is_equal("source")) {
        od::json_type t;
        if (auto e = field.value().type().get(t)) return Malformed(Side::kValue, e);
        scan.source_is_object = t == od::json_type::object;
      }
    }
    return absl::OkStatus();
  }

  // Op from an envelope's "op"; for a delete, whether `before` needs rendering.
  absl::Status EnvelopeOp(const EnvelopeScan& scan, DecodedRecord& out, Op& op) {
    const std::string_view value(scan.op, std::min(scan.op_len, sizeof(scan.op)));
    if (!scan.has_op || !scan.op_is_string) {
      return SideError(Side::kValue, "the envelope has no \"op\" string");
    }
    if (scan.op_len == 1) {
      switch (scan.op[0]) {
        case 'c':
        case 'u':
        case 'r':
          if (!scan.after_present) {
            return SideError(Side::kValue,
                             absl::StrCat("op \"", AV(value), "\" has no \"after\" row"));
          }
          op = Op::kUpsert;
          return absl::OkStatus();
        case 'd':
          op = Op::kDelete;
          return absl::OkStatus();
        case 't':
          SetSkip(out, "truncate");
          op = Op::kSkip;
          return absl::OkStatus();
        case 'm':
          SetSkip(out, "message");
          op = Op::kSkip;
          return absl::OkStatus();
        default:
          break;
      }
    }
    return SideError(Side::kValue, absl::StrCat("unknown op \"", AV(value), "\""));
  }

  absl::Status ScanDeclaredEnvelope(const SchemaEntry& entry, od::object payload,
                                    DecodedRecord& out, Pending& pending) {
    EnvelopeScan scan;
    RETURN_IF_ERROR(ScanEnvelope(payload, &entry.row, out, scan));
    Op op;
    RETURN_IF_ERROR(EnvelopeOp(scan, out, op));
    if (op == Op::kSkip) return absl::OkStatus();
    out.op = op;
    out.flattened = false;
    out.skip_reason = {};
    if (op == Op::kUpsert) {
      SetSchema(out.value_schema, entry.row.schema);
      return absl::OkStatus();
    }
    if (scan.before_present) {  // a delete with the old row
      SetSchema(out.value_schema, entry.row.schema);
      pending = Pending::kDeclaredBefore;
    } else {
      out.value_schema.reset();
      out.value.Clear();
    }
    return absl::OkStatus();
  }

  // Without a schema: an envelope has an "op" string, a "source" object and an "after" or
  // "before" member; anything else is a (flattened) row.
  absl::Status ScanInferredValue(od::object payload, DecodedRecord& out, Pending& pending) {
    EnvelopeScan scan;
    RETURN_IF_ERROR(ScanEnvelope(payload, nullptr, out, scan));
    if (!(scan.op_is_string && scan.source_is_object &&
          (scan.has_after_key || scan.has_before_key))) {
      pending = Pending::kInferFlattened;
      return absl::OkStatus();
    }
    Op op;
    RETURN_IF_ERROR(EnvelopeOp(scan, out, op));
    if (op == Op::kSkip) return absl::OkStatus();
    out.op = op;
    out.flattened = false;
    out.skip_reason = {};
    if (op == Op::kUpsert) {
      pending = Pending::kInferAfter;
    } else if (scan.before_present) {
      pending = Pending::kInferBefore;
    } else {
      out.value_schema.reset();
      out.value.Clear();
    }
    return absl::OkStatus();
  }

  // Second pass: rewinds the document and renders what the first pass left pending.
  absl::Status Finish(Side side, const SchemaEntry* entry, bool wrapped, Pending pending,
                      DecodedRecord& out) {
    if (pending == Pending::kNone) return absl::OkStatus();
    doc.rewind();
    od::object top, payload;
    if (auto e = doc.get_object().get(top)) return Malformed(side, e);
    if (!wrapped) {
      payload = top;
    } else if (auto e = top.find_field_unordered("payload").get_object().get(payload)) {
      return Malformed(side, e);
    }
    if (pending == Pending::kInferFlattened) {
      RETURN_IF_ERROR(InferRow(side, payload, out.value, out.value_schema));
      const Schema& schema = *out.value_schema;
      const auto deleted = schema.Find("__deleted");
      const auto op = schema.Find("__op");
      out.op = FlattenedOp(schema, deleted ? static_cast<int>(*deleted) : -1,
                           op ? static_cast<int>(*op) : -1, out.value);
      out.flattened = true;
      out.skip_reason = {};
      return absl::OkStatus();
    }
    const char* member = pending == Pending::kInferAfter ? "after" : "before";
    od::object row;
    if (payload.find_field_unordered(member).get_object().get(row) != simdjson::SUCCESS) {
      return SideError(side, absl::StrCat("\"", member, "\" must be an object or null"));
    }
    if (pending == Pending::kDeclaredBefore) {
      return RenderDeclaredRow(side, row, entry->row, out.value);
    }
    return InferRow(side, row, out.value, out.value_schema);
  }

  // ---- rows ----

  absl::Status RenderPrimitiveKey(const SchemaEntry* entry, od::value v, DecodedRecord& out) {
    out.key.Clear();
    if (entry != nullptr) {
      if (entry->kind != SchemaKind::kPrimitive) {
        return SideError(Side::kKey, "the schema is a struct but the payload is not an object");
      }
      if (absl::Status s = RenderCell(v, entry->row.fields[0], out.key.buffer()); !s.ok()) {
        return FieldError(Side::kKey, "key", s.message());
      }
      out.key.EndCell();
      SetSchema(out.key_schema, entry->row.schema);
      return absl::OkStatus();
    }
    if (inferred.empty()) inferred.emplace_back();
    Field& field = inferred[0];
    field.name.assign("key");
    RETURN_IF_ERROR(InferCell(Side::kKey, v, field, out.key.buffer()));
    out.key.EndCell();
    return InternInferred(Side::kKey, 1, out.key_schema);
  }

  absl::Status RenderDeclaredRow(Side side, od::object object, const RowCodec& rc, Row& row) {
    row.Clear();
    const std::vector<Field>& fields = rc.schema->fields;
    const size_t n = fields.size();
    if (null_filled.size() < n) null_filled.resize(n, 0);
    if (++generation == 0) {  // wrapped around: forget every old mark
      std::fill(null_filled.begin(), null_filled.end(), 0);
      generation = 1;
    }
    size_t next = 0;  // the field the payload should name next
    bool reordered = false;
    for (auto member : object) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Malformed(side, e);
      size_t index = n;
      if (next < n && rc.fields[next].plain_name &&
          field.key().unsafe_is_equal(fields[next].name)) {
        index = next;
      } else {
        std::string_view name;
        if (auto e = field.unescaped_key().get(name)) return Malformed(side, e);
        for (size_t i = 0; i < n; ++i) {
          if (fields[i].name == name) {
            index = i;
            break;
          }
        }
        if (index == n) {
          return SideError(side, absl::StrCat("field \"", AV(name), "\" is not in the schema"));
        }
      }
      if (!reordered && index >= next) {
        for (; next < index; ++next) {
          row.AppendLiteral(kNullLiteral);
          null_filled[next] = generation;
        }
        RETURN_IF_ERROR(RenderField(side, field.value(), rc, index, row.buffer()));
        row.EndCell();
        next = index + 1;
        continue;
      }
      // Out of schema order: keep the literal aside and assemble the row at the end.
      if (!reordered) {
        reordered = true;
        scratch.clear();
        overrides.clear();
      }
      bool duplicate = index < next && null_filled[index] != generation;
      for (const Override& o : overrides) duplicate |= o.index == index;
      if (duplicate) {
        return SideError(side,
                         absl::StrCat("field \"", AV(fields[index].name), "\" appears twice"));
      }
      const size_t begin = scratch.size();
      RETURN_IF_ERROR(RenderField(side, field.value(), rc, index, scratch));
      overrides.push_back({index, begin, scratch.size()});
    }
    if (!reordered) {
      for (; next < n; ++next) row.AppendLiteral(kNullLiteral);
      return absl::OkStatus();
    }
    reorder_row.Clear();
    for (size_t i = 0; i < n; ++i) {
      const Override* found = nullptr;
      for (const Override& o : overrides) {
        if (o.index == i) found = &o;
      }
      if (found != nullptr) {
        reorder_row.AppendLiteral(
            std::string_view(scratch).substr(found->begin, found->end - found->begin));
      } else if (i < next) {
        reorder_row.AppendLiteral(row.literal(i));
      } else {
        reorder_row.AppendLiteral(kNullLiteral);
      }
    }
    std::swap(row, reorder_row);
    return absl::OkStatus();
  }

  absl::Status RenderField(Side side, od::value v, const RowCodec& rc, size_t index,
                           std::string& buffer) {
    if (absl::Status s = RenderCell(v, rc.fields[index], buffer); !s.ok()) {
      return FieldError(side, rc.schema->fields[index].name, s.message());
    }
    return absl::OkStatus();
  }

  absl::Status InferRow(Side side, od::object object, Row& row,
                        std::shared_ptr<const Schema>& schema) {
    row.Clear();
    size_t n = 0;
    for (auto member : object) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Malformed(side, e);
      std::string_view name;
      if (auto e = field.unescaped_key().get(name)) return Malformed(side, e);
      if (inferred.size() <= n) inferred.emplace_back();
      Field& f = inferred[n++];
      f.name.assign(name);
      RETURN_IF_ERROR(InferCell(side, field.value(), f, row.buffer()));
      row.EndCell();
    }
    return InternInferred(side, n, schema);
  }

  absl::Status InternInferred(Side side, size_t n, std::shared_ptr<const Schema>& schema) {
    absl::Status s = interner.Intern(std::span<const Field>(inferred.data(), n), false, schema);
    if (!s.ok()) return SideError(side, s.message());
    return absl::OkStatus();
  }

  // Without a schema the JSON type decides: integer → int64, other numbers → float64, and so
  // on (record/README.md). Nothing is known about nullability: every field is optional.
  absl::Status InferCell(Side side, od::value v, Field& f, std::string& buffer) {
    f.optional = true;
    f.precision = 0;
    f.scale = 0;
    f.fsp = 0;
    od::json_type t;
    if (auto e = v.type().get(t)) return Malformed(side, e);
    switch (t) {
      case od::json_type::null:
        f.type = FieldType::kString;
        buffer.append(kNullLiteral);
        return absl::OkStatus();
      case od::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b)) return Malformed(side, e);
        f.type = FieldType::kBoolean;
        AppendBoolLiteral(b, buffer);
        return absl::OkStatus();
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return Malformed(side, e);
        f.type = FieldType::kString;
        AppendStringLiteral(s, buffer);
        return absl::OkStatus();
      }
      case od::json_type::number: {
        int64_t i = 0;
        if (v.get_int64().get(i) == simdjson::SUCCESS) {
          f.type = FieldType::kInt64;
          AppendIntLiteral(i, buffer);
          return absl::OkStatus();
        }
        // An integer beyond int64 (DECIMAL(65,0) holds it exactly), or not an integer.
        const std::string_view token = v.raw_json_token();
        if (token.find_first_of(".eE") == std::string_view::npos) {
          f.type = FieldType::kDecimal;
          f.precision = 65;
          if (absl::Status s = AppendDecimalNumberLiteral(token, buffer); !s.ok()) {
            return Malformed(side, simdjson::NUMBER_ERROR);
          }
          return absl::OkStatus();
        }
        double d = 0;
        if (auto e = v.get_double().get(d)) return Malformed(side, e);
        f.type = FieldType::kFloat64;
        if (absl::Status s = AppendDoubleLiteral(d, buffer); !s.ok()) {
          return FieldError(side, f.name, s.message());
        }
        return absl::OkStatus();
      }
      case od::json_type::object:
      case od::json_type::array: {
        std::string_view json;
        if (auto e = RawJson(v, t, json)) return Malformed(side, e);
        f.type = FieldType::kJson;
        AppendStringLiteral(json, buffer);
        return absl::OkStatus();
      }
    }
    return Malformed(side, simdjson::INCORRECT_TYPE);
  }

  // An object's or array's JSON text, without the whitespace simdjson leaves after it.
  static simdjson::error_code RawJson(od::value v, od::json_type t, std::string_view& json) {
    simdjson::error_code e;
    if (t == od::json_type::object) {
      od::object o;
      if ((e = v.get_object().get(o))) return e;
      e = o.raw_json().get(json);
    } else {
      od::array a;
      if ((e = v.get_array().get(a))) return e;
      e = a.raw_json().get(json);
    }
    if (e) return e;
    while (!json.empty() && (json.back() == ' ' || json.back() == '\n' || json.back() == '\r' ||
                             json.back() == '\t')) {
      json.remove_suffix(1);
    }
    return simdjson::SUCCESS;
  }

  // One declared cell: the JSON value `v` → a literal appended to `buffer`. Errors carry no
  // prefix (RenderField adds the side and the field).
  absl::Status RenderCell(od::value v, const FieldCodec& fc, std::string& buffer) {
    od::json_type t;
    if (auto e = v.type().get(t)) return CellMalformed(e);
    if (t == od::json_type::null) {
      buffer.append(kNullLiteral);
      return absl::OkStatus();
    }
    switch (fc.codec) {
      case Codec::kInt8:
      case Codec::kInt16:
      case Codec::kInt32:
      case Codec::kInt64: {
        if (t != od::json_type::number) return Mismatch(fc, "an integer", t);
        int64_t i = 0;
        auto e = v.get_int64().get(i);
        if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE ||
            e == simdjson::NUMBER_ERROR) {
          return absl::InvalidArgumentError(
              absl::StrCat(fc.type_name, " expects an integer within its range"));
        }
        if (e) return CellMalformed(e);
        int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
        if (fc.codec == Codec::kInt8) lo = -128, hi = 127;
        if (fc.codec == Codec::kInt16) lo = -32768, hi = 32767;
        if (fc.codec == Codec::kInt32) {
          lo = std::numeric_limits<int32_t>::min();
          hi = std::numeric_limits<int32_t>::max();
        }
        if (i < lo || i > hi) {
          return absl::InvalidArgumentError(
              absl::StrCat(fc.type_name, " expects an integer within its range"));
        }
        AppendIntLiteral(i, buffer);
        return absl::OkStatus();
      }
      case Codec::kFloat32:
      case Codec::kFloat64: {
        double d = 0;
        if (t == od::json_type::string) {
          // Jackson writes NaN and the infinities as strings.
          std::string_view s;
          if (auto e = v.get_string().get(s)) return CellMalformed(e);
          if (s == "NaN") {
            d = std::numeric_limits<double>::quiet_NaN();
          } else if (s == "Infinity") {
            d = std::numeric_limits<double>::infinity();
          } else if (s == "-Infinity") {
            d = -std::numeric_limits<double>::infinity();
          } else {
            return Mismatch(fc, "a number", t);
          }
        } else if (t != od::json_type::number) {
          return Mismatch(fc, "a number", t);
        } else if (auto e = v.get_double().get(d)) {
          return CellMalformed(e);
        }
        if (fc.codec == Codec::kFloat64) return AppendDoubleLiteral(d, buffer);
        if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max()) {
          return absl::InvalidArgumentError("float32 value is out of range");
        }
        return AppendFloatLiteral(static_cast<float>(d), buffer);
      }
      case Codec::kBoolean: {
        if (t != od::json_type::boolean) return Mismatch(fc, "a boolean", t);
        bool b = false;
        if (auto e = v.get_bool().get(b)) return CellMalformed(e);
        AppendBoolLiteral(b, buffer);
        return absl::OkStatus();
      }
      case Codec::kString: {
        if (t != od::json_type::string) return Mismatch(fc, "a string", t);
        std::string_view s;
        if (auto e = v.get_string().get(s)) return CellMalformed(e);
        AppendStringLiteral(s, buffer);
        return absl::OkStatus();
      }
      case Codec::kBytes: {
        if (t != od::json_type::string) return Mismatch(fc, "a base64 string", t);
        std::string_view s;
        if (auto e = v.get_string().get(s)) return CellMalformed(e);
        return AppendBase64BytesLiteral(s, buffer);
      }
      case Codec::kDecimal: {
        if (t == od::json_type::number) {  // JsonConverter's decimal.format=NUMERIC
          return AppendDecimalNumberLiteral(v.raw_json_token(), buffer);
        }
        if (t != od::json_type::string) return Mismatch(fc, "a base64 string", t);
        std::string_view s;
        if (auto e = v.get_string().get(s)) return CellMalformed(e);
        return AppendBase64DecimalLiteral(s, fc.scale, buffer);
      }
      case Codec::kVariableDecimal:
        if (t != od::json_type::object) return Mismatch(fc, "a {scale, value} object", t);
        return RenderVariableDecimal(v, buffer);
      case Codec::kDate:
      case Codec::kTimeMillis:
      case Codec::kTimeMicros:
      case Codec::kTimeNanos:
      case Codec::kTimestampMillis:
      case Codec::kTimestampMicros:
      case Codec::kTimestampNanos: {
        if (t != od::json_type::number) return Mismatch(fc, "an integer", t);
        int64_t i = 0;
        auto e = v.get_int64().get(i);
        if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE ||
            e == simdjson::NUMBER_ERROR) {
          return absl::InvalidArgumentError(
              absl::StrCat(fc.type_name, " expects an integer within its range"));
        }
        if (e) return CellMalformed(e);
        switch (fc.codec) {
          case Codec::kDate:
            return AppendDateLiteral(i, buffer);
          case Codec::kTimeMillis:
            return AppendTimeLiteral(i, TimeUnit::kMillis, buffer);
          case Codec::kTimeMicros:
            return AppendTimeLiteral(i, TimeUnit::kMicros, buffer);
          case Codec::kTimeNanos:
            return AppendTimeLiteral(i, TimeUnit::kNanos, buffer);
          case Codec::kTimestampMillis:
            return AppendTimestampLiteral(i, TimeUnit::kMillis, buffer);
          case Codec::kTimestampMicros:
            return AppendTimestampLiteral(i, TimeUnit::kMicros, buffer);
          default:
            return AppendTimestampLiteral(i, TimeUnit::kNanos, buffer);
        }
      }
      case Codec::kZonedTimestamp: {
        if (t != od::json_type::string) return Mismatch(fc, "a string", t);
        std::string_view s;
        if (auto e = v.get_string().get(s)) return CellMalformed(e);
        return AppendZonedTimestampLiteral(s, buffer);
      }
      case Codec::kStructured: {
        if (t != od::json_type::object && t != od::json_type::array) {
          return Mismatch(fc, "an object or an array", t);
        }
        std::string_view json;
        if (auto e = RawJson(v, t, json)) return CellMalformed(e);
        AppendStringLiteral(json, buffer);
        return absl::OkStatus();
      }
    }
    return absl::InternalError("unhandled codec");
  }

  // io.debezium.data.VariableScaleDecimal: {"scale": int32, "value": base64 bytes}.
  absl::Status RenderVariableDecimal(od::value v, std::string& buffer) {
    const auto invalid = [] {
      return absl::InvalidArgumentError(
          "VariableScaleDecimal expects {\"scale\": integer, \"value\": base64 string}");
    };
    od::object object;
    if (auto e = v.get_object().get(object)) return CellMalformed(e);
    int64_t scale = 0;
    std::string_view value;
    bool has_scale = false, has_value = false;
    for (auto member : object) {
      od::field field;
      if (auto e = std::move(member).get(field)) return CellMalformed(e);
      od::value fv = field.value();
      od::json_type t;
      if (auto e = fv.type().get(t)) return CellMalformed(e);
      if (field.key().unsafe_is_equal("scale")) {
        if (t != od::json_type::number) return invalid();
        if (fv.get_int64().get(scale)) return invalid();
        has_scale = true;
      } else if (field.key().unsafe_is_equal("value")) {
        if (t != od::json_type::string) return invalid();
        if (auto e = fv.get_string().get(value)) return CellMalformed(e);
        has_value = true;
      } else {
        return invalid();
      }
    }
    if (!has_scale || !has_value) return invalid();
    if (scale > kMaxDecimalScale || scale < -kMaxDecimalScale) {
      return absl::InvalidArgumentError("VariableScaleDecimal scale is out of range");
    }
    if (absl::Status s = AppendBase64DecimalLiteral(value, static_cast<int32_t>(scale), buffer);
        !s.ok()) {
      return absl::InvalidArgumentError("VariableScaleDecimal value is not valid base64");
    }
    return absl::OkStatus();
  }
};

JsonRecordDecoder::JsonRecordDecoder() : JsonRecordDecoder(Options{}) {}
JsonRecordDecoder::JsonRecordDecoder(Options options) : impl_(std::make_unique<Impl>(options)) {}
JsonRecordDecoder::~JsonRecordDecoder() = default;

absl::Status JsonRecordDecoder::Decode(std::optional<std::string_view> key,
                                       std::optional<std::string_view> value, DecodedRecord& out) {
  return impl_->Decode(key, value, out);
}

size_t JsonRecordDecoder::schemas_parsed() const { return impl_->schemas_parsed; }

}  // namespace cdcflow::mysql_sink
