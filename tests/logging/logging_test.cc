#include "libs/logging/logging.h"

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cdcflow::logging {
namespace {

using ::testing::MatchesRegex;

struct Captured {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
};

std::unique_ptr<Captured> Capture(LoggingOptions options) {
  auto c = std::make_unique<Captured>();
  auto logger =
      MakeLogger("svc", options, std::make_shared<spdlog::sinks::ostream_sink_st>(c->out));
  EXPECT_TRUE(logger.ok()) << logger.status();
  c->logger = *logger;
  return c;
}

TEST(Logging, JsonLinesAreValidJsonWithEscapedMessages) {
  auto c = Capture({.level = "info", .format = "json"});
  c->logger->info("quote \" backslash \\ newline \n tab \t ctl \x01 done");
  c->logger->flush();
  const std::string line = c->out.str();
  ASSERT_EQ(line.back(), '\n');
  ASSERT_EQ(line.find('\n'), line.size() - 1) << "one event, one line";
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "svc");
  EXPECT_EQ(j["msg"], "quote \" backslash \\ newline \n tab \t ctl \x01 done");
  EXPECT_THAT(
      j["ts"].get<std::string>(),
      MatchesRegex(R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$)"));
}

TEST(Logging, LevelFiltersLowerEvents) {
  auto c = Capture({.level = "warn", .format = "text"});
  c->logger->info("hidden");
  c->logger->warn("shown");
  c->logger->flush();
  const std::string out = c->out.str();
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  // "<27-char timestamp> warning [svc] shown\n"
  ASSERT_EQ(out.size(), 27 + std::string(" warning [svc] shown\n").size()) << out;
  EXPECT_EQ(out.substr(27), " warning [svc] shown\n");
  EXPECT_THAT(out.substr(0, 27), MatchesRegex(R"(^[0-9-]{10}T[0-9:]{8}\.[0-9]{6}Z$)"));
}

TEST(Logging, UnknownLevelOrFormatIsAnError) {
  EXPECT_EQ(MakeLogger("svc", {.level = "loud"}).status().message(),
            "logging.level: unknown level \"loud\"");
  EXPECT_EQ(MakeLogger("svc", {.format = "xml"}).status().message(),
            "logging.format: unknown format \"xml\"");
  EXPECT_TRUE(MakeLogger("svc", {.level = "off"}).ok());
}

TEST(Logging, BoundOptionsRejectUnknownValues) {
  LoggingOptions options;
  config::ConfigSpec spec;
  BindLoggingOptions(spec, &options);
  EXPECT_TRUE(
      spec.LoadString("logging: {level: debug, format: json}", config::Environment::FromMap({}))
          .ok());
  EXPECT_EQ(options.level, "debug");
  EXPECT_EQ(options.format, "json");
}

}  // namespace
}  // namespace cdcflow::logging
