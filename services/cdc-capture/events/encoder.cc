#include "services/cdc-capture/events/encoder.h"

#include <atomic>
#include <charconv>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "services/cdc-capture/events/connect_schema.h"
#include "services/cdc-capture/events/json_writer.h"
#include "services/cdc-capture/events/value_converter.h"

namespace cdcflow::cdc_capture::events {
namespace {

// The Debezium release whose output this encoder reproduces. Everything that changed between
// releases is tied to it: source.version, the snapshot enum's allowed values (extended in 3.1),
// the Source schema's version (set since 3.1) and the Envelope schema's version (2 since 2.x,
// when ts_us/ts_ns were added).
constexpr absl::string_view kDebeziumVersion = "3.1.3.Final";
constexpr absl::string_view kSnapshotAllowed =
    "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";
constexpr int kSourceSchemaVersion = 1;
constexpr int kEnvelopeSchemaVersion = 2;

using pgoutput::Tuple;
using pgoutput::TupleValue;
using pgoutput::ValueKind;

// ---- schema equality, to know whether a cached table is still current ----

bool SamePgType(const std::optional<PgType>& a, const std::optional<PgType>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->oid == b->oid && a->schema == b->schema && a->name == b->name && a->kind == b->kind &&
         a->element_oid == b->element_oid && a->base_oid == b->base_oid &&
         a->enum_labels == b->enum_labels;
}

bool SameTable(const TableSchema& a, const TableSchema& b) {
  if (a.relation_oid != b.relation_oid || a.schema != b.schema || a.table != b.table ||
      a.replica_identity != b.replica_identity || a.key_columns != b.key_columns ||
      a.columns.size() != b.columns.size()) {
    return false;
  }
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const ColumnSchema& x = a.columns[i];
    const ColumnSchema& y = b.columns[i];
    if (x.name != y.name || x.type_oid != y.type_oid || x.type_modifier != y.type_modifier ||
        x.optional != y.optional || !SamePgType(x.type, y.type) ||
        !SamePgType(x.element_type, y.element_type)) {
      return false;
    }
  }
  return true;
}

// Debezium's topic naming: characters outside [A-Za-z0-9._-] become '_' (one per UTF-16 unit).
std::string SanitizeTopic(absl::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    size_t len = 1;
    if (c >= 0xF0) {
      len = 4;
    } else if (c >= 0xE0) {
      len = 3;
    } else if (c >= 0xC0) {
      len = 2;
    }
    out.append(len == 4 ? "__" : "_");
    i += len;
  }
  return out;
}

char OpCode(Op op) { return static_cast<char>(op); }

// The envelope's ts_ms, ts_us and ts_ns (processing time), from one conversion to digits in
// the usual case (ms and ns are the µs digits cut or extended).
void AppendProcessingTime(std::string& out, int64_t now_us) {
  if (now_us >= 1000 && now_us <= std::numeric_limits<int64_t>::max() / 1000) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof(buf), now_us);
    const size_t n = static_cast<size_t>(r.ptr - buf);
    out.append(",\"ts_ms\":");
    out.append(buf, n - 3);
    out.append(",\"ts_us\":");
    out.append(buf, n);
    out.append(",\"ts_ns\":");
    out.append(buf, n);
    out.append("000");
    return;
  }
  const int64_t now_ms = now_us >= 0 ? now_us / 1000 : -((-now_us + 999) / 1000);
  out.append(",\"ts_ms\":");
  json::AppendInt(out, now_ms);
  out.append(",\"ts_us\":");
  json::AppendInt(out, now_us);
  out.append(",\"ts_ns\":");
  json::AppendInt(out, now_us * 1000);
}

void AppendOp(std::string& out, Op op) {
  out.push_back('"');
  out.push_back(OpCode(op));
  out.push_back('"');
}

bool SameValue(const TupleValue& a, const TupleValue& b) {
  return a.kind == b.kind && a.data == b.data;
}

}  // namespace

