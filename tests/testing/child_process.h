#pragma once

// A program under test running as a child process: the real service binary started on a config
// file written to a directory of its own, stdout and stderr captured in files there, and small
// helpers to signal it, wait for its exit code and poll its log. No gtest dependency.
//
//   ASSIGN_OR_RETURN(auto sink, ChildProcess::Start({.name = "sink-it-1",
//                                                    .binary = MYSQL_SINK_BINARY,
//                                                    .binary_env = "MYSQL_SINK_BINARY",
//                                                    .config = yaml}));
//   sink->WaitForLog("started", absl::Seconds(10));
//   sink->Signal(SIGKILL);
//   EXPECT_EQ(sink->WaitExit(absl::Seconds(5)), 128 + SIGKILL);
//
// The destructor stops a child that still runs (SIGTERM, then SIGKILL after stop_timeout) and
// removes the directory unless $<keep_logs_env> is set.

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cdcflow::testutil {

struct ChildProcessOptions {
  // Names the directory: $TMPDIR/<name>-run<n>/ holds config.yaml, stdout.log, stderr.log.
  std::string name = "child";
  // The program to run, and an environment variable that, when set and not empty, names
  // another build to run instead (sanitizers, a deliberately broken build).
  std::string binary;
  std::string binary_env;
  // Written to <dir>/config.yaml and passed as `<config_flag> <path>`; no flag when empty.
  std::string config;
  std::string config_flag = "--config";
  // More arguments, after the config flag.
  std::vector<std::string> args;
  // The child's environment is the test's minus every variable starting with one of these
  // prefixes (CDCFLOW_* would override the generated config), plus `env`.
  std::vector<std::string> drop_env_prefixes = {"CDCFLOW_"};
  std::map<std::string, std::string> env;
  // Set (to anything): keep the directory after the process object is gone.
  std::string keep_logs_env = "CDCFLOW_IT_KEEP_LOGS";
  // How long the destructor waits after SIGTERM before it sends SIGKILL.
  absl::Duration stop_timeout = absl::Seconds(20);
};

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(ChildProcessOptions options);
  virtual ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `signal` (SIGKILL, SIGTERM...) unless the process already exited.
  void Signal(int signal);
  // The exit code, 128+signal when killed by a signal, nullopt when still running at
  // `timeout`.
  std::optional<int> WaitExit(absl::Duration timeout);
  // SIGTERM, then SIGKILL if it has not exited within `timeout`; the exit code.
  std::optional<int> Stop(absl::Duration timeout);
  std::string Stderr() const;
  std::string Stdout() const;
  // Polls stderr (where the services log) until it contains `text`.
  bool WaitForLog(const std::string& text, absl::Duration timeout) const;
  const std::string& dir() const { return dir_; }
  const std::string& config_path() const { return config_path_; }

 protected:
  ChildProcess() = default;
  // Writes the config and spawns the binary (for subclasses with a Start of their own).
  absl::Status Launch(ChildProcessOptions options);

 private:
  ChildProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string dir_, config_path_, stdout_path_, stderr_path_;
};

// Reads a whole file; "" when it cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace cdcflow::testutil
