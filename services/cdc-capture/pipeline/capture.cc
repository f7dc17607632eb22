#include "services/cdc-capture/pipeline/capture.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/pg/connection.h"
#include "services/cdc-capture/events/json_writer.h"
#include "services/cdc-capture/pgoutput/decoder.h"
#include "services/cdc-capture/replication/connection.h"
#include "services/cdc-capture/replication/protocol.h"
#include "services/cdc-capture/source/catalog.h"
#include "services/cdc-capture/source/snapshot_reader.h"

namespace cdcflow::cdc_capture {

struct Capture::TableState {
  events::TableSchema schema;
  bool captured = false;
  std::string name;  // schema.table
  // Cached counters: Family::Add takes a lock and hashes labels.
  prometheus::Counter* by_op[5] = {};
};

struct Capture::Session {
  std::unique_ptr<replication::ReplicationConnection> repl;
  std::unique_ptr<pg::Connection> sql;
  std::unique_ptr<source::Catalog> catalog;
  std::shared_ptr<DeliveryTracker> tracker;
  pgoutput::Decoder decoder;
  std::map<uint32_t, TableState> tables;
  events::RecordBatch batch;
  TableState incremental_table;  // the table the incremental snapshot reads now

  // The transaction being decoded.
  bool in_txn = false;
  DeliveryTracker::Seq txn_seq = 0;
  uint32_t xid = 0;
  int64_t commit_time_us = 0;
  Lsn last_commit_lsn = 0;

  // Processing time of the message being handled (the envelope's ts_ms): read once per WAL
  // message or snapshot row, not once per record.
  int64_t now_us = 0;

  Lsn received = 0;
  Lsn last_flush_sent = 0;
  absl::Time last_status = absl::InfinitePast();
  absl::Time last_heartbeat = absl::InfinitePast();
};

namespace {

// Replication lag: WAL the server has that the slot has not confirmed.
uint64_t BytesBehind(Lsn server_end, Lsn confirmed) {
  return server_end > confirmed ? server_end - confirmed : 0;
}

int OpIndex(events::Op op) {
  switch (op) {
    case events::Op::kCreate:
      return 0;
    case events::Op::kUpdate:
      return 1;
    case events::Op::kDelete:
      return 2;
    case events::Op::kRead:
      return 3;
    case events::Op::kTruncate:
      return 4;
  }
  return 0;
}

constexpr char kOpLetters[] = {'c', 'u', 'd', 'r', 't'};

// Errors that a new session will not fix: stop the service with the message.
bool IsPermanent(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

}  // namespace

Capture::Capture(const Config& config, EventSink& sink, CaptureMetrics& metrics,
                 std::shared_ptr<spdlog::logger> log, common::Clock& clock)
    : config_(config),
      sink_(sink),
      metrics_(metrics),
      log_(std::move(log)),
      clock_(clock),
      encoder_(config.Encoder()),
      filter_(config.connector.table_include_list, config.connector.table_exclude_list),
      incremental_(config.connector.incremental_snapshot_chunk_size),
      watermark_prefix_(
          absl::StrCat(IncrementalSnapshot::kMessagePrefix, "/", config.connector.slot_name)) {
  // Values of types the encoder does not know go out as strings; say so once per type.
  encoder_.set_unknown_type_callback([log = log_](uint32_t oid, absl::string_view column) {
    log->warn("column {} has a type unknown to cdc-capture (oid {}): sent as its text form", column,
              oid);
  });
}

Capture::~Capture() = default;

bool Capture::Skipped(events::Op op) const {
  const std::string letter(1, static_cast<char>(op));
  const auto& skipped = config_.connector.skipped_operations;
  return std::find(skipped.begin(), skipped.end(), letter) != skipped.end();
}

void Capture::OnDelivered(uint64_t token, const absl::Status& status) {
  if (!status.ok()) {
    metrics_.delivery_errors.Increment();
    std::lock_guard lock(error_mu_);
    if (delivery_error_.ok()) {
      delivery_error_ =
          absl::Status(status.code(), absl::StrCat("kafka delivery failed: ", status.message()));
    }
    has_delivery_error_ = true;
  }
  if (token == kUntrackedToken) return;
  std::shared_ptr<DeliveryTracker> tracker;
  {
    std::lock_guard lock(tracker_mu_);
    tracker = tracker_;
  }
  // A failed record is still "reported": the session stops on delivery_error_, and its
  // transaction is never confirmed because the session ends before it could be.
  if (tracker && status.ok()) tracker->Ack(token);
}

absl::Status Capture::RunForever(const std::atomic<bool>& stop) {
  common::Backoff backoff({.initial = absl::Milliseconds(200), .max = absl::Seconds(30)});
  while (!stop) {
    absl::Status s = RunSession(stop);
    streaming_ = false;
    metrics_.connected.Set(0);
    // Whatever ended the session, every record it sent gets its delivery report before the
    // next session starts from the slot's confirmed position.
    absl::Status drained = DrainSink(absl::Seconds(30));
    while (!drained.ok() && !stop) {
      log_->warn("waiting for Kafka to acknowledge in-flight events: {}", drained.message());
      drained = DrainSink(absl::Seconds(30));
    }
    if (initial_only_done_) return absl::OkStatus();
    if (stop) return absl::OkStatus();
    if (s.ok()) continue;
    {
      std::lock_guard lock(counts_mu_);
      last_error_ = std::string(s.message());
    }
    if (IsPermanent(s)) return s;
    const absl::Duration wait = backoff.Next();
    log_->warn("capture session ended: {}; reconnecting in {}", s.message(),
               absl::FormatDuration(wait));
    for (absl::Duration waited; waited < wait && !stop; waited += absl::Milliseconds(50)) {
      clock_.SleepFor(absl::Milliseconds(50));
    }
  }
  return absl::OkStatus();
}

absl::Status Capture::DrainSink(absl::Duration timeout) { return sink_.Flush(timeout); }

absl::Status Capture::RunSession(const std::atomic<bool>& stop) {
  Session s;
  {
    std::lock_guard lock(error_mu_);
    delivery_error_ = absl::OkStatus();
    has_delivery_error_ = false;
  }
  const std::string conninfo = config_.Conninfo();
  ASSIGN_OR_RETURN(s.repl, replication::ReplicationConnection::Connect(conninfo));
  ASSIGN_OR_RETURN(s.sql, pg::Connection::Connect(conninfo));
  ASSIGN_OR_RETURN(auto key_columns,
                   source::ParseMessageKeyColumns(config_.connector.message_key_columns));
  s.catalog = std::make_unique<source::Catalog>(*s.sql, std::move(key_columns));
  RETURN_IF_ERROR(Prepare(s));

  const std::string& slot_name = config_.connector.slot_name;
  const std::string& mode = config_.connector.snapshot_mode;
  ASSIGN_OR_RETURN(std::optional<replication::SlotInfo> slot, s.repl->FindSlot(slot_name));
  if (slot && slot->active) {
    return absl::UnavailableError(
        absl::StrCat("replication slot \"", slot_name, "\" is in use by another connection"));
  }
  if (slot && (slot->plugin != "pgoutput" || slot->database != config_.connector.dbname)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "replication slot \"", slot_name, "\" exists for plugin ", slot->plugin, " in database ",
        slot->database, "; cdc-capture needs pgoutput in ", config_.connector.dbname));
  }
  if (slot && offsets_ != nullptr && (mode == "initial" || mode == "initial_only")) {
    ASSIGN_OR_RETURN(std::optional<CaptureOffsets> saved, offsets_->Load());
    if (!saved || !saved->snapshot_completed) {
      // The slot exists but its snapshot never finished (the process died during it): its
      // exported snapshot is gone, so start over with a new slot and a new snapshot.
      log_->warn(
          "slot {} has no completed snapshot on record: dropping it and redoing the "
          "snapshot",
          slot_name);
      RETURN_IF_ERROR(s.repl->DropSlot(slot_name));
      slot.reset();
    }
  }
  if (slot && mode == "always") {
    log_->info("snapshot.mode=always: recreating slot {} for a consistent snapshot", slot_name);
    RETURN_IF_ERROR(s.repl->DropSlot(slot_name));
    slot.reset();
  }

