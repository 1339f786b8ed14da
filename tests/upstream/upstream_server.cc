#include "tests/upstream/upstream_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/upstream/http_response.h"

namespace meshlb::upstream {
namespace {

Result<int> bindListener(const SocketAddress& address, bool reusePort) {
  int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Error{std::string("socket: ") + std::strerror(errno)};
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reusePort && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    std::string message = std::string("SO_REUSEPORT: ") + std::strerror(errno);
    ::close(fd);
    return Error{message};
  }
  if (::bind(fd, address.get(), address.length) != 0) {
    std::string message = "bind " + address.toString() + ": " + std::strerror(errno);
    ::close(fd);
    return Error{message};
  }
  // Listening right away means connections queue up even before the worker loops run.
  if (::listen(fd, 1024) != 0) {
    std::string message = std::string("listen: ") + std::strerror(errno);
    ::close(fd);
    return Error{message};
  }
  return fd;
}

}  // namespace

UpstreamServer::UpstreamServer(const Options& options)
    : options_(options), shared_(options.threads) {
  context_.name = options.name;
  context_.shared = &shared_;
  ResponseHead head;
  head.upstreamName = context_.name;
  head.contentLength = context_.name.size() + 1;
  appendResponseHead(context_.defaultResponse, head);
  context_.defaultResponse += context_.name;
  context_.defaultResponse += '\n';
}

UpstreamServer::~UpstreamServer() {
  stop();
}

Result<SocketAddress> UpstreamServer::start() {
  bool reusePort = options_.threads > 1;
  SocketAddress bound = options_.listen;
  for (int i = 0; i < options_.threads; ++i) {
    // The first socket fixes the port (the kernel picks one for port 0); the others join it.
    Result<int> fd = bindListener(bound, reusePort);
    if (!fd) {
      stop();
      return fd.error();
    }
    if (i == 0) {
      sockaddr_storage actual{};
      socklen_t length = sizeof(actual);
      if (getsockname(fd.value(), reinterpret_cast<sockaddr*>(&actual), &length) != 0) {
        ::close(fd.value());
        return Error{std::string("getsockname: ") + std::strerror(errno)};
      }
      bound = fromSockaddr(reinterpret_cast<sockaddr*>(&actual));
    }
    workers_.push_back(std::make_unique<Worker>(context_, i, fd.value()));
    Status started = workers_.back()->start();
    if (!started) {
      stop();
      return Error{started.message()};
    }
  }
  return bound;
}

void UpstreamServer::stop() {
  for (auto& worker : workers_) {
    worker->stop();
  }
  for (auto& worker : workers_) {
    worker->join();
  }
  workers_.clear();
}

}  // namespace meshlb::upstream