// ---- add.fields of ExtractNewRecordState ----

struct AddedField {
  enum class Source {
    kOp,
    kEnvelopeTsMs,
    kVersion,
    kConnector,
    kName,
    kSourceTsMs,
    kSnapshot,
    kDb,
    kSequence,
    kSourceTsUs,
    kSourceTsNs,
    kSchema,
    kTable,
    kTxId,
    kLsn,
    kXmin,
    kTransaction,  // transaction.* : always null (no transaction metadata)
  };
  Source source;
  std::string name;      // e.g. "__op"
  ConnectSchema schema;  // the envelope/source field's schema, made optional
};

namespace {

// Resolves an add.fields entry the way ExtractNewRecordState's FieldReference does: "field"
// (op and ts_ms from the envelope, transaction ids from the transaction block, anything else
// from source), "struct.field" (named "__struct_field"), optional ":new_name". Returns false for
// fields the envelope does not have (Debezium skips them). "source_table" is accepted as an
// alias of "source.table" (the seed pipeline's spelling; Debezium itself would skip it).
bool ResolveAddedField(absl::string_view entry, AddedField* out);

}  // namespace

// ---- the per-table cache ----

struct EventEncoder::TableCache {
  TableSchema schema;
  std::string qualified;  // "schema.table", for error messages
  std::string topic;
  std::vector<std::unique_ptr<ValueConverter>> converters;
  std::vector<std::string> field_names;  // "\"name\":" per column, escaped
  std::string key_schema_prefix;         // {"schema":<key>,"payload":
  std::string value_schema_prefix;       // {"schema":<envelope>,"payload":
  std::string flat_schema_prefix;        // {"schema":<flattened value>,"payload":
  std::string flat_tombstone_value;      // tombstone-mode delete value (schema, null payload)
  std::string source_head;               // {"version":…,"name":"<prefix>","ts_ms":
  std::string source_db;                 // ,"db":"<db>","sequence":"
  std::string source_table;              // ,"schema":"<schema>","table":"<table>","txId":
  uint64_t id = 0;                       // unique per encoder: what cached text was made for
};

EventEncoder::EventEncoder(EncoderOptions options)
    : options_(std::move(options)), scratch_(std::make_unique<ConversionScratch>()) {
  for (const std::string& entry : options_.flatten.add_fields) {
    AddedField field;
    if (ResolveAddedField(absl::StripAsciiWhitespace(entry), &field)) {
      added_fields_.push_back(std::move(field));
    }
  }
}

EventEncoder::~EventEncoder() = default;

Record& RecordBatch::Next() {
  if (size_ == records_.size()) records_.emplace_back();
  Record& r = records_[size_++];
  r.topic.clear();
  r.key.clear();
  r.has_key = false;
  r.has_value = false;
  return r;
}

Record& RecordBatch::Add() {
  Record& r = Next();
  r.value.clear();
  r.value_prefix_id = 0;
  return r;
}

Record& RecordBatch::AddWithValuePrefix(uint64_t prefix_id, absl::string_view prefix) {
  Record& r = Next();
  if (r.value_prefix_id == prefix_id && r.value.size() >= prefix.size()) {
    r.value.resize(prefix.size());
  } else {
    r.value.assign(prefix.data(), prefix.size());
    r.value_prefix_id = prefix_id;
  }
  return r;
}

