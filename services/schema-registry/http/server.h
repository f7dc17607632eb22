#pragma once

// The schema registry's HTTP/1.1 server: a small layer over Boost.Beast that the rest of the
// service uses through plain types (Request, Response, Handler), so no other file includes
// Beast or Asio.
//
// Threading: `io_threads` threads each run their own event loop; a connection lives on one of
// them for its whole life. GET and HEAD requests are answered inline on that thread (they read
// the in-memory store), every other method runs on a bounded pool of `blocking_threads`
// (writes wait on Kafka) and its response is written back by the connection's thread.
// The handler may therefore be called concurrently from several threads.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace cdcflow::schema_registry::http {

// One parsed request. The views point into buffers owned by the connection and are valid only
// during the handler call. Tests of the routes may build one by hand.
struct Request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // path + query as received: "/subjects/a%2Fb/versions?x=1"
  std::string_view path;    // percent-decoded path without the query: "/subjects/a/b/versions"
  std::vector<std::pair<std::string, std::string>> query;  // decoded ('+' is a space), in order
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received
  std::string_view body;

  // First header named `name` (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  // First query parameter named `name` (case-sensitive, decoded), if any.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/vnd.schemaregistry.v1+json";
  std::string body;
  // Extra headers; the server itself writes Content-Type, Content-Length and Connection.
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<void(const Request&, Response&)>;

struct ServerOptions {
  std::string host = "0.0.0.0";  // an IP address (v4 or v6), not a host name
  int port = 8081;               // 0 = an ephemeral port; Server::port() tells which
  int io_threads = 2;
  // Requests whose method is not GET/HEAD run here, never on an io thread.
  int blocking_threads = 4;
  // Requests waiting for a blocking thread beyond this many are answered at once with
  // 503 {"error_code":50002,...} instead of queueing (load shedding, not backpressure).
  size_t max_queued_requests = 1024;
  // A larger body (declared or chunked) is answered 413 and the connection closed, without
  // reading the body.
  size_t max_body_bytes = 16 * 1024 * 1024;
  // Request line + headers larger than this: 431 and close.
  size_t max_header_bytes = 64 * 1024;
  // A whole request (or a keep-alive pause between requests, or a TLS handshake, or a response
  // write) must complete within this; otherwise the connection is closed (slowloris).
  std::chrono::seconds idle_timeout{60};
  // When both are set the port speaks HTTPS only (TLS >= 1.2). PEM files.
  std::string tls_cert_file;
  std::string tls_key_file;
  // When non-empty every request must carry `Authorization: Basic base64(user:password)`
  // matching one entry; otherwise 401 with WWW-Authenticate: Basic realm="SchemaRegistry".
  std::vector<std::pair<std::string, std::string>> basic_auth_users;
};

class Server {
 public:
  // Binds, listens and starts the threads. kInvalidArgument for bad options, an unparsable
  // host or unusable TLS files; kUnavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler);

  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the actual one when options.port was 0).
  int port() const;

  // Stops accepting, closes every connection, waits for running handlers and joins all
  // threads. Queued non-GET requests that have not started are dropped. Idempotent.
  void Stop();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Percent-decodes `in` ("%2F" -> "/"); with plus_as_space also '+' -> ' ' (query strings).
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space);

}  // namespace cdcflow::schema_registry::http
