#include "admin/metrics/metrics_exporter.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/latency_histogram.h"
#include "proxy/health/host_state.h"

extern char** environ;

namespace meshlb::admin {
namespace {

// --- synthetic snapshots ---------------------------------------------------------------------

stats::HostSnapshot host(const std::string& address) {
  stats::HostSnapshot snapshot;
  snapshot.address = address;
  return snapshot;
}

stats::ClusterSnapshot cluster(const std::string& name, std::vector<stats::HostSnapshot> hosts) {
  stats::ClusterSnapshot snapshot;
  snapshot.name = name;
  snapshot.hosts = std::move(hosts);
  return snapshot;
}

stats::ListenerSnapshot listener(const std::string& name) {
  stats::ListenerSnapshot snapshot;
  snapshot.name = name;
  return snapshot;
}

// The process-wide totals as ProxyServer::stats() lists them, all at `value`.
std::vector<std::pair<std::string, uint64_t>> workerTotals(uint64_t value) {
  std::vector<std::pair<std::string, uint64_t>> totals;
  for (const char* name : {"downstream_connections_total",
                           "downstream_connections_active",
                           "downstream_requests_total",
                           "responses_1xx",
                           "responses_2xx",
                           "responses_3xx",
                           "responses_4xx",
                           "responses_5xx",
                           "bad_requests_total",
                           "header_timeouts_total",
                           "no_route_total",
                           "no_healthy_upstream_total",
                           "lb_panic_total",
                           "overflow_max_connections_total",
                           "overflow_max_pending_requests_total",
                           "overflow_max_requests_total",
                           "downstream_connections_refused_total",
                           "downstream_accept_errors_total",
                           "upstream_retries_total",
                           "upstream_retries_budget_exhausted_total",
                           "upstream_connect_failures_total",
                           "upstream_bad_responses_total",
                           "upstream_resets_total",
                           "upstream_reuse_retries_total",
                           "upstream_timeouts_total",
                           "upstream_connections_total",
                           "upstream_connections_reused_total",
                           "tcp_sessions_total",
                           "tls_handshakes_total",
                           "tls_handshake_errors_total",
                           "tls_errors_total",
                           "upstream_tls_handshake_errors_total",
                           "bytes_received_total",
                           "bytes_sent_total",
                           "access_log_dropped_total"}) {
    totals.emplace_back(name, value);
  }
  return totals;
}

// Every field of a host non-zero, scaled by `n`, as after real traffic.
void fillTraffic(stats::HostSnapshot& h, uint64_t n) {
  stats::HostStatsValues& v = h.values;
  v.responses_by_class = {0, 90 * n, 3 * n, 5 * n, 2 * n};
  v.responses_by_code[stats::statusSlot(200)] = 90 * n;
  v.responses_by_code[stats::statusSlot(404)] = 5 * n;
  v.responses_by_code[stats::statusSlot(503)] = 2 * n;
  v.requests_active = n;
  v.retries = n;
  v.timeouts = n;
  v.connections_total = 4 * n;
  v.connections_active = 2;
  v.connect_failures = n;
  v.bytes_sent = 1000 * n;
  v.bytes_received = 5000 * n;
  v.request_duration.buckets[5] = 50 * n;
  v.request_duration.buckets[8] = 40 * n;
  v.request_duration.buckets[19] = 10 * n;
  v.request_duration.sum_us = 123456 * n;
  v.connect_duration.buckets[3] = 4 * n;
  v.connect_duration.sum_us = 200 * n;
  h.ejections_total = static_cast<uint32_t>(n);
  h.weight = 3;
}

// A snapshot with traffic on every cluster, host and listener.
stats::StatsSnapshot trafficSnapshot(uint64_t n) {
  stats::StatsSnapshot snapshot;
  snapshot.clusters.push_back(cluster("app", {host("10.0.0.1:80"), host("10.0.0.2:80")}));
  snapshot.clusters.push_back(cluster("api", {host("10.0.1.1:8080")}));
  for (stats::ClusterSnapshot& c : snapshot.clusters) {
    c.values.no_healthy_upstream = n;
    c.values.lb_panic = n;
    c.values.overflow_max_connections = n;
    c.values.overflow_max_pending_requests = n;
    c.values.overflow_max_requests = n;
    c.values.retry_budget_exhausted = n;
    for (stats::HostSnapshot& h : c.hosts) {
      fillTraffic(h, n);
    }
  }
  snapshot.listeners.push_back(listener("web"));
  stats::ListenerStatsValues& l = snapshot.listeners[0].values;
  l.connections_total = 10 * n;
  l.connections_active = 3;
  l.connections_refused = n;
  l.requests = 100 * n;
  l.responses_by_class = {0, 90 * n, 3 * n, 5 * n, 2 * n};
  l.bad_requests = {n, n, n, n, n};
  l.no_route = n;
  l.tls_handshakes = n;
  l.tls_handshake_errors = n;
  l.tls_errors = n;
  l.bytes_received = 2000 * n;
  l.bytes_sent = 9000 * n;
  snapshot.worker_totals = workerTotals(7 * n);
  return snapshot;
}

ProcessInfo processInfo() {
  ProcessInfo info;
  info.start_time_unix_seconds = 1700000000.5;
  info.uptime_seconds = 42.25;
  info.workers = 4;
  info.open_fds = 17;
  info.resident_memory_bytes = 8 << 20;
  info.virtual_memory_bytes = 64 << 20;
  info.config_generation = 3;
  info.config_reloads_ok = 2;
  info.config_reload_failures = 1;
  return info;
}

// --- reading the exposition ------------------------------------------------------------------

// The value of the sample written exactly as `key` (name{labels in alphabetical order}).
std::optional<double> sample(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ' ') {
      return std::stod(line.substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

bool mentions(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::string hostKey(const std::string& name, const std::string& cluster,
                    const std::string& address) {
  return name + "{cluster=\"" + cluster + "\",host=\"" + address + "\"}";
}

// --- promtool ---------------------------------------------------------------------------------

constexpr const char* kPromtool = "/usr/bin/promtool";

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `promtool check metrics` with `text` on stdin.
ToolResult checkMetrics(const std::string& text) {
  ToolResult result;
  char input_path[] = "/tmp/meshlb-metrics-test-XXXXXX";
  int input = mkstemp(input_path);
  if (input < 0) {
    result.output = "mkstemp failed";
    return result;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t written = write(input, rest.data(), rest.size());
    if (written <= 0) {
      break;
    }
    rest.remove_prefix(static_cast<size_t>(written));
  }
  close(input);
  int out[2];
  if (pipe(out) != 0) {
    unlink(input_path);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, input_path, O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  std::string arg0 = "promtool", arg1 = "check", arg2 = "metrics";
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, kPromtool, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned == 0) {
    char buffer[4096];
    ssize_t n;
    while ((n = read(out[0], buffer, sizeof(buffer))) > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    result.output = std::string("posix_spawn: ") + strerror(spawned);
  }
  close(out[0]);
  unlink(input_path);
  return result;
}

// promtool must be there: a missing tool fails the test, it does not skip it.
void expectPromtoolAccepts(const std::string& text, const std::string& state) {
  ASSERT_EQ(access(kPromtool, X_OK), 0)
      << kPromtool << " is missing: install the Debian package prometheus "
      << "(scripts/install-deps.sh)";
  ToolResult result = checkMetrics(text);
  EXPECT_EQ(result.exit_code, 0) << state << ":\n" << result.output;
  EXPECT_EQ(result.output, "") << state;
}

// --- tests --------------------------------------------------------------------------------------

TEST(MetricsExporterTest, CountersAdvanceByTheDeltaBetweenUpdates) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(1);
  exporter.update(snapshot, processInfo());
  const std::string key =
      R"(meshlb_upstream_responses_total{cluster="app",code_class="2xx",host="10.0.0.1:80"})";
  EXPECT_EQ(sample(exporter.prometheusText(), key), 90);

  snapshot = trafficSnapshot(3);
  exporter.update(snapshot, processInfo());
  exporter.update(snapshot, processInfo());  // no change: no double counting
  std::string text = exporter.prometheusText();
  EXPECT_EQ(sample(text, key), 270);
  EXPECT_EQ(sample(text, hostKey("meshlb_upstream_sent_bytes_total", "app", "10.0.0.1:80")), 3000);
  EXPECT_EQ(sample(text, R"(meshlb_cluster_overflows_total{breaker="retry_budget",cluster="api"})"),
            3);
  EXPECT_EQ(
      sample(text, R"(meshlb_listener_bad_requests_total{listener="web",reason="head_timeout"})"),
      3);
  EXPECT_EQ(sample(text, R"(meshlb_listener_responses_total{code_class="5xx",listener="web"})"), 6);
  // Gauges are set, not accumulated.
  EXPECT_EQ(sample(text, hostKey("meshlb_upstream_connections_active", "app", "10.0.0.1:80")), 2);
  EXPECT_EQ(sample(text, R"(meshlb_listener_connections_active{listener="web"})"), 3);
  EXPECT_EQ(sample(text, hostKey("meshlb_upstream_host_weight", "app", "10.0.0.1:80")), 3);
}

TEST(MetricsExporterTest, AValueGoingBackwardsRebasesWithoutDecreasingTheCounter) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(0);
  const std::string key = hostKey("meshlb_upstream_retries_total", "api", "10.0.1.1:8080");
  snapshot.clusters[1].hosts[0].values.retries = 12;
  exporter.update(snapshot, processInfo());
  snapshot.clusters[1].hosts[0].values.retries = 3;  // a reset
  exporter.update(snapshot, processInfo());
  EXPECT_EQ(sample(exporter.prometheusText(), key), 12);
  snapshot.clusters[1].hosts[0].values.retries = 5;  // counts on from the new base
  exporter.update(snapshot, processInfo());
  EXPECT_EQ(sample(exporter.prometheusText(), key), 14);
}

TEST(MetricsExporterTest, HistogramBucketsAreCumulativeWithTheLatencyBoundsInSeconds) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot;
  snapshot.clusters.push_back(cluster("app", {host("h:1")}));
  stats::LatencyHistogramValues& histogram = snapshot.clusters[0].hosts[0].values.request_duration;
  histogram.buckets[3] = 1;   // (50 us, 100 us]
  histogram.buckets[6] = 2;   // (500 us, 1 ms]
  histogram.buckets[19] = 1;  // > 10 s
  histogram.sum_us = 20'001'500;
  exporter.update(snapshot, processInfo());

  std::string text = exporter.prometheusText();
  const std::string base =
      R"(meshlb_upstream_request_duration_seconds_bucket{cluster="app",host="h:1",le=")";
  const std::vector<std::pair<std::string, double>> expected = {
      {"1e-05", 0},  {"2.5e-05", 0}, {"5e-05", 0},  {"0.0001", 1}, {"0.00025", 1},
      {"0.0005", 1}, {"0.001", 3},   {"0.0025", 3}, {"0.005", 3},  {"0.01", 3},
      {"0.025", 3},  {"0.05", 3},    {"0.1", 3},    {"0.25", 3},   {"0.5", 3},
      {"1", 3},      {"2.5", 3},     {"5", 3},      {"10", 3},     {"+Inf", 4}};
  ASSERT_EQ(expected.size(), stats::kLatencyBuckets);
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i < stats::kLatencyBoundsUs.size()) {
      EXPECT_DOUBLE_EQ(std::stod(expected[i].first),
                       static_cast<double>(stats::kLatencyBoundsUs[i]) / 1e6);
    }
    EXPECT_EQ(sample(text, base + expected[i].first + "\"}"), expected[i].second)
        << "le=" << expected[i].first;
  }
  // Exactly these 20 bucket lines, in increasing order of le.
  size_t position = 0;
  for (const auto& [le, count] : expected) {
    size_t found = text.find(base + le + "\"}", position);
    ASSERT_NE(found, std::string::npos) << le;
    position = found + 1;
  }
  size_t bucket_lines = 0;
  for (size_t at = text.find(base); at != std::string::npos; at = text.find(base, at + 1)) {
    ++bucket_lines;
  }
  EXPECT_EQ(bucket_lines, expected.size());
  const std::string labels = R"({cluster="app",host="h:1"})";
  EXPECT_EQ(sample(text, "meshlb_upstream_request_duration_seconds_count" + labels), 4);
  EXPECT_DOUBLE_EQ(*sample(text, "meshlb_upstream_request_duration_seconds_sum" + labels), 20.0015);

