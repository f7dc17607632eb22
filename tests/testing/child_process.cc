#include "tests/testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/testing.h"

extern char** environ;

namespace cdcflow::testutil {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(ChildProcessOptions options) {
  std::unique_ptr<ChildProcess> p(new ChildProcess);
  if (absl::Status s = p->Launch(std::move(options)); !s.ok()) return s;
  return p;
}

absl::Status ChildProcess::Launch(ChildProcessOptions options) {
  options_ = std::move(options);
  static std::atomic<int> counter{0};
  dir_ = (std::filesystem::temp_directory_path() /
          absl::StrCat(options_.name, "-run", counter.fetch_add(1)))
             .string();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", dir_, ": ", ec.message()));
  config_path_ = dir_ + "/config.yaml";
  stdout_path_ = dir_ + "/stdout.log";
  stderr_path_ = dir_ + "/stderr.log";
  if (!options_.config_flag.empty()) {
    std::ofstream out(config_path_);
    out << options_.config;
    if (!out) return absl::InternalError(absl::StrCat("writing ", config_path_));
  }

  // The environment minus the dropped prefixes, plus the extra variables.
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    bool drop = false;
    for (const std::string& prefix : options_.drop_env_prefixes) {
      drop = drop || absl::StartsWith(entry, prefix);
    }
    for (const auto& [name, value] : options_.env) {
      drop = drop || absl::StartsWith(entry, name + "=");
    }
    if (!drop) env_storage.emplace_back(entry);
  }
  for (const auto& [name, value] : options_.env) env_storage.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::string binary = options_.binary;
  if (!options_.binary_env.empty()) {
    const char* override_binary = std::getenv(options_.binary_env.c_str());
    if (override_binary != nullptr && override_binary[0] != '\0') binary = override_binary;
  }
  std::vector<std::string> args = {binary};
  if (!options_.config_flag.empty()) {
    args.push_back(options_.config_flag);
    args.push_back(config_path_);
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("posix_spawn ", binary, ": ", std::strerror(rc)));
  }
  pid_ = pid;
  return absl::OkStatus();
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) Stop(options_.stop_timeout);
  if (!dir_.empty() && std::getenv(options_.keep_logs_env.c_str()) == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool ChildProcess::Running() { return !WaitExit(absl::ZeroDuration()).has_value(); }

void ChildProcess::Signal(int signal) {
  if (pid_ > 0 && !exit_code_) kill(pid_, signal);
}

std::optional<int> ChildProcess::WaitExit(absl::Duration timeout) {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

std::optional<int> ChildProcess::Stop(absl::Duration timeout) {
  Signal(SIGTERM);
  std::optional<int> code = WaitExit(timeout);
  if (!code) {
    Signal(SIGKILL);
    code = WaitExit(absl::Seconds(10));
  }
  return code;
}

std::string ChildProcess::Stderr() const { return ReadWholeFile(stderr_path_); }
std::string ChildProcess::Stdout() const { return ReadWholeFile(stdout_path_); }

bool ChildProcess::WaitForLog(const std::string& text, absl::Duration timeout) const {
  return WaitFor([&] { return absl::StrContains(Stderr(), text); }, timeout,
                 absl::Milliseconds(20));
}

}  // namespace cdcflow::testutil
