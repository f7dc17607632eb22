#include "services/schema-registry/http/server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdcflow::schema_registry::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// ---- client side helpers ----

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string headers;  // raw response header lines, lower-cased names kept as received
  long new_connections = -1;
};

struct RequestSpec {
  std::string method = "GET";
  std::string path = "/";
  std::optional<std::string> body;
  std::vector<std::string> headers;
  std::string userpwd;  // "user:password" for basic auth
  bool https = false;
  bool chunked = false;  // send the body with Transfer-Encoding: chunked
};

size_t AppendToString(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct ChunkedSource {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadChunk(char* buffer, size_t size, size_t n, void* source) {
  auto* src = static_cast<ChunkedSource*>(source);
  size_t len = std::min(size * n, std::min<size_t>(src->data.size() - src->offset, 700));
  std::memcpy(buffer, src->data.data() + src->offset, len);
  src->offset += len;
  return len;
}

// One curl easy handle = one client with a connection cache, so consecutive requests on the
// same Client reuse a keep-alive connection.
class Client {
 public:
  explicit Client(int port) : port_(port) {
    static const CURLcode init = curl_global_init(CURL_GLOBAL_ALL);
    (void)init;
    handle_ = curl_easy_init();
  }
  ~Client() { curl_easy_cleanup(handle_); }

  HttpResult Send(const RequestSpec& spec) {
    curl_easy_reset(handle_);  // keeps live connections
    HttpResult result;
    std::string url = (spec.https ? "https://127.0.0.1:" : "http://127.0.0.1:") +
                      std::to_string(port_) + spec.path;
    curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, AppendToString);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, AppendToString);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &result.headers);
    if (spec.https) {
      curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!spec.userpwd.empty()) curl_easy_setopt(handle_, CURLOPT_USERPWD, spec.userpwd.c_str());
    ChunkedSource source;
    if (spec.method == "HEAD") {
      curl_easy_setopt(handle_, CURLOPT_NOBODY, 1L);
    } else if (spec.method != "GET") {
      curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
    }
    curl_slist* headers = nullptr;
    for (const std::string& h : spec.headers) headers = curl_slist_append(headers, h.c_str());
    if (spec.body) {
      if (spec.chunked) {
        source.data = *spec.body;
        curl_easy_setopt(handle_, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(handle_, CURLOPT_READFUNCTION, ReadChunk);
        curl_easy_setopt(handle_, CURLOPT_READDATA, &source);
        headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
      } else {
        curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, spec.body->data());
        curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(spec.body->size()));
      }
    }
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers);
    result.code = curl_easy_perform(handle_);
    curl_slist_free_all(headers);
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &result.status);
    curl_easy_getinfo(handle_, CURLINFO_NUM_CONNECTS, &result.new_connections);
    return result;
  }

  HttpResult Get(const std::string& path) {
    RequestSpec spec;
    spec.path = path;
    return Send(spec);
  }

 private:
  int port_;
  CURL* handle_;
};

// A plain TCP socket for bytes curl would never send.
class RawSocket {
 public:
  explicit RawSocket(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawSocket() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until the peer closes (true) or the 5 s receive timeout / an error (false).
  bool ReadUntilEof(std::string& out) {
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return true;
      if (n < 0) return false;
      out.append(buf, static_cast<size_t>(n));
    }
  }

  // Reads until `out` contains `marker` (true) or EOF / timeout (false).
  bool ReadUntil(std::string& out, std::string_view marker) {
    char buf[4096];
    while (out.find(marker) == std::string::npos) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      out.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Echoes what the server parsed, one "name=value" line per item, so tests can assert on
// exactly what the handler saw.
void EchoHandler(const Request& req, Response& res) {
  res.content_type = "text/plain";
  res.body = "method=" + std::string(req.method) + "\n";
  res.body += "target=" + std::string(req.target) + "\n";
  res.body += "path=" + std::string(req.path) + "\n";
  for (const auto& [key, value] : req.query) res.body += "q:" + key + "=" + value + "\n";
  if (auto h = req.header("x-test")) res.body += "x-test=" + std::string(*h) + "\n";
  res.body += "body=" + std::string(req.body);
}

std::unique_ptr<Server> StartOrDie(ServerOptions options, Handler handler) {
  options.host = "127.0.0.1";
  options.port = 0;
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start(std::move(options), std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

std::string HeaderLine(const HttpResult& r, std::string_view name) {
  size_t pos = r.headers.find(std::string(name) + ": ");
  if (pos == std::string::npos) return "";
  size_t end = r.headers.find("\r\n", pos);
  return r.headers.substr(pos, end - pos);
}

// ---- tests ----

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("a%2Fb%2fc", false), "a/b/c");
  EXPECT_EQ(PercentDecode("a+b%20c", false), "a+b c");
  EXPECT_EQ(PercentDecode("a+b%20c", true), "a b c");
  EXPECT_EQ(PercentDecode("%E2%82%AC", false), "\xE2\x82\xAC");
  EXPECT_EQ(PercentDecode("", true), "");
  EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
  EXPECT_EQ(PercentDecode("ab%2", false), std::nullopt);
  EXPECT_EQ(PercentDecode("ab%", false), std::nullopt);
}

TEST(RequestTest, HeaderLookupIsCaseInsensitiveAndQueryParamFindsFirst) {
  Request req;
  req.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}};
  req.query = {{"normalize", "true"}, {"normalize", "false"}};
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("X-a"), "1");
  EXPECT_EQ(req.header("missing"), std::nullopt);
  EXPECT_EQ(req.query_param("normalize"), "true");
  EXPECT_EQ(req.query_param("Normalize"), std::nullopt);
}

