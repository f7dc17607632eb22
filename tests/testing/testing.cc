#include "tests/testing/testing.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <poll.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cdcflow::testutil {

std::string KafkaBootstrap() {
  for (const char* name : {"CDCFLOW_KAFKA_BOOTSTRAP_SERVERS", "CDCFLOW_LOCAL_KAFKA_BOOTSTRAP"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return "127.0.0.1:9092";
}

std::string UniqueName(absl::string_view prefix) {
  static std::atomic<int> counter{0};
  return absl::StrCat(prefix, "-", absl::ToUnixMillis(absl::Now()), "-", getpid(), "-",
                      counter.fetch_add(1));
}

absl::Status CheckTcpReachable(absl::string_view servers, absl::Duration timeout) {
  std::string first(servers.substr(0, servers.find(',')));
  size_t colon = first.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", first, "' is not host:port"));
  }
  std::string host = first.substr(0, colon);
  std::string port = first.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &addresses); rc != 0) {
    return absl::UnavailableError(absl::StrCat("resolve ", first, ": ", gai_strerror(rc)));
  }
  std::string last_error = "no address";
  bool connected = false;
  for (addrinfo* a = addresses; a != nullptr && !connected; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
      if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      connected = true;
    } else {
      last_error = std::strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(addresses);
  if (connected) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("connect to ", first, ": ", last_error));
}

std::string YamlQuote(absl::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

int UnusedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t len = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  int port = ntohs(address.sin_port);
  close(fd);  // never listened on: connections to it are refused
  return port;
}

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout, absl::Duration interval) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (done()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(interval);
  }
}

void LogToStderr(int level, absl::string_view message) {
  if (level > 4) return;
  std::fprintf(stderr, "[kafka %d] %.*s\n", level, static_cast<int>(message.size()),
               message.data());
}

}  // namespace cdcflow::testutil
