#include "alerting/notify/http_post.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "alerting/notify/http_response_parser.h"

namespace meshlb::alerting {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxBody = 64 * 1024;

// "connect: connection refused": strerror with a lower-case first letter, as Go prints them.
std::string errnoText(const char* what, int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return std::string(what) + ": " + text;
}

// Closes the socket on every path out of httpPost.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Milliseconds left until `deadline`, rounded up so that poll never wakes a moment early.
int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, 1 << 30));
}

// Waits for `events` on `fd`; false on the deadline (with errno 0) or a poll error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    int left = remainingMs(deadline);
    if (left == 0) {
      errno = 0;
      return false;
    }
    pollfd entry{fd, events, 0};
    int n = ::poll(&entry, 1, left);
    if (n > 0) {
      return true;
    }
    if (n < 0 && errno != EINTR) {
      return false;
    }
  }
}

// Connects to one of the resolved addresses, in order. -1 with `*error` set on failure.
int connectAny(const HttpUrl& url, Clock::time_point deadline, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &found);
  if (rc != 0) {
    *error = std::string("resolve ") + url.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int connected = -1;
  for (addrinfo* ai = found; ai != nullptr && connected < 0; ai = ai->ai_next) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      *error = errnoText("socket", errno);
      continue;
    }
    int err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        socklen_t length = sizeof(err);
        if (!waitFor(fd, POLLOUT, deadline)) {
          err = errno == 0 ? ETIMEDOUT : errno;
        } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0) {
          err = errno;
        }
      }
    }
    if (err == 0) {
      connected = fd;
    } else {
      ::close(fd);
      *error = err == ETIMEDOUT ? std::string("timeout") : errnoText("connect", err);
      if (remainingMs(deadline) == 0) {
        break;
      }
    }
  }
  ::freeaddrinfo(found);
  return connected;
}

std::string requestHead(const HttpUrl& url,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        size_t body_size) {
  std::string head = "POST ";
  head.append(url.path).append(" HTTP/1.1\r\nHost: ").append(httpAuthority(url, true));
  head.append("\r\n");
  for (const auto& [name, value] : headers) {
    head.append(name).append(": ").append(value).append("\r\n");
  }
  head.append("Content-Length: ").append(std::to_string(body_size)).append("\r\n");
  head.append("Connection: close\r\n\r\n");
  return head;
}

bool safeHeaderText(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

// Sends all of `bytes`; false with `*error` set on a failure or the deadline.
bool sendAll(int fd, std::string_view bytes, Clock::time_point deadline, std::string* error) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      *error = errnoText("send", errno);
      return false;
    }
    if (!waitFor(fd, POLLOUT, deadline)) {
      *error = errno == 0 ? std::string("timeout") : errnoText("poll", errno);
      return false;
    }
  }
  return true;
}

// Reads the response into `parser` until it is complete, the peer closes, or the deadline.
// "" on a complete response, else what went wrong.
std::string receive(int fd, HttpResponseParser& parser, Clock::time_point deadline) {
  char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    HttpResponseParser::State state = HttpResponseParser::State::kNeedMore;
    if (n > 0) {
      state = parser.feed(std::string_view(buffer, static_cast<size_t>(n)));
    } else if (n == 0) {
      state = parser.finish();
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!waitFor(fd, POLLIN, deadline)) {
        return errno == 0 ? std::string("timeout") : errnoText("poll", errno);
      }
      continue;
    } else {
      return errnoText("recv", errno);
    }
    if (state == HttpResponseParser::State::kDone) {
      return "";
    }
    if (state == HttpResponseParser::State::kError) {
      return parser.error();
    }
  }
}

}  // namespace

HttpResponse httpPost(const HttpUrl& url,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::string_view body, uint32_t timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  HttpResponse response;
  for (const auto& [name, value] : headers) {
    if (!safeHeaderText(name) || !safeHeaderText(value) || name.empty()) {
      response.error = "invalid header " + name;  // the value may be a secret: not shown
      return response;
    }
  }
  int fd = connectAny(url, deadline, &response.error);
  if (fd < 0) {
    return response;
  }
  Socket socket(fd);
  response.error.clear();
  std::string request = requestHead(url, headers, body.size());
  request.append(body);
  std::string send_error;
  bool sent = sendAll(fd, request, deadline, &send_error);
  // A server may answer (413, 400...) and close before reading everything: its answer beats the
  // send error, so read what is there even after a failed send.
  HttpResponseParser parser(kMaxBody);
  std::string receive_error = receive(fd, parser, deadline);
  response.status = parser.status();
  response.body = parser.body();
  if (!sent && response.status == 0) {
    response.error = send_error;
  } else {
    response.error = receive_error;
  }
  return response;
}

}  // namespace meshlb::alerting