namespace {

ConnectSchema SourceSchema() {
  ConnectSchema s =
      NamedSchema("struct", false, "io.debezium.connector.postgresql.Source", kSourceSchemaVersion);
  s.fields.push_back({"version", PrimitiveSchema("string", false)});
  s.fields.push_back({"connector", PrimitiveSchema("string", false)});
  s.fields.push_back({"name", PrimitiveSchema("string", false)});
  s.fields.push_back({"ts_ms", PrimitiveSchema("int64", false)});
  ConnectSchema snapshot = NamedSchema("string", true, "io.debezium.data.Enum", 1);
  snapshot.parameters.emplace_back("allowed", std::string(kSnapshotAllowed));
  snapshot.default_json = "\"false\"";
  s.fields.push_back({"snapshot", snapshot});
  s.fields.push_back({"db", PrimitiveSchema("string", false)});
  s.fields.push_back({"sequence", PrimitiveSchema("string", true)});
  s.fields.push_back({"ts_us", PrimitiveSchema("int64", true)});
  s.fields.push_back({"ts_ns", PrimitiveSchema("int64", true)});
  s.fields.push_back({"schema", PrimitiveSchema("string", false)});
  s.fields.push_back({"table", PrimitiveSchema("string", false)});
  s.fields.push_back({"txId", PrimitiveSchema("int64", true)});
  s.fields.push_back({"lsn", PrimitiveSchema("int64", true)});
  s.fields.push_back({"xmin", PrimitiveSchema("int64", true)});
  return s;
}

ConnectSchema TransactionSchema() {
  ConnectSchema s = NamedSchema("struct", true, "event.block", 1);
  s.fields.push_back({"id", PrimitiveSchema("string", false)});
  s.fields.push_back({"total_order", PrimitiveSchema("int64", false)});
  s.fields.push_back({"data_collection_order", PrimitiveSchema("int64", false)});
  return s;
}

const ConnectSchema* FindField(const ConnectSchema& s, absl::string_view name) {
  for (const ConnectField& f : s.fields) {
    if (f.name == name) return &f.schema;
  }
  return nullptr;
}

bool ResolveAddedField(absl::string_view entry, AddedField* out) {
  using Source = AddedField::Source;
  if (entry.empty()) return false;
  std::vector<absl::string_view> parts = absl::StrSplit(entry, ':');
  if (parts.size() > 2) return false;
  std::vector<absl::string_view> path = absl::StrSplit(parts[0], '.');
  std::string structure, field;
  std::string new_name;
  if (path.size() == 1 && path[0] == "source_table") {
    structure = "source";
    field = "table";
    new_name = "__source_table";
  } else if (path.size() == 1) {
    field = std::string(path[0]);
    if (field == "id" || field == "total_order" || field == "data_collection_order") {
      structure = "transaction";
    } else if (field == "op" || field == "ts_ms") {
      structure = "";
    } else {
      structure = "source";
    }
    new_name = "__" + field;
  } else if (path.size() == 2) {
    structure = std::string(path[0]);
    field = std::string(path[1]);
    new_name = absl::StrCat("__", structure, "_", field);
  } else {
    return false;
  }
  if (parts.size() == 2) new_name = absl::StrCat("__", parts[1]);

  const ConnectSchema* schema = nullptr;
  static const ConnectSchema kSource = SourceSchema();
  static const ConnectSchema kTransaction = TransactionSchema();
  static const ConnectSchema kOpSchema = PrimitiveSchema("string", false);
  static const ConnectSchema kTsSchema = PrimitiveSchema("int64", true);
  if (structure.empty()) {
    if (field == "op") {
      out->source = Source::kOp;
      schema = &kOpSchema;
    } else {
      out->source = Source::kEnvelopeTsMs;
      schema = &kTsSchema;
    }
  } else if (structure == "transaction") {
    schema = FindField(kTransaction, field);
    out->source = Source::kTransaction;
  } else if (structure == "source") {
    schema = FindField(kSource, field);
    static const std::pair<absl::string_view, Source> kMap[] = {
        {"version", Source::kVersion},   {"connector", Source::kConnector},
        {"name", Source::kName},         {"ts_ms", Source::kSourceTsMs},
        {"snapshot", Source::kSnapshot}, {"db", Source::kDb},
        {"sequence", Source::kSequence}, {"ts_us", Source::kSourceTsUs},
        {"ts_ns", Source::kSourceTsNs},  {"schema", Source::kSchema},
        {"table", Source::kTable},       {"txId", Source::kTxId},
        {"lsn", Source::kLsn},           {"xmin", Source::kXmin},
    };
    for (const auto& [name, source] : kMap) {
      if (name == field) out->source = source;
    }
  }
  if (schema == nullptr) return false;
  // SchemaUtil.copySchemaBasics(...).optional(): type, name, version, doc, parameters; no default.
  out->schema = *schema;
  out->schema.optional = true;
  out->schema.default_json.clear();
  out->name = std::move(new_name);
  return true;
}

}  // namespace

