// schema-registry against deploy/local's real Kafka, one instance at a time: the REST API's
// answers, state rebuilt from the topic after a restart, a topic written by Confluent's
// registry taken over, hostile input, TLS with basic auth.

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/schema-registry/integration/fixture.h"

namespace cdcflow::schema_registry::it {
namespace {

using ::testing::HasSubstr;

class SchemaRegistryIntegrationTest : public RegistryIntegrationTest {
 protected:
  // One instance on the test's topic that leads (so it takes writes at once).
  RegistryProcess* StartLeader(const InstanceConfig& config) {
    RegistryProcess* p = Start(config);
    if (p != nullptr && !p->WaitForLog("leader of group", absl::Seconds(30))) {
      ADD_FAILURE() << "the only instance did not become leader; stderr:\n" << p->Stderr();
      return nullptr;
    }
    return p;
  }

  // Every non-200 answer of the API is {"error_code": <int>, "message": <string>}.
  static void ExpectError(const HttpResult& r, long status, int error_code) {
    EXPECT_EQ(r.status, status) << r;
    Json body = r.json();
    ASSERT_TRUE(body.is_object()) << r;
    EXPECT_EQ(body.value("error_code", 0), error_code) << r;
    EXPECT_TRUE(body.contains("message") && body["message"].is_string()) << r;
  }
};

// ---------------------------------------------------------------------------- basic REST

TEST_F(SchemaRegistryIntegrationTest, RegistersReadsAndChecksCompatibility) {
  InstanceConfig config = Config();
  config.compatibility_level = "backward";
  RegistryProcess* p = StartLeader(config);
  ASSERT_NE(p, nullptr);
  const std::string base = config.BaseUrl();

  HttpResult root = Get(base + "/");
  EXPECT_EQ(root.status, 200) << root;
  EXPECT_EQ(root.body, "{}");
  EXPECT_EQ(Get(base + "/subjects").body, "[]");

  const std::string v1 = AvroRecord("Person", {"name"});
  HttpResult registered = Post(base + "/subjects/people-value/versions", RegistrationBody(v1));
  EXPECT_EQ(registered.status, 200) << registered;
  EXPECT_EQ(registered.body, R"({"id":1})");

  HttpResult by_id = Get(base + "/schemas/ids/1");
  EXPECT_EQ(by_id.status, 200) << by_id;
  EXPECT_EQ(by_id.json(), (Json{{"schema", v1}})) << by_id;
  HttpResult raw = Get(base + "/schemas/ids/1/schema");
  EXPECT_EQ(raw.status, 200) << raw;
  EXPECT_EQ(Json::parse(raw.body), Json::parse(v1)) << raw;

  HttpResult version = Get(base + "/subjects/people-value/versions/1");
  EXPECT_EQ(version.status, 200) << version;
  EXPECT_EQ(version.json(),
            (Json{{"subject", "people-value"}, {"version", 1}, {"id", 1}, {"schema", v1}}))
      << version;
  EXPECT_EQ(Get(base + "/subjects/people-value/versions/latest").json(), version.json());
  EXPECT_EQ(Get(base + "/subjects").body, R"(["people-value"])");
  EXPECT_EQ(Get(base + "/schemas/ids/1/versions").json(),
            Json::parse(R"([{"subject":"people-value","version":1}])"));

  // The same schema again: the same id, no new version.
  HttpResult again = Post(base + "/subjects/people-value/versions", RegistrationBody(v1));
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.body, R"({"id":1})");
  EXPECT_EQ(Get(base + "/subjects/people-value/versions").body, "[1]");
  // The same schema under another subject: the same id, that subject's version 1.
  EXPECT_EQ(Post(base + "/subjects/other-value/versions", RegistrationBody(v1)).body,
            R"({"id":1})");
  EXPECT_EQ(Get(base + "/schemas/ids/1/subjects").body, R"(["other-value","people-value"])");