  // A second update adds only what changed.
  histogram.buckets[6] = 5;
  histogram.sum_us += 3 * 700;
  exporter.update(snapshot, processInfo());
  text = exporter.prometheusText();
  EXPECT_EQ(sample(text, base + "0.0005\"}"), 1);
  EXPECT_EQ(sample(text, base + "0.001\"}"), 6);
  EXPECT_EQ(sample(text, base + "+Inf\"}"), 7);
  EXPECT_EQ(sample(text, "meshlb_upstream_request_duration_seconds_count" + labels), 7);
  EXPECT_NEAR(*sample(text, "meshlb_upstream_request_duration_seconds_sum" + labels), 20.0036,
              1e-9);
}

TEST(MetricsExporterTest, RemovedHostsDisappearAndComeBackWithTheirBlockTotals) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(1);
  exporter.update(snapshot, processInfo());
  const std::string key =
      R"(meshlb_upstream_responses_total{cluster="app",code_class="2xx",host="10.0.0.2:80"})";
  ASSERT_EQ(sample(exporter.prometheusText(), key), 90);

  // 10.0.0.2 leaves the config.
  stats::StatsSnapshot without = snapshot;
  without.clusters[0].hosts.pop_back();
  exporter.update(without, processInfo());
  std::string text = exporter.prometheusText();
  EXPECT_FALSE(mentions(text, "10.0.0.2:80")) << text;
  EXPECT_TRUE(mentions(text, "10.0.0.1:80"));
  EXPECT_EQ(sample(text, R"(meshlb_cluster_hosts{cluster="app"})"), 1);

  // It comes back; its block kept counting meanwhile (blocks never go backwards).
  stats::StatsSnapshot back = trafficSnapshot(2);
  exporter.update(back, processInfo());
  text = exporter.prometheusText();
  EXPECT_EQ(sample(text, key), 180);
  EXPECT_EQ(
      sample(
          text,
          R"(meshlb_upstream_responses_by_code_total{cluster="app",code="503",host="10.0.0.2:80"})"),
      4);
  EXPECT_EQ(sample(text, R"(meshlb_cluster_hosts{cluster="app"})"), 2);
}