uint64_t NextTableRevision() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

EventEncoder::TableCache& EventEncoder::CacheFor(const TableSchema& table) {
  if (last_table_ != nullptr && table.revision != 0 &&
      last_table_->schema.revision == table.revision &&
      last_table_->schema.relation_oid == table.relation_oid) {
    return *last_table_;  // the common case: the same table as the last event
  }
  std::unique_ptr<TableCache>& slot = tables_[table.relation_oid];
  if (slot && SameTable(slot->schema, table)) {
    slot->schema.revision = table.revision;
    last_table_ = slot.get();
    return *slot;
  }

  auto cache = std::make_unique<TableCache>();
  TableCache& c = *cache;
  c.schema = table;
  c.qualified = absl::StrCat(table.schema, ".", table.table);
  const std::string base =
      SanitizeTopic(absl::StrCat(options_.topic_prefix, ".", table.schema, ".", table.table));
  c.topic = base;

  ConverterOptions conv;
  conv.decimal_mode = options_.decimal_mode;
  conv.time_precision_mode = options_.time_precision_mode;
  conv.binary_mode = options_.binary_mode;
  conv.interval_mode = options_.interval_mode;

  ConnectSchema row = NamedSchema("struct", true, base + ".Value", 0);
  for (const ColumnSchema& col : table.columns) {
    uint32_t unknown_oid = 0;
    c.converters.push_back(ValueConverter::ForColumn(col, conv, &unknown_oid));
    row.fields.push_back({col.name, c.converters.back()->schema()});
    std::string name;
    json::AppendString(name, col.name);
    name.push_back(':');
    c.field_names.push_back(std::move(name));
    if (unknown_oid != 0 && reported_unknown_types_.insert(unknown_oid).second &&
        unknown_type_callback_) {
      unknown_type_callback_(unknown_oid, absl::StrCat(c.qualified, ".", col.name));
    }
  }

  if (options_.key_schemas_enable && !table.key_columns.empty()) {
    ConnectSchema key = NamedSchema("struct", false, base + ".Key", 0);
    for (int idx : table.key_columns) {
      if (idx >= 0 && static_cast<size_t>(idx) < table.columns.size()) {
        key.fields.push_back({table.columns[idx].name, c.converters[idx]->schema()});
      }
    }
    c.key_schema_prefix = "{\"schema\":" + SchemaJson(key) + ",\"payload\":";
  }

  if (options_.value_schemas_enable) {
    ConnectSchema envelope =
        NamedSchema("struct", false, base + ".Envelope", kEnvelopeSchemaVersion);
    envelope.fields.push_back({"before", row});
    envelope.fields.push_back({"after", row});
    envelope.fields.push_back({"source", SourceSchema()});
    envelope.fields.push_back({"transaction", TransactionSchema()});
    envelope.fields.push_back({"op", PrimitiveSchema("string", false)});
    envelope.fields.push_back({"ts_ms", PrimitiveSchema("int64", true)});
    envelope.fields.push_back({"ts_us", PrimitiveSchema("int64", true)});
    envelope.fields.push_back({"ts_ns", PrimitiveSchema("int64", true)});
    c.value_schema_prefix = "{\"schema\":" + SchemaJson(envelope) + ",\"payload\":";

    // ExtractNewRecordState: the "after" struct rebuilt (SchemaUtil.copySchemaBasics drops
    // "optional") with __deleted (rewrite modes) and then the add.fields entries.
    ConnectSchema flat = row;
    flat.optional = false;
    const DeleteHandling mode = options_.flatten.delete_handling;
    if (mode == DeleteHandling::kRewrite || mode == DeleteHandling::kRewriteWithTombstone) {
      flat.fields.push_back({"__deleted", PrimitiveSchema("string", true)});
    }
    for (const AddedField& f : added_fields_) flat.fields.push_back({f.name, f.schema});
    c.flat_schema_prefix = "{\"schema\":" + SchemaJson(flat) + ",\"payload\":";
    // Tombstone mode: the extracted "after" field (schema kept, value null).
    c.flat_tombstone_value = "{\"schema\":" + SchemaJson(row) + ",\"payload\":null}";
  } else {
    c.flat_tombstone_value = "null";
  }

  c.source_head = "{\"version\":";
  json::AppendString(c.source_head, kDebeziumVersion);
  c.source_head.append(",\"connector\":\"postgresql\",\"name\":");
  json::AppendString(c.source_head, options_.topic_prefix);
  c.source_head.append(",\"ts_ms\":");
  c.source_db = ",\"db\":";
  json::AppendString(c.source_db, options_.database);
  c.source_db.append(",\"sequence\":\"[");
  c.source_table = ",\"schema\":";
  json::AppendString(c.source_table, table.schema);
  c.source_table.append(",\"table\":");
  json::AppendString(c.source_table, table.table);
  c.source_table.append(",\"txId\":");

  c.id = ++next_cache_id_;
  slot = std::move(cache);
  last_table_ = slot.get();
  return *slot;
}