TEST(HttpServerTest, GetDecodesPathAndQuery) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  RequestSpec spec;
  spec.path = "/subjects/a%2Fb/versions?normalize=true&name=hello+world%21&flag&&e=";
  spec.headers = {"X-Test: yes"};
  HttpResult r = client.Send(spec);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "method=GET\n"
            "target=/subjects/a%2Fb/versions?normalize=true&name=hello+world%21&flag&&e=\n"
            "path=/subjects/a/b/versions\n"
            "q:normalize=true\n"
            "q:name=hello world!\n"
            "q:flag=\n"
            "q:e=\n"
            "x-test=yes\n"
            "body=");
  EXPECT_EQ(HeaderLine(r, "Content-Type"), "Content-Type: text/plain");
  EXPECT_EQ(HeaderLine(r, "Content-Length"), "Content-Length: " + std::to_string(r.body.size()));
}

TEST(HttpServerTest, PostRoundTripsBodyAndDefaultContentType) {
  auto server = StartOrDie({}, [](const Request& req, Response& res) {
    res.status = 201;
    res.body = "{\"got\":\"" + std::string(req.method) + " " + std::string(req.body) + "\"}";
  });
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  RequestSpec spec;
  spec.method = "POST";
  spec.path = "/subjects/s/versions";
  spec.body = "{\"schema\":\"x\"}";
  spec.headers = {"Content-Type: application/vnd.schemaregistry.v1+json"};
  HttpResult r = client.Send(spec);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"got\":\"POST {\"schema\":\"x\"}\"}");
  EXPECT_EQ(HeaderLine(r, "Content-Type"), "Content-Type: application/vnd.schemaregistry.v1+json");
}

TEST(HttpServerTest, ChunkedRequestBodyIsReassembled) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  std::string body(5000, 'z');
  body[0] = 'a';
  RequestSpec spec;
  spec.method = "PUT";
  spec.path = "/config";
  spec.body = body;
  spec.chunked = true;
  HttpResult r = client.Send(spec);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "method=PUT\ntarget=/config\npath=/config\nbody=" + body);
}

TEST(HttpServerTest, KeepAliveReusesTheConnection) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  HttpResult first = client.Get("/a");
  HttpResult second = client.Get("/b");
  RequestSpec post;
  post.method = "POST";
  post.path = "/c";
  post.body = "x";
  HttpResult third = client.Send(post);  // answered from the blocking pool, same connection
  ASSERT_EQ(first.code, CURLE_OK);
  ASSERT_EQ(second.code, CURLE_OK);
  ASSERT_EQ(third.code, CURLE_OK);
  EXPECT_EQ(first.new_connections, 1);
  EXPECT_EQ(second.new_connections, 0);
  EXPECT_EQ(third.new_connections, 0);
  EXPECT_EQ(second.body, "method=GET\ntarget=/b\npath=/b\nbody=");
  EXPECT_EQ(third.body, "method=POST\ntarget=/c\npath=/c\nbody=x");
}