TEST(MetricsExporterTest, RemovedClustersAndListenersTakeAllTheirSeries) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(1);
  exporter.update(snapshot, processInfo());
  snapshot.clusters.erase(snapshot.clusters.begin());  // app goes
  snapshot.listeners.clear();
  exporter.update(snapshot, processInfo());
  std::string text = exporter.prometheusText();
  EXPECT_FALSE(mentions(text, "cluster=\"app\"")) << text;
  EXPECT_FALSE(mentions(text, "listener=\"web\"")) << text;
  EXPECT_TRUE(mentions(text, "cluster=\"api\""));
  expectPromtoolAccepts(text, "after removals");
}

TEST(MetricsExporterTest, AHostListedTwiceInAClusterIsCountedOnce) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot;
  snapshot.clusters.push_back(cluster("app", {host("a:1"), host("b:1"), host("a:1")}));
  // Both entries of a:1 share one block, so the merge shows the same values twice.
  fillTraffic(snapshot.clusters[0].hosts[0], 1);
  fillTraffic(snapshot.clusters[0].hosts[2], 1);
  exporter.update(snapshot, processInfo());
  exporter.update(snapshot, processInfo());
  std::string text = exporter.prometheusText();
  EXPECT_EQ(
      sample(text, R"(meshlb_upstream_responses_total{cluster="app",code_class="2xx",host="a:1"})"),
      90);
  EXPECT_EQ(
      sample(text, "meshlb_upstream_request_duration_seconds_count{cluster=\"app\",host=\"a:1\"}"),
      100);
  EXPECT_EQ(sample(text, R"(meshlb_cluster_hosts{cluster="app"})"), 2);
  EXPECT_EQ(sample(text, R"(meshlb_cluster_usable_hosts{cluster="app"})"), 2);
  expectPromtoolAccepts(text, "duplicate host");
}

