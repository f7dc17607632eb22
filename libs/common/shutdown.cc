#include "libs/common/shutdown.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace cdcflow::common {

namespace {
sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

Shutdown::~Shutdown() {
  if (signal_thread_.joinable()) {
    stop_signal_thread_ = true;
    // Wake sigtimedwait early; the loop also checks the flag every 100 ms.
    signal_thread_.join();
  }
}

void Shutdown::InstallSignalHandlers() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_thread_ = std::thread([this] { SignalLoop(); });
}

void Shutdown::SignalLoop() {
  const sigset_t set = ShutdownSignals();
  const timespec tick{0, 100'000'000};
  while (!stop_signal_thread_) {
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig < 0) continue;  // timeout or EINTR
    if (Requested()) {
      // Second signal: the operator wants out now.
      static const char kMsg[] = "second signal: exiting without drain\n";
      (void)!write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
      _exit(130);
    }
    Request(sig == SIGINT ? "SIGINT" : "SIGTERM");
  }
}

void Shutdown::Request(const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    if (requested_) return;
    reason_ = reason;
    requested_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

std::string Shutdown::Reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

bool Shutdown::WaitFor(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [this] { return Requested(); });
}

void Shutdown::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return Requested(); });
}

void Shutdown::OnDrain(std::string name, DrainStep step) {
  std::lock_guard lock(mu_);
  steps_.emplace_back(std::move(name), std::move(step));
}

absl::Status Shutdown::Drain(absl::Duration budget, std::function<void()> on_overrun) {
  std::vector<std::pair<std::string, DrainStep>> steps;
  {
    std::lock_guard lock(mu_);
    steps = steps_;
  }
  if (!on_overrun) {
    on_overrun = [] {
      static const char kMsg[] = "shutdown drain overran its budget: exiting\n";
      (void)!write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
      _exit(130);
    };
  }
  const absl::Time deadline = absl::Now() + budget;

  // Watchdog: fires on_overrun unless the drain finishes by deadline + grace.
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(done_mu);
    const auto grace = absl::ToChronoNanoseconds(budget + absl::Seconds(1));
    if (!done_cv.wait_for(lock, grace, [&] { return done; })) on_overrun();
  });
  auto finish = [&] {
    {
      std::lock_guard lock(done_mu);
      done = true;
    }
    done_cv.notify_all();
    watchdog.join();
  };

  absl::Status first_error;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const auto& [name, step] = *it;
    if (absl::Now() >= deadline) {
      finish();
      return absl::DeadlineExceededError(absl::StrCat("shutdown drain budget of ",
                                                      absl::FormatDuration(budget),
                                                      " ran out before step '", name, "'"));
    }
    absl::Status status = step(deadline);
    if (!status.ok() && first_error.ok()) {
      first_error =
          absl::Status(status.code(), absl::StrCat("drain step '", name, "': ", status.message()));
    }
  }
  finish();
  return first_error;
}

}  // namespace cdcflow::common
