// Chaos acceptance: under load, backends are killed and restarted at random for 2 minutes while
// the config is reloaded every few seconds. With retries on, no idempotent request fails, and
// every request meshlb accepted gets an answer.
//
// Four backends, so that with at most two down at once half of the hosts stay usable and the
// cluster never enters panic (50 % is the default threshold, and "below" it means panic): once
// the health checks have caught up, no request is sent to a dead host. Before they have, a
// request may meet a dead host; it then fails to connect (nothing sent: retried outside the
// budget) or is reset (a GET: retried within the budget, made large enough for every client
// connection to retry at once). max_retries 3 gives four attempts, and a retry never goes back
// to a host the request already tried, so with at most two dead one of them reaches a live host.
// (Before that rule, a request could bounce between two dead hosts: this test found it.)
//
// Load: wrk for volume (its summary must show no socket error, timeouts included, and no
// non-2xx answer) plus two keep-alive clients of our own that count every request sent and every
// answer read, so "every accepted request gets an answer" is exact: sent == answered. A thread
// that only sleeps logs when the test process itself was frozen, to tell machine stalls from
// meshlb stalls when reading a slow run.
// Chaos: a seeded schedule (MESHLB_CHAOS_SEED overrides it to replay a run) kills a random
// backend every 1-3 s, never more than two down, and restarts each 1-3 s later. Reloads: every
// 2-4 s a host weight changes and meshlb gets SIGHUP; each one must become a new generation.
// Bounds: 120 s of load as the acceptance line asks, the action phases end a few seconds earlier
// so every host is back and healthy when the load stops; the whole test stays under ~135 s.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kLoadSeconds = 120;
constexpr long long kChaosEndMs = 114000;   // last kill before this; all restarted after it
constexpr long long kReloadEndMs = 117000;  // last reload before this
constexpr int kHealthIntervalMs = 500;
constexpr int kHealthTimeoutMs = 250;
constexpr uint32_t kDefaultSeed = 20261123;
// How long a client waits for an answer before counting it as never answered. Answers normally
// take about a millisecond; on the shared 2-core test machine the whole VM was seen frozen for
// over 5 s at a time (every process, this test's own threads included), so a 5 s limit measured
// the machine. 15 s still catches any request meshlb left without an answer.
constexpr int kAnswerTimeoutS = 15;

// Timestamped lines from every thread of the test, printed at once and in order.
class EventLog {
 public:
  explicit EventLog(Clock::time_point start) : start_(start) {}
  void add(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::cout << "[chaos " << msSince(start_) << " ms] " << line << std::endl;
  }

 private:
  Clock::time_point start_;
  std::mutex mutex_;
};

// What one of our own keep-alive clients saw.
struct ClientCounts {
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t non_200 = 0;
  uint64_t connect_failures = 0;  // meshlb refused or did not accept a connection
  long long slowest_ms = 0;       // longest wait for an answer
};

// Sends GETs one after the other on a keep-alive connection until `stop`; a new connection only
// when meshlb closes one (Connection: close) or a request went unanswered.
void runClient(int port, const std::atomic<bool>& stop, ClientCounts& counts, EventLog& log,
               int id) {
  std::unique_ptr<RawClient> client;
  while (!stop.load()) {
    if (!client) {
      client = std::make_unique<RawClient>(port, std::chrono::seconds(kAnswerTimeoutS));
      if (!client->connected()) {
        ++counts.connect_failures;
        log.add("client " + std::to_string(id) + ": connect to meshlb failed");
        client.reset();
        std::this_thread::sleep_for(100ms);
        continue;
      }
    }
    ++counts.sent;
    const Clock::time_point sent_at = Clock::now();
    client->send("GET /chaos/" + std::to_string(counts.sent) +
                 " HTTP/1.1\r\nHost: chaos\r\nUser-Agent: chaos-client\r\n\r\n");
    std::optional<Response> response = client->readResponse();
    if (!response) {
      log.add("client " + std::to_string(id) + ": request " + std::to_string(counts.sent) +
              " got no answer");
      client.reset();
      continue;
    }
    ++counts.answered;
    long long took = msSince(sent_at);
    counts.slowest_ms = std::max(counts.slowest_ms, took);
    if (took >= 1000) {
      log.add("client " + std::to_string(id) + ": request " + std::to_string(counts.sent) +
              " took " + std::to_string(took) + " ms");
    }
    if (response->status != 200) {
      ++counts.non_200;
      log.add("client " + std::to_string(id) + ": status " + std::to_string(response->status) +
              " body " + response->body);
    }
    if (response->header("connection") == "close") {
      client.reset();
    }
  }
}