TEST(MetricsExporterTest, CodeSeriesAppearOnlyOnceTheirCodeWasCounted) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot;
  snapshot.clusters.push_back(cluster("app", {host("a:1")}));
  exporter.update(snapshot, processInfo());
  std::string text = exporter.prometheusText();
  EXPECT_FALSE(mentions(text, "meshlb_upstream_responses_by_code_total{")) << text;
  for (const char* code_class : {"1xx", "2xx", "3xx", "4xx", "5xx"}) {
    EXPECT_EQ(
        sample(text, std::string(R"(meshlb_upstream_responses_total{cluster="app",code_class=")") +
                         code_class + R"(",host="a:1"})"),
        0)
        << code_class;
  }

  stats::HostStatsValues& values = snapshot.clusters[0].hosts[0].values;
  values.responses_by_class[4] = 2;
  values.responses_by_code[stats::statusSlot(503)] = 2;
  exporter.update(snapshot, processInfo());
  text = exporter.prometheusText();
  EXPECT_EQ(
      sample(text,
             R"(meshlb_upstream_responses_by_code_total{cluster="app",code="503",host="a:1"})"),
      2);
  EXPECT_FALSE(mentions(text, "code=\"200\"")) << text;
  EXPECT_FALSE(mentions(text, "code=\"502\"")) << text;
}

