#include "proxy/worker/listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace meshlb {

Result<int> openListenSocket(const SocketAddress& address, int backlog) {
  int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Error{std::string("socket: ") + strerror(errno)};
  }
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    int error = errno;
    ::close(fd);
    return Error{std::string("setsockopt: ") + strerror(error)};
  }
  if (address.family() == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (::bind(fd, address.get(), address.length) != 0) {
    int error = errno;
    ::close(fd);
    return Error{"bind " + address.toString() + ": " + strerror(error)};
  }
  if (::listen(fd, backlog) != 0) {
    int error = errno;
    ::close(fd);
    return Error{"listen " + address.toString() + ": " + strerror(error)};
  }
  return fd;
}

}  // namespace meshlb