  Lsn start = 0;
  std::string snapshot_name;
  const bool wants_snapshot = mode != "never";
  if (!slot) {
    ASSIGN_OR_RETURN(replication::CreatedSlot created,
                     s.repl->CreateSlot(slot_name, /*export_snapshot=*/wants_snapshot));
    log_->info("created replication slot {} at {}", slot_name, FormatLsn(created.consistent_point));
    start = created.consistent_point;
    snapshot_name = created.snapshot_name;
  } else {
    start = slot->confirmed_flush;
    log_->info("resuming slot {} from {}", slot_name, FormatLsn(start));
  }
  s.tracker = std::make_shared<DeliveryTracker>(start);
  {
    std::lock_guard lock(tracker_mu_);
    tracker_ = s.tracker;
  }
  s.last_commit_lsn = start;
  s.received = start;
  s.last_flush_sent = start;
  confirmed_lsn_ = start;

  if (!snapshot_name.empty()) {
    RETURN_IF_ERROR(RunSnapshot(s, snapshot_name, start, stop));
    if (offsets_ != nullptr) {
      // Recorded only once Kafka holds every snapshot event.
      RETURN_IF_ERROR(WaitForInFlight(s, stop));
      RETURN_IF_ERROR(offsets_->Save({.snapshot_completed = true, .snapshot_lsn = start}));
    }
  }
  if (mode == "initial_only") {
    RETURN_IF_ERROR(WaitForInFlight(s, stop));
    initial_only_done_ = true;
    log_->info("snapshot.mode=initial_only: snapshot complete, not streaming");
    return absl::OkStatus();
  }
  // The server's WAL position now: lag then shows a resumed slot's backlog from the start,
  // although the walsender may read through gigabytes of other databases' WAL before it sends
  // the first message.
  ASSIGN_OR_RETURN(replication::SystemInfo system, s.repl->IdentifySystem());
  server_wal_end_ = std::max(server_wal_end_.load(), system.wal_position);
  metrics_.replication_lag_bytes.Set(static_cast<double>(BytesBehind(system.wal_position, start)));
  RETURN_IF_ERROR(s.repl->StartReplication(slot_name, start, {config_.connector.publication_name}));
  streaming_ = true;
  metrics_.connected.Set(1);
  return Stream(s, stop);
}

