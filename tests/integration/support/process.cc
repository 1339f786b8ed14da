#include "support/process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

namespace meshlb::testing {

Process::Process(const std::string& binary, const std::vector<std::string>& args,
                 const std::string& stderr_path) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    if (!stderr_path.empty()) {
      int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) {
        dup2(err, STDERR_FILENO);
      }
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const std::string& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
}

Process::~Process() {
  if (running()) {
    if (stop(SIGTERM, std::chrono::seconds(5)) < 0) {
      stop(SIGKILL, std::chrono::seconds(5));
    }
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
  }
}

bool Process::running() {
  if (pid_ <= 0 || exit_code_ >= 0) {
    return false;
  }
  int status = 0;
  pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::string Process::waitForLine(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t searched_from = 0;
  while (true) {
    size_t found = output_.find(needle, searched_from);
    if (found != std::string::npos) {
      size_t start = output_.rfind('\n', found);
      start = start == std::string::npos ? 0 : start + 1;
      size_t end = output_.find('\n', found);
      if (end != std::string::npos) {
        return output_.substr(start, end - start);
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return "";
    }
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
      continue;
    }
    char buffer[4096];
    ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n <= 0) {
      return "";
    }
    output_.append(buffer, n);
  }
}

int Process::wait(std::chrono::milliseconds timeout) {
  return stop(0, timeout);
}

int Process::stop(int signal, std::chrono::milliseconds timeout) {
  if (!running()) {
    return exit_code_;
  }
  if (signal != 0) {
    kill(pid_, signal);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

static long readStatusField(pid_t pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) {
      return std::stol(line.substr(strlen(field)));
    }
  }
  return -1;
}

long Process::peakRssKib() const {
  return readStatusField(pid_, "VmHWM:");
}
long Process::rssKib() const {
  return readStatusField(pid_, "VmRSS:");
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

}  // namespace meshlb::testing
