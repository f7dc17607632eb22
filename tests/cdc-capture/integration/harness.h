#pragma once

// Test harness for cdc-capture's integration tests against deploy/local's real PostgreSQL 15
// and Kafka: a throw-away database per test (with its own slot, publication and topic
// prefix), the real cdc-capture binary started on a generated config, and a Kafka reader
// that hands back the events as parsed JSON.
//
// Every name a test creates derives from one id, "cdc_it_<unix ms>_<pid>_<n>": the database,
// the slot, the publication, the topic prefix (topics "<id>.public.<table>").

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/consumer.h"
#include "libs/pg/connection.h"
#include "services/cdc-capture/pgoutput/lsn.h"
#include "tests/testing/child_process.h"
#include "tests/testing/topic_set.h"

namespace cdcflow::cdc_capture::it {

using Json = nlohmann::ordered_json;

// Where deploy/local's PostgreSQL is: parsed from $CDCFLOW_LOCAL_PG_DSN (deploy/local/env.sh),
// defaulting to host=127.0.0.1 port=5432 user=admin password=admin.
struct PgTarget {
  std::string host = "127.0.0.1";
  std::string port = "5432";
  std::string user = "admin";
  std::string password = "admin";
  std::string Conninfo(const std::string& dbname) const;
};
const PgTarget& LocalPg();

// A connection to `dbname` as the admin superuser.
absl::StatusOr<std::unique_ptr<pg::Connection>> ConnectAdmin(const std::string& dbname);

// "cdc_it_<unix ms>_<pid>_<n>": a valid database, slot, publication, role and topic prefix.
std::string UniqueId();

struct SlotState {
  std::optional<Lsn> confirmed_flush;  // null until the slot is consistent
  bool active = false;
};

// A database of its own, dropped (with its replication slots) by the destructor.
class TestDatabase {
 public:
  // Also drops leftovers of earlier runs whose process is gone (see DropStaleDatabases).
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& id() const { return id_; }
  const std::string& name() const { return id_; }

  // SQL on the test database (reconnecting once if the connection broke); a failure is a
  // test failure (ADD_FAILURE) and returns an empty result.
  pg::Result Exec(const std::string& sql);
  absl::StatusOr<pg::Result> TryExec(const std::string& sql);
  // The first column of the first row.
  std::string Value(const std::string& sql);

  Lsn CurrentWalLsn();

  // Runs `statements` in one transaction on the test database; returns its (32-bit) xid and
  // the exact end LSN of its COMMIT record (read back with pg_walinspect): the position
  // pgoutput reports as the commit's end, and what the slot must reach once the
  // transaction's events are in Kafka. nullopt (and a test failure) on error.
  struct Committed {
    int64_t xid = 0;
    Lsn commit_end = 0;
  };
  std::optional<Committed> CommitTxn(const std::vector<std::string>& statements);
  // The same on another connection (e.g. to another database); the WAL is read through
  // the test database, where pg_walinspect is installed.
  std::optional<Committed> CommitTxnOn(pg::Connection& conn,
                                       const std::vector<std::string>& statements);
  // The slot named id(); nullopt when it does not exist.
  std::optional<SlotState> Slot();
  // Polls until the slot exists and is consistent (confirmed_flush_lsn not null): every
  // transaction committing after this returns is streamed, not part of the snapshot.
  bool WaitSlotConsistent(absl::Duration timeout);
  // Polls until the slot's confirmed_flush_lsn >= lsn; returns the last value seen.
  Lsn WaitConfirmedAtLeast(Lsn lsn, absl::Duration timeout);

  // Terminates the sessions using the database and drops its slots and the database.
  absl::Status Drop();

 private:
  explicit TestDatabase(std::string id) : id_(std::move(id)) {}
  std::string id_;
  std::unique_ptr<pg::Connection> conn_;
  std::unique_ptr<pg::Connection> inspect_conn_;  // pg_walinspect queries
  bool dropped_ = false;
};

// Drops databases (and their slots) named cdc_it_<ms>_<pid>_<n> that are older than ten
// minutes and whose process no longer runs: what a crashed or killed test run left behind.
void DropStaleDatabases(pg::Connection& admin);

// The cdc-capture binary (CDC_CAPTURE_BINARY) running on a config file. stdout and stderr go
// to files next to the config. The destructor stops it (SIGTERM, SIGKILL after 20 s).
class CaptureProcess : public testutil::ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<CaptureProcess>> Start(const std::string& name,
                                                               const std::string& yaml);

 private:
  CaptureProcess() = default;
};

// One consumed Kafka record.
struct Event {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: tombstone
  int64_t timestamp_ms = -1;

  bool tombstone() const { return !value.has_value(); }
  Json KeyJson() const;
  Json ValueJson() const;
  // value["payload"] (the envelope); null for a tombstone.
  Json Payload() const;
  // payload.op, "" for a tombstone.
  std::string Op() const;
};

// A consumer (unique group, earliest) of some topics.
class EventReader {
 public:
  static absl::StatusOr<std::unique_ptr<EventReader>> Create(std::vector<std::string> topics);
  ~EventReader();

  // Up to `count` more events, waiting up to `timeout` for them.
  std::vector<Event> Read(size_t count, absl::Duration timeout);
  // Events until (and including) the first for which `last` is true, or until `timeout`
  // (then `found` is false).
  std::vector<Event> ReadUntil(const std::function<bool(const Event&)>& last,
                               absl::Duration timeout, bool* found);
  // Whatever arrives within `duration` (for "nothing more arrives" checks).
  std::vector<Event> ReadFor(absl::Duration duration);
  // Diagnostics: the assignment and how many records each partition gave so far.
  std::string Describe();

 private:
  EventReader() = default;
  bool PollOnce(absl::Duration timeout);

  prometheus::Registry registry_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<Event> buffered_;
  std::map<std::string, int64_t> received_;  // "topic/partition" → records
};

using testutil::TopicSet;  // tests/testing/topic_set.h

// The YAML config of a capture over a test database: the connector section (id() as slot,
// publication and topic prefix; filtered publication over `tables`), kafka, metrics on a free
// port, the admin port given (0: any free port). `connector_extra` entries are added to (or
// replace) the connector section; `extra_sections` is appended verbatim.
struct CaptureConfig {
  std::string dbname;
  std::string id;
  std::vector<std::string> tables;  // "public.t" …
  std::map<std::string, std::string> connector;
  std::map<std::string, std::string> kafka;             // kafka section keys (max.queue.size…)
  std::map<std::string, std::string> kafka_properties;  // kafka.properties (librdkafka)
  std::string offset_storage_topic;  // kafka.offset.storage.topic; empty = the default
  int admin_port = 0;
  std::string log_level = "info";
  std::string extra_sections;
  std::string Yaml() const;
};

// LSN helpers: pg_lsn text ⇄ number.
Lsn MustParseLsn(absl::string_view text);

// Runs a shell command (deploy/local scripts); its exit code, output appended to `output`.
int RunCommand(const std::string& command, std::string* output);

}  // namespace cdcflow::cdc_capture::it