absl::Status Capture::Prepare(Session& s) {
  ASSIGN_OR_RETURN(pg::Result r, s.sql->Exec("SHOW wal_level"));
  if (r.rows() != 1 || r.Get(0, 0) != "logical") {
    return absl::FailedPreconditionError(absl::StrCat(
        "postgres: wal_level is '", r.rows() == 1 ? r.Get(0, 0) : "?",
        "'; logical replication needs wal_level=logical (postgresql.conf, then restart)"));
  }
  return EnsurePublication(s);
}

absl::Status Capture::EnsurePublication(Session& s) {
  const auto& c = config_.connector;
  ASSIGN_OR_RETURN(pg::Result r, s.sql->ExecParams("SELECT puballtables FROM pg_publication "
                                                   "WHERE pubname = $1",
                                                   {c.publication_name}));
  const bool exists = r.rows() == 1;
  const std::string pub = s.sql->QuoteIdentifier(c.publication_name);
  if (c.publication_autocreate_mode == "disabled") {
    if (!exists) {
      return absl::FailedPreconditionError(
          absl::StrCat("publication \"", c.publication_name,
                       "\" does not exist and publication.autocreate.mode is disabled"));
    }
    return absl::OkStatus();
  }
  if (c.publication_autocreate_mode == "all_tables") {
    if (!exists) {
      RETURN_IF_ERROR(
          s.sql->Exec(absl::StrCat("CREATE PUBLICATION ", pub, " FOR ALL TABLES")).status());
      log_->info("created publication {} for all tables", c.publication_name);
    }
    return absl::OkStatus();
  }
  // filtered: the publication lists exactly the tables the filters capture.
  ASSIGN_OR_RETURN(pg::Result tables,
                   s.sql->Exec("SELECT n.nspname, c.relname FROM pg_class c "
                               "JOIN pg_namespace n ON n.oid = c.relnamespace "
                               "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN "
                               "('pg_catalog', 'information_schema') "
                               "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2"));
  std::vector<std::string> names;
  for (int i = 0; i < tables.rows(); ++i) {
    const std::string schema(tables.Get(i, 0)), table(tables.Get(i, 1));
    if (filter_.Captured(schema, table)) {
      names.push_back(
          absl::StrCat(s.sql->QuoteIdentifier(schema), ".", s.sql->QuoteIdentifier(table)));
    }
  }
  if (names.empty()) {
    return absl::NotFoundError(absl::StrCat("table.include.list matches no table in database ",
                                            c.dbname, " (",
                                            absl::StrJoin(c.table_include_list, ","), ")"));
  }
  const std::string list = absl::StrJoin(names, ", ");
  if (!exists) {
    RETURN_IF_ERROR(
        s.sql->Exec(absl::StrCat("CREATE PUBLICATION ", pub, " FOR TABLE ", list)).status());
    log_->info("created publication {} for {}", c.publication_name, list);
  } else if (r.Get(0, 0) == "t") {
    return absl::FailedPreconditionError(
        absl::StrCat("publication \"", c.publication_name,
                     "\" is FOR ALL TABLES, but publication.autocreate.mode is filtered"));
  } else {
    RETURN_IF_ERROR(
        s.sql->Exec(absl::StrCat("ALTER PUBLICATION ", pub, " SET TABLE ", list)).status());
  }
  return absl::OkStatus();
}