TEST(HttpServerTest, HeadSendsHeadersWithoutBody) {
  std::atomic<int> calls{0};
  auto server = StartOrDie({}, [&](const Request& req, Response& res) {
    ++calls;
    res.body = std::string(req.method) + " body of 25 bytes........";
  });
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  RequestSpec spec;
  spec.method = "HEAD";
  spec.path = "/schemas/ids/1";
  HttpResult r = client.Send(spec);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(HeaderLine(r, "Content-Length"), "Content-Length: 29");
  EXPECT_EQ(calls.load(), 1);
  // The connection is still usable: no body bytes were left in it.
  HttpResult next = client.Get("/x");
  EXPECT_EQ(next.code, CURLE_OK);
  EXPECT_EQ(next.new_connections, 0);
  EXPECT_EQ(next.body, "GET body of 25 bytes........");
}

TEST(HttpServerTest, OversizedBodyIs413AndHandlerNotCalled) {
  std::atomic<int> calls{0};
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartOrDie(options, [&](const Request&, Response&) { ++calls; });
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  RequestSpec spec;
  spec.method = "POST";
  spec.path = "/subjects/s/versions";
  spec.body = std::string(4096, 'x');
  HttpResult r = client.Send(spec);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, "{\"error_code\":413,\"message\":\"Request body larger than 1024 bytes\"}");
  EXPECT_EQ(HeaderLine(r, "Connection"), "Connection: close");

  spec.chunked = true;  // the limit also holds when the size is not declared up front
  HttpResult chunked = client.Send(spec);
  EXPECT_EQ(chunked.status, 413);

  spec.chunked = false;
  spec.body = std::string(1024, 'x');  // exactly at the limit is fine
  HttpResult at_limit = client.Send(spec);
  EXPECT_EQ(at_limit.status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, DeclaredOversizedBodyIsRefusedWithoutReadingIt) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);
  RawSocket socket(server->port());
  ASSERT_TRUE(socket.connected());
  // Declares 100 MB but sends none of it: the answer must come from the headers alone.
  ASSERT_TRUE(socket.Send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n"));
  std::string response;
  ASSERT_TRUE(socket.ReadUntilEof(response));
  EXPECT_THAT(response, StartsWith("HTTP/1.1 413 Payload Too Large\r\n"));
}

