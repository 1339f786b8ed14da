// meshlb with fewer file descriptors than clients: it must not spin, must answer what it
// accepted, and must serve again once descriptors free up. Figures are logged: the bounds are
// generous on purpose, for a loaded 2-core machine.
//
// Not built with the sanitizers (see CMakeLists.txt): their runtime needs free descriptors of its
// own, and without them UBSan's vptr check reports every virtual call as "invalid vptr".
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A blocking connect (the kernel completes it from the listen backlog whether or not meshlb
// accepts); -1 on failure.
int connectBlocking(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// True when `fd` has been closed by the peer (EOF or reset) within `timeout_ms`; data that comes
// first is read and dropped.
bool peerClosedWithin(int fd, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, std::max(left, 0)) <= 0) {
      return false;
    }
    char buffer[512];
    ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      return true;
    }
  }
}

// utime + stime of `pid` in clock ticks, from /proc/<pid>/stat (fields 14 and 15).
long long cpuTicks(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) {
    return -1;
  }
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  long long utime = 0, stime = 0;
  // After ")": state is field 3; utime and stime are fields 14 and 15.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) {
      utime = std::stoll(field);
    } else if (index == 15) {
      stime = std::stoll(field);
    }
  }
  return utime + stime;
}

size_t openFds(pid_t pid) {
  std::error_code error;
  auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
  return error ? 0 : static_cast<size_t>(std::distance(it, std::filesystem::directory_iterator{}));
}

size_t countOccurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// meshlb in front of `upstream` with `workers` workers and a soft descriptor limit of `fd_limit`
// (this process keeps its own). Connections held without a request stay open through a test.
// Null when the limit could not be set.
std::unique_ptr<Meshlb> startShortOfFds(TestUpstream& upstream, int workers, rlim_t fd_limit) {
  nlohmann::json config = singleCluster(clusterOf("app", {&upstream}), workers);
  config["listeners"][0]["header_timeout_ms"] = 60000;
  config["listeners"][0]["idle_timeout_ms"] = 60000;
  ScopedFdLimit limit(fd_limit);
  if (!limit.ok()) {
    return nullptr;
  }
  return std::make_unique<Meshlb>(config);
}