absl::Status Capture::RunSnapshot(Session& s, const std::string& snapshot_name,
                                  Lsn consistent_point, const std::atomic<bool>& stop) {
  // Its own connection: the snapshot transaction must not block catalog lookups.
  ASSIGN_OR_RETURN(auto conn, pg::Connection::Connect(config_.Conninfo()));
  source::SnapshotReader reader(*conn, config_.connector.snapshot_fetch_size);
  RETURN_IF_ERROR(reader.Begin(snapshot_name));

  ASSIGN_OR_RETURN(auto published,
                   s.catalog->PublicationTables(config_.connector.publication_name));
  std::vector<source::QualifiedTable> tables;
  for (const auto& t : published) {
    if (filter_.Captured(t.schema, t.table)) tables.push_back(t);
  }
  std::vector<TableState> states;
  int64_t estimated = 0;
  for (const auto& t : tables) {
    TableState st;
    ASSIGN_OR_RETURN(st.schema, s.catalog->ForTable(t));
    st.name = t.Name();
    st.captured = true;
    ASSIGN_OR_RETURN(int64_t rows, reader.EstimateRows(st.schema));
    estimated += rows;
    states.push_back(std::move(st));
  }
  log_->info("snapshot of {} table(s), ~{} rows, at {}", states.size(), estimated,
             FormatLsn(consistent_point));
  metrics_.snapshot_running.Set(1);
  metrics_.snapshot_tables_total.Set(static_cast<double>(states.size()));
  metrics_.snapshot_tables_done.Set(0);
  metrics_.snapshot_rows_estimated.Set(static_cast<double>(estimated));
  snapshot_rows_done_ = 0;

  // The whole snapshot is one tracked unit ending at the slot's consistent point.
  const DeliveryTracker::Seq seq = s.tracker->Open();
  const int64_t read_time = absl::ToUnixMicros(clock_.Now());

  // One row is held back so the very last can be marked snapshot="last".
  struct Pending {
    TableState* table = nullptr;
    std::vector<std::string> values;
    std::vector<bool> nulls;
    pgoutput::Tuple tuple;
  } pending;
  bool emitted_any = false;
  auto emit_pending = [&](bool is_last) -> absl::Status {
    if (pending.table == nullptr) return absl::OkStatus();
    pending.tuple.resize(pending.values.size());
    for (size_t i = 0; i < pending.values.size(); ++i) {
      pending.tuple[i] = pending.nulls[i]
                             ? pgoutput::TupleValue{pgoutput::ValueKind::kNull, {}}
                             : pgoutput::TupleValue{pgoutput::ValueKind::kText, pending.values[i]};
    }
    events::RowChange change;
    change.op = events::Op::kRead;
    change.after = &pending.tuple;
    change.source = {.commit_time_us = read_time,
                     .xid = 0,
                     .lsn = consistent_point,
                     .last_commit_lsn = consistent_point,
                     .snapshot = is_last       ? "last"
                                 : emitted_any ? "true"
                                               : "first"};
    s.now_us = absl::ToUnixMicros(clock_.Now());
    RETURN_IF_ERROR(Emit(s, *pending.table, change, seq, &stop));
    pending.table = nullptr;
    emitted_any = true;
    return absl::OkStatus();
  };

  for (TableState& st : states) {
    prometheus::Counter& rows_counter = metrics_.snapshot_rows.Add({{"table", st.name}});
    RETURN_IF_ERROR(reader.ReadTable(
        st.schema,
        [&](const pgoutput::Tuple& row) -> absl::Status {
          RETURN_IF_ERROR(emit_pending(/*is_last=*/false));
          pending.table = &st;
          pending.values.resize(row.size());
          pending.nulls.resize(row.size());
          for (size_t i = 0; i < row.size(); ++i) {
            pending.nulls[i] = row[i].kind == pgoutput::ValueKind::kNull;
            pending.values[i].assign(row[i].data.data(), row[i].data.size());
          }
          rows_counter.Increment();
          ++snapshot_rows_done_;
          return absl::OkStatus();
        },
        stop));
    metrics_.snapshot_tables_done.Increment();
  }
  RETURN_IF_ERROR(emit_pending(/*is_last=*/true));
  RETURN_IF_ERROR(reader.Commit());
  s.tracker->Seal(seq, consistent_point);
  metrics_.snapshot_running.Set(0);
  log_->info("snapshot done: {} rows", snapshot_rows_done_.load());
  return absl::OkStatus();
}

absl::Status Capture::Stream(Session& s, const std::atomic<bool>& stop) {
  log_->info("streaming from slot {} (publication {})", config_.connector.slot_name,
             config_.connector.publication_name);
  while (!stop) {
    if (has_delivery_error_) {
      std::lock_guard lock(error_mu_);
      return delivery_error_;
    }
    const absl::Time now = clock_.Now();
    RETURN_IF_ERROR(MaybeSendStatus(s, /*force=*/false, now));
    RETURN_IF_ERROR(MaybeHeartbeat(s, now));
    // Backpressure: while paused or while too much is unacknowledged, stop reading WAL (the
    // server buffers it in the slot) but keep answering with status updates.
    if (paused_ ||
        s.tracker->InFlightEvents() >= static_cast<uint64_t>(config_.kafka.max_queue_size)) {
      sink_.Poll(absl::Milliseconds(10));
      continue;
    }
    if (!s.in_txn && incremental_.WantsChunk()) RETURN_IF_ERROR(ReadIncrementalChunk(s));
    ASSIGN_OR_RETURN(std::optional<absl::string_view> data, s.repl->Read(absl::Milliseconds(100)));
    if (!data) continue;
    ASSIGN_OR_RETURN(replication::ServerMessage msg, replication::ParseServerMessage(*data));
    if (auto* x = std::get_if<replication::XLogData>(&msg)) {
      server_wal_end_ = std::max(server_wal_end_.load(), x->wal_end);
      s.received = std::max(s.received, x->wal_start);
      received_lsn_ = s.received;
      RETURN_IF_ERROR(HandleXLogData(s, x->wal_start, x->data));
    } else {
      const auto& k = std::get<replication::Keepalive>(msg);
      server_wal_end_ = std::max(server_wal_end_.load(), k.wal_end);
      if (!s.in_txn) s.tracker->Idle(k.wal_end);
      s.received = std::max(s.received, k.wal_end);
      received_lsn_ = s.received;
      RETURN_IF_ERROR(MaybeSendStatus(s, /*force=*/k.reply_requested));
    }
  }
  // Graceful stop: give in-flight events a chance to be acknowledged, then confirm them.
  absl::Status flushed = sink_.Flush(absl::Seconds(10));
  if (!flushed.ok()) log_->warn("stopping with unacknowledged events: {}", flushed.message());
  return MaybeSendStatus(s, /*force=*/true);
}