// How often this test process itself was not scheduled: a thread that only sleeps 20 ms at a
// time and notes each wake-up that came late. A freeze seen here is the machine's (a loaded,
// shared 2-core VM stops every process for seconds at times), not meshlb's.
struct Stalls {
  int count = 0;  // wake-ups more than kStallMs late
  long long longest_ms = 0;
};
constexpr long long kStallMs = 500;

void runStallMonitor(const std::atomic<bool>& stop, Stalls& stalls, EventLog& log) {
  while (!stop.load()) {
    Clock::time_point before = Clock::now();
    std::this_thread::sleep_for(20ms);
    long long late = msSince(before) - 20;
    if (late > kStallMs) {
      ++stalls.count;
      stalls.longest_ms = std::max(stalls.longest_ms, late);
      log.add("the test process itself did not run for " + std::to_string(late) +
              " ms (machine stall)");
    }
  }
}

struct ChaosCounts {
  int kills = 0;
  int restarts = 0;
  int restart_attempts_failed = 0;
};

// Starts `upstream` again on its port; a few attempts, since the port may be briefly held (an
// outgoing connection may have been given it as its local port while the backend was down).
bool restartUpstream(TestUpstream& upstream, ChaosCounts& counts, EventLog& log) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    upstream.restart();
    if (upstream.process().running()) {
      return true;
    }
    ++counts.restart_attempts_failed;
    log.add("restart of " + upstream.name() + " failed, trying again");
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

// Kills a random live backend every 1-3 s (at most two down, at least one alive) and restarts
// each 1-3 s after its kill, until kChaosEndMs; then restarts every backend still down.
void runChaos(std::vector<TestUpstream*> upstreams, uint32_t seed, Clock::time_point start,
              ChaosCounts& counts, EventLog& log) {
  std::mt19937 random(seed);
  auto between = [&](long long low, long long high) {
    return std::uniform_int_distribution<long long>(low, high)(random);
  };
  std::vector<long long> restart_at(upstreams.size(), -1);  // -1: alive
  long long next_kill = between(1000, 3000);
  while (msSince(start) < kChaosEndMs) {
    long long now = msSince(start);
    for (size_t i = 0; i < upstreams.size(); ++i) {
      if (restart_at[i] >= 0 && now >= restart_at[i]) {
        bool ok = restartUpstream(*upstreams[i], counts, log);
        ++counts.restarts;
        restart_at[i] = -1;
        log.add("restarted " + upstreams[i]->name() + (ok ? "" : " FAILED"));
      }
    }
    if (now >= next_kill) {
      std::vector<size_t> alive;
      for (size_t i = 0; i < upstreams.size(); ++i) {
        if (restart_at[i] < 0) {
          alive.push_back(i);
        }
      }
      if (upstreams.size() - alive.size() < 2 && alive.size() > 1) {
        size_t victim = alive[between(0, static_cast<long long>(alive.size()) - 1)];
        upstreams[victim]->kill();
        ++counts.kills;
        restart_at[victim] = msSince(start) + between(1000, 3000);
        log.add("killed " + upstreams[victim]->name() + ", restart at " +
                std::to_string(restart_at[victim]) + " ms");
      }
      next_kill = msSince(start) + between(1000, 3000);
    }
    std::this_thread::sleep_for(10ms);
  }
  for (size_t i = 0; i < upstreams.size(); ++i) {
    if (restart_at[i] >= 0) {
      bool ok = restartUpstream(*upstreams[i], counts, log);
      ++counts.restarts;
      log.add("restarted " + upstreams[i]->name() + " (end of chaos)" + (ok ? "" : " FAILED"));
    }
  }
}

struct ReloadCounts {
  int sent = 0;
  int applied = 0;  // the expected generation showed up in /stats
  long long slowest_ms = 0;
};