TEST(MetricsExporterTest, HealthFlagsGiveOneStateAndUsability) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot;
  snapshot.clusters.push_back(cluster(
      "app", {host("ok:1"), host("down:1"), host("out:1"), host("drain:1"), host("both:1")}));
  std::vector<stats::HostSnapshot>& hosts = snapshot.clusters[0].hosts;
  hosts[1].health_flags = health::kFailedActiveCheck;
  hosts[2].health_flags = health::kEjected;
  hosts[3].health_flags = health::kDraining;
  hosts[4].health_flags = health::kDraining | health::kEjected;
  exporter.update(snapshot, processInfo());
  std::string text = exporter.prometheusText();
  const std::vector<std::pair<std::string, std::string>> expected = {{"ok:1", "healthy"},
                                                                     {"down:1", "unhealthy"},
                                                                     {"out:1", "ejected"},
                                                                     {"drain:1", "draining"},
                                                                     {"both:1", "draining"}};
  for (const auto& [address, state] : expected) {
    for (const char* candidate : {"healthy", "unhealthy", "ejected", "draining"}) {
      EXPECT_EQ(sample(text, "meshlb_upstream_host_health{cluster=\"app\",host=\"" + address +
                                 "\",state=\"" + candidate + "\"}"),
                state == candidate ? 1 : 0)
          << address << " " << candidate;
    }
    EXPECT_EQ(sample(text, hostKey("meshlb_upstream_host_usable", "app", address)),
              state == "healthy" ? 1 : 0)
        << address;
  }
  EXPECT_EQ(sample(text, R"(meshlb_cluster_hosts{cluster="app"})"), 5);
  EXPECT_EQ(sample(text, R"(meshlb_cluster_usable_hosts{cluster="app"})"), 1);

  hosts[1].health_flags = 0;  // back up
  exporter.update(snapshot, processInfo());
  text = exporter.prometheusText();
  EXPECT_EQ(
      sample(text, R"(meshlb_upstream_host_health{cluster="app",host="down:1",state="healthy"})"),
      1);
  EXPECT_EQ(
      sample(text, R"(meshlb_upstream_host_health{cluster="app",host="down:1",state="unhealthy"})"),
      0);
  EXPECT_EQ(sample(text, R"(meshlb_cluster_usable_hosts{cluster="app"})"), 2);
}