absl::Status Capture::HandleXLogData(Session& s, Lsn lsn, absl::string_view data) {
  s.now_us = absl::ToUnixMicros(clock_.Now());
  absl::StatusOr<pgoutput::Decoded> decoded = s.decoder.Decode(data);
  if (!decoded.ok()) {
    // The WAL is the source of truth and cannot be skipped: stop, and say what was seen.
    metrics_.decode_errors.Increment();
    return absl::InternalError(
        absl::StrCat("at LSN ", FormatLsn(lsn), ": ", decoded.status().message()));
  }
  pgoutput::Message& m = decoded->message;
  if (auto* begin = std::get_if<pgoutput::Begin>(&m)) {
    s.in_txn = true;
    s.txn_seq = s.tracker->Open();
    s.xid = begin->xid;
    s.commit_time_us = begin->commit_time;
    return absl::OkStatus();
  }
  if (auto* commit = std::get_if<pgoutput::Commit>(&m)) {
    if (!s.in_txn) return absl::InternalError("pgoutput: Commit without Begin");
    s.tracker->Seal(s.txn_seq, commit->end_lsn);
    s.last_commit_lsn = commit->commit_lsn;
    s.in_txn = false;
    metrics_.transactions.Increment();
    metrics_.milliseconds_behind_source.Set(static_cast<double>(s.now_us - commit->commit_time) /
                                            1000.0);
    return absl::OkStatus();
  }
  if (auto* rel = std::get_if<pgoutput::Relation>(&m)) return HandleRelation(s, *rel);

  auto table_for = [&](uint32_t oid) -> absl::StatusOr<TableState*> {
    auto it = s.tables.find(oid);
    if (it == s.tables.end()) {
      return absl::InternalError(absl::StrCat("pgoutput: change for unknown relation ", oid));
    }
    return &it->second;
  };
  events::RowChange change;
  change.source = {.commit_time_us = s.commit_time_us,
                   .xid = s.xid,
                   .lsn = lsn,
                   .last_commit_lsn = s.last_commit_lsn,
                   .snapshot = "false"};
  if (auto* ins = std::get_if<pgoutput::Insert>(&m)) {
    ASSIGN_OR_RETURN(TableState * t, table_for(ins->relation_oid));
    change.op = events::Op::kCreate;
    change.after = &ins->new_tuple;
    return Emit(s, *t, change, s.txn_seq, nullptr);
  }
  if (auto* upd = std::get_if<pgoutput::Update>(&m)) {
    ASSIGN_OR_RETURN(TableState * t, table_for(upd->relation_oid));
    change.op = events::Op::kUpdate;
    change.before = upd->old_kind != 0 ? &upd->old_tuple : nullptr;
    change.before_kind = upd->old_kind;
    change.after = &upd->new_tuple;
    return Emit(s, *t, change, s.txn_seq, nullptr);
  }
  if (auto* del = std::get_if<pgoutput::Delete>(&m)) {
    ASSIGN_OR_RETURN(TableState * t, table_for(del->relation_oid));
    change.op = events::Op::kDelete;
    change.before = &del->old_tuple;
    change.before_kind = del->old_kind;
    return Emit(s, *t, change, s.txn_seq, nullptr);
  }
  if (auto* tr = std::get_if<pgoutput::Truncate>(&m)) {
    change.op = events::Op::kTruncate;
    for (uint32_t oid : tr->relation_oids) {
      ASSIGN_OR_RETURN(TableState * t, table_for(oid));
      RETURN_IF_ERROR(Emit(s, *t, change, s.txn_seq, nullptr));
    }
    return absl::OkStatus();
  }
  if (auto* msg = std::get_if<pgoutput::LogicalMessage>(&m)) {
    if (msg->prefix == watermark_prefix_) {
      if (auto rows = incremental_.OnWatermark(std::string(msg->content))) {
        return EmitIncrementalRows(s, lsn, *rows);
      }
    }
    return absl::OkStatus();
  }
  // Origin, Type (custom types are read from the catalog), other logical decoding messages:
  // nothing to publish. Stream* messages do not occur: streaming is not requested (proto_version
  // 1).
  return absl::OkStatus();
}

