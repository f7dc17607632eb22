#include "tests/cdc-capture/integration/harness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "tests/testing/testing.h"

namespace cdcflow::cdc_capture::it {

std::string PgTarget::Conninfo(const std::string& dbname) const {
  return absl::StrCat("host=", host, " port=", port, " user=", user, " password=", password,
                      " dbname=", dbname, " connect_timeout=10");
}

const PgTarget& LocalPg() {
  static const PgTarget* target = [] {
    auto* t = new PgTarget;
    const char* dsn = std::getenv("CDCFLOW_LOCAL_PG_DSN");
    if (dsn == nullptr || dsn[0] == '\0') return t;
    char* err = nullptr;
    PQconninfoOption* options = PQconninfoParse(dsn, &err);
    if (options == nullptr) {
      if (err != nullptr) PQfreemem(err);
      return t;
    }
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;
      const std::string k = o->keyword;
      if (k == "host" || k == "hostaddr") t->host = o->val;
      if (k == "port") t->port = o->val;
      if (k == "user") t->user = o->val;
      if (k == "password") t->password = o->val;
    }
    PQconninfoFree(options);
    return t;
  }();
  return *target;
}

absl::StatusOr<std::unique_ptr<pg::Connection>> ConnectAdmin(const std::string& dbname) {
  return pg::Connection::Connect(LocalPg().Conninfo(dbname));
}

std::string UniqueId() {
  std::string id = testutil::UniqueName("cdc_it");
  for (char& c : id) {
    if (c == '-') c = '_';
  }
  return id;
}

Lsn MustParseLsn(absl::string_view text) {
  std::optional<Lsn> lsn = ParseLsn(text);
  EXPECT_TRUE(lsn.has_value()) << "not an LSN: " << std::string(text);
  return lsn.value_or(0);
}

// ---- TestDatabase ----

