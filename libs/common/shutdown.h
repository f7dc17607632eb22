#pragma once

// Graceful shutdown: the first SIGINT/SIGTERM asks the service to stop; it then runs its
// drain steps (flush producers, commit offsets, confirm LSNs) within a bounded time. A second
// signal, or a drain that overruns its budget, ends the process at once with exit code 130.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cdcflow::common {

class Shutdown {
 public:
  Shutdown() = default;
  ~Shutdown();
  Shutdown(const Shutdown&) = delete;
  Shutdown& operator=(const Shutdown&) = delete;

  // Blocks SIGINT and SIGTERM in the calling thread (call from main before starting any
  // thread, so every thread inherits the mask) and starts a thread that waits for them.
  void InstallSignalHandlers();

  // Asks for shutdown (what a signal does; also usable from tests and admin calls).
  void Request(const std::string& reason);
  bool Requested() const { return requested_.load(std::memory_order_acquire); }
  std::string Reason() const;

  // Waits until shutdown is requested or `timeout` passes; true when requested.
  bool WaitFor(absl::Duration timeout);
  void Wait();

  // Drain steps run in registration-reverse order (last started, first stopped), each given
  // the deadline of the whole drain.
  using DrainStep = std::function<absl::Status(absl::Time deadline)>;
  void OnDrain(std::string name, DrainStep step);

  // Runs the drain steps within `budget`. Returns the first failure (all steps still run);
  // DeadlineExceeded if the budget ran out between steps. A step that hangs past the budget
  // (plus one second of grace) triggers `on_overrun`, which by default ends the process with
  // exit code 130: a stuck drain must never keep a killed service alive.
  absl::Status Drain(absl::Duration budget, std::function<void()> on_overrun = nullptr);

 private:
  void SignalLoop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> requested_{false};
  std::string reason_;
  std::vector<std::pair<std::string, DrainStep>> steps_;
  std::thread signal_thread_;
  std::atomic<bool> stop_signal_thread_{false};
};

}  // namespace cdcflow::common
