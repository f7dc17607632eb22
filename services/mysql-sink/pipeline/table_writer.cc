#include "services/mysql-sink/pipeline/table_writer.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/mysql-sink/sql/identifier.h"

namespace cdcflow::mysql_sink {

struct TableWriter::Context {
  const std::string& table;
  std::span<const SinkRecord* const> records;
  // previous[i]: the change before records[i] with the same key, or npos.
  std::vector<size_t> previous;
  TableWriteResult result;
};

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// The key's literals joined by a byte no literal contains unescaped.
void KeyString(const SinkRecord& record, std::string& out) {
  out.clear();
  for (size_t i = 0; i < record.key.size(); ++i) {
    out.append(record.key.literal(i));
    out.push_back('\x1f');
  }
}

}  // namespace

TableWriter::TableWriter(sql::InsertMode mode, int max_rows_per_statement, Database& database)
    : mode_(mode),
      max_rows_(static_cast<size_t>(std::max(1, max_rows_per_statement))),
      database_(database) {}

absl::StatusOr<const sql::TableShape*> TableWriter::ShapeFor(const std::string& table,
                                                             const SinkRecord& record) {
  std::string id = absl::StrCat(table, absl::string_view("\0", 1), record.value_schema->fingerprint,
                                "/", record.key_columns->names.size());
  if (auto it = shapes_.find(id); it != shapes_.end()) return &it->second;
  ASSIGN_OR_RETURN(sql::TableShape shape,
                   sql::MakeTableShape(table, *record.value_schema, record.key_columns->names));
  if (shapes_.size() > 10000) shapes_.clear();  // bounded: schemas churn only with DDL
  return &shapes_.emplace(std::move(id), std::move(shape)).first->second;
}

absl::StatusOr<TableWriteResult> TableWriter::Write(const std::string& table,
                                                    std::span<const SinkRecord* const> records,
                                                    bool table_exists) {
  // Reduction keeps a key's last change only, which is right while every change carries the
  // same columns. When the value schema changes (auto.evolve added a column) an older row may
  // hold a value the newer one lacks, so each run of one schema is applied on its own, in
  // order (as Debezium's JDBC sink flushes its buffer on a schema change).
  TableWriteResult total;
  size_t begin = 0;
  uint64_t run_schema = 0;
  bool have_schema = false;
  for (size_t i = 0; i <= records.size(); ++i) {
    const bool end = i == records.size();
    if (!end && records[i]->op == Op::kUpsert) {
      const uint64_t fingerprint = records[i]->value_schema->fingerprint;
      if (!have_schema) {
        run_schema = fingerprint;
        have_schema = true;
        continue;
      }
      if (fingerprint == run_schema) continue;
    } else if (!end) {
      continue;  // a delete belongs to the current run
    }
    ASSIGN_OR_RETURN(TableWriteResult run,
                     WriteRun(table, records.subspan(begin, i - begin), table_exists));
    total.rows_upserted += run.rows_upserted;
    total.rows_deleted += run.rows_deleted;
    total.statements += run.statements;
    for (RecordFailure& f : run.failures) total.failures.push_back(std::move(f));
    // Rows were written: later runs may delete from the table even if it was missing before.
    table_exists = table_exists || run.rows_upserted > 0;
    begin = i;
    if (!end) run_schema = records[i]->value_schema->fingerprint;
  }
  return total;
}

absl::StatusOr<TableWriteResult> TableWriter::WriteRun(const std::string& table,
                                                       std::span<const SinkRecord* const> records,
                                                       bool table_exists) {
  Context context{.table = table, .records = records, .previous = {}, .result = {}};
  const size_t n = records.size();
  context.previous.assign(n, kNone);

  // Reduction: the last change per key, in source order of those last changes.
  std::vector<size_t> deletes;
  std::vector<size_t> upserts;
  const bool keyed = n > 0 && !records[0]->key_columns->names.empty();
  if (!keyed) {
    for (size_t i = 0; i < n; ++i) {
      (records[i]->op == Op::kDelete ? deletes : upserts).push_back(i);
    }
  } else {
    absl::flat_hash_map<std::string, size_t> last;
    last.reserve(n);
    std::string key;
    for (size_t i = 0; i < n; ++i) {
      KeyString(*records[i], key);
      auto [it, inserted] = last.try_emplace(key, i);
      if (!inserted) {
        context.previous[i] = it->second;
        it->second = i;
      }
    }
    std::vector<size_t> finals;
    finals.reserve(last.size());
    for (const auto& [k, i] : last) finals.push_back(i);
    std::sort(finals.begin(), finals.end());
    for (size_t i : finals) {
      if (records[i]->op == Op::kDelete) {
        deletes.push_back(i);
        continue;
      }
      if (mode_ == sql::InsertMode::kInsert) {
        // An insert after a delete of the same key in this batch: the old row must go first.
        for (size_t p = context.previous[i]; p != kNone; p = context.previous[p]) {
          if (records[p]->op == Op::kDelete) {
            deletes.push_back(i);
            break;
          }
        }
      }
      upserts.push_back(i);
    }
  }

  if (table_exists && !deletes.empty()) {
    for (size_t begin = 0; begin < deletes.size(); begin += max_rows_) {
      const size_t count = std::min(max_rows_, deletes.size() - begin);
      RETURN_IF_ERROR(ApplyDeletes(context, std::span(deletes).subspan(begin, count)));
    }
  }
  // Upserts go per column list (a schema change mid-batch gives two lists), in source order
  // within each.
  std::vector<std::vector<size_t>> groups;
  {
    absl::flat_hash_map<uint64_t, size_t> group_of;
    for (size_t i : upserts) {
      auto [it, inserted] =
          group_of.try_emplace(records[i]->value_schema->fingerprint, groups.size());
      if (inserted) groups.emplace_back();
      groups[it->second].push_back(i);
    }
  }
  for (const std::vector<size_t>& group : groups) {
    for (size_t begin = 0; begin < group.size(); begin += max_rows_) {
      const size_t count = std::min(max_rows_, group.size() - begin);
      RETURN_IF_ERROR(ApplyUpserts(context, std::span(group).subspan(begin, count)));
    }
  }
  return std::move(context.result);
}