TEST(MetricsExporterTest, ProcessMetricsAndBuildInfo) {
  MetricsExporter exporter("1.2.3");
  ProcessInfo info = processInfo();
  exporter.update(stats::StatsSnapshot{}, info);
  info.config_reloads_ok = 5;
  exporter.update(stats::StatsSnapshot{}, info);
  std::string text = exporter.prometheusText();
  EXPECT_EQ(sample(text, R"(meshlb_build_info{version="1.2.3"})"), 1);
  EXPECT_DOUBLE_EQ(*sample(text, "meshlb_start_time_seconds"), 1700000000.5);
  EXPECT_DOUBLE_EQ(*sample(text, "meshlb_uptime_seconds"), 42.25);
  EXPECT_EQ(sample(text, "meshlb_workers"), 4);
  EXPECT_EQ(sample(text, "meshlb_process_open_fds"), 17);
  EXPECT_EQ(sample(text, "meshlb_process_resident_memory_bytes"), 8 << 20);
  EXPECT_EQ(sample(text, "meshlb_process_virtual_memory_bytes"), 64 << 20);
  EXPECT_EQ(sample(text, "meshlb_config_generation"), 3);
  EXPECT_EQ(sample(text, R"(meshlb_config_reloads_total{result="success"})"), 5);
  EXPECT_EQ(sample(text, R"(meshlb_config_reloads_total{result="failure"})"), 1);
}

TEST(MetricsExporterTest, WorkerTotalsAreCountersOrGaugesWithValidUniqueNames) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(1);
  exporter.update(snapshot, processInfo());
  snapshot.worker_totals = workerTotals(10);
  exporter.update(snapshot, processInfo());
  std::string text = exporter.prometheusText();
  EXPECT_TRUE(mentions(text, "# TYPE meshlb_downstream_connections_total counter\n"));
  EXPECT_EQ(sample(text, "meshlb_downstream_connections_total"), 10);
  EXPECT_TRUE(mentions(text, "# TYPE meshlb_downstream_connections_active gauge\n"));
  EXPECT_EQ(sample(text, "meshlb_downstream_connections_active"), 10);
  // A counter gets the _total suffix Prometheus expects.
  EXPECT_EQ(sample(text, "meshlb_responses_2xx_total"), 10);
  // A name the per-host families use is exported under meshlb_process_.
  EXPECT_EQ(sample(text, "meshlb_process_upstream_retries_total"), 10);
  EXPECT_EQ(sample(text, "meshlb_process_upstream_connections_total"), 10);
  EXPECT_FALSE(sample(text, "meshlb_upstream_retries_total").has_value());
  // Each family's TYPE line appears once.
  for (const char* family :
       {"meshlb_upstream_retries_total", "meshlb_upstream_timeouts_total",
        "meshlb_upstream_connections_total", "meshlb_upstream_connect_failures_total"}) {
    const std::string type = std::string("# TYPE ") + family + " ";
    size_t first = text.find(type);
    ASSERT_NE(first, std::string::npos) << family;
    EXPECT_EQ(text.find(type, first + 1), std::string::npos) << family;
  }
  // A total no longer listed goes away.
  snapshot.worker_totals.pop_back();  // access_log_dropped_total
  exporter.update(snapshot, processInfo());
  EXPECT_FALSE(mentions(exporter.prometheusText(), "access_log_dropped")) << text;
}

TEST(MetricsExporterTest, StatsTextIsSortedWithQuantilesAndNoBuckets) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(1);
  stats::LatencyHistogramValues& histogram = snapshot.clusters[1].hosts[0].values.request_duration;
  histogram = {};
  histogram.buckets[6] = 10;  // all in (500 us, 1 ms]
  histogram.sum_us = 7500;
  exporter.update(snapshot, processInfo());
  std::string text = exporter.statsText(nullptr);

  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  ASSERT_GT(lines.size(), 100u);
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end()));
  EXPECT_FALSE(mentions(text, "_bucket")) << text;
  EXPECT_FALSE(mentions(text, ",le=\"")) << text;
  const std::string labels = R"(cluster="api",host="10.0.1.1:8080")";
  EXPECT_TRUE(
      mentions(text, "meshlb_upstream_request_duration_seconds_count{" + labels + "}: 10\n"));
  EXPECT_TRUE(
      mentions(text, "meshlb_upstream_request_duration_seconds_sum{" + labels + "}: 0.0075\n"));
  // Linear inside the bucket: 0.0005 + 0.0005 * q.
  EXPECT_TRUE(mentions(
      text, "meshlb_upstream_request_duration_seconds{" + labels + ",quantile=\"0.5\"}: 0.00075\n"))
      << text;
  EXPECT_TRUE(mentions(text, "meshlb_upstream_request_duration_seconds{" + labels +
                                 ",quantile=\"0.9\"}: 0.00095\n"));
  EXPECT_TRUE(mentions(text, "meshlb_upstream_request_duration_seconds{" + labels +
                                 ",quantile=\"0.99\"}: 0.000995\n"));
  EXPECT_TRUE(mentions(text,
                       "meshlb_upstream_responses_total{cluster=\"app\",code_class=\"2xx\","
                       "host=\"10.0.0.1:80\"}: 90\n"));
  EXPECT_TRUE(mentions(text, "meshlb_build_info{version=\"1.2.3\"}: 1\n"));
}

