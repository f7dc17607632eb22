#pragma once

// Helpers shared by cdcflow's tests: where the local infrastructure is, unique names for the
// topics/groups a test creates, and small polling utilities. No gtest dependency.
//
// Namespace cdcflow::testutil (not cdcflow::testing, which would hide gtest's ::testing
// inside namespace cdcflow).

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cdcflow::testutil {

// The Kafka bootstrap servers of deploy/local: $CDCFLOW_KAFKA_BOOTSTRAP_SERVERS, else
// $CDCFLOW_LOCAL_KAFKA_BOOTSTRAP (what deploy/local/env.sh exports), else "127.0.0.1:9092".
std::string KafkaBootstrap();

// "<prefix>-<unix ms>-<pid>-<n>": unique across processes and runs, valid as a Kafka topic,
// group or transactional id.
std::string UniqueName(absl::string_view prefix);

// OK when a TCP connection to the first "host:port" of `servers` succeeds within `timeout`;
// kUnavailable naming the address otherwise.
absl::Status CheckTcpReachable(absl::string_view servers, absl::Duration timeout);

// `s` as a single-quoted YAML scalar (quotes doubled): any text, safe in a generated config.
std::string YamlQuote(absl::string_view s);

// A loopback TCP port that nothing listens on (bound, then released).
int UnusedLoopbackPort();

// Calls `done` every `interval` until it returns true (→ true) or `timeout` passes (→ false).
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout,
             absl::Duration interval = absl::Milliseconds(10));

// A log callback for clients under test: prints warnings and worse to stderr.
void LogToStderr(int level, absl::string_view message);

}  // namespace cdcflow::testutil