TEST(HttpServerTest, MalformedRequestIs400AndClosed) {
  std::atomic<int> calls{0};
  auto server = StartOrDie({}, [&](const Request&, Response&) { ++calls; });
  ASSERT_NE(server, nullptr);
  RawSocket socket(server->port());
  ASSERT_TRUE(socket.connected());
  ASSERT_TRUE(socket.Send("GARBAGE\x01 / HTTP/9\r\n\r\n"));
  std::string response;
  ASSERT_TRUE(socket.ReadUntilEof(response));  // the server closed the connection
  EXPECT_THAT(response, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(response, HasSubstr("{\"error_code\":400,\"message\":\"Malformed HTTP request"));
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServerTest, HugeHeaderIs431) {
  ServerOptions options;
  options.max_header_bytes = 8 * 1024;
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);
  RawSocket socket(server->port());
  ASSERT_TRUE(socket.connected());
  ASSERT_TRUE(
      socket.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n"));
  std::string response;
  ASSERT_TRUE(socket.ReadUntilEof(response));
  EXPECT_THAT(response, StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

TEST(HttpServerTest, BadPercentEncodingIs400ButKeepsTheConnection) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  HttpResult bad = client.Get("/subjects/a%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body,
            "{\"error_code\":400,\"message\":\"Malformed percent-encoding in the request "
            "target\"}");
  HttpResult good = client.Get("/ok");
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.new_connections, 0);
}

TEST(HttpServerTest, Http10AndConnectionClose) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  {
    RawSocket socket(server->port());
    ASSERT_TRUE(socket.Send("GET /ten HTTP/1.0\r\n\r\n"));
    std::string response;
    ASSERT_TRUE(socket.ReadUntilEof(response));  // 1.0 without keep-alive: closed after
    std::string body = "method=GET\ntarget=/ten\npath=/ten\nbody=";
    EXPECT_EQ(response, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  }
  {
    RawSocket socket(server->port());
    ASSERT_TRUE(socket.Send("GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::string response;
    ASSERT_TRUE(socket.ReadUntil(response, "body="));
    EXPECT_THAT(response, StartsWith("HTTP/1.0 200 OK\r\n"));
    EXPECT_THAT(response, HasSubstr("Connection: keep-alive\r\n"));
  }
  {
    RawSocket socket(server->port());
    ASSERT_TRUE(socket.Send("GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
    std::string response;
    ASSERT_TRUE(socket.ReadUntilEof(response));
    EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
  }
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  RawSocket socket(server->port());
  // A POST (answered from the blocking pool) between two GETs, all in one write.
  ASSERT_TRUE(
      socket.Send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                  "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                  "GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  std::string response;
  ASSERT_TRUE(socket.ReadUntilEof(response));
  size_t p1 = response.find("path=/1\n");
  size_t p2 = response.find("path=/2\nbody=abc");
  size_t p3 = response.find("path=/3\n");
  ASSERT_NE(p1, std::string::npos) << response;
  ASSERT_NE(p2, std::string::npos) << response;
  ASSERT_NE(p3, std::string::npos) << response;
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, p3);
}

TEST(HttpServerTest, ExpectContinueGets100BeforeTheBody) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  RawSocket socket(server->port());
  ASSERT_TRUE(socket.Send(
      "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  std::string response;
  ASSERT_TRUE(socket.ReadUntil(response, "\r\n\r\n"));
  EXPECT_EQ(response, "HTTP/1.1 100 Continue\r\n\r\n");
  response.clear();
  ASSERT_TRUE(socket.Send("data"));
  ASSERT_TRUE(socket.ReadUntil(response, "body=data"));
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST(HttpServerTest, BasicAuth) {
  ServerOptions options;
  options.basic_auth_users = {{"alice", "s3cret"}, {"bob", "pw:with:colons"}};
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);
  Client client(server->port());

  HttpResult none = client.Get("/subjects");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
  EXPECT_EQ(HeaderLine(none, "WWW-Authenticate"),
            "WWW-Authenticate: Basic realm=\"SchemaRegistry\"");

  RequestSpec spec;
  spec.path = "/subjects";
  spec.userpwd = "alice:wrong";
  EXPECT_EQ(client.Send(spec).status, 401);
  spec.userpwd = "mallory:s3cret";
  EXPECT_EQ(client.Send(spec).status, 401);

  spec.userpwd = "alice:s3cret";
  HttpResult ok = client.Send(spec);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "method=GET\ntarget=/subjects\npath=/subjects\nbody=");
  spec.userpwd = "bob:pw:with:colons";
  EXPECT_EQ(client.Send(spec).status, 200);

  RequestSpec bearer;
  bearer.path = "/subjects";
  bearer.headers = {"Authorization: Bearer YWxpY2U6czNjcmV0"};
  EXPECT_EQ(client.Send(bearer).status, 401);
  bearer.headers = {"Authorization: basic YWxpY2U6czNjcmV0"};  // scheme is case-insensitive
  EXPECT_EQ(client.Send(bearer).status, 200);
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "http_test_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(HttpServerTest, TlsServesHttpsOnly) {
  TempDir dir;
  std::string cert = dir.File("cert.pem");
  std::string key = dir.File("key.pem");
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key +
      " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);

  ServerOptions options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  auto server = StartOrDie(options, EchoHandler);
  ASSERT_NE(server, nullptr);

  Client client(server->port());
  RequestSpec spec;
  spec.https = true;
  spec.path = "/subjects/a%2Fb?x=1";
  HttpResult r = client.Send(spec);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "method=GET\ntarget=/subjects/a%2Fb?x=1\npath=/subjects/a/b\nq:x=1\nbody=");
  spec.method = "POST";
  spec.body = "tls body";
  HttpResult post = client.Send(spec);
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.new_connections, 0);
  EXPECT_THAT(post.body, HasSubstr("body=tls body"));

  Client plain(server->port());
  HttpResult cleartext = plain.Get("/subjects");
  EXPECT_NE(cleartext.code, CURLE_OK);  // not spoken on a TLS port

  ServerOptions bad;
  bad.port = 0;
  bad.tls_cert_file = dir.File("missing.pem");
  bad.tls_key_file = key;
  absl::StatusOr<std::unique_ptr<Server>> failed = Server::Start(bad, EchoHandler);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("missing.pem"));

  bad.tls_cert_file = key;  // a key is not a certificate
  EXPECT_EQ(Server::Start(bad, EchoHandler).status().code(), absl::StatusCode::kInvalidArgument);
  bad.tls_cert_file = cert;
  bad.tls_key_file = "";
  EXPECT_EQ(Server::Start(bad, EchoHandler).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, WritesRunOffTheIoThreads) {
  ServerOptions options;
  options.io_threads = 1;  // a blocked io thread would stall the GET below
  std::mutex mu;
  std::condition_variable cv;
  bool post_started = false;
  auto server = StartOrDie(options, [&](const Request& req, Response& res) {
    if (req.method == "POST") {
      {
        std::lock_guard<std::mutex> lock(mu);
        post_started = true;
      }
      cv.notify_all();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      res.body = "slow";
    } else {
      res.body = "fast";
    }
  });
  ASSERT_NE(server, nullptr);

  HttpResult post_result;
  std::thread writer([&] {
    Client client(server->port());
    RequestSpec spec;
    spec.method = "POST";
    spec.body = "x";
    post_result = client.Send(spec);
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return post_started; }));
  }
  Client reader(server->port());
  Clock::time_point start = Clock::now();
  HttpResult get = reader.Get("/schemas/ids/1");
  auto elapsed = Clock::now() - start;
  writer.join();
  EXPECT_EQ(get.body, "fast");
  EXPECT_LT(elapsed, std::chrono::milliseconds(150));
  EXPECT_EQ(post_result.status, 200);
  EXPECT_EQ(post_result.body, "slow");
}

TEST(HttpServerTest, FullBlockingQueueAnswers503) {
  ServerOptions options;
  options.blocking_threads = 1;
  options.max_queued_requests = 1;
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  bool release = false;
  auto server = StartOrDie(options, [&](const Request&, Response& res) {
    std::unique_lock<std::mutex> lock(mu);
    ++started;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    res.body = "done";
  });
  ASSERT_NE(server, nullptr);
  auto post = [&](HttpResult* out) {
    Client client(server->port());
    RequestSpec spec;
    spec.method = "POST";
    spec.body = "x";
    *out = client.Send(spec);
  };
  HttpResult running, queued, rejected;
  std::thread t1(post, &running);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return started == 1; }));
  }
  std::thread t2(post, &queued);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // lets it reach the queue
  post(&rejected);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  t1.join();
  t2.join();
  EXPECT_EQ(rejected.status, 503);
  EXPECT_EQ(rejected.body,
            "{\"error_code\":50002,\"message\":\"Too many requests in progress; retry later\"}");
  EXPECT_EQ(running.status, 200);
  EXPECT_EQ(queued.status, 200);
  EXPECT_EQ(queued.body, "done");
}