// Every 2-4 s until kReloadEndMs: new host weights, written and signalled, then waits (up to
// 10 s) for the generation it makes, so no SIGHUP can merge into the previous one.
void runReloads(Meshlb& meshlb, nlohmann::json config, uint32_t seed, Clock::time_point start,
                ReloadCounts& counts, EventLog& log) {
  std::mt19937 random(seed + 1);
  auto between = [&](long long low, long long high) {
    return std::uniform_int_distribution<long long>(low, high)(random);
  };
  long long next = between(2000, 4000);
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max(0LL, next - msSince(start))));
    if (msSince(start) >= kReloadEndMs) {
      return;
    }
    nlohmann::json& hosts = config["clusters"][0]["hosts"];
    std::string weights;
    for (size_t i = 0; i < hosts.size(); ++i) {
      hosts[i]["weight"] = 1 + (counts.sent + i) % 3;
      if (i > 0) {
        weights.push_back(',');
      }
      weights.append(std::to_string(hosts[i]["weight"].get<int>()));
    }
    meshlb.replaceConfig(config);
    auto signalled = Clock::now();
    kill(meshlb.process().pid(), SIGHUP);
    ++counts.sent;
    int generation = 1 + counts.sent;
    bool applied = false;
    while (msSince(signalled) < 10000) {
      nlohmann::json stats = meshlb.stats();
      if (stats.contains("config_generation") && stats["config_generation"] == generation) {
        applied = true;
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    counts.slowest_ms = std::max(counts.slowest_ms, msSince(signalled));
    counts.applied += applied ? 1 : 0;
    log.add("reload " + std::to_string(counts.sent) + " (weights " + weights + "): " +
            (applied ? "generation " + std::to_string(generation) + " after " +
                           std::to_string(msSince(signalled)) + " ms"
                     : "NOT APPLIED within 10 s"));
    next = msSince(start) + between(2000, 4000);
  }
}

long long wrkFigure(const std::string& report, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(report, match, std::regex(pattern))) {
    return -1;
  }
  return std::stoll(match[1]);
}

uint32_t chaosSeed() {
  const char* text = getenv("MESHLB_CHAOS_SEED");
  return text != nullptr ? static_cast<uint32_t>(std::strtoul(text, nullptr, 10)) : kDefaultSeed;
}