absl::Status Capture::HandleRelation(Session& s, const pgoutput::Relation& relation) {
  TableState st;
  st.name = absl::StrCat(relation.schema, ".", relation.name);
  st.captured = filter_.Captured(relation.schema, relation.name);
  if (st.captured) {
    ASSIGN_OR_RETURN(st.schema, s.catalog->FromRelation(relation));
    for (int i = 0; i < 5; ++i) st.by_op[i] = &EventCounter(st.name, i);
  } else {
    st.schema.relation_oid = relation.oid;
    st.schema.schema = relation.schema;
    st.schema.table = relation.name;
  }
  s.tables[relation.oid] = std::move(st);
  return absl::OkStatus();
}

absl::Status Capture::Emit(Session& s, TableState& table, const events::RowChange& change,
                           uint64_t token, const std::atomic<bool>* stop) {
  if (!table.captured) return absl::OkStatus();
  if (incremental_.InWindow() && change.source.snapshot == "false") {
    EvictFromIncrementalChunk(table, change);
  }
  if (Skipped(change.op)) return absl::OkStatus();
  s.batch.Clear();
  RETURN_IF_ERROR(encoder_.Encode(table.schema, change, s.now_us, s.batch));
  RETURN_IF_ERROR(SendAll(s, stop, token));
  const int op = OpIndex(change.op);
  if (table.by_op[op] == nullptr) table.by_op[op] = &EventCounter(table.name, op);
  table.by_op[op]->Increment();
  return absl::OkStatus();
}

absl::Status Capture::SendAll(Session& s, const std::atomic<bool>* stop, uint64_t token) {
  for (size_t i = 0; i < s.batch.size(); ++i) {
    if (token != kUntrackedToken) s.tracker->Add(token);
    while (true) {
      absl::Status st = sink_.Send(s.batch[i], token);
      if (st.ok()) break;
      if (!absl::IsResourceExhausted(st)) return st;
      // The producer's queue is full (Kafka slow or down): wait, keep PostgreSQL informed.
      sink_.Poll(absl::Milliseconds(10));
      if (s.repl && streaming_) RETURN_IF_ERROR(MaybeSendStatus(s, false));
      if (stop != nullptr && *stop) return absl::CancelledError("stopping while Kafka is full");
      if (has_delivery_error_) {
        std::lock_guard lock(error_mu_);
        return delivery_error_;
      }
    }
  }
  metrics_.queue_events.Set(static_cast<double>(s.tracker->InFlightEvents()));
  return absl::OkStatus();
}

absl::Status Capture::MaybeSendStatus(Session& s, bool force,
                                      std::optional<absl::Time> clock_reading) {
  const absl::Time now = clock_reading ? *clock_reading : clock_.Now();
  const Lsn confirm = s.tracker->Confirmable();
  const bool advanced = confirm > s.last_flush_sent;
  // Confirm promptly when something new is safe (so WAL is released), otherwise at the
  // status interval as a keepalive.
  if (!force && !(advanced && now - s.last_status >= absl::Milliseconds(10)) &&
      now - s.last_status < absl::Milliseconds(config_.connector.status_interval_ms)) {
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(s.repl->SendStatus(std::max(s.received, confirm), confirm, false));
  s.last_status = now;
  s.last_flush_sent = confirm;
  confirmed_lsn_ = confirm;
  metrics_.confirmed_lsn.Set(static_cast<double>(confirm));
  metrics_.received_lsn.Set(static_cast<double>(s.received));
  metrics_.replication_lag_bytes.Set(
      static_cast<double>(BytesBehind(server_wal_end_.load(), confirm)));
  metrics_.queue_events.Set(static_cast<double>(s.tracker->InFlightEvents()));
  return absl::OkStatus();
}

absl::Status Capture::MaybeHeartbeat(Session& s, absl::Time now) {
  if (config_.connector.heartbeat_interval_ms <= 0) return absl::OkStatus();
  if (now - s.last_heartbeat < absl::Milliseconds(config_.connector.heartbeat_interval_ms)) {
    return absl::OkStatus();
  }
  s.last_heartbeat = now;
  // As Debezium's heartbeat: key {"serverName": prefix}, value {"ts_ms": now}, through the
  // JSON converter: wrapped with their Connect schemas (SchemaFactory's ServerNameKey and
  // Heartbeat) unless key/value.converter.schemas.enable is false.
  s.batch.Clear();
  events::Record& r = s.batch.Add();
  r.topic = absl::StrCat("__cdcflow-heartbeat.", config_.connector.topic_prefix);
  std::string key_payload = R"({"serverName":)";
  events::json::AppendString(key_payload, config_.connector.topic_prefix);
  key_payload += "}";
  const std::string value_payload = absl::StrCat(R"({"ts_ms":)", absl::ToUnixMillis(now), "}");
  r.key = config_.connector.key_schemas_enable
              ? absl::StrCat(
                    R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,)"
                    R"("field":"serverName"}],"optional":false,)"
                    R"("name":"io.debezium.connector.common.ServerNameKey","version":1},)"
                    R"("payload":)",
                    key_payload, "}")
              : key_payload;
  r.has_key = true;
  r.value =
      config_.connector.value_schemas_enable
          ? absl::StrCat(R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,)"
                         R"("field":"ts_ms"}],"optional":false,)"
                         R"("name":"io.debezium.connector.common.Heartbeat","version":1},)"
                         R"("payload":)",
                         value_payload, "}")
          : value_payload;
  r.has_value = true;
  RETURN_IF_ERROR(SendAll(s, nullptr, kUntrackedToken));
  metrics_.heartbeats.Increment();
  return absl::OkStatus();
}

