#include "libs/config/config.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdcflow::config {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

struct TestConfig {
  std::string bootstrap;
  std::string password;
  std::string mode = "initial";
  bool tombstones = true;
  int64_t heartbeat_ms = 0;
  int port = 9101;
  double ratio = 0.5;
  std::vector<std::string> tables;
  std::map<std::string, std::string> properties;
};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    spec_.Bind("kafka", "bootstrap.servers", &cfg_.bootstrap, {.required = true});
    spec_.Bind("kafka", "properties", &cfg_.properties);
    spec_.Bind("source", "password", &cfg_.password, {.secret = true});
    spec_.Bind("source", "snapshot.mode", &cfg_.mode,
               {.one_of = {"initial", "never", "initial_only", "always"}});
    spec_.Bind("source", "tombstones.on.delete", &cfg_.tombstones);
    spec_.Bind("source", "heartbeat.interval.ms", &cfg_.heartbeat_ms, {.min = 0});
    spec_.Bind("source", "table.include.list", &cfg_.tables);
    spec_.Bind("metrics", "port", &cfg_.port, {.min = 1, .max = 65535});
    spec_.Bind("metrics", "ratio", &cfg_.ratio);
  }

  absl::Status Load(const std::string& yaml, std::map<std::string, std::string> env = {}) {
    return spec_.LoadString(yaml, Environment::FromMap(std::move(env)));
  }

  TestConfig cfg_;
  ConfigSpec spec_;
};

TEST_F(ConfigTest, LoadsEveryTypeFromYaml) {
  ASSERT_TRUE(Load(R"(
kafka:
  bootstrap.servers: 127.0.0.1:9092
  properties:
    linger.ms: "5"
    compression.type: lz4
source:
  password: s3cret
  snapshot.mode: never
  tombstones.on.delete: false
  heartbeat.interval.ms: 10000
  table.include.list: [public.a, public.b]
metrics:
  port: 9200
  ratio: 0.25
)")
                  .ok());
  EXPECT_EQ(cfg_.bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(cfg_.password, "s3cret");
  EXPECT_EQ(cfg_.mode, "never");
  EXPECT_FALSE(cfg_.tombstones);
  EXPECT_EQ(cfg_.heartbeat_ms, 10000);
  EXPECT_EQ(cfg_.port, 9200);
  EXPECT_DOUBLE_EQ(cfg_.ratio, 0.25);
  EXPECT_EQ(cfg_.tables, (std::vector<std::string>{"public.a", "public.b"}));
  EXPECT_EQ(cfg_.properties,
            (std::map<std::string, std::string>{{"compression.type", "lz4"}, {"linger.ms", "5"}}));
}

TEST_F(ConfigTest, DefaultsStayWhenNotSet) {
  ASSERT_TRUE(Load("kafka: {bootstrap.servers: b:1}").ok());
  EXPECT_EQ(cfg_.mode, "initial");
  EXPECT_TRUE(cfg_.tombstones);
  EXPECT_EQ(cfg_.port, 9101);
}

TEST_F(ConfigTest, EnvironmentOverridesTheFile) {
  ASSERT_TRUE(Load("kafka: {bootstrap.servers: file:1}\nmetrics: {port: 1}",
                   {{"CDCFLOW_KAFKA_BOOTSTRAP_SERVERS", "env:2"},
                    {"CDCFLOW_METRICS_PORT", "9300"},
                    {"CDCFLOW_SOURCE_TABLE_INCLUDE_LIST", "public.x, public.y"},
                    {"CDCFLOW_KAFKA_PROPERTIES", "acks=all,linger.ms=1"},
                    {"CDCFLOW_UNRELATED", "ignored"}})
                  .ok());
  EXPECT_EQ(cfg_.bootstrap, "env:2");
  EXPECT_EQ(cfg_.port, 9300);
  EXPECT_EQ(cfg_.tables, (std::vector<std::string>{"public.x", "public.y"}));
  EXPECT_EQ(cfg_.properties,
            (std::map<std::string, std::string>{{"acks", "all"}, {"linger.ms", "1"}}));
}

TEST_F(ConfigTest, RequiredKeyMayComeFromTheEnvironmentAlone) {
  ASSERT_TRUE(Load("", {{"CDCFLOW_KAFKA_BOOTSTRAP_SERVERS", "b:1"}}).ok());
  EXPECT_EQ(cfg_.bootstrap, "b:1");
}

TEST_F(ConfigTest, SecretFromFile) {
  const std::string path = ::testing::TempDir() + "/secret.txt";
  std::ofstream(path) << "from-file\n";
  ASSERT_TRUE(
      Load("kafka: {bootstrap.servers: b:1}", {{"CDCFLOW_SOURCE_PASSWORD_FILE", path}}).ok());
  EXPECT_EQ(cfg_.password, "from-file");
}

TEST_F(ConfigTest, UnknownKeyIsNamed) {
  absl::Status s = Load("kafka:\n  bootstrap.servers: b:1\n  lingr.ms: 5\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "kafka.lingr.ms: unknown key");
}

TEST(ConfigSpecPrefix, CollectsTheKeysOfAFamilyBesideItsOwnFields) {
  ConfigSpec spec;
  std::string prefix;
  std::map<std::string, std::string> family;
  spec.Bind("connector", "topic.prefix", &prefix);
  spec.BindPrefix("connector", "topic.creation.default.", &family);
  ASSERT_TRUE(spec.LoadString(R"(
connector:
  topic.prefix: dev
  topic.creation.default.partitions: 3
  topic.creation.default.cleanup.policy: compact
)",
                              Environment::FromMap({{"CDCFLOW_CONNECTOR_TOPIC_CREATION_DEFAULT",
                                                     "partitions=6, retention.ms=1000"}}))
                  .ok());
  EXPECT_EQ(prefix, "dev");
  // The environment's map adds to the file's keys and wins where both set one.
  EXPECT_EQ(family,
            (std::map<std::string, std::string>{
                {"partitions", "6"}, {"cleanup.policy", "compact"}, {"retention.ms", "1000"}}));
  EXPECT_THAT(spec.Describe(),
              Contains("connector.topic.creation.default. = {cleanup.policy=compact, "
                       "partitions=6, retention.ms=1000}"));
}

TEST(ConfigSpecPrefix, OtherKeysStayUnknownAndValuesMustBeScalars) {
  ConfigSpec spec;
  std::map<std::string, std::string> family;
  spec.BindPrefix("connector", "topic.creation.default.", &family);
  absl::Status s =
      spec.LoadString("connector:\n  topic.creation.groups: a\n", Environment::FromMap({}));
  EXPECT_THAT(s.message(), HasSubstr("connector.topic.creation.groups: unknown key"));
  // The prefix alone names no key of the family.
  s = spec.LoadString("connector:\n  topic.creation.default.: 1\n", Environment::FromMap({}));
  EXPECT_THAT(s.message(), HasSubstr("unknown key"));
  s = spec.LoadString("connector:\n  topic.creation.default.partitions: [1, 2]\n",
                      Environment::FromMap({}));
  EXPECT_THAT(s.message(),
              HasSubstr("connector.topic.creation.default.partitions: must be a scalar"));
  s = spec.LoadString("",
                      Environment::FromMap({{"CDCFLOW_CONNECTOR_TOPIC_CREATION_DEFAULT", "x"}}));
  EXPECT_THAT(s.message(), HasSubstr("must be a map"));
}

TEST_F(ConfigTest, UnknownSectionIsNamed) {
  absl::Status s = Load("kafka: {bootstrap.servers: b:1}\nsink: {x: 1}");
  EXPECT_EQ(s.message(), "sink: unknown key (not a section of this service)");
}

TEST_F(ConfigTest, MissingRequiredKeyIsNamedWithItsVariable) {
  absl::Status s = Load("metrics: {port: 1}");
  EXPECT_EQ(s.message(),
            "kafka.bootstrap.servers: missing required key (set it in the config file or "
            "CDCFLOW_KAFKA_BOOTSTRAP_SERVERS)");
}

TEST_F(ConfigTest, WrongTypesAreNamed) {
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}\nmetrics: {port: soon}").message(),
            "metrics.port: must be an integer, got \"soon\"");
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}\nsource: {tombstones.on.delete: maybe}").message(),
            "source.tombstones.on.delete: must be a boolean (true|false), got \"maybe\"");
  EXPECT_EQ(Load("kafka: {bootstrap.servers: [a, b]}").message(),
            "kafka.bootstrap.servers: has the wrong type (a list)");
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}\nmetrics: {ratio: x}").message(),
            "metrics.ratio: must be a number, got \"x\"");
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}\nsource: {table.include.list: {a: 1}}").message(),
            "source.table.include.list: has the wrong type (a map)");
  EXPECT_EQ(Load("kafka: [1]").message(), "kafka: must be a map of keys");
  EXPECT_EQ(Load("- a").message(), "the config file must be a map of sections");
}

