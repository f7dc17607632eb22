#include "libs/metrics/metrics_server.h"

#include <curl/curl.h>
#include <prometheus/counter.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdcflow::metrics {
namespace {

using ::testing::HasSubstr;

std::string HttpGet(const std::string& url, long* status) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(p, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  curl_easy_cleanup(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  return body;
}

TEST(MetricsServer, ServesRegistryBuildInfoAndProcessMetrics) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& counter = prometheus::BuildCounter()
                      .Name("cdcflow_test_events_total")
                      .Help("test")
                      .Register(*registry)
                      .Add({{"table", "public.t"}});
  counter.Increment(41);
  counter.Increment();

  auto server = MetricsServer::Start("test-service", {.address = "127.0.0.1", .port = 0}, registry);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);

  long status = 0;
  const std::string body =
      HttpGet("http://127.0.0.1:" + std::to_string((*server)->port()) + "/metrics", &status);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(body, HasSubstr("cdcflow_test_events_total{table=\"public.t\"} 42"));
  EXPECT_THAT(body, HasSubstr(std::string("cdcflow_build_info{commit=\"") + BuildCommit() +
                              "\",service=\"test-service\",version=\"" + BuildVersion() + "\"} 1"));
  EXPECT_THAT(body, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(body, HasSubstr("process_open_fds "));
}

TEST(MetricsServer, PortInUseIsAClearError) {
  auto first = MetricsServer::Start("a", {.address = "127.0.0.1", .port = 0},
                                    std::make_shared<prometheus::Registry>());
  ASSERT_TRUE(first.ok()) << first.status();
  const int port = (*first)->port();
  auto second = MetricsServer::Start("b", {.address = "127.0.0.1", .port = port},
                                     std::make_shared<prometheus::Registry>());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("metrics: cannot listen on 127.0.0.1:" + std::to_string(port)));
}

}  // namespace
}  // namespace cdcflow::metrics
