#include "services/schema-registry/http/server.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>

// GCC reports a false -Wmaybe-uninitialized on boost::optional inside Beast's parser at -O2
// with sanitizers; the pragma is location-based, so it covers only these headers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#pragma GCC diagnostic pop

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// Debian's Abseil is built as C++14: its string_view is not std::string_view.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

// After a response that closes the connection, unread request bytes are drained for at most
// this long (and this many bytes) so that closing does not reset the connection before the
// client has read the response (a "lingering close", as nginx does).
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kLingerMaxBytes = 1 << 20;
// Per-connection buffers that grew beyond this for one large request are released afterwards.
constexpr size_t kKeepBufferBytes = 64 * 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the decoding of `in` to `out`; false on a malformed escape.
bool PercentDecodeTo(std::string_view in, bool plus_as_space, std::string& out) {
  out.reserve(out.size() + in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
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
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

void SetError(Response& res, int status, int error_code, std::string_view message) {
  res.status = status;
  res.content_type = "application/vnd.schemaregistry.v1+json";
  res.headers.clear();
  res.body = absl::StrCat("{\"error_code\":", error_code, ",\"message\":\"",
                          Av(JsonEscape(message)), "\"}");
}

// A fixed set of threads for requests that may block (writes wait on Kafka). The queue is
// bounded: TryPost fails rather than letting work pile up without limit.
class BlockingPool {
 public:
  BlockingPool(int threads, size_t max_queued) : max_queued_(max_queued) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~BlockingPool() { Stop(); }

  bool TryPost(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || queue_.size() >= max_queued_) return false;
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
  }

  // Drops jobs not yet started, waits for the running ones.
  void Stop() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      dropped.swap(queue_);
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// What every connection reads; owned by Server::Impl and outliving all sessions.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::vector<std::string> auth_tokens;  // base64("user:password"), compared in constant time
  std::optional<ssl::context> tls;
  BlockingPool* pool = nullptr;

  bool Authorized(const Request& req) const {
    if (auth_tokens.empty()) return true;
    std::optional<std::string_view> auth = req.header("authorization");
    if (!auth || auth->size() < 6 || !absl::EqualsIgnoreCase(Av(auth->substr(0, 6)), "basic ")) {
      return false;
    }
    std::string_view token = auth->substr(6);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    // Every entry is compared so the time taken does not tell which one (nearly) matched.
    bool ok = false;
    for (const std::string& expected : auth_tokens) {
      ok |= expected.size() == token.size() &&
            CRYPTO_memcmp(expected.data(), token.data(), token.size()) == 0;
    }
    return ok;
  }
};

// One connection. It lives on a single io thread (its io_context is run by one thread), so its
// handlers never run concurrently and need no strand; a request sent to the blocking pool hands
// the session over to that pool until the response is posted back.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(tcp::socket socket, Shared& shared)
      : stream_(MakeStream(std::move(socket), shared)), shared_(shared) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Tcp().expires_after(self->shared_.options.idle_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->Close();
          self->ReadHeader();
        });
      } else {
        self->ReadHeader();
      }
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, Shared& shared) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *shared.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(shared_.options.max_body_bytes);
    // One deadline for the whole request, so a client that trickles bytes is cut off.
    Tcp().expires_after(shared_.options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Dispatch();
    const auto& msg = parser_->get();
    if (msg.version() >= 11 &&
        absl::EqualsIgnoreCase(Av(Sv(msg[bhttp::field::expect])), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  void OnReadError(beast::error_code ec) {
    static const std::error_category& kHttpCategory =
        bhttp::make_error_code(bhttp::error::bad_method).category();
    if (ec == bhttp::error::header_limit) {
      return RespondErrorAndClose(431, "Request header fields too large");
    }
    if (ec == bhttp::error::body_limit) {
      return RespondErrorAndClose(
          413, absl::StrCat("Request body larger than ", shared_.options.max_body_bytes, " bytes"));
    }
    // end_of_stream / partial_message: the client went away; anything else in the HTTP
    // category is a malformed request. Socket errors and timeouts just close.
    if (ec.category() == kHttpCategory && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      return RespondErrorAndClose(400, absl::StrCat("Malformed HTTP request: ", ec.message()));
    }
    Close();
  }

  // The message is complete: build the Request, then run the handler here (GET/HEAD) or on
  // the blocking pool.
  void Dispatch() {
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    http10_ = msg.version() < 11;
    head_only_ = msg.method() == bhttp::verb::head;
    ResetResponse();

    req_.method = Sv(msg.method_string());
    req_.target = Sv(msg.target());
    req_.body = msg.body();
    req_.headers.clear();
    for (const auto& field : msg) {
      req_.headers.emplace_back(Sv(field.name_string()), Sv(field.value()));
    }
    if (!ParseTarget()) {
      SetError(res_, 400, 400, "Malformed percent-encoding in the request target");
      return WriteResponse();
    }
    if (!shared_.Authorized(req_)) {
      SetError(res_, 401, 401, "Unauthorized");
      res_.headers.emplace_back("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
      return WriteResponse();
    }

    if (msg.method() == bhttp::verb::get || head_only_) {
      RunHandler();
      return WriteResponse();
    }
    bool queued = shared_.pool->TryPost([self = this->shared_from_this()] {
      self->RunHandler();
      net::post(self->stream_.get_executor(), [self] { self->WriteResponse(); });
    });
    if (!queued) {
      SetError(res_, 503, 50002, "Too many requests in progress; retry later");
      WriteResponse();
    }
  }

  bool ParseTarget() {
    std::string_view target = req_.target;
    size_t q = target.find('?');
    std::string_view raw_path = target.substr(0, q);
    if (raw_path.find('%') == std::string_view::npos) {
      req_.path = raw_path;  // the common case: no copy
    } else {
      path_buf_.clear();
      if (!PercentDecodeTo(raw_path, /*plus_as_space=*/false, path_buf_)) return false;
      req_.path = path_buf_;
    }
    req_.query.clear();
    if (q == std::string_view::npos) return true;
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view item = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (item.empty()) continue;
      size_t eq = item.find('=');
      auto& [key, value] = req_.query.emplace_back();
      if (!PercentDecodeTo(item.substr(0, eq), /*plus_as_space=*/true, key)) return false;
      if (eq != std::string_view::npos &&
          !PercentDecodeTo(item.substr(eq + 1), /*plus_as_space=*/true, value)) {
        return false;
      }
    }
    return true;
  }

  void ResetResponse() {
    res_.status = 200;
    res_.content_type = "application/vnd.schemaregistry.v1+json";
    res_.body.clear();
    res_.headers.clear();
  }

  // May run on a blocking thread; touches only req_ and res_, which nothing else uses until the
  // response is posted back.
  void RunHandler() {
    try {
      shared_.handler(req_, res_);
    } catch (const std::exception& e) {
      SetError(res_, 500, 500, absl::StrCat("Internal Server Error: ", e.what()));
    } catch (...) {
      SetError(res_, 500, 500, "Internal Server Error");
    }
  }

  void WriteResponse() {
    if (res_.status < 100 || res_.status > 999) {
      SetError(res_, 500, 500, absl::StrCat("Handler returned invalid status ", res_.status));
    }
    // The head is formatted by hand into a per-connection string: cheaper than Beast's
    // fields + serializer, and the header set is tiny.
    beast::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(res_.status));
    head_.clear();
    absl::StrAppend(&head_, http10_ ? "HTTP/1.0 " : "HTTP/1.1 ", res_.status, " ",
                    absl::string_view(reason.data(), reason.size()),
                    "\r\nContent-Type: ", res_.content_type,
                    "\r\nContent-Length: ", res_.body.size(), "\r\n");
    for (const auto& [name, value] : res_.headers) {
      absl::StrAppend(&head_, name, ": ", value, "\r\n");
    }
    if (!keep_alive_) {
      head_ += "Connection: close\r\n";
    } else if (http10_) {
      head_ += "Connection: keep-alive\r\n";
    }
    head_ += "\r\n";

    net::const_buffer body;
    if (!head_only_) {
      if constexpr (kTls) {
        head_ += res_.body;  // one TLS record instead of two
      } else {
        body = net::buffer(res_.body);
      }
    }
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), body};
    Tcp().expires_after(shared_.options.idle_timeout);
    net::async_write(
        stream_, buffers,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (ec) return Close();
    if (!keep_alive_) return LingerClose();
    parser_.reset();  // frees the request's headers and body
    if (res_.body.capacity() > kKeepBufferBytes) res_.body = std::string();
    if (head_.capacity() > kKeepBufferBytes) head_ = std::string();
    if (buffer_.capacity() > kKeepBufferBytes && buffer_.size() < kKeepBufferBytes) {
      buffer_.shrink_to_fit();
    }
    ReadHeader();  // a pipelined request may already be in buffer_
  }

  // For requests that are answered before being read in full (400, 413, 431).
  void RespondErrorAndClose(int status, std::string_view message) {
    keep_alive_ = false;
    http10_ = false;
    head_only_ = false;
    ResetResponse();
    SetError(res_, status, status, message);
    WriteResponse();
  }

  // Sends FIN, then discards what the client still sends (bounded in time and bytes) before
  // closing, so the kernel does not answer unread data with a reset that could destroy the
  // response in flight. TLS is not shut down cleanly: the response is delimited by
  // Content-Length, so a missing close_notify loses nothing.
  void LingerClose() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    linger_bytes_ = 0;
    Tcp().expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    Tcp().async_read_some(buffer_.prepare(4096),
                          [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                            self->linger_bytes_ += n;
                            if (ec || self->linger_bytes_ > kLingerMaxBytes) return self->Close();
                            self->Drain();
                          });
  }

  void Close() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  Stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;  // reused for every request on the connection
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request req_;
  Response res_;
  std::string path_buf_;  // the decoded path when it had escapes
  std::string head_;      // the response head
  bool keep_alive_ = false;
  bool http10_ = false;
  bool head_only_ = false;
  size_t linger_bytes_ = 0;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(Av(key), Av(name))) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  if (!PercentDecodeTo(in, plus_as_space, out)) return std::nullopt;
  return out;
}

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler handler) {
    shared_.options = std::move(options);
    shared_.handler = std::move(handler);
  }

  absl::Status Init() {
    const ServerOptions& o = shared_.options;
    if (o.port < 0 || o.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("HTTP port out of range: ", o.port));
    }
    if (o.io_threads < 1 || o.blocking_threads < 1) {
      return absl::InvalidArgumentError("HTTP io_threads and blocking_threads must be >= 1");
    }
    if (o.idle_timeout.count() <= 0) {
      return absl::InvalidArgumentError("HTTP idle_timeout must be positive");
    }
    for (const auto& [user, password] : o.basic_auth_users) {
      shared_.auth_tokens.push_back(absl::Base64Escape(absl::StrCat(user, ":", password)));
    }
    if (absl::Status s = InitTls(); !s.ok()) return s;

    beast::error_code ec;
    net::ip::address address = net::ip::make_address(o.host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("HTTP listen host '", o.host, "' is not an IP address: ", ec.message()));
    }
    for (int i = 0; i < o.io_threads; ++i) {
      // Hint 1: each io_context is run by exactly one thread.
      contexts_.push_back(std::make_unique<net::io_context>(1));
      guards_.push_back(net::make_work_guard(*contexts_.back()));
    }
    tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
    std::string where = absl::StrCat(o.host, ":", o.port);
    acceptor_.emplace(*contexts_[0]);
    if (acceptor_->open(endpoint.protocol(), ec); ec) {
      return absl::UnavailableError(absl::StrCat("HTTP open ", where, ": ", ec.message()));
    }
    acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (acceptor_->bind(endpoint, ec); ec) {
      return absl::UnavailableError(absl::StrCat("HTTP bind ", where, ": ", ec.message()));
    }
    if (acceptor_->listen(net::socket_base::max_listen_connections, ec); ec) {
      return absl::UnavailableError(absl::StrCat("HTTP listen ", where, ": ", ec.message()));
    }
    port_ = acceptor_->local_endpoint().port();
    accept_retry_.emplace(*contexts_[0]);

    pool_ = std::make_unique<BlockingPool>(o.blocking_threads, o.max_queued_requests);
    shared_.pool = pool_.get();
    Accept();
    for (auto& context : contexts_) {
      threads_.emplace_back([&ctx = *context] {
        // A handler escaping with an exception must not kill the thread (and the process).
        for (;;) {
          try {
            ctx.run();
            return;
          } catch (...) {
          }
        }
      });
    }
    return absl::OkStatus();
  }

  int port() const { return port_; }

  void Stop() {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    // Order matters: no io thread may run while sessions are destroyed, and every session
    // (held by pending io handlers or queued pool jobs) must die before its io_context.
    for (auto& context : contexts_) context->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    if (pool_) pool_->Stop();
    accept_retry_.reset();
    acceptor_.reset();
    guards_.clear();
    contexts_.clear();  // destroys pending handlers, hence the sessions and their sockets
    pool_.reset();
  }

 private:
  absl::Status InitTls() {
    const ServerOptions& o = shared_.options;
    if (o.tls_cert_file.empty() && o.tls_key_file.empty()) return absl::OkStatus();
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return absl::InvalidArgumentError("HTTPS needs both tls_cert_file and tls_key_file");
    }
    shared_.tls.emplace(ssl::context::tls_server);
    ssl::context& ctx = *shared_.tls;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    if (ctx.use_certificate_chain_file(o.tls_cert_file, ec); ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS certificate file '", o.tls_cert_file, "': ", ec.message()));
    }
    if (ctx.use_private_key_file(o.tls_key_file, ssl::context::pem, ec); ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS key file '", o.tls_key_file, "': ", ec.message()));
    }
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS key file '", o.tls_key_file, "' does not match the certificate"));
    }
    return absl::OkStatus();
  }

  // Accepts on io thread 0 and hands connections to the io_contexts round-robin.
  void Accept() {
    net::io_context& target = *contexts_[next_context_++ % contexts_.size()];
    acceptor_->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // E.g. out of file descriptors: back off instead of spinning.
        accept_retry_->expires_after(std::chrono::milliseconds(50));
        accept_retry_->async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) Accept();
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);  // responses go out in one write
      if (shared_.tls) {
        std::make_shared<TlsSession>(std::move(socket), shared_)->Start();
      } else {
        std::make_shared<PlainSession>(std::move(socket), shared_)->Start();
      }
      Accept();
    });
  }

  // Declared first so it is destroyed last: sessions refer to it.
  Shared shared_;
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> accept_retry_;
  std::unique_ptr<BlockingPool> pool_;
  std::vector<std::thread> threads_;
  size_t next_context_ = 0;
  int port_ = 0;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler) {
  if (!handler) return absl::InvalidArgumentError("HTTP server needs a handler");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  if (absl::Status s = impl->Init(); !s.ok()) {
    impl->Stop();
    return s;
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

int Server::port() const { return impl_->port(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace cdcflow::schema_registry::http