  // A new field without a default: old data cannot be read with it (BACKWARD) → 409.
  const std::string incompatible = AvroRecord("Person", {"name", "email"});
  HttpResult refused =
      Post(base + "/subjects/people-value/versions", RegistrationBody(incompatible));
  ExpectError(refused, 409, 409);
  HttpResult check = Post(base + "/compatibility/subjects/people-value/versions/latest",
                          RegistrationBody(incompatible));
  EXPECT_EQ(check.status, 200) << check;
  EXPECT_EQ(check.json().value("is_compatible", true), false) << check;
  EXPECT_EQ(Get(base + "/subjects/people-value/versions").body, "[1]");

  // A new field with a default is BACKWARD-compatible: version 2, id 2.
  Json v2 = Json::parse(v1);
  v2["fields"].push_back({{"name", "nickname"}, {"type", "string"}, {"default", ""}});
  HttpResult evolved = Post(base + "/subjects/people-value/versions", RegistrationBody(v2.dump()));
  EXPECT_EQ(evolved.body, R"({"id":2})") << evolved;
  EXPECT_EQ(Get(base + "/subjects/people-value/versions").body, "[1,2]");
  EXPECT_EQ(Get(base + "/subjects/people-value/versions/latest").json().value("id", 0), 2);

  // Not a schema → 422 / 42201; nothing registered.
  ExpectError(Post(base + "/subjects/people-value/versions",
                   RegistrationBody(R"({"type":"recrd","name":"X","fields":[]})")),
              422, 42201);
  ExpectError(Post(base + "/subjects/broken-value/versions", RegistrationBody("not json {")), 422,
              42201);
  ExpectError(
      Post(base + "/subjects/broken-value/versions", RegistrationBody("message {", "PROTOBUF")),
      422, 42201);
  EXPECT_EQ(Get(base + "/subjects").body, R"(["other-value","people-value"])");

  // Lookups of what does not exist.
  ExpectError(Get(base + "/schemas/ids/99"), 404, 40403);
  ExpectError(Get(base + "/subjects/nope/versions"), 404, 40401);
  ExpectError(Get(base + "/subjects/people-value/versions/7"), 404, 40402);
  ExpectError(Get(base + "/subjects/people-value/versions/zero"), 422, 42202);
  ExpectError(Get(base + "/no/such/path"), 404, 404);

  // POST /subjects/{s}: is this schema registered under the subject?
  HttpResult lookup = Post(base + "/subjects/people-value", RegistrationBody(v1));
  EXPECT_EQ(lookup.json(),
            (Json{{"subject", "people-value"}, {"version", 1}, {"id", 1}, {"schema", v1}}))
      << lookup;