absl::Status EventEncoder::Encode(const TableSchema& table, const RowChange& change, int64_t now_us,
                                  RecordBatch& out) {
  const size_t start = out.size();
  TableCache& cache = CacheFor(table);
  absl::Status status = EncodeChange(cache, change, now_us, out);
  if (!status.ok()) out.Truncate(start);
  return status;
}

absl::Status EventEncoder::EncodeChange(const TableCache& cache, const RowChange& change,
                                        int64_t now_us, RecordBatch& out) {
  const bool flatten = options_.flatten.enabled;
  const DeleteHandling mode = options_.flatten.delete_handling;
  // Flattened output: what happens to a delete event and to the tombstone that follows it.
  auto emit_delete = [&](const Tuple* before) -> absl::Status {
    if (!flatten) {
      RETURN_IF_ERROR(
          AddEnvelope(cache, Op::kDelete, before, nullptr, before, change, now_us, out));
    } else if (mode == DeleteHandling::kTombstone) {
      Record& r = out.Add();
      r.topic = cache.topic;
      RETURN_IF_ERROR(AppendKey(cache, before, r));
      r.value = cache.flat_tombstone_value;
      r.has_value = true;
    } else if (mode == DeleteHandling::kRewrite || mode == DeleteHandling::kRewriteWithTombstone) {
      if (before != nullptr) {
        RETURN_IF_ERROR(AddFlattened(cache, Op::kDelete, *before, true, change, now_us, out));
      }
    }
    const bool keep_tombstone = !flatten || mode == DeleteHandling::kRewriteWithTombstone;
    if (options_.tombstones_on_delete && keep_tombstone) AddTombstone(cache, before, out);
    return absl::OkStatus();
  };
  auto emit_row = [&](Op op, const Tuple* before, const Tuple& after) -> absl::Status {
    if (!flatten) return AddEnvelope(cache, op, before, &after, &after, change, now_us, out);
    return AddFlattened(cache, op, after, false, change, now_us, out);
  };

  const size_t columns = cache.schema.columns.size();
  auto check = [&](const Tuple* t, absl::string_view what) -> absl::Status {
    if (t != nullptr && t->size() != columns) {
      return absl::InvalidArgumentError(absl::StrCat(cache.qualified, ": ", what, " tuple has ",
                                                     t->size(), " values, the table has ", columns,
                                                     " columns"));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(check(change.before, "old"));
  RETURN_IF_ERROR(check(change.after, "new"));
  for (int idx : cache.schema.key_columns) {
    if (idx < 0 || static_cast<size_t>(idx) >= columns) {
      return absl::InvalidArgumentError(
          absl::StrCat(cache.qualified, ": key column index ", idx, " is out of range"));
    }
  }

  switch (change.op) {
    case Op::kTruncate:
      if (flatten) return absl::OkStatus();  // ExtractNewRecordState drops truncate events
      return AddEnvelope(cache, Op::kTruncate, nullptr, nullptr, nullptr, change, now_us, out);
    case Op::kCreate:
    case Op::kRead:
      if (change.after == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(cache.qualified, ": insert without a row"));
      }
      return emit_row(change.op, nullptr, *change.after);
    case Op::kUpdate: {
      if (change.after == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(cache.qualified, ": update without a row"));
      }
      bool key_changed = false;
      if (change.before != nullptr && !cache.schema.key_columns.empty()) {
        for (int idx : cache.schema.key_columns) {
          if (!SameValue((*change.before)[idx], (*change.after)[idx])) key_changed = true;
        }
      }
      if (key_changed) {
        // Debezium: a primary key update is a delete of the old key (+ tombstone) and a create
        // of the new one.
        RETURN_IF_ERROR(emit_delete(change.before));
        return emit_row(Op::kCreate, nullptr, *change.after);
      }
      return emit_row(Op::kUpdate, change.before, *change.after);
    }
    case Op::kDelete:
      return emit_delete(change.before);
  }
  return absl::InvalidArgumentError(absl::StrCat(cache.qualified, ": unknown operation"));
}

