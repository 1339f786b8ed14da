#include "tests/alerting/support/test_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

namespace meshlb::alerting::testing {
namespace {

// A silent client must not wedge the single server thread for long.
constexpr int kConnectionIdleMs = 10'000;
constexpr size_t kMaxRequestBytes = 16 * 1024 * 1024;

int64_t nowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

void sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;  // the client gave up (a truncating or timed-out client does)
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

const std::string* RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

TestHttpServer::TestHttpServer() {
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    return;
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return;
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

TestHttpServer::~TestHttpServer() {
  stop();
  for (int fd : {listen_fd_, wake_pipe_[0], wake_pipe_[1]}) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

std::string TestHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void TestHttpServer::setStatus(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  default_status_ = status;
}

void TestHttpServer::setStatusSequence(std::vector<int> statuses) {
  std::lock_guard<std::mutex> lock(mutex_);
  statuses_.assign(statuses.begin(), statuses.end());
}

void TestHttpServer::setResponseBody(std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  response_body_ = std::move(body);
}

void TestHttpServer::setHang(bool hang) {
  std::lock_guard<std::mutex> lock(mutex_);
  hang_ = hang;
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

size_t TestHttpServer::requestCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

bool TestHttpServer::waitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return recorded_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void TestHttpServer::stop() {
  if (!thread_.joinable()) {
    return;
  }
  char byte = 1;
  ssize_t ignored = ::write(wake_pipe_[1], &byte, 1);
  (void)ignored;
  thread_.join();
}

void TestHttpServer::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (fds[1].revents != 0) {
      break;
    }
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    timeval send_timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
    RecordedRequest request;
    if (!readRequest(fd, &request)) {
      ::close(fd);
      continue;
    }
    bool hang = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(std::move(request));
      hang = hang_;
    }
    recorded_.notify_all();
    if (hang) {
      hung_fds_.push_back(fd);
      continue;
    }
    answer(fd);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }
  for (int fd : hung_fds_) {
    ::close(fd);
  }
  hung_fds_.clear();
}

bool TestHttpServer::readRequest(int fd, RecordedRequest* request) {
  std::string data;
  size_t head_end = std::string::npos;
  size_t body_length = 0;
  char buffer[16 * 1024];
  for (;;) {
    if (head_end != std::string::npos && data.size() >= head_end + 4 + body_length) {
      request->body = data.substr(head_end + 4, body_length);
      request->unix_ms = nowUnixMs();
      return true;
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int ready = ::poll(fds, 2, kConnectionIdleMs);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0 || fds[1].revents != 0) {
      return false;
    }
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0 || data.size() + static_cast<size_t>(n) > kMaxRequestBytes) {
      return false;
    }
    data.append(buffer, static_cast<size_t>(n));
    if (head_end != std::string::npos || (head_end = data.find("\r\n\r\n")) == std::string::npos) {
      continue;
    }
    std::string_view head = std::string_view(data).substr(0, head_end);
    size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t space1 = request_line.find(' ');
    size_t space2 = request_line.find(' ', space1 + 1);
    if (space1 == std::string_view::npos || space2 == std::string_view::npos) {
      return false;
    }
    request->method = std::string(request_line.substr(0, space1));
    request->path = std::string(request_line.substr(space1 + 1, space2 - space1 - 1));
    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!rest.empty()) {
      size_t end = rest.find("\r\n");
      std::string_view line = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        return false;
      }
      std::string name = lower(trim(line.substr(0, colon)));
      std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-length") {
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), body_length);
        if (ec != std::errc() || body_length > kMaxRequestBytes) {
          return false;
        }
      }
      request->headers.emplace_back(std::move(name), std::string(value));
    }
  }
}

void TestHttpServer::answer(int fd) {
  int status = 0;
  std::string body;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status = default_status_;
    if (!statuses_.empty()) {
      status = statuses_.front();
      statuses_.pop_front();
    }
    body = response_body_;
  }
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  response.append("Content-Type: text/plain\r\nContent-Length: ")
      .append(std::to_string(body.size()))
      .append("\r\nConnection: close\r\n\r\n")
      .append(body);
  sendAll(fd, response);
}

}  // namespace meshlb::alerting::testing
