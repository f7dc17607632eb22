// Two schema-registry instances on one topic and group against deploy/local's real Kafka:
// exactly one leads, the other forwards writes to it; concurrent writes through both never
// share an id; after the leader is killed (SIGKILL) the survivor takes over and ids go on
// from the highest one. Runs alone (RUN_SERIAL): it waits on Kafka's session timeout.

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/schema-registry/integration/fixture.h"

namespace cdcflow::schema_registry::it {
namespace {

class SchemaRegistryFailoverTest : public RegistryIntegrationTest {};

struct Registered {
  std::string subject;
  std::string schema;
  int id = -1;
};

bool Leads(const RegistryProcess& p) {
  return p.Stderr().find("leader of group") != std::string::npos;
}

// Whether `base` knows `r` under its id, by lookup and by id.
bool Knows(const std::string& base, const Registered& r) {
  HttpResult lookup = Post(base + "/subjects/" + r.subject, RegistrationBody(r.schema));
  if (lookup.status != 200 || lookup.json().value("id", -1) != r.id) return false;
  HttpResult by_id = Get(absl::StrCat(base, "/schemas/ids/", r.id));
  return by_id.status == 200 && by_id.json().value("schema", "") == r.schema;
}

TEST_F(SchemaRegistryFailoverTest, ConcurrentWritesThroughTwoInstancesAndLeaderKill) {
  InstanceConfig config_a = Config();
  InstanceConfig config_b = Config();
  RegistryProcess* a = Start(config_a);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->WaitForLog("leader of group", absl::Seconds(30))) << a->Stderr();
  RegistryProcess* b = Start(config_b);
  ASSERT_NE(b, nullptr);
  const std::vector<std::string> bases = {config_a.BaseUrl(), config_b.BaseUrl()};

  // Two threads, 20 registrations each, alternating between the instances.
  constexpr int kPerThread = 20;
  std::vector<Registered> registered(2 * kPerThread);
  std::mutex failures_mu;
  std::vector<std::string> failures;
  auto writer = [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      Registered& r = registered[t * kPerThread + i];
      r.subject = absl::StrCat("t", t, "-s", i);
      r.schema = AvroRecord(absl::StrCat("T", t, "S", i), {"f"});
      const std::string& base = bases[(i + t) % 2];
      HttpResult result =
          Post(base + "/subjects/" + r.subject + "/versions", RegistrationBody(r.schema));
      r.id = result.status == 200 ? result.json().value("id", -1) : -1;
      if (r.id <= 0) {
        std::lock_guard lock(failures_mu);
        failures.push_back(absl::StrCat(base, " ", r.subject, ": ", result.status, " ", result.body,
                                        " ", result.error));
      }
    }
  };
  std::thread t0(writer, 0), t1(writer, 1);
  t0.join();
  t1.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();

  // Ids 1..40, each once.
  std::vector<int> ids;
  for (const Registered& r : registered) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  std::vector<int> expected(2 * kPerThread);
  for (int i = 0; i < 2 * kPerThread; ++i) expected[i] = i + 1;
  EXPECT_EQ(ids, expected);

  // Every schema under the same id on both instances (the follower may lag a few ms).
  for (const Registered& r : registered) {
    for (const std::string& base : bases) {
      EXPECT_TRUE(testutil::WaitFor([&] { return Knows(base, r); }, absl::Seconds(10),
                                    absl::Milliseconds(50)))
          << base << " does not know " << r.subject << " as id " << r.id;
    }
  }

  // The same new schema through both instances at once: one id, one version.
  const std::string shared = AvroRecord("Shared", {"f"});
  HttpResult shared_results[2];
  {
    std::atomic<int> ready{0};
    auto post = [&](int i) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      shared_results[i] = Post(bases[i] + "/subjects/shared/versions", RegistrationBody(shared));
    };
    std::thread s0(post, 0), s1(post, 1);
    s0.join();
    s1.join();
  }
  EXPECT_EQ(shared_results[0].body, absl::StrCat(R"({"id":)", 2 * kPerThread + 1, "}"))
      << shared_results[0];
  EXPECT_EQ(shared_results[1].body, shared_results[0].body) << shared_results[1];
  EXPECT_EQ(Get(bases[0] + "/subjects/shared/versions").body, "[1]");

  // Exactly one leads: the one that started first.
  EXPECT_TRUE(Leads(*a));
  EXPECT_FALSE(Leads(*b)) << b->Stderr();

  // Kill the leader; writes through the survivor answer 50003/50004 until it leads.
  a->Signal(SIGKILL);
  EXPECT_EQ(a->WaitExit(absl::Seconds(10)), 128 + SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  const Registered after{"after-failover", AvroRecord("After", {"f"}), 2 * kPerThread + 2};
  HttpResult result;
  std::set<int> interim_codes;
  bool done = testutil::WaitFor(
      [&] {
        result =
            Post(bases[1] + "/subjects/after-failover/versions", RegistrationBody(after.schema));
        if (result.status == 200) return true;
        const int code = result.json().value("error_code", 0);
        interim_codes.insert(code);
        EXPECT_TRUE(code == 50003 || code == 50004) << result;
        return code != 50003 && code != 50004;
      },
      absl::Seconds(40), absl::Milliseconds(250));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  ASSERT_TRUE(done) << "no write succeeded within 40 s of the kill: " << result;
  ASSERT_EQ(result.status, 200) << result;
  EXPECT_LT(seconds, 30.0) << "the survivor took over after " << seconds << " s";
  std::printf("survivor took writes %.1f s after the kill (interim codes:", seconds);
  for (int code : interim_codes) std::printf(" %d", code);
  std::printf(")\n");
  EXPECT_TRUE(Leads(*b)) << b->Stderr();
  // Ids go on after the highest one.
  EXPECT_EQ(result.json().value("id", -1), after.id) << result;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Register(bases[1], absl::StrCat("late-", i), AvroRecord(absl::StrCat("L", i), {"f"})),
              after.id + 1 + i);
  }

  // A new instance follows the new leader: it knows everything and forwards to it.
  InstanceConfig config_c = Config();
  RegistryProcess* c = Start(config_c);
  ASSERT_NE(c, nullptr);
  for (const Registered& r : registered) EXPECT_TRUE(Knows(config_c.BaseUrl(), r)) << r.subject;
  EXPECT_TRUE(Knows(config_c.BaseUrl(), after));
  EXPECT_EQ(Register(config_c.BaseUrl(), "via-c", AvroRecord("ViaC", {"f"})), after.id + 6);
  EXPECT_FALSE(Leads(*c)) << c->Stderr();
}

}  // namespace
}  // namespace cdcflow::schema_registry::it