absl::Status EventEncoder::AppendRowFields(const TableCache& cache, const Tuple& tuple,
                                           std::string& out) {
  for (size_t i = 0; i < tuple.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(cache.field_names[i]);
    const TupleValue& v = tuple[i];
    const ValueConverter& conv = *cache.converters[i];
    switch (v.kind) {
      case ValueKind::kNull:
        if (cache.schema.columns[i].optional) {
          out.append("null");
        } else {
          conv.AppendFallback(out);
        }
        break;
      case ValueKind::kUnchangedToast:
        conv.AppendUnchangedToast(out);
        break;
      case ValueKind::kText: {
        absl::Status st = conv.AppendText(v.data, out, *scratch_);
        if (!st.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(cache.qualified, ".", cache.schema.columns[i].name, ": ", st.message()));
        }
        break;
      }
      case ValueKind::kBinary:
        return absl::InvalidArgumentError(
            absl::StrCat(cache.qualified, ".", cache.schema.columns[i].name,
                         ": binary-format values are not supported (use pgoutput's text format)"));
    }
  }
  return absl::OkStatus();
}

absl::Status EventEncoder::AppendKey(const TableCache& cache, const Tuple* key_from,
                                     Record& record) {
  const std::vector<int>& keys = cache.schema.key_columns;
  if (keys.empty() || key_from == nullptr) {
    record.has_key = false;
    return absl::OkStatus();
  }
  std::string& out = record.key;
  const bool schemas = options_.key_schemas_enable;
  if (schemas) out.append(cache.key_schema_prefix);
  out.push_back('{');
  for (size_t k = 0; k < keys.size(); ++k) {
    const int i = keys[k];
    if (k > 0) out.push_back(',');
    out.append(cache.field_names[i]);
    const TupleValue& v = (*key_from)[i];
    const ValueConverter& conv = *cache.converters[i];
    if (v.kind == ValueKind::kText) {
      absl::Status st = conv.AppendText(v.data, out, *scratch_);
      if (!st.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(cache.qualified, ".", cache.schema.columns[i].name, ": ", st.message()));
      }
    } else if (v.kind == ValueKind::kNull && !cache.schema.columns[i].optional) {
      conv.AppendFallback(out);
    } else if (v.kind == ValueKind::kUnchangedToast) {
      conv.AppendUnchangedToast(out);
    } else {
      out.append("null");
    }
  }
  out.push_back('}');
  if (schemas) out.push_back('}');
  record.has_key = true;
  return absl::OkStatus();
}

