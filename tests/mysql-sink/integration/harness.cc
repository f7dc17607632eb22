#include "tests/mysql-sink/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/consumer.h"
#include "tests/testing/testing.h"

namespace cdcflow::mysql_sink::it {

namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : fallback;
}

std::vector<TextRow> ToText(const mysql::ResultSet& result) {
  std::vector<TextRow> rows;
  rows.reserve(result.rows.size());
  for (const auto& row : result.rows) {
    TextRow text;
    text.reserve(row.size());
    for (const auto& cell : row) text.push_back(cell ? *cell : "NULL");
    rows.push_back(std::move(text));
  }
  return rows;
}

}  // namespace

// ---- MariaDB ----

const MysqlTarget& LocalMysql() {
  static const MysqlTarget* target = [] {
    auto* t = new MysqlTarget;
    t->host = EnvOr("CDCFLOW_LOCAL_MYSQL_HOST", t->host);
    (void)absl::SimpleAtoi(EnvOr("CDCFLOW_LOCAL_MYSQL_PORT", "3306"), &t->port);
    t->user = EnvOr("CDCFLOW_LOCAL_MYSQL_USER", t->user);
    t->password = EnvOr("CDCFLOW_LOCAL_MYSQL_PASSWORD", t->password);
    return t;
  }();
  return *target;
}

absl::StatusOr<std::unique_ptr<mysql::Connection>> ConnectMysql(const std::string& database,
                                                                int port) {
  const MysqlTarget& t = LocalMysql();
  return mysql::Connection::Connect({.host = t.host,
                                     .port = port == 0 ? t.port : port,
                                     .user = t.user,
                                     .password = t.password,
                                     .database = database,
                                     .connect_timeout = absl::Seconds(5),
                                     .io_timeout = absl::Seconds(60),
                                     .init_statements = {"SET SESSION time_zone = '+00:00'"}});
}

std::string UniqueId() {
  std::string id = testutil::UniqueName("sink_it");
  for (char& c : id) {
    if (c == '-') c = '_';
  }
  return id;
}

std::ostream& operator<<(std::ostream& os, const ColumnInfo& c) {
  return os << "{" << c.name << " " << c.type << (c.nullable ? " NULL" : " NOT NULL") << "}";
}