absl::Status Capture::WaitForInFlight(Session& s, const std::atomic<bool>& stop) {
  while (s.tracker->InFlightEvents() > 0 || s.tracker->InFlightTransactions() > 0) {
    if (stop) return absl::CancelledError("stopped while waiting for Kafka");
    if (has_delivery_error_) {
      std::lock_guard lock(error_mu_);
      return delivery_error_;
    }
    sink_.Poll(absl::Milliseconds(10));
  }
  confirmed_lsn_ = s.tracker->Confirmable();
  return absl::OkStatus();
}

absl::StatusOr<int> Capture::ExecuteSnapshot(const std::vector<std::string>& tables) {
  for (const std::string& t : tables) {
    const size_t dot = t.find('.');
    if (dot == std::string::npos || !filter_.Captured(t.substr(0, dot), t.substr(dot + 1))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "execute-snapshot: \"", t, "\" is not a captured table (expected schema.table)"));
    }
  }
  incremental_.Enqueue(tables);
  log_->info("incremental snapshot requested for {}", absl::StrJoin(tables, ", "));
  return static_cast<int>(incremental_.QueuedTables());
}

absl::Status Capture::ReadIncrementalChunk(Session& s) {
  const std::string& name = incremental_.table();
  const size_t dot = name.find('.');
  if (s.incremental_table.name != name) {
    absl::StatusOr<events::TableSchema> schema =
        s.catalog->ForTable({name.substr(0, dot), name.substr(dot + 1)});
    if (!schema.ok() || schema->key_columns.empty()) {
      log_->warn("incremental snapshot skips {}: {}", name,
                 schema.ok() ? "it has no primary key" : schema.status().message());
      incremental_.SkipTable();
      return absl::OkStatus();
    }
    s.incremental_table = TableState{.schema = *std::move(schema), .captured = true, .name = name};
  }
  const events::TableSchema& t = s.incremental_table.schema;
  std::vector<std::string> cols, keys, params;
  for (const auto& c : t.columns) cols.push_back(s.sql->QuoteIdentifier(c.name));
  for (size_t i = 0; i < t.key_columns.size(); ++i) {
    keys.push_back(cols[t.key_columns[i]]);
    params.push_back(absl::StrCat("$", i + 1));
  }
  std::string sql =
      absl::StrCat("SELECT ", absl::StrJoin(cols, ", "), " FROM ", s.sql->QuoteIdentifier(t.schema),
                   ".", s.sql->QuoteIdentifier(t.table));
  std::vector<std::optional<std::string>> args;
  if (!incremental_.after_key().empty()) {
    absl::StrAppend(&sql, " WHERE (", absl::StrJoin(keys, ", "), ") > (",
                    absl::StrJoin(params, ", "), ")");
    args = incremental_.after_key();
  }
  absl::StrAppend(&sql, " ORDER BY ", absl::StrJoin(keys, ", "), " LIMIT ",
                  incremental_.chunk_size());

  // DBLog: low watermark, the chunk, high watermark; the stream sorts out the rest.
  const uint64_t id = incremental_.next_watermark_id();
  auto watermark = [&](const char* kind) {
    return s.sql
        ->ExecParams("SELECT pg_logical_emit_message(false, $1, $2)",
                     {watermark_prefix_, absl::StrCat(kind, ":", id)})
        .status();
  };
  RETURN_IF_ERROR(watermark("low"));
  // The chunk and the snapshot it was read under, in one transaction.
  RETURN_IF_ERROR(s.sql->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").status());
  absl::StatusOr<pg::Result> snap = s.sql->Exec("SELECT pg_current_snapshot()::text");
  absl::StatusOr<pg::Result> chunk =
      snap.ok() ? s.sql->ExecParams(sql, args) : absl::StatusOr<pg::Result>(snap.status());
  RETURN_IF_ERROR(s.sql->Exec(chunk.ok() ? "COMMIT" : "ROLLBACK").status());
  RETURN_IF_ERROR(chunk.status());
  std::optional<IncrementalSnapshot::Snapshot> snapshot =
      IncrementalSnapshot::Snapshot::Parse(std::string(snap->Get(0, 0)));
  if (!snapshot) {
    return absl::InternalError(
        absl::StrCat("postgres: unexpected pg_current_snapshot() value ", snap->Get(0, 0)));
  }
  const pg::Result& r = *chunk;
  std::vector<std::pair<IncrementalSnapshot::Row, IncrementalSnapshot::Row>> rows;
  rows.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    IncrementalSnapshot::Row row;
    for (int c = 0; c < r.columns(); ++c) row.push_back(r.GetOptional(i, c));
    IncrementalSnapshot::Row key;
    for (int k : t.key_columns) key.push_back(row[k]);
    rows.emplace_back(std::move(key), std::move(row));
  }
  RETURN_IF_ERROR(watermark("high"));
  incremental_.ChunkRead(id, *snapshot, std::move(rows));
  return absl::OkStatus();
}