void EventEncoder::AppendSource(const TableCache& cache, const RowChange& change,
                                std::string& out) {
  const SourcePosition& s = change.source;
  SourceMemo& m = source_memo_;
  if (m.cache_id != cache.id || m.commit_time_us != s.commit_time_us || m.xid != s.xid ||
      m.last_commit_lsn != s.last_commit_lsn || m.snapshot != s.snapshot) {
    m.cache_id = cache.id;
    m.commit_time_us = s.commit_time_us;
    m.xid = s.xid;
    m.last_commit_lsn = s.last_commit_lsn;
    m.snapshot.assign(s.snapshot.data(), s.snapshot.size());
    const int64_t ts_ms =
        s.commit_time_us >= 0 ? s.commit_time_us / 1000 : -((-s.commit_time_us + 999) / 1000);
    m.head = cache.source_head;
    json::AppendInt(m.head, ts_ms);
    m.head.append(",\"snapshot\":");
    json::AppendString(m.head, s.snapshot);
    m.head.append(cache.source_db);
    // sequence: JSON array of [last commit LSN, this LSN] as decimal strings, itself a string.
    if (s.last_commit_lsn != 0) {
      m.head.append("\\\"");
      json::AppendInt(m.head, static_cast<int64_t>(s.last_commit_lsn));
      m.head.append("\\\"");
    } else {
      m.head.append("null");
    }
    m.head.push_back(',');
    m.middle = "]\",\"ts_us\":";
    json::AppendInt(m.middle, s.commit_time_us);
    m.middle.append(",\"ts_ns\":");
    json::AppendInt(m.middle, s.commit_time_us * 1000);
    m.middle.append(cache.source_table);
    if (s.xid != 0) {
      json::AppendInt(m.middle, s.xid);
    } else {
      m.middle.append("null");
    }
    m.middle.append(",\"lsn\":");
  }
  char lsn_buf[24];
  absl::string_view lsn = "null";
  if (s.lsn != 0) {
    const auto r = std::to_chars(lsn_buf, lsn_buf + sizeof(lsn_buf), s.lsn);
    lsn = absl::string_view(lsn_buf, r.ptr - lsn_buf);
  }
  out.append(m.head);
  if (s.lsn != 0) out.append("\\\"");
  out.append(lsn.data(), lsn.size());
  if (s.lsn != 0) out.append("\\\"");
  out.append(m.middle);
  out.append(lsn.data(), lsn.size());
  out.append(",\"xmin\":null}");
}

absl::Status EventEncoder::AddEnvelope(const TableCache& cache, Op op, const Tuple* before,
                                       const Tuple* after, const Tuple* key_from,
                                       const RowChange& change, int64_t now_us, RecordBatch& out) {
  const bool schemas = options_.value_schemas_enable;
  Record& r = schemas ? out.AddWithValuePrefix(cache.id * 2, cache.value_schema_prefix) : out.Add();
  r.topic = cache.topic;
  if (op != Op::kTruncate) RETURN_IF_ERROR(AppendKey(cache, key_from, r));
  std::string& v = r.value;
  v.append("{\"before\":");
  if (before != nullptr) {
    v.push_back('{');
    RETURN_IF_ERROR(AppendRowFields(cache, *before, v));
    v.push_back('}');
  } else {
    v.append("null");
  }
  v.append(",\"after\":");
  if (after != nullptr) {
    v.push_back('{');
    RETURN_IF_ERROR(AppendRowFields(cache, *after, v));
    v.push_back('}');
  } else {
    v.append("null");
  }
  v.append(",\"source\":");
  AppendSource(cache, change, v);
  v.append(",\"transaction\":null,\"op\":");
  AppendOp(v, op);
  AppendProcessingTime(v, now_us);
  v.push_back('}');
  if (schemas) v.push_back('}');
  r.has_value = true;
  return absl::OkStatus();
}