TEST(MetricsExporterTest, StatsQuantilesMatchTheDataPathEstimate) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot = trafficSnapshot(1);
  const stats::LatencyHistogramValues& histogram =
      snapshot.clusters[0].hosts[0].values.request_duration;
  exporter.update(snapshot, processInfo());
  const LinearRegex only = *LinearRegex::compileSearch(
      R"(request_duration_seconds\{cluster="app",host="10\.0\.0\.1:80",quantile)", nullptr);
  nlohmann::json json = exporter.statsJson(&only);
  ASSERT_EQ(json["stats"].size(), 3u) << json.dump(2);
  for (const nlohmann::json& entry : json["stats"]) {
    const double quantile = std::stod(entry["labels"]["quantile"].get<std::string>());
    EXPECT_NEAR(entry["value"].get<double>(), histogram.quantileUs(quantile) / 1e6, 1e-12)
        << entry.dump();
  }
}

TEST(MetricsExporterTest, FilterIsSearchedInTheWholeNameAndLabels) {
  MetricsExporter exporter("1.2.3");
  exporter.update(trafficSnapshot(1), processInfo());
  const LinearRegex by_host = *LinearRegex::compileSearch(R"(host="10\.0\.0\.2:80")", nullptr);
  std::string text = exporter.statsText(&by_host);
  std::istringstream in(text);
  size_t count = 0;
  for (std::string line; std::getline(in, line); ++count) {
    EXPECT_TRUE(mentions(line, "host=\"10.0.0.2:80\"")) << line;
  }
  EXPECT_GT(count, 30u);

  const LinearRegex by_name = *LinearRegex::compileSearch("^meshlb_cluster_hosts", nullptr);
  EXPECT_EQ(exporter.statsText(&by_name),
            "meshlb_cluster_hosts{cluster=\"api\"}: 1\nmeshlb_cluster_hosts{cluster=\"app\"}: 2\n");

  const LinearRegex unlabelled = *LinearRegex::compileSearch("^meshlb_workers$", nullptr);
  EXPECT_EQ(exporter.statsText(&unlabelled), "meshlb_workers: 4\n");

  const LinearRegex nothing = *LinearRegex::compileSearch("no such metric", nullptr);
  EXPECT_EQ(exporter.statsText(&nothing), "");
  EXPECT_EQ(exporter.statsJson(&nothing), nlohmann::json({{"stats", nlohmann::json::array()}}));
}

