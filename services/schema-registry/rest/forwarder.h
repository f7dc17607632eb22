#pragma once

// CurlForwarder: sends a write to the leader over HTTP(S) with libcurl, as the client sent it
// (method, path and query, body, Content-Type, Authorization), and returns the leader's answer.

#include <string>

#include "absl/time/time.h"
#include "services/schema-registry/rest/router.h"

namespace cdcflow::schema_registry::rest {

struct ForwarderOptions {
  absl::Duration timeout = absl::Seconds(30);
  // For a leader behind TLS with a private CA (empty: the system's CAs).
  std::string ca_file;
  // Credentials for a leader that requires basic auth when the client sent none.
  std::string user;
  std::string password;
};

class CurlForwarder final : public Forwarder {
 public:
  explicit CurlForwarder(ForwarderOptions options);
  absl::StatusOr<http::Response> Forward(const std::string& leader_url,
                                         const http::Request& request) override;

 private:
  const ForwarderOptions options_;
};

}  // namespace cdcflow::schema_registry::rest