  // Protobuf and JSON Schema get ids of their own and say their type.
  const std::string proto = "syntax = \"proto3\";\nmessage Order {\n  string id = 1;\n}\n";
  HttpResult p_reg =
      Post(base + "/subjects/orders-value/versions", RegistrationBody(proto, "PROTOBUF"));
  EXPECT_EQ(p_reg.body, R"({"id":3})") << p_reg;
  EXPECT_EQ(Get(base + "/schemas/ids/3").json().value("schemaType", ""), "PROTOBUF");
  HttpResult j_reg =
      Post(base + "/subjects/pay-value/versions", RegistrationBody(R"({"type":"object"})", "JSON"));
  EXPECT_EQ(j_reg.body, R"({"id":4})") << j_reg;
  EXPECT_EQ(Get(base + "/schemas/ids/4").json().value("schemaType", ""), "JSON");
  EXPECT_EQ(Get(base + "/schemas/types").json(), Json::parse(R"(["JSON","PROTOBUF","AVRO"])"));
}

// ---------------------------------------------------------------------------- restart

// Everything the REST API shows of the state, keyed by request.
std::map<std::string, HttpResult> Snapshot(const std::string& base,
                                           const std::vector<std::string>& subjects, int max_id) {
  std::vector<std::string> paths = {"/subjects", "/subjects?deleted=true", "/config",
                                    "/mode",     "/schemas?deleted=true",  "/schemas"};
  for (const std::string& s : subjects) {
    for (const char* suffix : {"/versions", "/versions?deleted=true"}) {
      paths.push_back(absl::StrCat("/subjects/", s, suffix));
    }
    paths.push_back(absl::StrCat("/config/", s));
    paths.push_back(absl::StrCat("/mode/", s));
    for (int v = 1; v <= 4; ++v) {
      paths.push_back(absl::StrCat("/subjects/", s, "/versions/", v));
      paths.push_back(absl::StrCat("/subjects/", s, "/versions/", v, "?deleted=true"));
    }
  }
  for (int id = 1; id <= max_id + 1; ++id) {
    paths.push_back(absl::StrCat("/schemas/ids/", id));
    paths.push_back(absl::StrCat("/schemas/ids/", id, "/versions?deleted=true"));
  }
  std::map<std::string, HttpResult> out;
  for (const std::string& path : paths) out[path] = Get(base + path);
  return out;
}

TEST_F(SchemaRegistryIntegrationTest, RestartRebuildsTheSameStateFromTheTopic) {
  InstanceConfig config = Config();
  config.compatibility_level = "backward";
  RegistryProcess* first = StartLeader(config);
  ASSERT_NE(first, nullptr);
  std::string base = config.BaseUrl();

  // a: 2 versions; b: 1 version, then its own level NONE; c: soft-deleted subject;
  // d: version 1 soft-deleted; e: soft then permanently deleted; global level FULL.
  EXPECT_EQ(Register(base, "a", AvroRecord("A", {"x"})), 1);
  Json a2 = Json::parse(AvroRecord("A", {"x"}));
  a2["fields"].push_back({{"name", "y"}, {"type", "string"}, {"default", "-"}});
  EXPECT_EQ(Register(base, "a", a2.dump()), 2);
  EXPECT_EQ(Register(base, "b", AvroRecord("B", {"x"})), 3);
  EXPECT_EQ(Put(base + "/config/b", R"({"compatibility":"NONE"})").body,
            R"({"compatibility":"NONE"})");
  EXPECT_EQ(Register(base, "b", AvroRecord("B", {"z"})), 4);  // incompatible, allowed by NONE
  EXPECT_EQ(Register(base, "c", AvroRecord("C", {"x"})), 5);
  EXPECT_EQ(Delete(base + "/subjects/c").body, "[1]");
  EXPECT_EQ(Register(base, "d", AvroRecord("D", {"x"})), 6);
  Json d2 = Json::parse(AvroRecord("D", {"x"}));
  d2["fields"].push_back({{"name", "w"}, {"type", "string"}, {"default", ""}});
  EXPECT_EQ(Register(base, "d", d2.dump()), 7);
  EXPECT_EQ(Delete(base + "/subjects/d/versions/1").body, "1");
  EXPECT_EQ(Register(base, "e", AvroRecord("E", {"x"})), 8);
  EXPECT_EQ(Delete(base + "/subjects/e").body, "[1]");
  EXPECT_EQ(Delete(base + "/subjects/e?permanent=true").body, "[1]");
  EXPECT_EQ(Put(base + "/config", R"({"compatibility":"FULL"})").body,
            R"({"compatibility":"FULL"})");

  const std::vector<std::string> subjects = {"a", "b", "c", "d", "e"};
  std::map<std::string, HttpResult> before = Snapshot(base, subjects, 8);
  // The state as it must be (exact values), before comparing it with the restarted one.
  EXPECT_EQ(before["/subjects"].body, R"(["a","b","d"])");
  EXPECT_EQ(before["/subjects?deleted=true"].body, R"(["a","b","c","d"])");
  EXPECT_EQ(before["/config"].body, R"({"compatibilityLevel":"FULL"})");
  EXPECT_EQ(before["/config/b"].body, R"({"compatibilityLevel":"NONE"})");
  EXPECT_EQ(before["/config/a"].status, 404);
  EXPECT_EQ(before["/subjects/a/versions"].body, "[1,2]");
  EXPECT_EQ(before["/subjects/b/versions"].body, "[1,2]");
  EXPECT_EQ(before["/subjects/c/versions"].status, 404);
  EXPECT_EQ(before["/subjects/c/versions?deleted=true"].body, "[1]");
  EXPECT_EQ(before["/subjects/d/versions"].body, "[2]");
  EXPECT_EQ(before["/subjects/d/versions?deleted=true"].body, "[1,2]");
  EXPECT_EQ(before["/subjects/d/versions/1"].status, 404);
  EXPECT_EQ(before["/subjects/d/versions/1?deleted=true"].json().value("id", 0), 6);
  EXPECT_EQ(before["/subjects/e/versions?deleted=true"].status, 404);
  EXPECT_EQ(before["/subjects/b/versions/2"].json().value("id", 0), 4);
  EXPECT_EQ(before["/schemas/ids/9"].status, 404);

  const std::optional<int> code = first->Stop(absl::Seconds(30));
  EXPECT_EQ(code, 0) << first->Stderr();

  InstanceConfig again = Config();  // the same topic and group, new ports
  RegistryProcess* second = StartLeader(again);
  ASSERT_NE(second, nullptr);
  base = again.BaseUrl();
  std::map<std::string, HttpResult> after = Snapshot(base, subjects, 8);
  for (const auto& [path, result] : before) {
    EXPECT_EQ(after[path].status, result.status) << path << ": " << after[path];
    EXPECT_EQ(after[path].body, result.body) << path;
  }
  // Ids continue after the highest one, the restarted instance applies the levels it read.
  EXPECT_EQ(Register(base, "f", AvroRecord("F", {"x"})), 9);
  HttpResult full = Post(base + "/subjects/a/versions", RegistrationBody(AvroRecord("A", {"q"})));
  EXPECT_EQ(full.status, 409) << full;  // a falls back to the global FULL
}

// ---------------------------------------------------------------------------- takeover

TEST_F(SchemaRegistryIntegrationTest, TakesOverATopicWrittenByConfluentSchemaRegistry) {
  ASSERT_TRUE(CreateCompactedTopic(topic_).ok());
  auto schema_key = [](const std::string& subject, int version) {
    return absl::StrCat(R"({"keytype":"SCHEMA","subject":")", subject, R"(","version":)", version,
                        R"(,"magic":1})");
  };
  const std::string value_v1 =
      R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]})";
  const std::string value_v2 =
      R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]})";
  auto schema_value = [](const std::string& subject, int version, int id, const std::string& schema,
                         bool deleted, const std::string& type = "") {
    Json v{{"subject", subject}, {"version", version}, {"id", id}};
    if (!type.empty()) v["schemaType"] = type;
    v["schema"] = schema;
    v["deleted"] = deleted;
    return v.dump();
  };
  const std::string proto = "syntax = \"proto3\";\nmessage Event {\n  string name = 1;\n}\n";
  // As Confluent Schema Registry 7.x writes them (ids with a gap: 5 was never used).
  const std::vector<std::pair<std::string, std::optional<std::string>>> records = {
      {R"({"keytype":"NOOP","magic":0})", std::nullopt},
      {R"({"keytype":"CONFIG","subject":null,"magic":0})", R"({"compatibilityLevel":"FULL"})"},
      {schema_key("Kafka-key", 1),
       R"({"subject":"Kafka-key","version":1,"id":1,"schema":"\"string\"","deleted":false})"},
      {schema_key("Kafka-value", 1), schema_value("Kafka-value", 1, 2, value_v1, false)},
      {schema_key("Kafka-value", 2), schema_value("Kafka-value", 2, 3, value_v2, false)},
      {R"({"keytype":"CONFIG","subject":"Kafka-value","magic":0})",
       R"({"compatibilityLevel":"NONE"})"},
      {schema_key("gone-value", 1), schema_value("gone-value", 1, 4, R"("int")", false)},
      {schema_key("gone-value", 1), schema_value("gone-value", 1, 4, R"("int")", true)},
      {schema_key("events-value", 1), schema_value("events-value", 1, 6, proto, false, "PROTOBUF")},
      {R"({"keytype":"NOOP","magic":0})", std::nullopt},
  };
  absl::Status produced = ProduceRaw(topic_, records);
  ASSERT_TRUE(produced.ok()) << produced;

  InstanceConfig config = Config();
  RegistryProcess* p = StartLeader(config);
  ASSERT_NE(p, nullptr);
  const std::string base = config.BaseUrl();

  EXPECT_EQ(Get(base + "/subjects").body, R"(["Kafka-key","Kafka-value","events-value"])");
  EXPECT_EQ(Get(base + "/subjects?deleted=true").body,
            R"(["Kafka-key","Kafka-value","events-value","gone-value"])");
  EXPECT_EQ(Get(base + "/schemas/ids/1").body, R"({"schema":"\"string\""})");
  EXPECT_EQ(Get(base + "/subjects/Kafka-key/versions/1").json(),
            (Json{{"subject", "Kafka-key"}, {"version", 1}, {"id", 1}, {"schema", "\"string\""}}));
  EXPECT_EQ(Get(base + "/subjects/Kafka-value/versions").body, "[1,2]");
  EXPECT_EQ(Get(base + "/subjects/Kafka-value/versions/2").json(),
            (Json{{"subject", "Kafka-value"}, {"version", 2}, {"id", 3}, {"schema", value_v2}}));
  EXPECT_EQ(Get(base + "/schemas/ids/2").json(), (Json{{"schema", value_v1}}));
  EXPECT_EQ(Get(base + "/schemas/ids/6").json(),
            (Json{{"schemaType", "PROTOBUF"}, {"schema", proto}}));
  EXPECT_EQ(Get(base + "/subjects/gone-value/versions?deleted=true").body, "[1]");
  EXPECT_EQ(Get(base + "/subjects/gone-value/versions").status, 404);
  EXPECT_EQ(Get(base + "/config").body, R"({"compatibilityLevel":"FULL"})");
  EXPECT_EQ(Get(base + "/config/Kafka-value").body, R"({"compatibilityLevel":"NONE"})");
  EXPECT_EQ(p->Stderr().find("skipped"), std::string::npos) << p->Stderr();

  // New registrations get max id + 1 = 7, then 8; re-registering Confluent's schema finds it.
  EXPECT_EQ(Register(base, "new-value", AvroRecord("New", {"x"})), 7);
  EXPECT_EQ(Register(base, "Kafka-value", R"({"type":"record","name":"Other","fields":[]})"), 8);
  EXPECT_EQ(Get(base + "/subjects/Kafka-value/versions").body, "[1,2,3]");
  EXPECT_EQ(Post(base + "/subjects/Kafka-key/versions", RegistrationBody("\"string\"")).body,
            R"({"id":1})");
  // Under the global FULL, changing Kafka-key's type is refused.
  EXPECT_EQ(Post(base + "/subjects/Kafka-key/versions", RegistrationBody("\"int\"")).status, 409);
}

