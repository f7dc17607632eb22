#include "tests/schema-registry/integration/harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <ostream>

#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "tests/testing/testing.h"

namespace cdcflow::schema_registry::it {

namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// curl_global_init once, before any thread uses curl.
void InitCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string InstanceConfig::Yaml() const {
  std::string y = "registry:\n";
  auto key = [&](const std::string& k, const std::string& v) {
    absl::StrAppend(&y, "  ", k, ": ", testutil::YamlQuote(v), "\n");
  };
  key("listeners", absl::StrCat(https ? "https" : "http", "://127.0.0.1:", port));
  key("kafkastore.bootstrap.servers", testutil::KafkaBootstrap());
  key("kafkastore.topic", topic);
  key("schema.registry.group.id", group_id);
  if (!compatibility_level.empty()) key("schema.compatibility.level", compatibility_level);
  if (https) {
    key("ssl.certificate.location", cert_file);
    key("ssl.key.location", key_file);
  }
  if (!users.empty()) {
    key("authentication.method", "BASIC");
    absl::StrAppend(&y, "  authentication.users:\n");
    for (const auto& [user, password] : users) {
      absl::StrAppend(&y, "    ", testutil::YamlQuote(user), ": ", testutil::YamlQuote(password),
                      "\n");
    }
  }
  for (const auto& [k, v] : registry) key(k, v);
  absl::StrAppend(&y, "logging:\n  level: ", log_level, "\n");
  absl::StrAppend(&y, "metrics:\n  address: 127.0.0.1\n  port: ", metrics_port, "\n");
  absl::StrAppend(&y, "admin:\n  address: 127.0.0.1\n  port: ", admin_port, "\n");
  return y;
}

std::string InstanceConfig::BaseUrl() const {
  return absl::StrCat(https ? "https" : "http", "://127.0.0.1:", port);
}

InstanceConfig NewInstanceConfig(const std::string& topic, const std::string& group_id) {
  InstanceConfig c;
  c.topic = topic;
  c.group_id = group_id;
  c.port = testutil::UnusedLoopbackPort();
  c.metrics_port = testutil::UnusedLoopbackPort();
  c.admin_port = testutil::UnusedLoopbackPort();
  return c;
}

absl::StatusOr<std::unique_ptr<RegistryProcess>> RegistryProcess::Start(const std::string& name,
                                                                        const std::string& yaml) {
  std::unique_ptr<RegistryProcess> p(new RegistryProcess);
  RETURN_IF_ERROR(p->Launch({.name = name,
                             .binary = SCHEMA_REGISTRY_BINARY,
                             .binary_env = "SCHEMA_REGISTRY_BINARY",
                             .config = yaml,
                             .keep_logs_env = "SR_IT_KEEP_LOGS",
                             .stop_timeout = absl::Seconds(30)}));
  return p;
}

bool RegistryProcess::WaitStarted(absl::Duration timeout) const {
  return WaitForLog(" started: REST on ", timeout);
}

// ---- HTTP ----

Json HttpResult::json() const { return Json::parse(body, nullptr, /*allow_exceptions=*/false); }

std::ostream& operator<<(std::ostream& os, const HttpResult& r) {
  os << "HTTP " << r.status << " " << r.body.substr(0, 500);
  if (!r.error.empty()) os << " (" << r.error << ")";
  return os;
}

HttpResult Http(const std::string& method, const std::string& url, HttpOptions options) {
  InitCurl();
  HttpResult result;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.error = "curl_easy_init failed";
    return result;
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (options.body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, options.body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(options.body->size()));
    headers = curl_slist_append(headers, ("Content-Type: " + options.content_type).c_str());
  }
  headers = curl_slist_append(headers, "Accept: application/vnd.schemaregistry.v1+json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!options.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, options.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options.password.c_str());
  }
  if (!options.verify_tls) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  } else {
    result.error = error[0] != '\0' ? error : curl_easy_strerror(code);
    // An answer that arrived before the connection broke (413 without reading the body).
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    result.status = status;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

std::string RegistrationBody(const std::string& schema, const std::string& type) {
  Json body;
  body["schema"] = schema;
  if (type != "AVRO") body["schemaType"] = type;
  // Invalid UTF-8 (the hostile-input test's) becomes U+FFFD instead of an exception.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string AvroRecord(const std::string& name, const std::vector<std::string>& fields) {
  Json schema{{"type", "record"}, {"name", name}, {"fields", Json::array()}};
  for (const std::string& field : fields) {
    schema["fields"].push_back({{"name", field}, {"type", "string"}});
  }
  return schema.dump();
}

// ---- Kafka ----

absl::Status CreateCompactedTopic(const std::string& topic) {
  ASSIGN_OR_RETURN(auto admin,
                   kafka::Admin::Create({.bootstrap_servers = testutil::KafkaBootstrap(),
                                         .on_log = testutil::LogToStderr}));
  return admin->CreateTopic(
      {.name = topic, .partitions = 1, .configs = {{"cleanup.policy", "compact"}}});
}

absl::Status ProduceRaw(
    const std::string& topic,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records) {
  prometheus::Registry registry;
  auto failed = std::make_shared<std::atomic<int>>(0);
  auto error = std::make_shared<std::string>();
  auto mu = std::make_shared<std::mutex>();
  ASSIGN_OR_RETURN(
      auto producer,
      kafka::Producer::Create({.bootstrap_servers = testutil::KafkaBootstrap(),
                               .client_id = "sr-it-producer",
                               .statistics_interval = absl::ZeroDuration(),
                               .on_delivery =
                                   [failed, error, mu](const kafka::DeliveryReport& report) {
                                     if (report.status.ok()) return;
                                     std::lock_guard lock(*mu);
                                     *error = report.status.ToString();
                                     failed->fetch_add(1);
                                   },
                               .on_log = testutil::LogToStderr},
                              registry));
  for (const auto& [key, value] : records) {
    const std::string_view v = value ? std::string_view(*value) : std::string_view();
    // Partition 0 explicitly: the topic has one, and order matters.
    while (true) {
      absl::Status s = producer->Produce(topic, 0, key, v, {}, 0);
      if (!absl::IsResourceExhausted(s)) {
        RETURN_IF_ERROR(s);
        break;
      }
      producer->Poll(absl::Milliseconds(10));
    }
  }
  RETURN_IF_ERROR(producer->Flush(absl::Seconds(30)));
  if (failed->load() > 0) {
    std::lock_guard lock(*mu);
    return absl::InternalError(absl::StrCat(failed->load(), " record(s) not delivered: ", *error));
  }
  return absl::OkStatus();
}

int RunShell(const std::string& command, std::string* out) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  if (out != nullptr) *out = std::move(output);
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace cdcflow::schema_registry::it