TEST_F(ConfigTest, RangesAndEnumsAreChecked) {
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}\nmetrics: {port: 70000}").message(),
            "metrics.port: must be in [1, 65535], got 70000");
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}\nsource: {snapshot.mode: sometimes}").message(),
            "source.snapshot.mode: must be one of initial|never|initial_only|always, got "
            "\"sometimes\"");
  EXPECT_EQ(Load("kafka: {bootstrap.servers: b}", {{"CDCFLOW_METRICS_PORT", "0"}}).message(),
            "metrics.port: must be in [1, 65535], got 0 (from CDCFLOW_METRICS_PORT)");
  EXPECT_EQ(
      Load("kafka: {bootstrap.servers: b}", {{"CDCFLOW_KAFKA_PROPERTIES", "novalue"}}).message(),
      "kafka.properties: must be a map (k=v,k2=v2), got \"novalue\" (from "
      "CDCFLOW_KAFKA_PROPERTIES)");
}

TEST_F(ConfigTest, InvalidYamlSaysWhere) {
  absl::Status s = Load("kafka:\n  bootstrap.servers: [unclosed\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("invalid YAML at line"));
}

TEST_F(ConfigTest, DescribeMasksSecrets) {
  ASSERT_TRUE(Load("kafka: {bootstrap.servers: b:1}\nsource: {password: hunter2}").ok());
  std::vector<std::string> lines = spec_.Describe();
  EXPECT_THAT(lines, Contains("source.password = ****"));
  EXPECT_THAT(lines, Contains("kafka.bootstrap.servers = b:1"));
  for (const std::string& line : lines) EXPECT_THAT(line, ::testing::Not(HasSubstr("hunter2")));
}

TEST_F(ConfigTest, MissingFileIsAnError) {
  absl::Status s = spec_.LoadFile("/nonexistent/cdcflow.yaml", Environment::FromMap({}));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "cannot read config file /nonexistent/cdcflow.yaml");
}

TEST(ConfigSpecEnvName, UppercasesAndReplacesSeparators) {
  EXPECT_EQ(ConfigSpec::EnvName("kafka", "bootstrap.servers"), "CDCFLOW_KAFKA_BOOTSTRAP_SERVERS");
  EXPECT_EQ(ConfigSpec::EnvName("sink", "retry-backoff.ms"), "CDCFLOW_SINK_RETRY_BACKOFF_MS");
}

}  // namespace
}  // namespace cdcflow::config