absl::Status EventEncoder::AddFlattened(const TableCache& cache, Op op, const Tuple& row,
                                        bool deleted, const RowChange& change, int64_t now_us,
                                        RecordBatch& out) {
  const bool schemas = options_.value_schemas_enable;
  Record& r =
      schemas ? out.AddWithValuePrefix(cache.id * 2 + 1, cache.flat_schema_prefix) : out.Add();
  r.topic = cache.topic;
  RETURN_IF_ERROR(AppendKey(cache, &row, r));
  std::string& v = r.value;
  v.push_back('{');
  RETURN_IF_ERROR(AppendRowFields(cache, row, v));
  const DeleteHandling mode = options_.flatten.delete_handling;
  if (mode == DeleteHandling::kRewrite || mode == DeleteHandling::kRewriteWithTombstone) {
    v.append(deleted ? ",\"__deleted\":\"true\"" : ",\"__deleted\":\"false\"");
  }
  const SourcePosition& s = change.source;
  using Source = AddedField::Source;
  for (const AddedField& f : added_fields_) {
    v.push_back(',');
    json::AppendString(v, f.name);
    v.push_back(':');
    switch (f.source) {
      case Source::kOp:
        AppendOp(v, op);
        break;
      case Source::kEnvelopeTsMs:
        json::AppendInt(v, now_us >= 0 ? now_us / 1000 : -((-now_us + 999) / 1000));
        break;
      case Source::kVersion:
        json::AppendString(v, kDebeziumVersion);
        break;
      case Source::kConnector:
        v.append("\"postgresql\"");
        break;
      case Source::kName:
        json::AppendString(v, options_.topic_prefix);
        break;
      case Source::kSourceTsMs:
        json::AppendInt(v, s.commit_time_us >= 0 ? s.commit_time_us / 1000
                                                 : -((-s.commit_time_us + 999) / 1000));
        break;
      case Source::kSnapshot:
        json::AppendString(v, s.snapshot);
        break;
      case Source::kDb:
        json::AppendString(v, options_.database);
        break;
      case Source::kSequence: {
        std::string seq = "[";
        seq.append(s.last_commit_lsn != 0 ? absl::StrCat("\"", s.last_commit_lsn, "\"")
                                          : std::string("null"));
        seq.append(s.lsn != 0 ? absl::StrCat(",\"", s.lsn, "\"]") : std::string(",null]"));
        json::AppendString(v, seq);
        break;
      }
      case Source::kSourceTsUs:
        json::AppendInt(v, s.commit_time_us);
        break;
      case Source::kSourceTsNs:
        json::AppendInt(v, s.commit_time_us * 1000);
        break;
      case Source::kSchema:
        json::AppendString(v, cache.schema.schema);
        break;
      case Source::kTable:
        json::AppendString(v, cache.schema.table);
        break;
      case Source::kTxId:
        if (s.xid != 0) {
          json::AppendInt(v, s.xid);
        } else {
          v.append("null");
        }
        break;
      case Source::kLsn:
        if (s.lsn != 0) {
          json::AppendInt(v, static_cast<int64_t>(s.lsn));
        } else {
          v.append("null");
        }
        break;
      case Source::kXmin:
      case Source::kTransaction:
        v.append("null");
        break;
    }
  }
  v.push_back('}');
  if (schemas) v.push_back('}');
  r.has_value = true;
  return absl::OkStatus();
}

void EventEncoder::AddTombstone(const TableCache& cache, const Tuple* key_from, RecordBatch& out) {
  Record& r = out.Add();
  r.topic = cache.topic;
  // The key was already converted successfully for the delete event; this cannot fail.
  absl::Status st = AppendKey(cache, key_from, r);
  (void)st;
  r.has_value = false;
}

}  // namespace cdcflow::cdc_capture::events