TEST(MetricsExporterTest, StatsJsonHasNameLabelsAndValuePerSample) {
  MetricsExporter exporter("1.2.3");
  exporter.update(trafficSnapshot(1), processInfo());
  nlohmann::json json = exporter.statsJson(nullptr);
  ASSERT_TRUE(json.is_object());
  ASSERT_EQ(json.size(), 1u);
  ASSERT_TRUE(json["stats"].is_array());
  // As many samples as the text has lines.
  std::string text = exporter.statsText(nullptr);
  EXPECT_EQ(json["stats"].size(), static_cast<size_t>(std::count(text.begin(), text.end(), '\n')));
  bool found_count = false;
  bool found_2xx = false;
  for (const nlohmann::json& entry : json["stats"]) {
    ASSERT_EQ(entry.size(), 3u) << entry.dump();
    ASSERT_TRUE(entry["name"].is_string()) << entry.dump();
    ASSERT_TRUE(entry["labels"].is_object()) << entry.dump();
    ASSERT_TRUE(entry["value"].is_number()) << entry.dump();
    for (const auto& [name, value] : entry["labels"].items()) {
      EXPECT_TRUE(value.is_string()) << name;
    }
    if (entry["name"] == "meshlb_upstream_responses_total" &&
        entry["labels"] ==
            nlohmann::json({{"cluster", "app"}, {"host", "10.0.0.1:80"}, {"code_class", "2xx"}})) {
      EXPECT_EQ(entry["value"], 90);
      EXPECT_TRUE(entry["value"].is_number_integer());
      found_2xx = true;
    }
    if (entry["name"] == "meshlb_upstream_request_duration_seconds_count" &&
        entry["labels"] == nlohmann::json({{"cluster", "api"}, {"host", "10.0.1.1:8080"}})) {
      EXPECT_EQ(entry["value"], 100);
      found_count = true;
    }
  }
  EXPECT_TRUE(found_2xx);
  EXPECT_TRUE(found_count);
  // Same order as the text: the first line is the first sample.
  EXPECT_EQ(json["stats"][0]["name"], "meshlb_access_log_dropped_total");
  EXPECT_EQ(json["stats"][0]["labels"], nlohmann::json::object());
  EXPECT_EQ(text.substr(0, text.find('\n')), "meshlb_access_log_dropped_total: 7");
}

TEST(MetricsExporterTest, LabelValuesAreEscapedInStatsKeys) {
  MetricsExporter exporter("1.2.3");
  stats::StatsSnapshot snapshot;
  snapshot.listeners.push_back(listener("we\"b\\1"));
  exporter.update(snapshot, processInfo());
  const LinearRegex filter =
      *LinearRegex::compileSearch("^meshlb_listener_requests_total", nullptr);
  EXPECT_EQ(exporter.statsText(&filter),
            "meshlb_listener_requests_total{listener=\"we\\\"b\\\\1\"}: 0\n");
  expectPromtoolAccepts(exporter.prometheusText(), "escaped label");
}

TEST(MetricsExporterPromtoolTest, TheCheckerRejectsABadExposition) {
  // Guards the runner: a check that cannot fail would prove nothing.
  ASSERT_EQ(access(kPromtool, X_OK), 0)
      << kPromtool << " is missing: install the Debian package prometheus";
  ToolResult result =
      checkMetrics("# HELP foo_requests x\n# TYPE foo_requests counter\nfoo_requests 1\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(mentions(result.output, "_total")) << result.output;
}

TEST(MetricsExporterPromtoolTest, EmptyConfigPasses) {
  MetricsExporter exporter("0.1.0");
  stats::StatsSnapshot snapshot;
  snapshot.worker_totals = workerTotals(0);
  exporter.update(snapshot, processInfo());
  expectPromtoolAccepts(exporter.prometheusText(), "empty config");
}

TEST(MetricsExporterPromtoolTest, AfterTrafficPasses) {
  MetricsExporter exporter("0.1.0");
  exporter.update(trafficSnapshot(1), processInfo());
  exporter.update(trafficSnapshot(5), processInfo());
  std::string text = exporter.prometheusText();
  ASSERT_TRUE(mentions(text, "meshlb_upstream_responses_by_code_total{"));
  expectPromtoolAccepts(text, "after traffic");
}

TEST(MetricsExporterPromtoolTest, HostsDownEjectedAndDrainingPass) {
  MetricsExporter exporter("0.1.0");
  stats::StatsSnapshot snapshot = trafficSnapshot(2);
  snapshot.clusters[0].hosts[0].health_flags = health::kFailedActiveCheck;
  snapshot.clusters[0].hosts[1].health_flags = health::kEjected;
  snapshot.clusters[1].hosts[0].health_flags = health::kDraining | health::kFailedActiveCheck;
  snapshot.clusters[1].hosts.push_back(snapshot.clusters[1].hosts[0]);  // listed twice
  exporter.update(snapshot, processInfo());
  std::string text = exporter.prometheusText();
  ASSERT_EQ(sample(text, R"(meshlb_cluster_usable_hosts{cluster="app"})"), 0);
  expectPromtoolAccepts(text, "hosts down");
}

}  // namespace
}  // namespace meshlb::admin
