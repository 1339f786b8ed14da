#include "alerting/persist/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace meshlb::alerting {
namespace {

void setError(std::string* error, const std::string& what, int err) {
  if (error != nullptr) {
    *error = what;
    error->append(": ").append(std::strerror(err));
  }
}

std::string parentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

// A name no other writer in this or another process uses at the same time.
std::string temporaryNameFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool syncParentDirectory(const std::string& path, std::string* error) {
  std::string dir = parentOf(path);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    setError(error, "open " + dir, errno);
    return false;
  }
  bool ok = ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    setError(error, "fsync " + dir, err);
  }
  return ok;
}

bool writeFileAtomically(const std::string& path, std::string_view bytes, bool sync,
                         std::string* error) {
  std::string temporary = temporaryNameFor(path);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    setError(error, "create " + temporary, errno);
    return false;
  }
  std::string step;
  int err = 0;
  if (!writeAll(fd, bytes)) {
    step = "write " + temporary;
    err = errno;
  } else if (sync && ::fsync(fd) != 0) {
    step = "fsync " + temporary;
    err = errno;
  }
  if (::close(fd) != 0 && step.empty()) {
    step = "close " + temporary;
    err = errno;
  }
  if (step.empty() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    step = "rename " + temporary + " to " + path;
    err = errno;
  }
  if (!step.empty()) {
    ::unlink(temporary.c_str());
    setError(error, step, err);
    return false;
  }
  return !sync || syncParentDirectory(path, error);
}

std::optional<std::string> readWholeFile(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    setError(error, path, errno);
    return std::nullopt;
  }
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      setError(error, "read " + path, errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) {
      break;
    }
    content.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return content;
}

}  // namespace meshlb::alerting
