#pragma once

// Test harness for mysql-sink's integration tests against deploy/local's real MariaDB and
// Kafka: a MariaDB database per test (dropped at the end), Kafka topics created and deleted,
// raw records produced as the tests write them (Debezium JSON built by DebeziumTable), the
// real mysql-sink binary started on a generated config, and readers for what it leaves behind
// (rows, the offsets table, dead-letter records, /metrics, the gRPC admin API).
//
// Every name a test creates derives from one id, "sink_it_<unix ms>_<pid>_<n>": the database,
// the topics ("<id>.<suffix>"), the connector name (consumer group "connect-<id>").

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cdcflow/v1/admin.grpc.pb.h"
#include "cdcflow/v1/sink.grpc.pb.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "libs/mysql/connection.h"
#include "tests/testing/child_process.h"
#include "tests/testing/topic_set.h"

namespace cdcflow::mysql_sink::it {

using Json = nlohmann::ordered_json;

// Where deploy/local's MariaDB is: $CDCFLOW_LOCAL_MYSQL_HOST/PORT/USER/PASSWORD
// (deploy/local/env.sh), defaulting to admin/admin@127.0.0.1:3306.
struct MysqlTarget {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user = "admin";
  std::string password = "admin";
};
const MysqlTarget& LocalMysql();

// A connection as the admin user to `database` ("" = none), through `port` (0 = MariaDB's).
absl::StatusOr<std::unique_ptr<mysql::Connection>> ConnectMysql(const std::string& database,
                                                                int port = 0);

// "sink_it_<unix ms>_<pid>_<n>": a valid database name, topic name part and connector name.
std::string UniqueId();

// A row as text cells; SQL NULL is "NULL".
using TextRow = std::vector<std::string>;

struct ColumnInfo {
  std::string name;
  std::string type;  // information_schema COLUMN_TYPE, e.g. "decimal(12,2)"
  bool nullable = true;
  friend bool operator==(const ColumnInfo&, const ColumnInfo&) = default;
};
std::ostream& operator<<(std::ostream& os, const ColumnInfo& c);

// A MariaDB database of its own, dropped by the destructor.
class TestDatabase {
 public:
  // Also drops leftovers of earlier runs whose process is gone.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }

  // SQL on the test database (reconnecting once when the connection broke); a failure is a
  // test failure (ADD_FAILURE) and returns nothing.
  void Exec(const std::string& sql);
  absl::StatusOr<uint64_t> TryExec(const std::string& sql);
  std::vector<TextRow> Rows(const std::string& sql);
  absl::StatusOr<std::vector<TextRow>> TryRows(const std::string& sql);
  // The first cell of the first row ("" when there is no row).
  std::string Value(const std::string& sql);
  int64_t Int(const std::string& sql);

  bool TableExists(const std::string& table);
  // -1 when the table does not exist.
  int64_t Count(const std::string& table);
  // The table's columns in order (information_schema.COLUMNS).
  std::vector<ColumnInfo> Columns(const std::string& table);
  // The primary-key columns in key order.
  std::vector<std::string> PrimaryKey(const std::string& table);
  // The offsets table's rows of `group_id` and `topic`: partition → next offset.
  std::map<int, int64_t> Offsets(const std::string& group_id, const std::string& topic,
                                 const std::string& offsets_table = "__cdcflow_sink_offsets");

  // `name` backtick-quoted (embedded backticks doubled), for the tests' own SQL.
  static std::string Quote(const std::string& name);
  // A string literal for the tests' own SQL.
  std::string Literal(const std::string& value);

 private:
  explicit TestDatabase(std::string name) : name_(std::move(name)) {}
  absl::Status Reconnect();
  std::string name_;
  std::unique_ptr<mysql::Connection> conn_;
  bool dropped_ = false;
};

// Drops databases named sink_it_<ms>_<pid>_<n> older than ten minutes whose process is gone.
void DropStaleDatabases(mysql::Connection& admin);

// ---- Kafka ----

using testutil::TopicSet;  // tests/testing/topic_set.h

// One record to produce. nullopt key / value = null (a tombstone's value).
struct OutRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int32_t partition = 0;  // kafka::kPartitionUnassigned: by key
  std::vector<std::pair<std::string, std::string>> headers;
};

// A plain (idempotent, acks=all) producer of raw bytes.
class RecordProducer {
 public:
  static absl::StatusOr<std::unique_ptr<RecordProducer>> Create();
  // Enqueues (waiting while the queue is full).
  absl::Status Produce(const std::string& topic, const OutRecord& record);
  // Waits for every acknowledgement; an error when any record was not delivered.
  absl::Status Flush(absl::Duration timeout = absl::Seconds(60));
  // Produce every record, then Flush.
  absl::Status Send(const std::string& topic, const std::vector<OutRecord>& records);

 private:
  RecordProducer() = default;
  prometheus::Registry registry_;
  std::unique_ptr<kafka::Producer> producer_;
  std::shared_ptr<std::atomic<int64_t>> failed_ = std::make_shared<std::atomic<int64_t>>(0);
  std::shared_ptr<std::mutex> error_mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::string> error_ = std::make_shared<std::string>();
};

// One consumed record, copied out of librdkafka.
struct InRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::map<std::string, std::string> headers;  // the last value of each name
};
std::ostream& operator<<(std::ostream& os, const InRecord& r);

// Every record of `topic` from the beginning up to its end at the time of the call (empty when
// the topic does not exist), ordered by partition and offset.
absl::StatusOr<std::vector<InRecord>> ReadTopic(const std::string& topic,
                                                absl::Duration timeout = absl::Seconds(30));
