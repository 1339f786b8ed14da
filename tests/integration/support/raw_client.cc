#include "support/raw_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace meshlb::testing {

std::string Response::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

RawClient::RawClient(int port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    connect_error_ = errno;
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    connect_error_ = errno;
    close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

RawClient::~RawClient() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

bool RawClient::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

void RawClient::shutdownWrite() {
  shutdown(fd_, SHUT_WR);
}

void RawClient::reset() {
  if (fd_ < 0) {
    return;
  }
  linger abortive{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
  ::close(fd_);
  fd_ = -1;
}

bool RawClient::fill() {
  pollfd fd{fd_, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(timeout_.count())) <= 0) {
    return false;
  }
  char chunk[65536];
  ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::string RawClient::readBytes(size_t n) {
  while (buffer_.size() < n && fill()) {
  }
  std::string out = buffer_.substr(0, std::min(n, buffer_.size()));
  buffer_.erase(0, out.size());
  return out;
}

std::optional<std::string> RawClient::readUntil(std::string_view marker) {
  size_t found;
  while ((found = buffer_.find(marker)) == std::string::npos) {
    if (!fill()) {
      return std::nullopt;
    }
  }
  std::string out = buffer_.substr(0, found + marker.size());
  buffer_.erase(0, out.size());
  return out;
}

std::optional<Response> RawClient::readResponse(bool head_request) {
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) {
      return std::nullopt;
    }
  }
  Response response;
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  response.version = status_line.substr(0, status_line.find(' '));
  response.status = std::atoi(status_line.c_str() + status_line.find(' ') + 1);
  size_t position = line_end == std::string::npos ? head.size() : line_end + 2;
  while (position < head.size()) {
    size_t next = head.find("\r\n", position);
    if (next == std::string::npos) {
      next = head.size();
    }
    std::string line = head.substr(position, next - position);
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers.emplace(name, value);
    position = next + 2;
  }
  if (response.status / 100 == 1 || response.status == 204 || response.status == 304 ||
      head_request) {
    return response;
  }
  std::string length = response.header("content-length");
  if (response.header("transfer-encoding") == "chunked") {
    while (true) {
      size_t line;
      while ((line = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill()) {
          return std::nullopt;
        }
      }
      size_t size = std::stoul(buffer_.substr(0, line), nullptr, 16);
      while (buffer_.size() < line + 2 + size + 2) {
        if (!fill()) {
          return std::nullopt;
        }
      }
      response.body.append(buffer_, line + 2, size);
      buffer_.erase(0, line + 2 + size + 2);
      if (size == 0) {
        return response;
      }
    }
  }
  if (!length.empty()) {
    size_t n = std::stoul(length);
    while (buffer_.size() < n) {
      if (!fill()) {
        return std::nullopt;
      }
    }
    response.body = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return response;
  }
  while (fill()) {
  }
  response.body = buffer_;
  buffer_.clear();
  return response;
}

bool RawClient::waitClosed(std::string* rest) {
  if (fd_ < 0) {
    // A peer that resets a connection at once (a refusal) can do it before connect() returns,
    // which then fails with ECONNRESET: closed too. Never connected otherwise: poll() would
    // ignore the descriptor and wait the whole timeout.
    return connect_error_ == ECONNRESET;
  }
  while (true) {
    pollfd fd{fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(timeout_.count())) <= 0) {
      return false;
    }
    char chunk[65536];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      if (rest != nullptr) {
        *rest = buffer_;
      }
      return true;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

std::optional<Response> httpGet(int port, const std::string& path, const std::string& extra) {
  RawClient client(port);
  if (!client.connected()) {
    return std::nullopt;
  }
  client.send("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" + extra + "\r\n");
  return client.readResponse();
}

std::optional<Response> httpRequest(int port, const std::string& method, const std::string& path,
                                    const std::string& extra, const std::string& body) {
  RawClient client(port);
  if (!client.connected()) {
    return std::nullopt;
  }
  std::string request = method;
  request.append(" ").append(path).append(" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
  request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  request.append(extra).append("\r\n").append(body);
  client.send(request);
  return client.readResponse(method == "HEAD");
}

}  // namespace meshlb::testing