// ---------------------------------------------------------------------------- bad input

// A random body: bytes, broken JSON, JSON of the wrong shape, schemas that almost parse.
std::string RandomBody(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto random_bytes = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xff));
    return s;
  };
  static const std::vector<std::string> kStrings = {
      "",         "BACKWARD", "FULL_TRANSITIVE",
      "READONLY", "IMPORT",   "AVRO",
      "PROTOBUF", "JSON",     "\"int\"",
      "{}",       "null",     "-1",
      "latest",   "\xff\xfe", "syntax = \"proto3\"; message M { string a = 1; }"};
  switch (pick(10)) {
    case 0:
      return random_bytes(pick(200));
    case 1:
      return "";
    case 2: {  // an object of random fields
      Json j = Json::object();
      static const std::vector<std::string> kKeys = {
          "schema", "schemaType", "references", "compatibility", "mode", "id", "version", "x"};
      for (int i = pick(5); i >= 0; --i) {
        const std::string& key = kKeys[pick(static_cast<int>(kKeys.size()))];
        switch (pick(6)) {
          case 0:
            j[key] = kStrings[pick(static_cast<int>(kStrings.size()))];
            break;
          case 1:
            j[key] = static_cast<int64_t>(rng()) * (pick(2) ? 1 : -1) * 4294967296LL;
            break;
          case 2:
            j[key] = nullptr;
            break;
          case 3:
            j[key] = Json::array({1, "a", Json::object()});
            break;
          case 4:
            j[key] = Json::array({{{"name", 1}, {"subject", "s"}, {"version", "v"}}});
            break;
          default:
            j[key] = pick(2) == 0;
            break;
        }
      }
      return j.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    case 3: {  // a valid registration with bytes flipped
      std::string s = RegistrationBody(AvroRecord("R", {"a", "b"}));
      for (int i = pick(4); i >= 0; --i)
        s[pick(static_cast<int>(s.size()))] = static_cast<char>(rng());
      return s;
    }
    case 4:  // an Avro schema that is almost one
      return RegistrationBody(absl::StrCat(
          R"({"type":"record","name":")", kStrings[pick(static_cast<int>(kStrings.size()))],
          R"(","fields":[{"name":"a","type":)",
          pick(2) ? R"({"type":"enum","name":"E","symbols":["A","A"]})" : R"(["null","null"])",
          "}]}"));
    case 5:  // JSON that is not an object
      return pick(2) ? "[1,2,3]" : "\"schema\"";
    case 6:  // a Protobuf schema, maybe cut
    {
      std::string proto =
          "syntax = \"proto3\";\nimport \"missing.proto\";\nmessage M { map<string, M> m = 1; "
          "oneof o { int32 a = 2; } }\n";
      return RegistrationBody(
          proto.substr(0, static_cast<size_t>(pick(static_cast<int>(proto.size())))), "PROTOBUF");
    }
    case 7:  // a JSON schema with odd keywords
      return RegistrationBody(
          R"({"type":"object","properties":{"a":{"$ref":"#/definitions/nope"}},"allOf":[{"not":{}}],"pattern":"(["})",
          "JSON");
    case 8:  // deep nesting
      return std::string(static_cast<size_t>(500 + pick(2000)), '[') + "1";
    default:  // a compatibility or mode body
      return pick(2) ? absl::StrCat(R"({"compatibility":")",
                                    kStrings[pick(static_cast<int>(kStrings.size()))], "\"}")
                     : R"({"mode":"NOT_A_MODE"})";
  }
}