void Capture::EvictFromIncrementalChunk(const TableState& table, const events::RowChange& change) {
  auto evict = [&](const pgoutput::Tuple* tuple) {
    if (tuple == nullptr) return;
    IncrementalSnapshot::Row key;
    for (int k : table.schema.key_columns) {
      if (k >= static_cast<int>(tuple->size())) return;
      const pgoutput::TupleValue& v = (*tuple)[k];
      if (v.kind == pgoutput::ValueKind::kNull) {
        key.push_back(std::nullopt);
      } else {
        key.push_back(std::string(v.data));
      }
    }
    incremental_.OnChange(table.name, key, change.source.xid);
  };
  evict(change.before);
  evict(change.after);
}

absl::Status Capture::EmitIncrementalRows(Session& s, Lsn lsn,
                                          const std::vector<IncrementalSnapshot::Row>& rows) {
  const DeliveryTracker::Seq seq = s.tracker->Open();
  pgoutput::Tuple tuple;
  events::RowChange change;
  change.op = events::Op::kRead;
  s.now_us = absl::ToUnixMicros(clock_.Now());
  change.source = {.commit_time_us = s.now_us,
                   .xid = 0,
                   .lsn = lsn,
                   .last_commit_lsn = s.last_commit_lsn,
                   .snapshot = "incremental"};
  for (const auto& row : rows) {
    tuple.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      tuple[i] = row[i] ? pgoutput::TupleValue{pgoutput::ValueKind::kText, *row[i]}
                        : pgoutput::TupleValue{pgoutput::ValueKind::kNull, {}};
    }
    change.after = &tuple;
    RETURN_IF_ERROR(Emit(s, s.incremental_table, change, seq, nullptr));
  }
  s.tracker->Seal(seq, lsn);
  return absl::OkStatus();
}

bool Capture::Pause() {
  const bool changed = !paused_.exchange(true);
  metrics_.paused.Set(1);
  if (changed) log_->info("paused by admin call");
  return changed;
}

bool Capture::Resume() {
  const bool changed = paused_.exchange(false);
  metrics_.paused.Set(0);
  if (changed) log_->info("resumed by admin call");
  return changed;
}

void Capture::FillStatus(cdcflow::v1::GetStatusResponse& status) {
  using cdcflow::v1::ComponentState;
  const ComponentState state = paused_      ? cdcflow::v1::COMPONENT_STATE_PAUSED
                               : streaming_ ? cdcflow::v1::COMPONENT_STATE_RUNNING
                                            : cdcflow::v1::COMPONENT_STATE_DEGRADED;
  status.set_state(state);
  auto* repl = status.add_components();
  repl->set_name("replication");
  repl->set_state(state);
  auto& attrs = *repl->mutable_attributes();
  attrs["slot"] = config_.connector.slot_name;
  attrs["publication"] = config_.connector.publication_name;
  attrs["confirmed_lsn"] = FormatLsn(confirmed_lsn_.load());
  attrs["received_lsn"] = FormatLsn(received_lsn_.load());
  attrs["server_lsn"] = FormatLsn(server_wal_end_.load());
  (*repl->mutable_counters())["lag_bytes"] =
      static_cast<int64_t>(BytesBehind(server_wal_end_.load(), confirmed_lsn_.load()));
  (*repl->mutable_counters())["snapshot_rows"] = snapshot_rows_done_.load();
  std::lock_guard lock(counts_mu_);
  if (!last_error_.empty()) repl->set_message(last_error_);
  for (const auto& [table, counters] : event_counters_) {
    auto* c = status.add_components();
    c->set_name("table:" + table);
    c->set_state(state);
    for (int op = 0; op < 5; ++op) {
      const int64_t n = counters[op] ? static_cast<int64_t>(counters[op]->Value()) : 0;
      if (n > 0) (*c->mutable_counters())[std::string(1, kOpLetters[op])] = n;
    }
  }
}

prometheus::Counter& Capture::EventCounter(const std::string& table, int op) {
  std::lock_guard lock(counts_mu_);
  prometheus::Counter*& counter = event_counters_[table][op];
  if (counter == nullptr) {
    counter = &metrics_.events.Add({{"table", table}, {"op", std::string(1, kOpLetters[op])}});
  }
  return *counter;
}

}  // namespace cdcflow::cdc_capture