absl::Status TableWriter::ApplyDeletes(Context& context, std::span<const size_t> indexes) {
  const SinkRecord& first = *context.records[indexes[0]];
  ASSIGN_OR_RETURN(std::string quoted_table, sql::QuoteIdentifier(context.table));
  std::vector<std::string> quoted_keys;
  for (const std::string& name : first.key_columns->names) {
    ASSIGN_OR_RETURN(std::string quoted, sql::QuoteIdentifier(name));
    quoted_keys.push_back(std::move(quoted));
  }
  std::vector<const Row*> keys;
  keys.reserve(indexes.size());
  for (size_t i : indexes) keys.push_back(&context.records[i]->key);
  statement_.clear();
  sql::AppendDelete(statement_, quoted_table, quoted_keys, keys);
  ++context.result.statements;
  absl::StatusOr<uint64_t> deleted = database_.Execute(statement_);
  if (deleted.ok()) {
    context.result.rows_deleted += static_cast<int64_t>(*deleted);
    return absl::OkStatus();
  }
  if (deleted.status().code() != absl::StatusCode::kInvalidArgument) return deleted.status();
  if (indexes.size() == 1) {
    context.result.failures.push_back(
        {context.records[indexes[0]]->source_index, deleted.status()});
    return absl::OkStatus();
  }
  const size_t half = indexes.size() / 2;
  RETURN_IF_ERROR(ApplyDeletes(context, indexes.subspan(0, half)));
  return ApplyDeletes(context, indexes.subspan(half));
}

absl::Status TableWriter::ApplyUpserts(Context& context, std::span<const size_t> indexes) {
  if (indexes.size() == 1) return ApplyAlone(context, indexes[0]);
  ASSIGN_OR_RETURN(const sql::TableShape* shape,
                   ShapeFor(context.table, *context.records[indexes[0]]));
  std::vector<const Row*> rows;
  rows.reserve(indexes.size());
  for (size_t i : indexes) rows.push_back(&context.records[i]->value);
  statement_.clear();
  if (mode_ == sql::InsertMode::kUpdate) {
    sql::AppendUpdates(statement_, *shape, rows);
  } else {
    sql::AppendInsert(statement_, *shape, rows, mode_);
  }
  ++context.result.statements;
  absl::StatusOr<uint64_t> written = database_.Execute(statement_);
  if (written.ok()) {
    context.result.rows_upserted += static_cast<int64_t>(indexes.size());
    return absl::OkStatus();
  }
  if (written.status().code() != absl::StatusCode::kInvalidArgument) return written.status();
  const size_t half = indexes.size() / 2;
  RETURN_IF_ERROR(ApplyUpserts(context, indexes.subspan(0, half)));
  return ApplyUpserts(context, indexes.subspan(half));
}

absl::Status TableWriter::ApplyAlone(Context& context, size_t index) {
  // Try the change; when the server rejects it, report it and fall back to the change before
  // it for the same key (the state the key would have had), and so on.
  for (size_t i = index; i != kNone; i = context.previous[i]) {
    const SinkRecord& record = *context.records[i];
    absl::Status status;
    if (record.op == Op::kDelete) {
      const size_t failures = context.result.failures.size();
      const size_t single[] = {i};
      RETURN_IF_ERROR(ApplyDeletes(context, single));
      if (context.result.failures.size() == failures) return absl::OkStatus();
      continue;  // ApplyDeletes reported it
    }
    ASSIGN_OR_RETURN(const sql::TableShape* shape, ShapeFor(context.table, record));
    const Row* row = &record.value;
    statement_.clear();
    if (mode_ == sql::InsertMode::kUpdate) {
      sql::AppendUpdates(statement_, *shape, std::span(&row, 1));
    } else {
      sql::AppendInsert(statement_, *shape, std::span(&row, 1), mode_);
    }
    ++context.result.statements;
    absl::StatusOr<uint64_t> written = database_.Execute(statement_);
    if (written.ok()) {
      ++context.result.rows_upserted;
      return absl::OkStatus();
    }
    if (written.status().code() != absl::StatusCode::kInvalidArgument) return written.status();
    context.result.failures.push_back({record.source_index, written.status()});
  }
  return absl::OkStatus();
}

}  // namespace cdcflow::mysql_sink