TEST_F(SchemaRegistryIntegrationTest, SurvivesHostileInput) {
  InstanceConfig config = Config();
  config.registry["http.max.body.bytes"] = "65536";
  RegistryProcess* p = StartLeader(config);
  ASSERT_NE(p, nullptr);
  const std::string base = config.BaseUrl();
  ASSERT_EQ(Register(base, "r", AvroRecord("R", {"a"})), 1);

  // Larger than http.max.body.bytes: 413 with an error body, and the server goes on.
  HttpResult too_large = Post(base + "/subjects/r/versions",
                              RegistrationBody(AvroRecord("Big", {std::string(70 * 1024, 'f')})));
  ExpectError(too_large, 413, 413);
  EXPECT_EQ(Get(base + "/").status, 200);

  const std::vector<std::string> routes = {"/",
                                           "/subjects",
                                           "/subjects/r",
                                           "/subjects/r/versions",
                                           "/subjects/r/versions/1",
                                           "/subjects/r/versions/latest",
                                           "/subjects/r/versions/latest/schema",
                                           "/subjects/r/versions/1/referencedby",
                                           "/schemas",
                                           "/schemas/types",
                                           "/schemas/ids/1",
                                           "/schemas/ids/1/schema",
                                           "/schemas/ids/1/subjects",
                                           "/schemas/ids/1/versions",
                                           "/config",
                                           "/config/r",
                                           "/mode",
                                           "/mode/r",
                                           "/compatibility/subjects/r/versions",
                                           "/compatibility/subjects/r/versions/latest",
                                           "/subjects/%ZZ/versions/-99999999999",
                                           "/schemas/ids/-1"};
  const std::vector<std::string> methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  const std::vector<std::string> content_types = {"application/vnd.schemaregistry.v1+json",
                                                  "application/json", "text/plain",
                                                  "application/octet-stream"};
  std::mt19937 rng(20240611);
  int requests = 0;
  std::map<long, int> statuses;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& route : routes) {
      for (const std::string& method : methods) {
        HttpOptions options{.body = RandomBody(rng),
                            .content_type = content_types[rng() % content_types.size()],
                            .timeout = absl::Seconds(20)};
        const std::string query = rng() % 3 == 0 ? "?deleted=true&permanent=true&verbose=1" : "";
        HttpResult r = Http(method, base + route + query, options);
        ++requests;
        ++statuses[r.status];
        SCOPED_TRACE(
            absl::StrCat(method, " ", route, query, " body=", options.body->substr(0, 120)));
        ASSERT_NE(r.status, 0) << "no answer: " << r.error;
        EXPECT_LT(r.status, 500) << r;
        if (r.status != 200) {
          Json body = r.json();
          EXPECT_TRUE(body.is_object() && body.contains("error_code") &&
                      body["error_code"].is_number_integer())
              << r;
        }
        ASSERT_TRUE(p->Running()) << "schema-registry died; stderr:\n" << p->Stderr();
      }
    }
  }
  EXPECT_EQ(requests, 264);
  // The inputs reached the parsers and the routes, not only the first check.
  for (long status : {200L, 400L, 404L, 405L, 415L, 422L}) {
    EXPECT_GT(statuses[status], 0) << "no answer " << status;
  }

  // Nesting deep enough to overflow a recursive parser's stack, each within the body limit.
  auto nested = [](int depth, const std::string& open, const std::string& leaf,
                   const std::string& close) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += open;
    s += leaf;
    for (int i = 0; i < depth; ++i) s += close;
    return s;
  };
  const std::vector<std::pair<std::string, std::string>> deep = {
      {"/subjects/deep/versions", nested(30000, "[", "1", "]")},
      {"/subjects/deep/versions", "{\"schema\":" + std::string(60000, '{')},
      {"/subjects/deep/versions",
       RegistrationBody(nested(2000, R"({"type":"array","items":)", R"("int")", "}"))},
      {"/subjects/deep/versions", RegistrationBody(nested(5000, "[", R"("int")", "]"))},
      {"/subjects/deep/versions",
       RegistrationBody(nested(2000, R"({"properties":{"a":)", R"({"type":"string"})", "}}"),
                        "JSON")},
      {"/subjects/deep/versions",
       RegistrationBody("syntax = \"proto3\";\n" + nested(3000, "message M { ", "", "}"),
                        "PROTOBUF")},
      {"/compatibility/subjects/r/versions/latest",
       RegistrationBody(nested(2000, R"({"type":"array","items":)", R"("int")", "}"))},
  };
  for (const auto& [path, body] : deep) {
    HttpResult r = Post(base + path, body);
    SCOPED_TRACE(
        absl::StrCat("POST ", path, " body=", body.substr(0, 80), "… (", body.size(), " bytes)"));
    ASSERT_TRUE(p->Running()) << "schema-registry died; stderr:\n" << p->Stderr();
    ASSERT_NE(r.status, 0) << "no answer: " << r.error;
    EXPECT_NE(r.status, 413) << "make the body smaller: it must reach the parsers";
    EXPECT_LT(r.status, 500) << r;
    if (r.status != 200) {
      Json answer = r.json();
      EXPECT_TRUE(answer.is_object() && answer.contains("error_code")) << r;
    }
  }
  EXPECT_TRUE(p->Running());
  HttpResult root = Get(base + "/");
  EXPECT_EQ(root.status, 200) << root;
  EXPECT_EQ(root.body, "{}");
}

