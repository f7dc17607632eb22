#include "libs/logging/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace cdcflow::logging {

namespace {

// Formats each record as one JSON object on one line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(96 + msg.payload.size());
    line += R"({"ts":")";
    AppendTimestamp(msg.time, line);
    line += R"(","level":")";
    const auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += R"(","logger":")";
    AppendJsonEscaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), line);
    line += R"(","thread":)";
    line += std::to_string(msg.thread_id);
    line += R"(,"msg":")";
    AppendJsonEscaped(std::string_view(msg.payload.data(), msg.payload.size()), line);
    line += "\"}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }

 private:
  // RFC 3339 in UTC with microseconds.
  static void AppendTimestamp(spdlog::log_clock::time_point tp, std::string& out) {
    const auto since_epoch = tp.time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - secs).count();
    const std::time_t t = secs.count();
    std::tm tm;
    gmtime_r(&t, &tm);
    char buf[40];
    const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    out.append(buf, n);
    std::snprintf(buf, sizeof(buf), ".%06lldZ", static_cast<long long>(micros));
    out += buf;
  }
};

}  // namespace

void AppendJsonEscaped(std::string_view in, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : in) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
}

void BindLoggingOptions(config::ConfigSpec& spec, LoggingOptions* options) {
  spec.Bind("logging", "level", &options->level,
            {.one_of = {"trace", "debug", "info", "warn", "error", "critical", "off"}});
  spec.Bind("logging", "format", &options->format, {.one_of = {"text", "json"}});
}

absl::StatusOr<std::shared_ptr<spdlog::logger>> MakeLogger(const std::string& service,
                                                           const LoggingOptions& options,
                                                           spdlog::sink_ptr sink) {
  const spdlog::level::level_enum level = spdlog::level::from_str(options.level);
  // from_str answers "off" for anything it does not know; only accept "off" when asked for.
  if (level == spdlog::level::off && options.level != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("logging.level: unknown level \"", options.level, "\""));
  }
  auto logger = std::make_shared<spdlog::logger>(service, std::move(sink));
  if (options.format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (options.format == "text") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%-7l%$ [%n] %v", spdlog::pattern_time_type::utc);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("logging.format: unknown format \"", options.format, "\""));
  }
  logger->set_level(level);
  // Warnings and errors reach the terminal/collector at once; info may batch.
  logger->flush_on(spdlog::level::warn);
  return logger;
}

absl::StatusOr<std::shared_ptr<spdlog::logger>> MakeLogger(const std::string& service,
                                                           const LoggingOptions& options) {
  return MakeLogger(service, options, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

std::function<void(int, absl::string_view)> SyslogLevelSink(std::shared_ptr<spdlog::logger> log,
                                                            std::string prefix) {
  return [log = std::move(log), prefix = std::move(prefix)](int level, absl::string_view message) {
    if (level <= 3) {
      log->error("{}{}", prefix, message);
    } else if (level <= 4) {
      log->warn("{}{}", prefix, message);
    } else {
      log->debug("{}{}", prefix, message);
    }
  };
}

}  // namespace cdcflow::logging