// High watermark of each partition (empty when the topic does not exist).
absl::StatusOr<std::map<int, int64_t>> EndOffsets(const std::string& topic);

// ---- Debezium JSON ----

// One Connect schema field: `{"type":..,"optional":..,"name":..,"parameters":..,"field":..}`.
struct ConnectField {
  std::string field;
  std::string type;  // int8 … int64, float32, float64, boolean, string, bytes
  bool optional = true;
  std::string name;  // logical type, e.g. "org.apache.kafka.connect.data.Decimal"
  Json parameters = nullptr;
  Json ToJson() const;
};
// A Decimal field of the given precision and scale.
ConnectField DecimalField(const std::string& field, int precision, int scale, bool optional);

// The events of one table as Debezium's PostgreSQL connector writes them with JsonConverter
// (schemas.enable=true): key = the key struct, value = the envelope.
class DebeziumTable {
 public:
  DebeziumTable(std::string server, std::string table, std::vector<ConnectField> key_fields,
                std::vector<ConnectField> value_fields);

  // The key record for `key_payload` (with the schema wrapper unless `with_schema` is false).
  std::string Key(const Json& key_payload, bool with_schema = true) const;
  // The envelope: op c/u/d/r with before/after (null where absent).
  std::string Envelope(const std::string& op, const Json& before, const Json& after,
                       bool with_schema = true) const;
  std::string Create(const Json& after) const { return Envelope("c", nullptr, after); }
  std::string Update(const Json& before, const Json& after) const {
    return Envelope("u", before, after);
  }
  std::string Delete(const Json& before) const { return Envelope("d", before, nullptr); }

  // The flattened row (ExtractNewRecordState, add.fields=op, delete.handling.mode=rewrite)
  // with `__deleted`; with a schema when `with_schema`.
  std::string Flattened(const Json& row, bool deleted, bool with_schema = true) const;

 private:
  Json KeySchema() const;
  Json ValueStruct(const std::string& field) const;
  Json EnvelopeSchema() const;
  Json Source() const;

  std::string server_, table_;
  std::vector<ConnectField> key_fields_, value_fields_;
};

// Connect Decimal bytes (big-endian two's complement of the unscaled value) in base64, for a
// decimal written as text with exactly `scale` digits after the point: ("12345.67", 2).
std::string DecimalBase64(const std::string& decimal_text);
// 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) for microseconds since the epoch.
std::string MicrosToDatetime(int64_t micros);

// ---- The sink ----

// The generated YAML config of one mysql-sink: the connector section (database, topics,
// credentials and anything in `connector`, which wins), kafka, logging, metrics and admin on
// the given ports.
struct SinkConfig {
  std::string name;
  std::string database;
  std::vector<std::string> topics;  // empty: no connector.topics in the file
  int mysql_port = 0;               // 0: MariaDB's own port
  std::map<std::string, std::string> connector;
  std::map<std::string, std::string> kafka;             // kafka section keys
  std::map<std::string, std::string> kafka_properties;  // kafka.properties (librdkafka)
  int metrics_port = 0;
  int admin_port = 0;
  std::string log_level = "info";
  std::string Yaml() const;
  std::string GroupId() const { return "connect-" + name; }
};

// The mysql-sink binary (MYSQL_SINK_BINARY, or $MYSQL_SINK_BINARY) on a config. The
// destructor stops it (SIGTERM, SIGKILL after 30 s); SINK_IT_KEEP_LOGS=1 keeps its files.
class SinkProcess : public testutil::ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<SinkProcess>> Start(
      const std::string& name, const std::string& yaml,
      std::map<std::string, std::string> env = {});
  // Polls its log for the startup line.
  bool WaitStarted(absl::Duration timeout = absl::Seconds(30)) const;

 private:
  SinkProcess() = default;
};

// GET http://127.0.0.1:<port><path>: the body; kUnavailable when nothing answers.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);
// The sum of every sample of `name` whose labels include `labels` (nullopt: no such sample)
// in Prometheus text format.
std::optional<double> MetricValue(const std::string& exposition, const std::string& name,
                                  const std::map<std::string, std::string>& labels = {});
// Scrapes /metrics and returns MetricValue (nullopt when the scrape fails too).
std::optional<double> ScrapeMetric(int port, const std::string& name,
                                   const std::map<std::string, std::string>& labels = {});

std::unique_ptr<v1::Admin::Stub> AdminStub(int port);
std::unique_ptr<v1::Sink::Stub> SinkStub(int port);

// ---- A TCP forwarder the tests can cut ----

// Listens on a loopback port and forwards every connection to 127.0.0.1:<target_port>.
// Down() closes the listener and every forwarded connection (clients see their connection
// reset, new connections are refused); Up() listens on the same port again.
class TcpProxy {
 public:
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  absl::Status Up();
  void Down();
  // Connections accepted so far.
  int64_t accepted() const { return accepted_; }

 private:
  explicit TcpProxy(int target_port) : target_port_(target_port) {}
  // Runs on the proxy's thread, which owns every socket: applies Up/Down requests.
  void ApplyRequests(int& listen_fd, std::vector<std::pair<int, int>>& links);
  void Loop();

  const int target_port_;
  int port_ = 0;
  std::thread thread_;
  int wake_[2] = {-1, -1};  // a pipe: Up, Down and the destructor wake the loop
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> accepted_{0};
  // Up/Down requests, applied by the loop; the callers wait until it did.
  std::mutex mu_;
  std::condition_variable applied_cv_;
  bool want_up_ = true;
  uint64_t requested_ = 0;
  uint64_t applied_ = 0;
  absl::Status listen_status_;
};

}  // namespace cdcflow::mysql_sink::it