TEST_F(SchemaRegistryIntegrationTest, UnknownConfigKeyExitsWithCode2NamingIt) {
  InstanceConfig config = Config();
  config.registry["kafkastore.bogus.key"] = "1";
  auto p = RegistryProcess::Start(id_, config.Yaml());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)->WaitExit(absl::Seconds(20)), 2) << (*p)->Stderr();
  EXPECT_THAT((*p)->Stderr(), HasSubstr("registry.kafkastore.bogus.key"));
  EXPECT_THAT((*p)->Stderr(), HasSubstr("unknown key"));
}

// ---------------------------------------------------------------------------- TLS + auth

TEST_F(SchemaRegistryIntegrationTest, HttpsWithBasicAuthentication) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/", id_, "-tls");
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  std::string out;
  ASSERT_EQ(RunShell(absl::StrCat("mkdir -p '", dir,
                                  "' && openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
                                  "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                                  "-keyout '",
                                  key, "' -out '", cert, "'"),
                     &out),
            0)
      << out;

  InstanceConfig config = Config();
  config.https = true;
  config.cert_file = cert;
  config.key_file = key;
  config.users = {{"alice", "s3cret:with:colons"}, {"bob", "hunter2"}};
  RegistryProcess* p = StartLeader(config);
  ASSERT_NE(p, nullptr);
  const std::string base = config.BaseUrl();
  ASSERT_EQ(base.substr(0, 8), "https://");

  // No credentials, a wrong password, an unknown user: 401 with an error body.
  for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"alice", "wrong"}, {"carol", "hunter2"}, {"bob", "s3cret:with:colons"}}) {
    HttpResult r = Http("GET", base + "/subjects", {.user = user, .password = password});
    ExpectError(r, 401, 401);
  }
  ExpectError(Http("POST", base + "/subjects/s/versions", {.body = RegistrationBody("\"string\"")}),
              401, 401);

  // The right credentials over TLS.
  HttpResult ok = Http("GET", base + "/", {.user = "alice", .password = "s3cret:with:colons"});
  EXPECT_EQ(ok.status, 200) << ok;
  EXPECT_EQ(ok.body, "{}");
  HttpResult reg =
      Http("POST", base + "/subjects/s/versions",
           {.body = RegistrationBody("\"string\""), .user = "bob", .password = "hunter2"});
  EXPECT_EQ(reg.status, 200) << reg;
  EXPECT_EQ(reg.body, R"({"id":1})");
  HttpResult read = Http("GET", base + "/subjects", {.user = "bob", .password = "hunter2"});
  EXPECT_EQ(read.body, R"(["s"])") << read;
  // A follower forwards writes to the leader over TLS (verifying it with ssl.ca.location),
  // with the client's credentials; a follower's reads need them too.
  InstanceConfig follower_config = Config();
  follower_config.https = true;
  follower_config.cert_file = cert;
  follower_config.key_file = key;
  follower_config.users = config.users;
  follower_config.registry["ssl.ca.location"] = cert;
  RegistryProcess* follower = Start(follower_config);
  ASSERT_NE(follower, nullptr);
  const std::string follower_base = follower_config.BaseUrl();
  ExpectError(Http("GET", follower_base + "/subjects"), 401, 401);
  HttpResult forwarded = Http(
      "POST", follower_base + "/subjects/t/versions",
      {.body = RegistrationBody("\"int\""), .user = "alice", .password = "s3cret:with:colons"});
  EXPECT_EQ(forwarded.status, 200) << forwarded;
  EXPECT_EQ(forwarded.body, R"({"id":2})");
  ExpectError(
      Http("POST", follower_base + "/subjects/u/versions", {.body = RegistrationBody("\"long\"")}),
      401, 401);
  EXPECT_TRUE(testutil::WaitFor(
      [&] {
        return Http("GET", follower_base + "/subjects", {.user = "bob", .password = "hunter2"})
                   .body == R"(["s","t"])";
      },
      absl::Seconds(10)));
  EXPECT_EQ(follower->Stderr().find("leader of group"), std::string::npos);

  // Plain HTTP to the TLS port gets no answer of the API.
  HttpResult plain =
      Http("GET", absl::StrCat("http://127.0.0.1:", config.port, "/"),
           {.user = "alice", .password = "s3cret:with:colons", .timeout = absl::Seconds(5)});
  EXPECT_NE(plain.status, 200) << plain;
  EXPECT_TRUE(p->Running());
  // The password never reaches the log.
  EXPECT_EQ(p->Stderr().find("hunter2"), std::string::npos) << p->Stderr();
  RunShell(absl::StrCat("rm -rf '", dir, "'"));
}

}  // namespace
}  // namespace cdcflow::schema_registry::it