void DropStaleDatabases(mysql::Connection& admin) {
  auto r = admin.Query(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'sink\\_it\\_%'");
  if (!r.ok()) return;
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (const auto& row : r->rows) {
    if (!row[0]) continue;
    const std::string name = *row[0];
    std::vector<std::string> parts = absl::StrSplit(name, '_');  // sink it ms pid n
    int64_t ms = 0;
    int pid = 0;
    if (parts.size() != 5 || !absl::SimpleAtoi(parts[2], &ms) ||
        !absl::SimpleAtoi(parts[3], &pid)) {
      continue;
    }
    const bool alive = kill(pid, 0) == 0 || errno == EPERM;
    if (alive || now_ms - ms < 10 * 60 * 1000) continue;
    (void)admin.Execute(absl::StrCat("DROP DATABASE IF EXISTS ", TestDatabase::Quote(name)));
  }
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  ASSIGN_OR_RETURN(auto admin, ConnectMysql(""));
  DropStaleDatabases(*admin);
  std::unique_ptr<TestDatabase> db(new TestDatabase(UniqueId()));
  RETURN_IF_ERROR(admin
                      ->Execute(absl::StrCat("CREATE DATABASE ", Quote(db->name_),
                                             " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
                      .status());
  ASSIGN_OR_RETURN(db->conn_, ConnectMysql(db->name_));
  return db;
}

TestDatabase::~TestDatabase() {
  if (dropped_) return;
  dropped_ = true;
  conn_.reset();
  absl::StatusOr<std::unique_ptr<mysql::Connection>> admin = ConnectMysql("");
  if (!admin.ok()) {
    ADD_FAILURE() << "dropping test database " << name_ << ": " << admin.status();
    return;
  }
  absl::Status s =
      (*admin)->Execute(absl::StrCat("DROP DATABASE IF EXISTS ", Quote(name_))).status();
  if (!s.ok()) ADD_FAILURE() << "dropping test database " << name_ << ": " << s;
}

std::string TestDatabase::Quote(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string TestDatabase::Literal(const std::string& value) {
  if (!conn_ && !Reconnect().ok()) return "'?'";
  return conn_->QuoteString(value);
}

absl::Status TestDatabase::Reconnect() {
  conn_.reset();
  ASSIGN_OR_RETURN(conn_, ConnectMysql(name_));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TestDatabase::TryExec(const std::string& sql) {
  if (!conn_ || conn_->broken()) RETURN_IF_ERROR(Reconnect());
  absl::StatusOr<uint64_t> r = conn_->Execute(sql);
  if (!r.ok() && conn_->broken()) {
    RETURN_IF_ERROR(Reconnect());
    r = conn_->Execute(sql);
  }
  return r;
}

void TestDatabase::Exec(const std::string& sql) {
  absl::StatusOr<uint64_t> r = TryExec(sql);
  if (!r.ok()) ADD_FAILURE() << sql << ": " << r.status();
}

absl::StatusOr<std::vector<TextRow>> TestDatabase::TryRows(const std::string& sql) {
  if (!conn_ || conn_->broken()) RETURN_IF_ERROR(Reconnect());
  absl::StatusOr<mysql::ResultSet> r = conn_->Query(sql);
  if (!r.ok() && conn_->broken()) {
    RETURN_IF_ERROR(Reconnect());
    r = conn_->Query(sql);
  }
  if (!r.ok()) return r.status();
  return ToText(*r);
}

std::vector<TextRow> TestDatabase::Rows(const std::string& sql) {
  absl::StatusOr<std::vector<TextRow>> r = TryRows(sql);
  if (!r.ok()) {
    ADD_FAILURE() << sql << ": " << r.status();
    return {};
  }
  return *std::move(r);
}

std::string TestDatabase::Value(const std::string& sql) {
  std::vector<TextRow> rows = Rows(sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

int64_t TestDatabase::Int(const std::string& sql) {
  const std::string v = Value(sql);
  int64_t n = 0;
  if (!absl::SimpleAtoi(v, &n)) ADD_FAILURE() << sql << ": not an integer: '" << v << "'";
  return n;
}

bool TestDatabase::TableExists(const std::string& table) {
  return Int(absl::StrCat("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ",
                          Literal(name_), " AND TABLE_NAME = ", Literal(table))) == 1;
}

int64_t TestDatabase::Count(const std::string& table) {
  absl::StatusOr<std::vector<TextRow>> r =
      TryRows(absl::StrCat("SELECT COUNT(*) FROM ", Quote(table)));
  if (!r.ok()) {
    if (absl::IsNotFound(r.status())) return -1;
    ADD_FAILURE() << "count " << table << ": " << r.status();
    return -1;
  }
  int64_t n = -1;
  (void)absl::SimpleAtoi((*r)[0][0], &n);
  return n;
}

std::vector<ColumnInfo> TestDatabase::Columns(const std::string& table) {
  std::vector<ColumnInfo> out;
  for (const TextRow& row : Rows(absl::StrCat("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM "
                                              "information_schema.COLUMNS WHERE TABLE_SCHEMA = ",
                                              Literal(name_), " AND TABLE_NAME = ", Literal(table),
                                              " ORDER BY ORDINAL_POSITION"))) {
    out.push_back({.name = row[0], .type = row[1], .nullable = row[2] == "YES"});
  }
  return out;
}

std::vector<std::string> TestDatabase::PrimaryKey(const std::string& table) {
  std::vector<std::string> out;
  for (const TextRow& row :
       Rows(absl::StrCat("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE "
                         "TABLE_SCHEMA = ",
                         Literal(name_), " AND TABLE_NAME = ", Literal(table),
                         " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION"))) {
    out.push_back(row[0]);
  }
  return out;
}

std::map<int, int64_t> TestDatabase::Offsets(const std::string& group_id, const std::string& topic,
                                             const std::string& offsets_table) {
  std::map<int, int64_t> out;
  absl::StatusOr<std::vector<TextRow>> rows = TryRows(
      absl::StrCat("SELECT partition_id, next_offset FROM ", Quote(offsets_table),
                   " WHERE group_id = ", Literal(group_id), " AND topic = ", Literal(topic)));
  if (!rows.ok()) {
    // The sink creates the table at startup: before that there is nothing to read.
    if (!absl::IsNotFound(rows.status())) ADD_FAILURE() << "offsets: " << rows.status();
    return out;
  }
  for (const TextRow& row : *rows) {
    int p = 0;
    int64_t o = 0;
    if (absl::SimpleAtoi(row[0], &p) && absl::SimpleAtoi(row[1], &o)) out[p] = o;
  }
  return out;
}

// ---- Kafka ----

absl::StatusOr<std::unique_ptr<RecordProducer>> RecordProducer::Create() {
  std::unique_ptr<RecordProducer> p(new RecordProducer);
  kafka::ProducerOptions options{.bootstrap_servers = testutil::KafkaBootstrap(),
                                 .client_id = "sink-it-producer",
                                 .properties = {{"linger.ms", "20"},
                                                {"batch.size", "1000000"},
                                                {"queue.buffering.max.kbytes", "262144"}},
                                 .statistics_interval = absl::ZeroDuration(),
                                 .on_delivery =
                                     [failed = p->failed_, mu = p->error_mu_,
                                      error = p->error_](const kafka::DeliveryReport& report) {
                                       if (report.status.ok()) return;
                                       std::lock_guard lock(*mu);
                                       *error = report.status.ToString();
                                       failed->fetch_add(1);
                                     },
                                 .on_log = testutil::LogToStderr};
  ASSIGN_OR_RETURN(p->producer_, kafka::Producer::Create(std::move(options), p->registry_));
  return p;
}

absl::Status RecordProducer::Produce(const std::string& topic, const OutRecord& record) {
  std::vector<kafka::Header> headers;
  for (const auto& [name, value] : record.headers) headers.push_back({name, value});
  const std::string_view key = record.key ? std::string_view(*record.key) : std::string_view();
  const std::string_view value =
      record.value ? std::string_view(*record.value) : std::string_view();
  while (true) {
    absl::Status s = producer_->Produce(topic, record.partition, key, value, headers, 0);
    if (!absl::IsResourceExhausted(s)) return s;
    producer_->Poll(absl::Milliseconds(10));
  }
}

absl::Status RecordProducer::Flush(absl::Duration timeout) {
  RETURN_IF_ERROR(producer_->Flush(timeout));
  if (failed_->load() > 0) {
    std::lock_guard lock(*error_mu_);
    return absl::InternalError(
        absl::StrCat(failed_->load(), " record(s) not delivered: ", *error_));
  }
  return absl::OkStatus();
}

absl::Status RecordProducer::Send(const std::string& topic, const std::vector<OutRecord>& records) {
  for (const OutRecord& r : records) RETURN_IF_ERROR(Produce(topic, r));
  return Flush();
}

namespace {

absl::StatusOr<std::unique_ptr<kafka::Consumer>> MakeReader(prometheus::Registry& registry) {
  return kafka::Consumer::Create({.bootstrap_servers = testutil::KafkaBootstrap(),
                                  .group_id = testutil::UniqueName("sink-it-reader"),
                                  .client_id = "sink-it-reader",
                                  .auto_offset_reset = "earliest",
                                  .statistics_interval = absl::ZeroDuration(),
                                  .on_log = testutil::LogToStderr},
                                 registry);
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const InRecord& r) {
  os << r.topic << "/" << r.partition << "@" << r.offset << " key=" << r.key.value_or("<null>")
     << " value=" << r.value.value_or("<null>").substr(0, 200) << " headers={";
  for (const auto& [name, value] : r.headers) os << name << ": " << value << ", ";
  return os << "}";
}

absl::StatusOr<std::map<int, int64_t>> EndOffsets(const std::string& topic) {
  std::map<int, int64_t> ends;
  ASSIGN_OR_RETURN(auto admin,
                   kafka::Admin::Create({.bootstrap_servers = testutil::KafkaBootstrap(),
                                         .on_log = testutil::LogToStderr}));
  absl::StatusOr<int> partitions = admin->PartitionCount(topic, absl::Seconds(10));
  if (absl::IsNotFound(partitions.status())) return ends;
  if (!partitions.ok()) {
    // A topic that does not exist may also come back as "unknown topic or partition".
    if (absl::StrContains(partitions.status().message(), "nknown")) return ends;
    return partitions.status();
  }
  prometheus::Registry registry;
  ASSIGN_OR_RETURN(auto reader, MakeReader(registry));
  for (int p = 0; p < *partitions; ++p) {
    ASSIGN_OR_RETURN(auto marks, reader->QueryWatermarks(topic, p, absl::Seconds(10)));
    ends[p] = marks.second;
  }
  (void)reader->Close();
  return ends;
}

absl::StatusOr<std::vector<InRecord>> ReadTopic(const std::string& topic, absl::Duration timeout) {
  std::vector<InRecord> out;
  absl::StatusOr<std::map<int, int64_t>> end_offsets = EndOffsets(topic);
  if (!end_offsets.ok()) return end_offsets.status();
  const std::map<int, int64_t>& ends = *end_offsets;
  std::vector<kafka::TopicPartitionOffset> starts;
  std::map<int, int64_t> remaining;
  for (const auto& [p, end] : ends) {
    if (end > 0) {
      starts.push_back({topic, p, kafka::kOffsetBeginning});
      remaining[p] = end;
    }
  }
  if (starts.empty()) return out;
  prometheus::Registry registry;
  ASSIGN_OR_RETURN(auto reader, MakeReader(registry));
  RETURN_IF_ERROR(reader->Assign(starts));
  const absl::Time deadline = absl::Now() + timeout;
  while (!remaining.empty()) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("reading ", topic, ": ", out.size(), " records before the timeout"));
    }
    ASSIGN_OR_RETURN(std::vector<kafka::Message> batch, reader->Poll(absl::Milliseconds(200)));
    for (const kafka::Message& m : batch) {
      auto it = remaining.find(m.partition());
      if (it == remaining.end() || m.offset() >= it->second) continue;
      InRecord r;
      r.topic = std::string(m.topic());
      r.partition = m.partition();
      r.offset = m.offset();
      if (m.has_key()) r.key = std::string(m.key());
      if (m.has_value()) r.value = std::string(m.value());
      for (const kafka::Header& h : m.headers())
        r.headers[std::string(h.name)] = std::string(h.value);
      out.push_back(std::move(r));
      if (m.offset() + 1 >= it->second) remaining.erase(it);
    }
  }
  (void)reader->Close();
  std::sort(out.begin(), out.end(), [](const InRecord& a, const InRecord& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  return out;
}

// ---- Debezium JSON ----

Json ConnectField::ToJson() const {
  Json j = {{"type", type}, {"optional", optional}};
  if (!name.empty()) {
    j["name"] = name;
    j["version"] = 1;
  }
  if (!parameters.is_null()) j["parameters"] = parameters;
  j["field"] = field;
  return j;
}

ConnectField DecimalField(const std::string& field, int precision, int scale, bool optional) {
  return {.field = field,
          .type = "bytes",
          .optional = optional,
          .name = "org.apache.kafka.connect.data.Decimal",
          .parameters = {{"scale", std::to_string(scale)},
                         {"connect.decimal.precision", std::to_string(precision)}}};
}

DebeziumTable::DebeziumTable(std::string server, std::string table,
                             std::vector<ConnectField> key_fields,
                             std::vector<ConnectField> value_fields)
    : server_(std::move(server)),
      table_(std::move(table)),
      key_fields_(std::move(key_fields)),
      value_fields_(std::move(value_fields)) {}

Json DebeziumTable::KeySchema() const {
  Json fields = Json::array();
  for (const ConnectField& f : key_fields_) fields.push_back(f.ToJson());
  return {{"type", "struct"},
          {"fields", fields},
          {"optional", false},
          {"name", absl::StrCat(server_, ".public.", table_, ".Key")}};
}

Json DebeziumTable::ValueStruct(const std::string& field) const {
  Json fields = Json::array();
  for (const ConnectField& f : value_fields_) fields.push_back(f.ToJson());
  return {{"type", "struct"},
          {"fields", fields},
          {"optional", true},
          {"name", absl::StrCat(server_, ".public.", table_, ".Value")},
          {"field", field}};
}

Json DebeziumTable::EnvelopeSchema() const {
  auto f = [](const char* type, bool optional, const char* field) {
    return Json{{"type", type}, {"optional", optional}, {"field", field}};
  };
  Json source_fields = Json::array(
      {f("string", false, "version"), f("string", false, "connector"), f("string", false, "name"),
       f("int64", false, "ts_ms"),
       Json{{"type", "string"},
            {"optional", true},
            {"name", "io.debezium.data.Enum"},
            {"version", 1},
            {"parameters",
             {{"allowed",
               "true,first,first_in_data_collection,last_in_data_collection,last,false,"
               "incremental"}}},
            {"default", "false"},
            {"field", "snapshot"}},
       f("string", false, "db"), f("string", true, "sequence"), f("int64", true, "ts_us"),
       f("int64", true, "ts_ns"), f("string", false, "schema"), f("string", false, "table"),
       f("int64", true, "txId"), f("int64", true, "lsn"), f("int64", true, "xmin")});
  Json transaction = {
      {"type", "struct"},
      {"fields", Json::array({f("string", false, "id"), f("int64", false, "total_order"),
                              f("int64", false, "data_collection_order")})},
      {"optional", true},
      {"name", "event.block"},
      {"version", 1},
      {"field", "transaction"}};
  return {{"type", "struct"},
          {"fields", Json::array({ValueStruct("before"), ValueStruct("after"),
                                  Json{{"type", "struct"},
                                       {"fields", source_fields},
                                       {"optional", false},
                                       {"name", "io.debezium.connector.postgresql.Source"},
                                       {"version", 1},
                                       {"field", "source"}},
                                  transaction, f("string", false, "op"), f("int64", true, "ts_ms"),
                                  f("int64", true, "ts_us"), f("int64", true, "ts_ns")})},
          {"optional", false},
          {"name", absl::StrCat(server_, ".public.", table_, ".Envelope")},
          {"version", 2}};
}

Json DebeziumTable::Source() const {
  return {{"version", "3.1.3.Final"},
          {"connector", "postgresql"},
          {"name", server_},
          {"ts_ms", 1795267244422},
          {"snapshot", "false"},
          {"db", "transactions"},
          {"sequence", "[\"8797336136\",\"8797407856\"]"},
          {"ts_us", 1795267244422428},
          {"ts_ns", 1795267244422428000},
          {"schema", "public"},
          {"table", table_},
          {"txId", 183506},
          {"lsn", 8797407856},
          {"xmin", nullptr}};
}

std::string DebeziumTable::Key(const Json& key_payload, bool with_schema) const {
  if (!with_schema) return key_payload.dump();
  return Json{{"schema", KeySchema()}, {"payload", key_payload}}.dump();
}

std::string DebeziumTable::Envelope(const std::string& op, const Json& before, const Json& after,
                                    bool with_schema) const {
  Json payload = {{"before", before},
                  {"after", after},
                  {"source", Source()},
                  {"transaction", nullptr},
                  {"op", op},
                  {"ts_ms", 1795267244428},
                  {"ts_us", 1795267244428617},
                  {"ts_ns", 1795267244428617000}};
  if (!with_schema) return payload.dump();
  return Json{{"schema", EnvelopeSchema()}, {"payload", payload}}.dump();
}

std::string DebeziumTable::Flattened(const Json& row, bool deleted, bool with_schema) const {
  Json payload = row;
  payload["__deleted"] = deleted ? "true" : "false";
  if (!with_schema) return payload.dump();
  Json fields = Json::array();
  for (const ConnectField& f : value_fields_) {
    ConnectField copy = f;
    copy.optional = true;  // rewrite mode: a delete keeps the old row, as the source had it
    fields.push_back(copy.ToJson());
  }
  fields.push_back(Json{{"type", "string"}, {"optional", true}, {"field", "__deleted"}});
  Json schema = {{"type", "struct"},
                 {"fields", fields},
                 {"optional", false},
                 {"name", absl::StrCat(server_, ".public.", table_, ".Value")}};
  return Json{{"schema", schema}, {"payload", payload}}.dump();
}

std::string DecimalBase64(const std::string& decimal_text) {
  bool negative = false;
  unsigned __int128 magnitude = 0;
  for (char c : decimal_text) {
    if (c == '-') {
      negative = true;
    } else if (c >= '0' && c <= '9') {
      magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
    }
  }
  __int128 value = negative ? -static_cast<__int128>(magnitude) : static_cast<__int128>(magnitude);
  std::string bytes(16, '\0');
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<char>(static_cast<unsigned char>(value & 0xff));
    value >>= 8;  // arithmetic: keeps the sign
  }
  // The shortest two's complement: drop leading bytes that only repeat the sign.
  size_t start = 0;
  while (start + 1 < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[start]);
    const auto next = static_cast<unsigned char>(bytes[start + 1]);
    if ((b == 0x00 && (next & 0x80) == 0) || (b == 0xff && (next & 0x80) != 0)) {
      ++start;
    } else {
      break;
    }
  }
  return absl::Base64Escape(bytes.substr(start));
}

std::string MicrosToDatetime(int64_t micros) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

// ---- The sink ----

std::string SinkConfig::Yaml() const {
  const MysqlTarget& db = LocalMysql();
  std::map<std::string, std::string> c = {
      {"name", name},
      {"topics", absl::StrJoin(topics, ",")},
      {"connection.host", db.host},
      {"connection.port", std::to_string(mysql_port == 0 ? db.port : mysql_port)},
      {"connection.user", db.user},
      {"connection.password", db.password},
      {"connection.database", database},
  };
  if (topics.empty() || connector.contains("topics.regex")) c.erase("topics");
  for (const auto& [k, v] : connector) c[k] = v;
  std::string yaml = "connector:\n";
  for (const auto& [k, v] : c) absl::StrAppend(&yaml, "  ", k, ": ", testutil::YamlQuote(v), "\n");
  absl::StrAppend(&yaml,
                  "kafka:\n  bootstrap.servers: ", testutil::YamlQuote(testutil::KafkaBootstrap()),
                  "\n");
  for (const auto& [k, v] : kafka)
    absl::StrAppend(&yaml, "  ", k, ": ", testutil::YamlQuote(v), "\n");
  if (!kafka_properties.empty()) {
    absl::StrAppend(&yaml, "  properties:\n");
    for (const auto& [k, v] : kafka_properties) {
      absl::StrAppend(&yaml, "    ", k, ": ", testutil::YamlQuote(v), "\n");
    }
  }
  absl::StrAppend(&yaml, "logging:\n  level: ", log_level, "\n  format: text\n");
  absl::StrAppend(&yaml, "metrics:\n  address: 127.0.0.1\n  port: ", metrics_port, "\n");
  absl::StrAppend(&yaml, "admin:\n  address: 127.0.0.1\n  port: ", admin_port, "\n");
  return yaml;
}

absl::StatusOr<std::unique_ptr<SinkProcess>> SinkProcess::Start(
    const std::string& name, const std::string& yaml, std::map<std::string, std::string> env) {
  std::unique_ptr<SinkProcess> p(new SinkProcess);
  RETURN_IF_ERROR(p->Launch({.name = name,
                             .binary = MYSQL_SINK_BINARY,
                             .binary_env = "MYSQL_SINK_BINARY",
                             .config = yaml,
                             .env = std::move(env),
                             .keep_logs_env = "SINK_IT_KEEP_LOGS",
                             .stop_timeout = absl::Seconds(30)}));
  return p;
}

bool SinkProcess::WaitStarted(absl::Duration timeout) const {
  return WaitForLog(" started: group ", timeout);
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::UnavailableError(absl::StrCat("connect 127.0.0.1:", port, ": ", error));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("send failed");
  }
  std::string response;
  char buf[16384];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      response.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return absl::UnavailableError("no HTTP response");
  const std::string status_line = response.substr(0, response.find("\r\n"));
  if (!absl::StrContains(status_line, " 200")) {
    return absl::UnavailableError(absl::StrCat("GET ", path, ": ", status_line));
  }
  return response.substr(body + 4);
}

std::optional<double> MetricValue(const std::string& exposition, const std::string& name,
                                  const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  for (absl::string_view line : absl::StrSplit(exposition, '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    const size_t name_end = line.find_first_of("{ ");
    if (name_end == absl::string_view::npos || line.substr(0, name_end) != name) continue;
    std::map<std::string, std::string> have;
    size_t pos = name_end;
    if (line[pos] == '{') {
      ++pos;
      while (pos < line.size() && line[pos] != '}') {
        const size_t eq = line.find('=', pos);
        if (eq == absl::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') break;
        std::string key(line.substr(pos, eq - pos));
        std::string value;
        size_t i = eq + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value.push_back(line[i] == 'n' ? '\n' : line[i]);
          } else {
            value.push_back(line[i]);
          }
        }
        have[key] = value;
        pos = i + 1;
        if (pos < line.size() && line[pos] == ',') ++pos;
      }
      ++pos;  // '}'
    }
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = have.find(k);
      match = match && it != have.end() && it->second == v;
    }
    if (!match) continue;
    absl::string_view rest = absl::StripAsciiWhitespace(line.substr(std::min(pos, line.size())));
    rest = rest.substr(0, rest.find(' '));  // a timestamp may follow
    double value = 0;
    if (!absl::SimpleAtod(rest, &value)) continue;
    sum = sum.value_or(0) + value;
  }
  return sum;
}

std::optional<double> ScrapeMetric(int port, const std::string& name,
                                   const std::map<std::string, std::string>& labels) {
  absl::StatusOr<std::string> body = HttpGet(port, "/metrics");
  if (!body.ok()) return std::nullopt;
  return MetricValue(*body, name, labels);
}

std::unique_ptr<v1::Admin::Stub> AdminStub(int port) {
  return v1::Admin::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<v1::Sink::Stub> SinkStub(int port) {
  return v1::Sink::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
}

// ---- TcpProxy ----

namespace {

int Listen(int port, absl::Status& status) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    status = absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
    return -1;
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 64) != 0) {
    status = absl::UnavailableError(
        absl::StrCat("proxy: listen on 127.0.0.1:", port, ": ", std::strerror(errno)));
    close(fd);
    return -1;
  }
  status = absl::OkStatus();
  return fd;
}

int BoundPort(int fd) {
  sockaddr_in address{};
  socklen_t len = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) return -1;
  return ntohs(address.sin_port);
}

// Closes with a reset (SO_LINGER 0): the peer sees its connection die, as when a server host
// goes away, not an orderly end of stream.
void Reset(int fd) {
  linger l{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  close(fd);
}

int ConnectTo(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Copies what `from` has to `to`; false when either side is done.
bool Pump(int from, int to) {
  char buf[65536];
  const ssize_t n = recv(from, buf, sizeof(buf), 0);
  if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
  for (ssize_t sent = 0; sent < n;) {
    const ssize_t w = send(to, buf + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += w;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int target_port) {
  std::unique_ptr<TcpProxy> proxy(new TcpProxy(target_port));
  absl::Status status;
  const int fd = Listen(0, status);
  if (fd < 0) return status;
  proxy->port_ = BoundPort(fd);
  close(fd);  // the loop listens on it again (its thread owns every socket)
  if (pipe2(proxy->wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  proxy->want_up_ = true;
  proxy->requested_ = 1;
  proxy->thread_ = std::thread([p = proxy.get()] { p->Loop(); });
  std::unique_lock lock(proxy->mu_);
  proxy->applied_cv_.wait(lock, [&] { return proxy->applied_ == proxy->requested_; });
  if (!proxy->listen_status_.ok()) return proxy->listen_status_;
  return proxy;
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  if (wake_[0] >= 0) close(wake_[0]);
  if (wake_[1] >= 0) close(wake_[1]);
}

absl::Status TcpProxy::Up() {
  std::unique_lock lock(mu_);
  want_up_ = true;
  const uint64_t request = ++requested_;
  (void)!write(wake_[1], "x", 1);
  applied_cv_.wait(lock, [&] { return applied_ >= request; });
  return listen_status_;
}

void TcpProxy::Down() {
  std::unique_lock lock(mu_);
  want_up_ = false;
  const uint64_t request = ++requested_;
  (void)!write(wake_[1], "x", 1);
  applied_cv_.wait(lock, [&] { return applied_ >= request; });
}

void TcpProxy::ApplyRequests(int& listen_fd, std::vector<std::pair<int, int>>& links) {
  std::lock_guard lock(mu_);
  if (applied_ == requested_) return;
  if (want_up_) {
    if (listen_fd < 0) listen_fd = Listen(port_, listen_status_);
  } else {
    if (listen_fd >= 0) close(listen_fd);
    listen_fd = -1;
    for (auto& [client, server] : links) {
      Reset(client);
      Reset(server);
    }
    links.clear();
    listen_status_ = absl::OkStatus();
  }
  applied_ = requested_;
  applied_cv_.notify_all();
}

void TcpProxy::Loop() {
  int listen_fd = -1;
  std::vector<std::pair<int, int>> links;  // (client, server)
  while (!stop_) {
    ApplyRequests(listen_fd, links);
    std::vector<pollfd> fds;
    fds.push_back({.fd = wake_[0], .events = POLLIN, .revents = 0});
    fds.push_back({.fd = listen_fd, .events = POLLIN, .revents = 0});  // -1 is ignored
    for (const auto& [client, server] : links) {
      fds.push_back({.fd = client, .events = POLLIN, .revents = 0});
      fds.push_back({.fd = server, .events = POLLIN, .revents = 0});
    }
    if (poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) {
      char drain[64];
      while (read(wake_[0], drain, sizeof(drain)) > 0) {
      }
    }
    if (listen_fd >= 0 && (fds[1].revents & POLLIN) != 0) {
      const int client = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        const int server = ConnectTo(target_port_);
        if (server < 0) {
          Reset(client);
        } else {
          const int one = 1;
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          links.emplace_back(client, server);
          ++accepted_;
        }
      }
    }
    std::vector<std::pair<int, int>> alive;
    for (size_t i = 0; i < links.size(); ++i) {
      const auto [client, server] = links[i];
      const pollfd& c = fds[2 + 2 * i];
      const pollfd& s = fds[3 + 2 * i];
      bool ok = true;
      if (c.revents != 0) ok = Pump(client, server);
      if (ok && s.revents != 0) ok = Pump(server, client);
      if (ok) {
        alive.emplace_back(client, server);
      } else {
        close(client);
        close(server);
      }
    }
    links = std::move(alive);
  }
  for (auto& [client, server] : links) {
    close(client);
    close(server);
  }
  if (listen_fd >= 0) close(listen_fd);
}

}  // namespace cdcflow::mysql_sink::it