TEST(ChaosTest, KilledBackendsAndReloadsUnderLoadFailNoIdempotentRequest) {
  ASSERT_EQ(access("/usr/bin/wrk", X_OK), 0) << "wrk is required (scripts/install-deps.sh)";
  const uint32_t seed = chaosSeed();
  std::cout << "chaos seed " << seed << " (set MESHLB_CHAOS_SEED to replay)\n";
  TestUpstream a("a"), b("b"), c("c"), d("d");
  nlohmann::json cluster = clusterOf("app", {&a, &b, &c, &d});
  cluster["health_check"] = {{"type", "http"},
                             {"path", "/healthz"},
                             {"interval_ms", kHealthIntervalMs},
                             {"timeout_ms", kHealthTimeoutMs},
                             {"unhealthy_threshold", 2},
                             {"healthy_threshold", 2}};
  // A kill resets every request in flight on that backend at once, up to half of the 52 client
  // connections when two are down: the budget lets every one of them retry.
  cluster["retry_policy"] = {{"retry_on", {"connect-failure", "reset"}},
                             {"max_retries", 3},
                             {"min_retry_concurrency", 64}};
  Meshlb meshlb({{"workers", 2},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {cluster}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  const nlohmann::json running = meshlb.runningConfig();

  const int port = meshlb.listenerPort(0);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  Process wrk("/usr/bin/wrk", {"-t2", "-c50", "-d" + std::to_string(kLoadSeconds) + "s",
                               "--timeout", std::to_string(kAnswerTimeoutS) + "s", url});
  const Clock::time_point start = Clock::now();
  EventLog log(start);

  std::atomic<bool> stop_clients{false};
  ClientCounts client_counts[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back(runClient, port, std::cref(stop_clients), std::ref(client_counts[i]),
                         std::ref(log), i);
  }
  Stalls stalls;
  std::thread stall_thread(runStallMonitor, std::cref(stop_clients), std::ref(stalls),
                           std::ref(log));
  ChaosCounts chaos;
  ReloadCounts reloads;
  std::thread chaos_thread(runChaos, std::vector<TestUpstream*>{&a, &b, &c, &d}, seed, start,
                           std::ref(chaos), std::ref(log));
  std::thread reload_thread(runReloads, std::ref(meshlb), running, seed, start, std::ref(reloads),
                            std::ref(log));

  chaos_thread.join();
  reload_thread.join();
  std::string line = wrk.waitForLine("Transfer/sec", std::chrono::seconds(kLoadSeconds + 15));
  stop_clients = true;
  for (std::thread& thread : threads) {
    thread.join();
  }
  stall_thread.join();
  int wrk_exit = wrk.wait(10s);
  const std::string& report = wrk.output();
  std::cout << report;

  // Every backend is back: meshlb must see all four healthy again within a few intervals.
  bool all_healthy = false;
  while (!all_healthy && msSince(start) < (kLoadSeconds + 8) * 1000LL) {
    all_healthy = true;
    for (TestUpstream* upstream : {&a, &b, &c, &d}) {
      all_healthy = all_healthy && meshlb.hostState("app", upstream->address()) == "healthy";
    }
    if (!all_healthy) {
      std::this_thread::sleep_for(50ms);
    }
  }

  nlohmann::json stats = meshlb.stats();
  auto ready = httpGet(meshlb.adminPort(), "/ready");
  ClientCounts own;
  for (const ClientCounts& counts : client_counts) {
    own.sent += counts.sent;
    own.answered += counts.answered;
    own.non_200 += counts.non_200;
    own.connect_failures += counts.connect_failures;
    own.slowest_ms = std::max(own.slowest_ms, counts.slowest_ms);
  }
  long long wrk_requests = wrkFigure(report, R"((\d+) requests in)");
  std::cout << "figures: wrk requests " << wrk_requests << ", own clients sent " << own.sent
            << " answered " << own.answered << " non-200 " << own.non_200 << " connect failures "
            << own.connect_failures << " slowest " << own.slowest_ms << " ms; kills " << chaos.kills
            << ", restarts " << chaos.restarts << " (failed starts "
            << chaos.restart_attempts_failed << "); reloads sent " << reloads.sent << " applied "
            << reloads.applied << " (slowest " << reloads.slowest_ms << " ms), generation "
            << stats["config_generation"] << "; meshlb requests "
            << stats["downstream_requests_total"] << ", retries " << stats["upstream_retries_total"]
            << ", reuse retries " << stats["upstream_reuse_retries_total"] << ", budget refusals "
            << stats["upstream_retries_budget_exhausted_total"] << ", resets "
            << stats["upstream_resets_total"] << ", connect failures "
            << stats["upstream_connect_failures_total"] << ", panics " << stats["lb_panic_total"]
            << ", 5xx " << stats["responses_5xx_total"] << "; machine stalls " << stalls.count
            << " (longest " << stalls.longest_ms << " ms)\n";

  // wrk: volume, no socket error (connect, read, write or timeout), no non-2xx answer.
  EXPECT_FALSE(line.empty()) << "wrk did not finish:\n" << report;
  EXPECT_EQ(wrk_exit, 0) << report;
  EXPECT_GT(wrk_requests, 20000) << report;
  EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
  EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
  // Our clients: every request sent got an answer, and every answer was a 200.
  EXPECT_GT(own.sent, 1000u);
  EXPECT_EQ(own.answered, own.sent);
  EXPECT_EQ(own.non_200, 0u);
  EXPECT_EQ(own.connect_failures, 0u);
  // meshlb: no 5xx to anyone, no retry refused by the budget.
  EXPECT_EQ(stats["responses_5xx_total"], 0) << stats.dump(2);
  EXPECT_EQ(stats["upstream_retries_budget_exhausted_total"], 0);
  // The chaos really happened: ~40 kills expected over 114 s at one every 1-3 s.
  EXPECT_GE(chaos.kills, 20);
  EXPECT_EQ(chaos.restarts, chaos.kills);
  EXPECT_EQ(chaos.restart_attempts_failed, 0);
  // Every reload became its own generation, none failed.
  EXPECT_GE(reloads.sent, 25);
  EXPECT_EQ(reloads.applied, reloads.sent);
  EXPECT_EQ(stats["config_generation"], 1 + reloads.sent);
  EXPECT_EQ(stats["config_reloads_total{result=\"success\"}"], reloads.sent);
  EXPECT_EQ(stats["config_reloads_total{result=\"failure\"}"], 0);
  // meshlb is alive, ready, and follows its hosts' health.
  EXPECT_TRUE(meshlb.process().running()) << meshlb.stderrLog();
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_TRUE(all_healthy) << meshlb.clusters().dump(2);
  // Still serving after it all.
  auto after = httpGet(port, "/");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace meshlb::testing
