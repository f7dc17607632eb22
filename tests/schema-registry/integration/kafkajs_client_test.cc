// The schema registry against the real @kafkajs/confluent-schema-registry client: starts an
// instance and runs tests/schema-registry/kafkajs/registry_client_test.js on it with Node.js,
// the client's packages taken from $CDCFLOW_HOME/kafkajs-test/node_modules (installed by
// deploy/local/install-deps from the committed package-lock.json).

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/schema-registry/integration/fixture.h"

namespace cdcflow::schema_registry::it {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// $CDCFLOW_HOME as deploy/local/env.sh sets it: the variable, else <repo>/.local.
std::string CdcflowHome() {
  const char* home = std::getenv("CDCFLOW_HOME");
  return home != nullptr && home[0] != '\0' ? home : absl::StrCat(CDCFLOW_SOURCE_DIR, "/.local");
}

class SchemaRegistryKafkajsTest : public RegistryIntegrationTest {};

TEST_F(SchemaRegistryKafkajsTest, RealClientRegistersEncodesAndDecodes) {
  const std::string installed = CdcflowHome() + "/kafkajs-test";
  const std::string modules = installed + "/node_modules";
  ASSERT_TRUE(Exists(modules + "/@kafkajs/confluent-schema-registry/package.json"))
      << "the kafkajs test's npm packages are not installed in " << modules
      << ": run deploy/local/install-deps";
  ASSERT_EQ(testutil::ReadWholeFile(installed + "/package-lock.json"),
            testutil::ReadWholeFile(KAFKAJS_TEST_DIR "/package-lock.json"))
      << modules << " was installed from another package-lock.json: run deploy/local/install-deps";
  std::string node_version;
  ASSERT_EQ(RunShell("node --version", &node_version), 0)
      << "Node.js (20) is needed: " << node_version;

  InstanceConfig config = Config();
  config.compatibility_level = "backward";
  RegistryProcess* p = Start(config);
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->WaitForLog("leader of group", absl::Seconds(30))) << p->Stderr();
  const std::string base = config.BaseUrl();

  std::string out;
  const int code = RunShell(absl::StrCat("cd '", KAFKAJS_TEST_DIR, "' && NODE_PATH='", modules,
                                         "' timeout 90 node registry_client_test.js '", base, "'"),
                            &out);
  EXPECT_EQ(code, 0) << "registry_client_test.js failed:\n" << out;
  EXPECT_NE(out.find("\nPASS\n"), std::string::npos) << out;

  // What the client left behind: Avro 1, Protobuf 2, JSON 3 (each re-registered without a new
  // version), Avro version 2 as id 4, nothing else.
  HttpResult subjects = Get(base + "/subjects");
  ASSERT_EQ(subjects.status, 200) << subjects;
  ASSERT_EQ(subjects.json().size(), 3u) << subjects;
  for (const Json& subject : subjects.json()) {
    const std::string s = subject.get<std::string>();
    HttpResult versions = Get(base + "/subjects/" + s + "/versions");
    EXPECT_EQ(versions.body, s.ends_with("-person-value") ? "[1,2]" : "[1]") << s;
    // The client set each subject's level on its first registration.
    EXPECT_EQ(Get(base + "/config/" + s).body, R"({"compatibilityLevel":"BACKWARD"})") << s;
  }
  EXPECT_EQ(Get(base + "/schemas/ids/1").json().contains("schemaType"), false);
  EXPECT_EQ(Get(base + "/schemas/ids/2").json().value("schemaType", ""), "PROTOBUF");
  EXPECT_EQ(Get(base + "/schemas/ids/3").json().value("schemaType", ""), "JSON");
  EXPECT_EQ(Get(base + "/schemas/ids/4").status, 200);
  EXPECT_EQ(Get(base + "/schemas/ids/5").status, 404);
}

}  // namespace
}  // namespace cdcflow::schema_registry::it