void DropStaleDatabases(pg::Connection& admin) {
  auto r =
      admin.Exec("SELECT datname FROM pg_database WHERE datname ~ '^cdc_it_[0-9]+_[0-9]+_[0-9]+$'");
  if (!r.ok()) return;
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (int i = 0; i < r->rows(); ++i) {
    const std::string name(r->Get(i, 0));
    std::vector<std::string> parts = absl::StrSplit(name, '_');  // cdc it ms pid n
    int64_t ms = 0;
    int pid = 0;
    if (parts.size() != 5 || !absl::SimpleAtoi(parts[2], &ms) ||
        !absl::SimpleAtoi(parts[3], &pid)) {
      continue;
    }
    const bool alive = kill(pid, 0) == 0 || errno == EPERM;
    if (alive || now_ms - ms < 10 * 60 * 1000) continue;
    const std::string lit = admin.QuoteLiteral(name);
    (void)admin.Exec(absl::StrCat(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE (database = ", lit,
        " OR starts_with(slot_name, ", lit, ")) AND active_pid IS NOT NULL"));
    absl::SleepFor(absl::Milliseconds(200));
    (void)admin.Exec(absl::StrCat(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE (database = ",
        lit, " OR starts_with(slot_name, ", lit, ")) AND NOT active"));
    (void)admin.Exec(
        absl::StrCat("DROP DATABASE IF EXISTS ", admin.QuoteIdentifier(name), " WITH (FORCE)"));
  }
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  ASSIGN_OR_RETURN(auto admin, ConnectAdmin("postgres"));
  DropStaleDatabases(*admin);
  std::unique_ptr<TestDatabase> db(new TestDatabase(UniqueId()));
  RETURN_IF_ERROR(admin->Exec(absl::StrCat("CREATE DATABASE ", db->id_)).status());
  ASSIGN_OR_RETURN(db->conn_, ConnectAdmin(db->id_));
  return db;
}

TestDatabase::~TestDatabase() {
  if (dropped_) return;
  absl::Status s = Drop();
  if (!s.ok()) ADD_FAILURE() << "dropping test database " << id_ << ": " << s;
}

absl::Status TestDatabase::Drop() {
  dropped_ = true;
  conn_.reset();
  inspect_conn_.reset();
  // The server may just be coming back (fault tests): retry the connection for a while.
  absl::StatusOr<std::unique_ptr<pg::Connection>> admin = ConnectAdmin("postgres");
  for (int i = 0; i < 100 && !admin.ok(); ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    admin = ConnectAdmin("postgres");
  }
  if (!admin.ok()) return admin.status();
  pg::Connection& a = **admin;
  const std::string lit = a.QuoteLiteral(id_);
  const std::string slots_of_mine =
      absl::StrCat("(database = ", lit, " OR starts_with(slot_name, ", lit, "))");
  // Slots first: a database with a slot cannot be dropped, an active slot cannot be dropped.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (true) {
    (void)a.Exec(
        absl::StrCat("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                     "WHERE ",
                     slots_of_mine, " AND active_pid IS NOT NULL"));
    (void)a.Exec(
        absl::StrCat("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE ",
                     slots_of_mine, " AND NOT active"));
    auto left =
        a.Exec(absl::StrCat("SELECT count(*) FROM pg_replication_slots WHERE ", slots_of_mine));
    if (left.ok() && left->rows() == 1 && left->Get(0, 0) == "0") break;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("replication slots of ", id_, " still exist after 20 s"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return a.Exec(absl::StrCat("DROP DATABASE IF EXISTS ", a.QuoteIdentifier(id_), " WITH (FORCE)"))
      .status();
}

absl::StatusOr<pg::Result> TestDatabase::TryExec(const std::string& sql) {
  if (conn_ == nullptr || !conn_->ok()) {
    ASSIGN_OR_RETURN(conn_, ConnectAdmin(id_));
  }
  absl::StatusOr<pg::Result> r = conn_->Exec(sql);
  if (!r.ok() && !conn_->ok()) {
    // The connection broke (a restarted server): one new connection, one more try.
    ASSIGN_OR_RETURN(conn_, ConnectAdmin(id_));
    r = conn_->Exec(sql);
  }
  return r;
}

pg::Result TestDatabase::Exec(const std::string& sql) {
  absl::StatusOr<pg::Result> r = TryExec(sql);
  if (!r.ok()) {
    ADD_FAILURE() << "SQL failed: " << sql << "\n" << r.status();
    return pg::Result();
  }
  return std::move(*r);
}

std::string TestDatabase::Value(const std::string& sql) {
  pg::Result r = Exec(sql);
  if (r.rows() < 1 || r.columns() < 1) {
    ADD_FAILURE() << "no value from: " << sql;
    return "";
  }
  return std::string(r.Get(0, 0));
}

Lsn TestDatabase::CurrentWalLsn() { return MustParseLsn(Value("SELECT pg_current_wal_lsn()")); }

std::optional<TestDatabase::Committed> TestDatabase::CommitTxn(
    const std::vector<std::string>& statements) {
  if (conn_ == nullptr || !conn_->ok()) {
    auto c = ConnectAdmin(id_);
    if (!c.ok()) {
      ADD_FAILURE() << c.status();
      return std::nullopt;
    }
    conn_ = std::move(*c);
  }
  return CommitTxnOn(*conn_, statements);
}

std::optional<TestDatabase::Committed> TestDatabase::CommitTxnOn(
    pg::Connection& conn, const std::vector<std::string>& statements) {
  auto fail = [&](const std::string& what, const absl::Status& s) {
    ADD_FAILURE() << what << ": " << s;
    (void)conn.Exec("ROLLBACK");
    return std::nullopt;
  };
  if (inspect_conn_ == nullptr || !inspect_conn_->ok()) {
    auto c = ConnectAdmin(id_);
    if (!c.ok()) return fail("connect", c.status());
    inspect_conn_ = std::move(*c);
    auto ext = inspect_conn_->Exec("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
    if (!ext.ok()) return fail("pg_walinspect", ext.status());
  }
  auto start = conn.Exec("SELECT pg_current_wal_insert_lsn()");
  if (!start.ok()) return fail("start LSN", start.status());
  const std::string from(start->Get(0, 0));
  if (auto r = conn.Exec("BEGIN"); !r.ok()) return fail("BEGIN", r.status());
  for (const std::string& sql : statements) {
    if (auto r = conn.Exec(sql); !r.ok()) return fail(sql, r.status());
  }
  auto xid = conn.Exec("SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text");
  if (!xid.ok()) return fail("xid", xid.status());
  Committed c;
  if (!absl::SimpleAtoi(xid->Get(0, 0), &c.xid)) return fail("xid", absl::InternalError("?"));
  if (auto r = conn.Exec("COMMIT"); !r.ok()) return fail("COMMIT", r.status());
  const std::string query =
      absl::StrCat("SELECT end_lsn FROM pg_get_wal_records_info('", from,
                   "', pg_current_wal_flush_lsn()) WHERE resource_manager = 'Transaction' AND "
                   "record_type = 'COMMIT' AND xid = '",
                   c.xid, "'");
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto r = inspect_conn_->Exec(query);
    if (!r.ok()) return fail("pg_walinspect", r.status());
    if (r->rows() == 1) {
      c.commit_end = MustParseLsn(r->Get(0, 0));
      return c;
    }
    absl::SleepFor(absl::Milliseconds(20));  // not flushed yet (asynchronous commit)
  }
  ADD_FAILURE() << "no COMMIT record for xid " << c.xid << " after " << from;
  return std::nullopt;
}

std::optional<SlotState> TestDatabase::Slot() {
  absl::StatusOr<pg::Result> r =
      TryExec(absl::StrCat("SELECT confirmed_flush_lsn, active FROM pg_replication_slots "
                           "WHERE slot_name = '",
                           id_, "'"));
  if (!r.ok() || r->rows() != 1) return std::nullopt;
  SlotState s;
  if (!r->IsNull(0, 0)) s.confirmed_flush = MustParseLsn(r->Get(0, 0));
  s.active = r->Get(0, 1) == "t";
  return s;
}

bool TestDatabase::WaitSlotConsistent(absl::Duration timeout) {
  return testutil::WaitFor(
      [&] {
        std::optional<SlotState> s = Slot();
        return s && s->confirmed_flush.has_value();
      },
      timeout, absl::Milliseconds(20));
}

Lsn TestDatabase::WaitConfirmedAtLeast(Lsn lsn, absl::Duration timeout) {
  Lsn last = 0;
  testutil::WaitFor(
      [&] {
        std::optional<SlotState> s = Slot();
        if (s && s->confirmed_flush) last = *s->confirmed_flush;
        return last >= lsn;
      },
      timeout, absl::Milliseconds(20));
  return last;
}

// ---- CaptureProcess ----

absl::StatusOr<std::unique_ptr<CaptureProcess>> CaptureProcess::Start(const std::string& name,
                                                                      const std::string& yaml) {
  std::unique_ptr<CaptureProcess> p(new CaptureProcess);
  // $CDC_CAPTURE_BINARY runs another build of the binary (sanitizers, a mutant) under test;
  // the fixture printed the log if the test failed, CDC_IT_KEEP_LOGS=1 keeps the files.
  RETURN_IF_ERROR(p->Launch({.name = name,
                             .binary = CDC_CAPTURE_BINARY,
                             .binary_env = "CDC_CAPTURE_BINARY",
                             .config = yaml,
                             .keep_logs_env = "CDC_IT_KEEP_LOGS",
                             .stop_timeout = absl::Seconds(20)}));
  return p;
}

// ---- Events ----

Json Event::KeyJson() const { return key ? Json::parse(*key) : Json(); }
Json Event::ValueJson() const { return value ? Json::parse(*value) : Json(); }
Json Event::Payload() const {
  if (!value) return Json();
  Json v = Json::parse(*value);
  return v.contains("payload") ? v["payload"] : v;
}
std::string Event::Op() const {
  Json p = Payload();
  return p.is_object() && p.contains("op") ? p["op"].get<std::string>() : "";
}

absl::StatusOr<std::unique_ptr<EventReader>> EventReader::Create(std::vector<std::string> topics) {
  std::unique_ptr<EventReader> r(new EventReader);
  ASSIGN_OR_RETURN(
      r->consumer_,
      kafka::Consumer::Create({.bootstrap_servers = testutil::KafkaBootstrap(),
                               .group_id = testutil::UniqueName("cdc-it-reader"),
                               .auto_offset_reset = "earliest",
                               // Re-check subscribed topics the broker did not
                               // know yet within a second, not five minutes.
                               .properties = {{"topic.metadata.refresh.interval.ms", "1000"}},
                               .statistics_interval = absl::ZeroDuration(),
                               .on_log = testutil::LogToStderr},
                              r->registry_));
  RETURN_IF_ERROR(r->consumer_->Subscribe(topics));
  return r;
}

EventReader::~EventReader() {
  if (consumer_) (void)consumer_->Close();
}

bool EventReader::PollOnce(absl::Duration timeout) {
  absl::StatusOr<std::vector<kafka::Message>> batch = consumer_->Poll(timeout);
  if (!batch.ok()) {
    ADD_FAILURE() << "consumer poll: " << batch.status();
    return false;
  }
  for (kafka::Message& m : *batch) {
    Event e;
    e.topic = std::string(m.topic());
    e.partition = m.partition();
    e.offset = m.offset();
    e.timestamp_ms = m.timestamp_ms();
    if (m.has_key()) e.key = std::string(m.key());
    if (m.has_value()) e.value = std::string(m.value());
    ++received_[absl::StrCat(e.topic, "/", e.partition)];
    buffered_.push_back(std::move(e));
  }
  return !batch->empty();
}

std::vector<Event> EventReader::Read(size_t count, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (buffered_.size() < count && absl::Now() < deadline) {
    PollOnce(std::min(absl::Milliseconds(100), deadline - absl::Now()));
  }
  const size_t n = std::min(count, buffered_.size());
  std::vector<Event> out(std::make_move_iterator(buffered_.begin()),
                         std::make_move_iterator(buffered_.begin() + n));
  buffered_.erase(buffered_.begin(), buffered_.begin() + n);
  return out;
}

std::vector<Event> EventReader::ReadUntil(const std::function<bool(const Event&)>& last,
                                          absl::Duration timeout, bool* found) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<Event> out;
  *found = false;
  while (true) {
    while (!buffered_.empty()) {
      out.push_back(std::move(buffered_.front()));
      buffered_.erase(buffered_.begin());
      if (last(out.back())) {
        *found = true;
        return out;
      }
    }
    if (absl::Now() >= deadline) return out;
    PollOnce(std::min(absl::Milliseconds(100), deadline - absl::Now()));
  }
}

std::vector<Event> EventReader::ReadFor(absl::Duration duration) {
  const absl::Time deadline = absl::Now() + duration;
  while (absl::Now() < deadline)
    PollOnce(std::min(absl::Milliseconds(100), deadline - absl::Now()));
  std::vector<Event> out = std::move(buffered_);
  buffered_.clear();
  return out;
}

std::string EventReader::Describe() {
  std::string out = "received {";
  for (const auto& [tp, n] : received_) absl::StrAppend(&out, tp, ": ", n, ", ");
  absl::StrAppend(&out, "} assigned {");
  auto assignment = consumer_->Assignment();
  if (assignment.ok()) {
    for (const auto& tp : *assignment) absl::StrAppend(&out, tp.topic, "/", tp.partition, ", ");
  } else {
    absl::StrAppend(&out, assignment.status().ToString());
  }
  return out + "}";
}

// ---- Config ----

std::string CaptureConfig::Yaml() const {
  const PgTarget& pg = LocalPg();
  std::map<std::string, std::string> c = {
      {"database.hostname", pg.host},
      {"database.port", pg.port},
      {"database.user", pg.user},
      {"database.password", pg.password},
      {"database.dbname", dbname},
      {"topic.prefix", id},
      {"slot.name", id},
      {"publication.name", id},
      {"publication.autocreate.mode", "filtered"},
      {"table.include.list", absl::StrJoin(tables, ",")},
      {"snapshot.mode", "initial"},
  };
  for (const auto& [k, v] : connector) c[k] = v;
  std::string yaml = "connector:\n";
  for (const auto& [k, v] : c) absl::StrAppend(&yaml, "  ", k, ": ", testutil::YamlQuote(v), "\n");
  absl::StrAppend(&yaml,
                  "kafka:\n  bootstrap.servers: ", testutil::YamlQuote(testutil::KafkaBootstrap()),
                  "\n");
  for (const auto& [k, v] : kafka)
    absl::StrAppend(&yaml, "  ", k, ": ", testutil::YamlQuote(v), "\n");
  if (!offset_storage_topic.empty()) {
    absl::StrAppend(&yaml, "  offset.storage.topic: ", testutil::YamlQuote(offset_storage_topic),
                    "\n");
  }
  if (!kafka_properties.empty()) {
    absl::StrAppend(&yaml, "  properties:\n");
    for (const auto& [k, v] : kafka_properties) {
      absl::StrAppend(&yaml, "    ", k, ": ", testutil::YamlQuote(v), "\n");
    }
  }
  absl::StrAppend(&yaml, "logging:\n  level: ", log_level, "\n  format: text\n");
  absl::StrAppend(&yaml, "metrics:\n  port: 0\n");
  absl::StrAppend(&yaml, "admin:\n  port: ", admin_port, "\n");
  absl::StrAppend(&yaml, extra_sections);
  return yaml;
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) {
    if (output != nullptr) output->append(buf, n);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace cdcflow::cdc_capture::it
