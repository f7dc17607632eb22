#include "services/mysql-sink/pipeline/record_mapper.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"

namespace cdcflow::mysql_sink {
namespace {

uint64_t Mix(uint64_t a, uint64_t b) {
  // boost::hash_combine's constant, widened: enough to keep a handful of shapes apart.
  return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}

// Appends a string literal for a Kafka topic name (topics are [a-zA-Z0-9._-]: no escaping).
void AppendTopicLiteral(Row& row, std::string_view topic) {
  std::string& buffer = row.buffer();
  buffer.push_back('\'');
  buffer.append(topic);
  buffer.push_back('\'');
  row.EndCell();
}

void AppendNumber(Row& row, int64_t value) {
  absl::StrAppend(&row.buffer(), value);
  row.EndCell();
}

}  // namespace

RecordMapper::RecordMapper(MapperOptions options, sql::TableRouter router)
    : options_(std::move(options)), router_(std::move(router)) {}

absl::StatusOr<const RecordMapper::Shape*> RecordMapper::ShapeFor(const DecodedRecord& in) {
  const uint64_t key_fp = in.key_schema ? in.key_schema->fingerprint : 0;
  const uint64_t value_fp = in.value_schema ? in.value_schema->fingerprint : 0;
  const uint64_t id =
      Mix(Mix(key_fp, value_fp), (in.key_schema ? 1 : 0) | (in.value_schema ? 2 : 0));
  if (auto it = shapes_.find(id); it != shapes_.end()) return it->second.get();

  auto shape = std::make_unique<Shape>();
  auto keys = std::make_shared<KeyColumns>();
  std::shared_ptr<Schema> extended;  // the value schema with appended fields, when needed
  auto extend = [&]() -> Schema& {
    if (!extended) {
      extended = std::make_shared<Schema>(*in.value_schema);
      extended->fingerprint = Mix(value_fp, id);
    }
    return *extended;
  };

  switch (options_.pk_mode) {
    case PkMode::kNone:
      break;
    case PkMode::kKafka: {
      keys->names = {"__connect_topic", "__connect_partition", "__connect_offset"};
      if (in.value_schema) {
        Schema& s = extend();
        s.fields.push_back(
            {.name = "__connect_topic", .type = FieldType::kString, .optional = false});
        s.fields.push_back(
            {.name = "__connect_partition", .type = FieldType::kInt32, .optional = false});
        s.fields.push_back(
            {.name = "__connect_offset", .type = FieldType::kInt64, .optional = false});
      }
      break;
    }
    case PkMode::kRecordKey: {
      if (!in.key_schema) break;  // checked per record: only records that need a key fail
      const Schema& key = *in.key_schema;
      std::vector<size_t> chosen;
      if (options_.pk_fields.empty()) {
        for (size_t i = 0; i < key.fields.size(); ++i) chosen.push_back(i);
      } else {
        for (const std::string& name : options_.pk_fields) {
          std::optional<size_t> i = key.Find(name);
          if (!i) {
            return absl::InvalidArgumentError(absl::StrCat(
                "pk.fields: \"", name, "\" is not a field of the record key (fields: ",
                absl::StrJoin(key.fields, ", ",
                              [](std::string* out, const Field& f) { out->append(f.name); }),
                ")"));
          }
          chosen.push_back(*i);
        }
      }
      for (size_t i : chosen) {
        keys->names.push_back(key.fields[i].name);
        shape->key_from.push_back(static_cast<int>(i));
        if (in.value_schema && !in.value_schema->Find(key.fields[i].name)) {
          Field f = key.fields[i];
          f.optional = false;
          extend().fields.push_back(std::move(f));
          shape->appended_from_key.push_back(static_cast<int>(i));
        }
      }
      break;
    }
    case PkMode::kRecordValue: {
      if (!in.value_schema) break;
      for (const std::string& name : options_.pk_fields) {
        std::optional<size_t> i = in.value_schema->Find(name);
        if (!i) {
          return absl::InvalidArgumentError(
              absl::StrCat("pk.fields: \"", name, "\" is not a field of the record value"));
        }
        keys->names.push_back(name);
        shape->key_from.push_back(static_cast<int>(*i));
      }
      break;
    }
  }
  shape->value_schema =
      extended ? std::shared_ptr<const Schema>(std::move(extended)) : in.value_schema;
  shape->key_columns = std::move(keys);
  const Shape* result = shape.get();
  shapes_.emplace(id, std::move(shape));
  return result;
}

absl::Status RecordMapper::Map(DecodedRecord& in, const KafkaCoordinates& at, SinkRecord& out) {
  out.op = in.op;
  out.skip_reason = {};
  out.key.Clear();
  out.value.Clear();
  if (in.op == Op::kSkip) return absl::OkStatus();
  if (in.op == Op::kDelete && !options_.delete_enabled) {
    // A flattened delete (ExtractNewRecordState's "rewrite") is a row like any other;
    // the envelope's deletes and tombstones are ignored, as the JDBC sink ignores them.
    if (in.flattened && in.value_schema) {
      out.op = Op::kUpsert;
    } else {
      out.op = Op::kSkip;
      out.skip_reason = "delete_disabled";
      return absl::OkStatus();
    }
  }
  if (in.op == Op::kDelete && !in.value_schema && options_.pk_mode == PkMode::kRecordValue) {
    // The tombstone Debezium writes after each delete: with the key taken from the value
    // there is nothing to delete by, and the delete event before it already did the work.
    out.op = Op::kSkip;
    out.skip_reason = "tombstone";
    return absl::OkStatus();
  }
  if (out.op == Op::kUpsert && !in.value_schema) {
    return absl::InvalidArgumentError("an upsert without a value");
  }
  out.table = *tables_.insert(router_.Route(at.topic)).first;

  const PkMode mode = options_.pk_mode;
  if (mode == PkMode::kRecordKey && !in.key_schema) {
    return absl::InvalidArgumentError(
        "pk.mode record_key needs a record key, and the Kafka key is null");
  }
  if (mode == PkMode::kRecordValue && !in.value_schema) {
    return absl::InvalidArgumentError(
        "pk.mode record_value takes the key from the value, and this delete has no old row "
        "(a tombstone, or a delete without its before image)");
  }
  ASSIGN_OR_RETURN(const Shape* shape, ShapeFor(in));
  out.key_columns = shape->key_columns;
  out.value_schema = shape->value_schema;

  // The key.
  switch (mode) {
    case PkMode::kNone:
      break;
    case PkMode::kKafka:
      AppendTopicLiteral(out.key, at.topic);
      AppendNumber(out.key, at.partition);
      AppendNumber(out.key, at.offset);
      break;
    case PkMode::kRecordKey:
      for (int i : shape->key_from) out.key.AppendLiteral(in.key.literal(static_cast<size_t>(i)));
      break;
    case PkMode::kRecordValue:
      for (int i : shape->key_from) {
        out.key.AppendLiteral(in.value.literal(static_cast<size_t>(i)));
      }
      break;
  }
  for (size_t i = 0; i < out.key.size(); ++i) {
    if (out.key.literal(i) == "NULL") {
      return absl::InvalidArgumentError(
          absl::StrCat("primary-key column \"", shape->key_columns->names[i], "\" is null"));
    }
  }
  if (out.op == Op::kDelete) return absl::OkStatus();

  // The row: the decoder's buffer moves over, then any appended columns.
  std::swap(out.value, in.value);
  for (int i : shape->appended_from_key) {
    out.value.AppendLiteral(in.key.literal(static_cast<size_t>(i)));
  }
  if (mode == PkMode::kKafka) {
    for (size_t i = 0; i < out.key.size(); ++i) out.value.AppendLiteral(out.key.literal(i));
  }
  return absl::OkStatus();
}

}  // namespace cdcflow::mysql_sink