TEST(FdExhaustionTest, OneWorkerShedsWithoutBusyLoop) {
  // meshlb gets few file descriptors; this process keeps plenty for its clients. One worker:
  // libuv sheds what it cannot accept with a spare descriptor of its own. Two workers race for
  // the descriptors and the spare is lost; TwoWorkersPauseAccepting covers that.
  constexpr rlim_t kMeshlbFdLimit = 128;
  constexpr int kClientConnections = 200;  // well past what meshlb can hold
  raiseFdLimitToHard();
  TestUpstream a("a");
  std::unique_ptr<Meshlb> started = startShortOfFds(a, 1, kMeshlbFdLimit);
  ASSERT_TRUE(started != nullptr);
  Meshlb& meshlb = *started;
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  const pid_t pid = meshlb.process().pid();
  const int port = meshlb.listenerPort(0);
  // No request before saturation: requests made while saturated must need a new upstream
  // connection, not reuse a pooled one.
  size_t fds_at_start = openFds(pid);

  // Connect far more clients than meshlb has descriptors for. The kernel completes every
  // connect from the backlog; meshlb accepts until accept() fails with EMFILE, and must then
  // shed the rest (close or reset them) rather than spin on a listen socket that stays readable.
  std::vector<int> clients;
  for (int i = 0; i < kClientConnections; ++i) {
    int fd = connectBlocking(port);
    ASSERT_GE(fd, 0) << strerror(errno);
    clients.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  size_t fds_saturated = openFds(pid);
  int shed = 0;
  std::vector<int> held;
  for (int fd : clients) {
    if (peerClosedWithin(fd, 0)) {
      ++shed;
      close(fd);
    } else {
      held.push_back(fd);
    }
  }

  // Saturated for ~2 s. A new client every few ms, and on the held connections one request
  // after another (Connection: close, so each answer frees a descriptor the accept paths then
  // race for). meshlb's CPU time must stay low and every request must be answered.
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  long long cpu_before = cpuTicks(pid);
  auto window_start = Clock::now();
  int answered_200 = 0, answered_502 = 0, answered_other = 0, unanswered = 0;
  size_t used = 0;
  std::thread requester([&] {
    const std::string request = "GET /saturated HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    for (; used < held.size() && msSince(window_start) < 2000; ++used) {
      int fd = held[used];
      std::string answer;
      if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
        // Read to EOF (Connection: close); 3 s without a byte means a stuck worker.
        while (true) {
          pollfd p{fd, POLLIN, 0};
          if (poll(&p, 1, 3000) != 1) {
            break;
          }
          char buffer[1024];
          ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
          if (n <= 0) {
            break;
          }
          answer.append(buffer, n);
        }
      }
      int status = answer.size() > 12 ? std::atoi(answer.c_str() + 9) : 0;
      ++(status == 200   ? answered_200
         : status == 502 ? answered_502
         : status == 0   ? unanswered
                         : answered_other);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int extra_shed = 0, extra_total = 0;
  while (msSince(window_start) < 2000) {
    int fd = connectBlocking(port);
    if (fd >= 0) {
      ++extra_total;
      extra_shed += peerClosedWithin(fd, 15) ? 1 : 0;
      close(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  requester.join();
  long long cpu_after = cpuTicks(pid);
  double window_s = msSince(window_start) / 1000.0;
  double cpu_percent = 100.0 * static_cast<double>(cpu_after - cpu_before) /
                       static_cast<double>(ticks_per_second) / window_s;
  EXPECT_TRUE(meshlb.process().running()) << meshlb.stderrLog();

  // Clients leave: meshlb serves again.
  for (int fd : held) {
    close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int served_after = 0;
  for (int i = 0; i < 20; ++i) {
    auto response = httpGet(port, "/");
    served_after += response && response->status == 200 ? 1 : 0;
  }
  nlohmann::json stats = meshlb.stats();
  std::string log = meshlb.stderrLog();
  size_t accept_warnings = countOccurrences(log, "accept on web");
  std::cout << "[ figures  ] meshlb fds: " << fds_at_start << " at start, " << fds_saturated
            << " saturated (limit " << kMeshlbFdLimit << "); of " << kClientConnections
            << " clients " << held.size() << " held, " << shed << " shed; " << extra_shed << "/"
            << extra_total << " later clients shed within 15 ms\n"
            << "[ figures  ] meshlb CPU while saturated: " << cpu_percent << " % of one core ("
            << (cpu_after - cpu_before) << " ticks in " << window_s << " s)\n"
            << "[ figures  ] requests while saturated: " << used << " sent, " << answered_502
            << " x 502, " << answered_200 << " x 200, " << answered_other << " other, "
            << unanswered << " unanswered\n"
            << "[ figures  ] downstream_accept_errors_total "
            << stats["downstream_accept_errors_total"] << ", upstream_connect_failures_total "
            << stats["upstream_connect_failures_total"] << ", downstream_connections_total "
            << stats["downstream_connections_total"] << "; 'accept on web' warnings "
            << accept_warnings << "; after: " << served_after << "/20 served\n";
  RecordProperty("saturated_cpu_permille", static_cast<int>(cpu_percent * 10));

  EXPECT_GT(shed, 0) << "meshlb accepted every connection: the fd limit was not reached";
  EXPECT_GT(held.size(), 10u);
  EXPECT_LT(cpu_percent, 50.0) << "meshlb busy-loops while out of file descriptors";
  // Every request answered: 502 when no descriptor was left for the upstream connection, 200
  // when one had just been freed.
  EXPECT_GT(used, 10u);
  EXPECT_EQ(unanswered, 0) << "a worker stopped answering while out of file descriptors";
  EXPECT_EQ(answered_other, 0);
  // Which of the two a request gets depends on who wins a freed descriptor: the upstream
  // connect or the accept path. At a plain build's speed the connect loses at least once in
  // every run; ThreadSanitizer's timing can make it win every time (96 of 96 seen).
  if (kSanitizerSlowdown < 8) {
    EXPECT_GE(answered_502, 1);
  }
  // The counter that rises for certain: upstream connects that found no descriptor.
  EXPECT_GE(stats["upstream_connect_failures_total"].get<int>(), answered_502);
  // Accept errors are counted when libuv reports them, which it does only once its own spare
  // descriptor is lost; here libuv sheds silently. The counter must be there all the same, in
  // /stats and /metrics.
  EXPECT_TRUE(stats["downstream_accept_errors_total"].is_number()) << stats.dump(2);
  auto metrics = httpGet(meshlb.adminPort(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("\nmeshlb_downstream_accept_errors_total "), std::string::npos);
  // Rate-limited to one warning a second per listener and worker: ~4 s here.
  EXPECT_LE(accept_warnings, 6u) << log;
  EXPECT_EQ(served_after, 20) << log;
}

// Two workers out of descriptors: one takes the descriptor libuv freed to shed a connection for
// the other, libuv's spare is lost, and its accept loop would spin until a descriptor frees up
// (both workers at 100 % and deaf, seen in 3 runs of 4 before the fix). meshlb pauses accepting
// instead, and listens again once descriptors are free.
TEST(FdExhaustionTest, TwoWorkersPauseAccepting) {
  constexpr rlim_t kMeshlbFdLimit = 128;
  constexpr int kClientConnections = 300;
  raiseFdLimitToHard();
  TestUpstream a("a");
  std::unique_ptr<Meshlb> started = startShortOfFds(a, 2, kMeshlbFdLimit);
  ASSERT_TRUE(started != nullptr);
  Meshlb& meshlb = *started;
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  const pid_t pid = meshlb.process().pid();
  const int port = meshlb.listenerPort(0);

  std::vector<int> clients;
  for (int i = 0; i < kClientConnections; ++i) {
    int fd = connectBlocking(port);
    ASSERT_GE(fd, 0) << strerror(errno);
    clients.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const size_t fds_saturated = openFds(pid);

  // Two seconds out of descriptors, with a new client every 5 ms racing for any that frees up.
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  const long long cpu_before = cpuTicks(pid);
  const auto window_start = Clock::now();
  int extra = 0;
  while (msSince(window_start) < 2000) {
    int fd = connectBlocking(port);
    if (fd >= 0) {
      ++extra;
      clients.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const long long cpu_after = cpuTicks(pid);
  const double window_s = msSince(window_start) / 1000.0;
  const double cpu_percent = 100.0 * static_cast<double>(cpu_after - cpu_before) /
                             static_cast<double>(ticks_per_second) / window_s;
  // The admin thread has descriptors of its own to answer with: meshlb is not wedged.
  nlohmann::json during = meshlb.stats();

  for (int fd : clients) {
    close(fd);
  }
  // Served again once descriptors are back: paused listeners retry every 250 ms.
  int served_after = 0;
  const auto recovery_start = Clock::now();
  while (served_after < 20 && msSince(recovery_start) < 10000) {
    auto response = httpGet(port, "/");
    if (response && response->status == 200) {
      ++served_after;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const double recovery_ms = msSince(recovery_start);
  const std::string log = meshlb.stderrLog();
  nlohmann::json stats = meshlb.stats();
  std::cout << "[ figures  ] meshlb fds saturated: " << fds_saturated << " (limit "
            << kMeshlbFdLimit << "); " << kClientConnections << " + " << extra
            << " clients; CPU while saturated " << cpu_percent << " % of one core ("
            << (cpu_after - cpu_before) << " ticks in " << window_s << " s); accept errors "
            << stats["downstream_accept_errors_total"] << "; pauses logged "
            << countOccurrences(log, "accepting pauses") << ", resumes logged "
            << countOccurrences(log, "again") << "; 20 served " << recovery_ms
            << " ms after the clients left\n";

  EXPECT_GE(fds_saturated + 8, static_cast<size_t>(kMeshlbFdLimit)) << "the limit was not reached";
  EXPECT_LT(cpu_percent, 50.0) << "meshlb busy-loops while out of file descriptors\n" << log;
  EXPECT_TRUE(during.is_object()) << "the admin API did not answer while saturated";
  EXPECT_EQ(served_after, 20) << log;
  EXPECT_TRUE(meshlb.process().running()) << log;
  // One warning a second at most per listener and worker, whatever libuv reported.
  EXPECT_LE(countOccurrences(log, "accept on web"), 2u * 5u) << log;
}

}  // namespace
}  // namespace meshlb::testing