TEST(HttpServerTest, HandlerExceptionIs500) {
  auto server = StartOrDie({}, [](const Request& req, Response&) {
    if (req.path == "/int") throw 42;
    throw std::runtime_error("boom \"quoted\"");
  });
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  HttpResult r = client.Get("/x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            "{\"error_code\":500,\"message\":\"Internal Server Error: boom \\\"quoted\\\"\"}");
  RequestSpec post;
  post.method = "POST";
  post.path = "/int";
  post.body = "x";
  HttpResult r2 = client.Send(post);
  EXPECT_EQ(r2.status, 500);
  EXPECT_EQ(r2.body, "{\"error_code\":500,\"message\":\"Internal Server Error\"}");
  EXPECT_EQ(r2.new_connections, 0);  // the connection survives
}

TEST(HttpServerTest, StopWithConnectedClientsIsPromptAndIdempotent) {
  auto server = StartOrDie({}, EchoHandler);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  ASSERT_EQ(client.Get("/warm").status, 200);  // an idle keep-alive connection
  RawSocket half(server->port());              // a request half sent
  ASSERT_TRUE(half.Send("GET /x HTTP/1.1\r\nHost:"));
  RawSocket idle(server->port());  // connected, nothing sent
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  Clock::time_point start = Clock::now();
  server->Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  server->Stop();

  std::string rest;
  EXPECT_TRUE(half.ReadUntilEof(rest));  // closed by the server, not left hanging
  EXPECT_TRUE(idle.ReadUntilEof(rest));
  EXPECT_EQ(rest, "");
  EXPECT_NE(client.Get("/after").code, CURLE_OK);
}

TEST(HttpServerTest, StartErrors) {
  auto first = StartOrDie({}, EchoHandler);
  ASSERT_NE(first, nullptr);
  ServerOptions same;
  same.host = "127.0.0.1";
  same.port = first->port();
  absl::StatusOr<std::unique_ptr<Server>> taken = Server::Start(same, EchoHandler);
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(taken.status().message()), HasSubstr("bind 127.0.0.1:"));

  ServerOptions bad_host;
  bad_host.host = "not an address";
  bad_host.port = 0;
  EXPECT_EQ(Server::Start(bad_host, EchoHandler).status().code(),
            absl::StatusCode::kInvalidArgument);
  ServerOptions no_threads;
  no_threads.port = 0;
  no_threads.io_threads = 0;
  EXPECT_EQ(Server::Start(no_threads, EchoHandler).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Server::Start({}, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdcflow::schema_registry::http
