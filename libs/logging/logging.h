#pragma once

// Service logging through spdlog: one event per line, as text or as JSON, level from config.
// A service builds one logger in main and passes it (std::shared_ptr<spdlog::logger>) to the
// components that log; there is no global logger to reach for.

#include <functional>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/config/config.h"
#include "libs/logging/fmt_absl.h"

namespace cdcflow::logging {

struct LoggingOptions {
  std::string level = "info";   // trace|debug|info|warn|error|critical|off
  std::string format = "text";  // text|json
};

// Binds section "logging": keys `level` and `format`.
void BindLoggingOptions(config::ConfigSpec& spec, LoggingOptions* options);

// A logger named `service` writing to stderr. JSON lines look like
//   {"ts":"2026-11-21T11:19:54.123456Z","level":"info","logger":"cdc-capture","msg":"..."}
absl::StatusOr<std::shared_ptr<spdlog::logger>> MakeLogger(const std::string& service,
                                                           const LoggingOptions& options);

// The same, writing to any sink (tests capture output this way).
absl::StatusOr<std::shared_ptr<spdlog::logger>> MakeLogger(const std::string& service,
                                                           const LoggingOptions& options,
                                                           spdlog::sink_ptr sink);

// A callback for libraries that report syslog severities (librdkafka: 0 emerg .. 3 error,
// 4 warning, 6 info, 7 debug): errors and warnings at those levels, the rest at debug, each
// line prefixed with `prefix` ("kafka: "). Thread-safe, as spdlog loggers are.
std::function<void(int level, absl::string_view message)> SyslogLevelSink(
    std::shared_ptr<spdlog::logger> log, std::string prefix);

// Escapes a string for a JSON string literal (quotes excluded).
void AppendJsonEscaped(std::string_view in, std::string& out);

}  // namespace cdcflow::logging
