#include "proxy/config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace meshlb::config {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::vector<std::string> errorStrings(const LoadResult& result) {
  std::vector<std::string> out;
  for (const ConfigError& error : result.errors) {
    out.push_back(error.toString());
  }
  return out;
}

// Loads `json` and expects success.
std::shared_ptr<const Config> loadOk(std::string_view json) {
  LoadResult result = loadConfigFromString(json);
  EXPECT_TRUE(result.errors.empty()) << ::testing::PrintToString(errorStrings(result));
  EXPECT_TRUE(result.config) << "the config was rejected";
  return result.config;
}

// Loads `json`, expects failure (no config) and returns the errors as "path: reason".
std::vector<std::string> loadErrors(std::string_view json) {
  LoadResult result = loadConfigFromString(json);
  EXPECT_FALSE(result.config) << "the config was accepted";
  EXPECT_FALSE(result.errors.empty());
  return errorStrings(result);
}

// A minimal valid config with `listener` and `cluster` spliced in as the only entries.
std::string withOne(std::string_view listener, std::string_view cluster) {
  return std::string(R"({"listeners": [)") + std::string(listener) + R"(], "clusters": [)" +
         std::string(cluster) + "]}";
}

constexpr std::string_view kListener =
    R"({"name": "main", "address": "127.0.0.1:8080", "routes": [{"cluster": "web"}]})";
constexpr std::string_view kCluster = R"({"name": "web", "hosts": [{"address": "10.0.0.1:80"}]})";

constexpr std::string_view kFullConfig = R"({
  // comments are allowed
  "admin": {"address": "127.0.0.1:9000"},
  "workers": 4,
  "drain_timeout_ms": 5000,
  "access_log": {"path": "/var/log/meshlb/access.log"},
  "listeners": [
    {
      "name": "public",
      "address": "0.0.0.0:8080",
      "protocol": "http",
      "header_timeout_ms": 2000,
      "idle_timeout_ms": 30000,
      "request_timeout_ms": 0,
      "max_request_line_bytes": 4096,
      "max_header_bytes": 32768,
      "max_headers": 50,
      "routes": [
        {"host": "API.Example.com", "path_prefix": "/v1", "cluster": "api"},
        {"host": "*.example.com", "cluster": "web"},
        {"cluster": "web"}
      ]
    },
    {
      "name": "db",
      "address": "[::1]:5432",
      "protocol": "tcp",
      "cluster": "postgres"
    }
  ],
  "clusters": [
    {
      "name": "web",
      "hosts": [{"address": "10.0.0.1:80"}, {"address": "10.0.0.2:80", "weight": 3}]
    },
    {
      "name": "api",
      "lb_policy": "ring_hash",
      "hash_policy": {"header": "X-User-Id"},
      "connect_timeout_ms": 250,
      "upstream_idle_timeout_ms": 5000,
      "max_idle_connections_per_host": 16,
      "hosts": [{"address": "[2001:db8::1]:8443", "weight": 1000}]
    },
    {
      "name": "postgres",
      "lb_policy": "maglev",
      "hash_policy": {"source": "source_ip"},
      "hosts": [{"address": "10.0.2.1:5432"}]
    }
  ]
})";

// ---- valid configs --------------------------------------------------------------------------

TEST(ConfigLoaderTest, FullConfigParses) {
  std::shared_ptr<const Config> config = loadOk(kFullConfig);
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->admin.address.toString(), "127.0.0.1:9000");
  EXPECT_EQ(config->workers, 4u);
  EXPECT_EQ(config->drain_timeout_ms, 5000u);
  EXPECT_EQ(config->access_log.path, "/var/log/meshlb/access.log");

  ASSERT_EQ(config->listeners.size(), 2u);
  const ListenerConfig& http = config->listeners[0];
  EXPECT_EQ(http.name, "public");
  EXPECT_EQ(http.address.toString(), "0.0.0.0:8080");
  EXPECT_EQ(http.protocol, Protocol::kHttp);
  EXPECT_EQ(http.header_timeout_ms, 2000u);
  EXPECT_EQ(http.idle_timeout_ms, 30000u);
  EXPECT_EQ(http.request_timeout_ms, 0u);
  EXPECT_EQ(http.limits.max_request_line_bytes, 4096u);
  EXPECT_EQ(http.limits.max_header_bytes, 32768u);
  EXPECT_EQ(http.limits.max_headers, 50u);
  ASSERT_EQ(http.routes.size(), 3u);
  EXPECT_EQ(http.routes[0].host, "api.example.com");  // lower-cased
  EXPECT_EQ(http.routes[0].path_prefix, "/v1");
  EXPECT_EQ(http.routes[0].cluster, "api");
  EXPECT_EQ(http.routes[0].cluster_index, 1u);
  EXPECT_EQ(http.routes[1].host, "*.example.com");
  EXPECT_EQ(http.routes[1].path_prefix, "/");
  EXPECT_EQ(http.routes[1].cluster_index, 0u);
  EXPECT_EQ(http.routes[2].host, "*");
  EXPECT_EQ(http.routes[2].cluster_index, 0u);

  const ListenerConfig& tcp = config->listeners[1];
  EXPECT_EQ(tcp.name, "db");
  EXPECT_EQ(tcp.protocol, Protocol::kTcp);
  EXPECT_EQ(tcp.address.toString(), "[::1]:5432");
  EXPECT_EQ(tcp.cluster, "postgres");
  EXPECT_EQ(tcp.cluster_index, 2u);
  EXPECT_TRUE(tcp.routes.empty());

  ASSERT_EQ(config->clusters.size(), 3u);
  const ClusterConfig& web = config->clusters[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.lb_policy, lb::LbPolicy::kRoundRobin);
  ASSERT_EQ(web.hosts.size(), 2u);
  EXPECT_EQ(web.hosts[0].address.toString(), "10.0.0.1:80");
  EXPECT_EQ(web.hosts[0].address_text, "10.0.0.1:80");
  EXPECT_EQ(web.hosts[0].weight, 1u);
  EXPECT_EQ(web.hosts[1].weight, 3u);

  const ClusterConfig& api = config->clusters[1];
  EXPECT_EQ(api.lb_policy, lb::LbPolicy::kRingHash);
  EXPECT_EQ(api.hash_policy.source, HashPolicy::Source::kHeader);
  EXPECT_EQ(api.hash_policy.header, "x-user-id");  // lower-cased
  EXPECT_EQ(api.connect_timeout_ms, 250u);
  EXPECT_EQ(api.upstream_idle_timeout_ms, 5000u);
  EXPECT_EQ(api.max_idle_connections_per_host, 16u);
  ASSERT_EQ(api.hosts.size(), 1u);
  EXPECT_EQ(api.hosts[0].address.family(), AF_INET6);
  EXPECT_EQ(api.hosts[0].address.port(), 8443);
  EXPECT_EQ(api.hosts[0].address_text, "[2001:db8::1]:8443");
  EXPECT_EQ(api.hosts[0].weight, 1000u);

  const ClusterConfig& postgres = config->clusters[2];
  EXPECT_EQ(postgres.lb_policy, lb::LbPolicy::kMaglev);
  EXPECT_EQ(postgres.hash_policy.source, HashPolicy::Source::kSourceIp);
}

TEST(ConfigLoaderTest, Defaults) {
  std::shared_ptr<const Config> config = loadOk(withOne(kListener, kCluster));
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->workers, 0u);
  EXPECT_EQ(config->drain_timeout_ms, 10000u);
  EXPECT_EQ(config->admin.address.toString(), "127.0.0.1:9901");
  EXPECT_EQ(config->access_log.path, "");
  ASSERT_EQ(config->listeners.size(), 1u);
  const ListenerConfig& listener = config->listeners[0];
  EXPECT_EQ(listener.protocol, Protocol::kHttp);
  EXPECT_EQ(listener.header_timeout_ms, 10000u);
  EXPECT_EQ(listener.idle_timeout_ms, 60000u);
  EXPECT_EQ(listener.request_timeout_ms, 15000u);
  EXPECT_EQ(listener.limits.max_request_line_bytes, 8192u);
  EXPECT_EQ(listener.limits.max_header_bytes, 65536u);
  EXPECT_EQ(listener.limits.max_headers, 100u);
  ASSERT_EQ(listener.routes.size(), 1u);
  EXPECT_EQ(listener.routes[0].host, "*");
  EXPECT_EQ(listener.routes[0].path_prefix, "/");
  EXPECT_EQ(listener.routes[0].cluster_index, 0u);
  ASSERT_EQ(config->clusters.size(), 1u);
  const ClusterConfig& cluster = config->clusters[0];
  EXPECT_EQ(cluster.lb_policy, lb::LbPolicy::kRoundRobin);
  EXPECT_EQ(cluster.hash_policy.source, HashPolicy::Source::kSourceIp);
  EXPECT_EQ(cluster.hash_policy.header, "");
  EXPECT_EQ(cluster.connect_timeout_ms, 1000u);
  EXPECT_EQ(cluster.upstream_idle_timeout_ms, 60000u);
  EXPECT_EQ(cluster.max_idle_connections_per_host, 1024u);
  ASSERT_EQ(cluster.hosts.size(), 1u);
  EXPECT_EQ(cluster.hosts[0].weight, 1u);
}

TEST(ConfigLoaderTest, EveryLbPolicyName) {
  const std::pair<const char*, lb::LbPolicy> policies[] = {
      {"round_robin", lb::LbPolicy::kRoundRobin},
      {"least_request", lb::LbPolicy::kLeastRequest},
      {"random", lb::LbPolicy::kRandom},
      {"ring_hash", lb::LbPolicy::kRingHash},
      {"maglev", lb::LbPolicy::kMaglev}};
  for (const auto& [name, policy] : policies) {
    std::string cluster = std::string(R"({"name": "web", "lb_policy": ")") + name +
                          R"(", "hosts": [{"address": "10.0.0.1:80"}]})";
    std::shared_ptr<const Config> config = loadOk(withOne(kListener, cluster));
    ASSERT_NE(config, nullptr) << name;
    EXPECT_EQ(config->clusters[0].lb_policy, policy) << name;
  }
}

TEST(ConfigLoaderTest, Ipv6ListenerAndHost) {
  std::shared_ptr<const Config> config =
      loadOk(withOne(R"({"name": "v6", "address": "[::1]:80", "routes": [{"cluster": "web"}]})",
                     R"({"name": "web", "hosts": [{"address": "[::1]:8080"}]})"));
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->listeners[0].address.family(), AF_INET6);
  EXPECT_EQ(config->listeners[0].address.toString(), "[::1]:80");
  EXPECT_EQ(config->clusters[0].hosts[0].address.toString(), "[::1]:8080");
}

TEST(ConfigLoaderTest, TcpListenerResolvesClusterIndex) {
  std::string json = R"({
    "listeners": [{"name": "t", "address": "127.0.0.1:7000", "protocol": "tcp", "cluster": "b"}],
    "clusters": [
      {"name": "a", "hosts": [{"address": "10.0.0.1:1"}]},
      {"name": "b", "hosts": [{"address": "10.0.0.2:2"}]}
    ]
  })";
  std::shared_ptr<const Config> config = loadOk(json);
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->listeners[0].protocol, Protocol::kTcp);
  EXPECT_EQ(config->listeners[0].cluster_index, 1u);
}

TEST(ConfigLoaderTest, HashPolicyHeaderWithExplicitSource) {
  std::shared_ptr<const Config> config = loadOk(withOne(
      kListener,
      R"({"name": "web", "lb_policy": "maglev", "hash_policy": {"source": "header", "header": "Cookie"},
          "hosts": [{"address": "10.0.0.1:80"}]})"));
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->clusters[0].hash_policy.source, HashPolicy::Source::kHeader);
  EXPECT_EQ(config->clusters[0].hash_policy.header, "cookie");
}

TEST(ConfigLoaderTest, AccessLogStdout) {
  std::string json = std::string(R"({"access_log": {"path": "stdout"}, "listeners": [)") +
                     std::string(kListener) + R"(], "clusters": [)" + std::string(kCluster) + "]}";
  std::shared_ptr<const Config> config = loadOk(json);
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->access_log.path, "stdout");
}

TEST(ConfigLoaderTest, BoundaryValuesAreAccepted) {
  std::string json = std::string(R"({"workers": 256, "drain_timeout_ms": 0, "listeners": [)") +
                     std::string(kListener) + R"(], "clusters": [)" + std::string(kCluster) + "]}";
  std::shared_ptr<const Config> config = loadOk(json);
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->workers, 256u);
  EXPECT_EQ(config->drain_timeout_ms, 0u);
}

TEST(ConfigLoaderTest, LoadFromFile) {
  std::string path = ::testing::TempDir() + "/meshlb_config_loader_test.json";
  {
    std::ofstream file(path);
    file << kFullConfig;
  }
  LoadResult result = loadConfigFromFile(path);
  std::remove(path.c_str());
  EXPECT_TRUE(result.errors.empty()) << ::testing::PrintToString(errorStrings(result));
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->listeners.size(), 2u);
}

TEST(ConfigLoaderTest, MissingFile) {
  LoadResult result = loadConfigFromFile("/nonexistent/meshlb.json");
  EXPECT_FALSE(result.config) << "the config was accepted";
  EXPECT_THAT(errorStrings(result),
              ElementsAre("cannot read config file /nonexistent/meshlb.json"));
}

// ---- errors ---------------------------------------------------------------------------------

TEST(ConfigLoaderErrorTest, NumberNoDoubleHoldsIsAnErrorNotACrash) {
  // Found by config_loader_fuzz: json::out_of_range escaped and ended the process on reload.
  std::vector<std::string> errors = loadErrors("{\"workers\": 1e400}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("invalid JSON"));
}

TEST(ConfigLoaderErrorTest, InvalidJsonMentionsThePosition) {
  std::vector<std::string> errors = loadErrors("{\n  \"workers\": 4,\n  \"listeners\": [\n}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("invalid JSON"));
  EXPECT_THAT(errors[0], HasSubstr("line 4"));
  EXPECT_THAT(errors[0], HasSubstr("column"));
}

TEST(ConfigLoaderErrorTest, EmptyInputIsInvalidJson) {
  std::vector<std::string> errors = loadErrors("");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("invalid JSON"));
}

TEST(ConfigLoaderErrorTest, RootMustBeAnObject) {
  EXPECT_THAT(loadErrors("[1, 2]"), ElementsAre("expected an object"));
}

TEST(ConfigLoaderErrorTest, ListenersAndClustersAreRequired) {
  EXPECT_THAT(loadErrors("{}"),
              UnorderedElementsAre("listeners: is required", "clusters: is required"));
}

TEST(ConfigLoaderErrorTest, EmptyArraysAreRejected) {
  EXPECT_THAT(loadErrors(R"({"listeners": [], "clusters": []})"),
              UnorderedElementsAre("listeners: must not be empty", "clusters: must not be empty"));
}

TEST(ConfigLoaderErrorTest, WrongContainerTypes) {
  EXPECT_THAT(loadErrors(R"({"listeners": {}, "clusters": "x", "admin": 3})"),
              UnorderedElementsAre("listeners: expected an array", "clusters: expected an array",
                                   "admin: expected an object"));
}

TEST(ConfigLoaderErrorTest, ArrayElementMustBeAnObject) {
  EXPECT_THAT(loadErrors(withOne("42", kCluster)), ElementsAre("listeners[0]: expected an object"));
}

TEST(ConfigLoaderErrorTest, HostPortOutOfRangeHasFullPath) {
  std::vector<std::string> errors = loadErrors(
      withOne(kListener,
              R"({"name": "web", "hosts": [{"address": "10.0.0.1:80"}, {"address": "10.0.0.2:80"},
                                    {"address": "10.0.0.3:70000"}]})"));
  EXPECT_THAT(errors, ElementsAre("clusters[0].hosts[2].address: port out of range"));
}

TEST(ConfigLoaderErrorTest, AddressErrors) {
  EXPECT_THAT(loadErrors(withOne(
                  R"({"name": "main", "address": "localhost:80", "routes": [{"cluster": "web"}]})",
                  R"({"name": "web", "hosts": [{"address": "::1:80"}, {"address": "10.0.0.1"},
                                        {"address": 80}, {}]})")),
              UnorderedElementsAre(
                  "listeners[0].address: 'localhost' is not a numeric IPv4 or IPv6 address",
                  "clusters[0].hosts[0].address: an IPv6 address must be written in brackets: "
                  "[ipv6]:port",
                  "clusters[0].hosts[1].address: expected host:port",
                  "clusters[0].hosts[2].address: expected a string",
                  "clusters[0].hosts[3].address: is required"));
}

TEST(ConfigLoaderErrorTest, UnknownKeysAtEveryLevel) {
  std::string json = R"({
    "wrokers": 2,
    "admin": {"address": "127.0.0.1:9901", "port": 1},
    "access_log": {"path": "stdout", "format": "json"},
    "listeners": [{"name": "main", "address": "127.0.0.1:8080", "timeout": 1,
                   "routes": [{"cluster": "web", "prefix": "/"}]}],
    "clusters": [{"name": "web", "policy": "x", "hash_policy": {"cookie": "c"},
                  "hosts": [{"address": "10.0.0.1:80", "wieght": 2}]}]
  })";
  EXPECT_THAT(
      loadErrors(json),
      UnorderedElementsAre(
          "wrokers: unknown key", "admin.port: unknown key", "access_log.format: unknown key",
          "listeners[0].timeout: unknown key", "listeners[0].routes[0].prefix: unknown key",
          "clusters[0].policy: unknown key", "clusters[0].hash_policy.cookie: unknown key",
          "clusters[0].hosts[0].wieght: unknown key"));
}

TEST(ConfigLoaderTest, AnalyticsDefaultsWhenAbsent) {
  auto config = loadOk(withOne(kListener, kCluster));
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->analytics.enabled);
  EXPECT_EQ(config->analytics.sensitivity, AnalyticsConfig::Sensitivity::kMedium);
  EXPECT_EQ(config->analytics.warmup_s, 60u);
  EXPECT_EQ(config->analytics.max_series, 20'000u);
}

TEST(ConfigLoaderTest, AnalyticsSectionIsRead) {
  std::string json = withOne(kListener, kCluster);
  json.insert(1, R"("analytics": {"enabled": false, "sensitivity": "high", "warmup_s": 20,
      "max_series": 500, "retention_after_removal_s": 0, "correlation_window_s": 30,
      "recent_anomalies": 50}, )");
  auto config = loadOk(json);
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->analytics.enabled);
  EXPECT_EQ(config->analytics.sensitivity, AnalyticsConfig::Sensitivity::kHigh);
  EXPECT_EQ(config->analytics.warmup_s, 20u);
  EXPECT_EQ(config->analytics.max_series, 500u);
  EXPECT_EQ(config->analytics.retention_after_removal_s, 0u);
  EXPECT_EQ(config->analytics.correlation_window_s, 30u);
  EXPECT_EQ(config->analytics.recent_anomalies, 50u);
}

TEST(ConfigLoaderErrorTest, AnalyticsErrorsNameTheKey) {
  std::string json = withOne(kListener, kCluster);
  json.insert(1, R"("analytics": {"sensitivity": "extreme", "warmup_s": 1, "tick_ms": 5},
      "capture": {"interfaces": ["lo"], "snap": 1}, )");
  // Each unknown key is reported once.
  EXPECT_THAT(loadErrors(json),
              UnorderedElementsAre(
                  "analytics.sensitivity: unknown sensitivity \"extreme\" (low, medium, high)",
                  HasSubstr("analytics.warmup_s"), "analytics.tick_ms: unknown key",
                  "capture.snap: unknown key"));
}

TEST(ConfigLoaderErrorTest, RouteToMissingCluster) {
  EXPECT_THAT(loadErrors(withOne(
                  R"({"name": "main", "address": "127.0.0.1:8080",
              "routes": [{"cluster": "web"}, {"cluster": "nope"}]})",
                  kCluster)),
              ElementsAre("listeners[0].routes[1].cluster: no cluster named \"nope\""));
}

TEST(ConfigLoaderErrorTest, RouteWithoutCluster) {
  EXPECT_THAT(
      loadErrors(withOne(
          R"({"name": "main", "address": "127.0.0.1:8080", "routes": [{"host": "*"}]})", kCluster)),
      ElementsAre("listeners[0].routes[0].cluster: is required"));
}

// An empty cluster name is not the name of any cluster; the route must not silently fall back
// to clusters[0].
TEST(ConfigLoaderErrorTest, RouteWithEmptyClusterNameIsAnError) {
  LoadResult result = loadConfigFromString(R"({
    "listeners": [{"name": "main", "address": "127.0.0.1:8080", "routes": [{"cluster": ""}]}],
    "clusters": [{"name": "a", "hosts": [{"address": "10.0.0.1:80"}]},
                 {"name": "b", "hosts": [{"address": "10.0.0.2:80"}]}]
  })");
  EXPECT_FALSE(result.config) << "accepted; the route was resolved to clusters["
                              << result.config->listeners[0].routes[0].cluster_index << "]";
  EXPECT_THAT(errorStrings(result), Contains(HasSubstr("listeners[0].routes[0].cluster")));
}

TEST(ConfigLoaderErrorTest, TcpListenerWithoutCluster) {
  EXPECT_THAT(loadErrors(withOne(R"({"name": "t", "address": "127.0.0.1:7000", "protocol": "tcp"})",
                                 kCluster)),
              ElementsAre("listeners[0].cluster: a tcp listener needs a cluster"));
}

// Same as above, spelled as an empty string: must not silently use clusters[0].
TEST(ConfigLoaderErrorTest, TcpListenerWithEmptyClusterIsAnError) {
  LoadResult result = loadConfigFromString(R"({
    "listeners": [{"name": "t", "address": "127.0.0.1:7000", "protocol": "tcp", "cluster": ""}],
    "clusters": [{"name": "a", "hosts": [{"address": "10.0.0.1:80"}]},
                 {"name": "b", "hosts": [{"address": "10.0.0.2:80"}]}]
  })");
  EXPECT_FALSE(result.config) << "accepted; the listener was resolved to clusters["
                              << result.config->listeners[0].cluster_index << "]";
  EXPECT_THAT(errorStrings(result), Contains(HasSubstr("listeners[0].cluster")));
}

TEST(ConfigLoaderErrorTest, TcpListenerToMissingCluster) {
  EXPECT_THAT(loadErrors(withOne(
                  R"({"name": "t", "address": "127.0.0.1:7000", "protocol": "tcp",
                      "cluster": "db"})",
                  kCluster)),
              ElementsAre("listeners[0].cluster: no cluster named \"db\""));
}

TEST(ConfigLoaderErrorTest, TcpListenerWithRoutes) {
  EXPECT_THAT(loadErrors(withOne(
                  R"({"name": "t", "address": "127.0.0.1:7000", "protocol": "tcp",
                      "cluster": "web", "routes": [{"cluster": "web"}]})",
                  kCluster)),
              ElementsAre("listeners[0].routes: a tcp listener has no routes; use \"cluster\""));
}

TEST(ConfigLoaderErrorTest, HttpListenerWithoutRoutes) {
  EXPECT_THAT(loadErrors(withOne(R"({"name": "main", "address": "127.0.0.1:8080"})", kCluster)),
              ElementsAre("listeners[0].routes: an http listener needs routes"));
}

// An empty list is no routes either: such a listener could only answer 404.
TEST(ConfigLoaderErrorTest, HttpListenerWithEmptyRoutes) {
  LoadResult result = loadConfigFromString(
      withOne(R"({"name": "main", "address": "127.0.0.1:8080", "routes": []})", kCluster));
  EXPECT_FALSE(result.config) << "the config was accepted";
  EXPECT_THAT(errorStrings(result), Contains(HasSubstr("listeners[0].routes")));
}

TEST(ConfigLoaderErrorTest, HttpListenerWithCluster) {
  EXPECT_THAT(loadErrors(withOne(
                  R"({"name": "main", "address": "127.0.0.1:8080", "cluster": "web",
                      "routes": [{"cluster": "web"}]})",
                  kCluster)),
              ElementsAre("listeners[0].cluster: an http listener routes with \"routes\", not "
                          "\"cluster\""));
}

TEST(ConfigLoaderErrorTest, BadProtocol) {
  EXPECT_THAT(loadErrors(withOne(
                  R"({"name": "main", "address": "127.0.0.1:8080", "protocol": "udp",
                      "routes": [{"cluster": "web"}]})",
                  kCluster)),
              ElementsAre("listeners[0].protocol: expected \"http\" or \"tcp\""));
}

TEST(ConfigLoaderErrorTest, DuplicateClusterNames) {
  std::string json = R"({
    "listeners": [{"name": "main", "address": "127.0.0.1:8080", "routes": [{"cluster": "web"}]}],
    "clusters": [
      {"name": "web", "hosts": [{"address": "10.0.0.1:80"}]},
      {"name": "other", "hosts": [{"address": "10.0.0.2:80"}]},
      {"name": "web", "hosts": [{"address": "10.0.0.3:80"}]}
    ]
  })";
  EXPECT_THAT(loadErrors(json), ElementsAre("clusters[2].name: duplicate cluster name \"web\""));
}

TEST(ConfigLoaderErrorTest, DuplicateListenerNames) {
  std::string json = R"({
    "listeners": [
      {"name": "main", "address": "127.0.0.1:8080", "routes": [{"cluster": "web"}]},
      {"name": "main", "address": "127.0.0.1:8081", "routes": [{"cluster": "web"}]}
    ],
    "clusters": [{"name": "web", "hosts": [{"address": "10.0.0.1:80"}]}]
  })";
  EXPECT_THAT(loadErrors(json), ElementsAre("listeners[1].name: duplicate listener name \"main\""));
}

TEST(ConfigLoaderErrorTest, DuplicateListenerAddresses) {
  std::string json = R"({
    "listeners": [
      {"name": "a", "address": "127.0.0.1:8080", "routes": [{"cluster": "web"}]},
      {"name": "b", "address": "127.0.0.1:8081", "routes": [{"cluster": "web"}]},
      {"name": "c", "address": "127.0.0.1:8080", "protocol": "tcp", "cluster": "web"}
    ],
    "clusters": [{"name": "web", "hosts": [{"address": "10.0.0.1:80"}]}]
  })";
  EXPECT_THAT(loadErrors(json), ElementsAre("listeners[2].address: same address as listeners[0]"));
}

TEST(ConfigLoaderErrorTest, DuplicateIpv6AddressesSpelledDifferently) {
  std::string json = R"({
    "listeners": [
      {"name": "a", "address": "[::1]:8080", "routes": [{"cluster": "web"}]},
      {"name": "b", "address": "[0:0:0:0:0:0:0:1]:8080", "routes": [{"cluster": "web"}]}
    ],
    "clusters": [{"name": "web", "hosts": [{"address": "10.0.0.1:80"}]}]
  })";
  EXPECT_THAT(loadErrors(json), ElementsAre("listeners[1].address: same address as listeners[0]"));
}

TEST(ConfigLoaderErrorTest, ListenerOnTheAdminAddress) {
  EXPECT_THAT(
      loadErrors(withOne(
          R"({"name": "main", "address": "127.0.0.1:9901", "routes": [{"cluster": "web"}]})",
          kCluster)),
      ElementsAre("listeners[0].address: same address as the admin listener"));
}

TEST(ConfigLoaderErrorTest, BadLbPolicy) {
  EXPECT_THAT(
      loadErrors(withOne(
          kListener,
          R"({"name": "web", "lb_policy": "fastest", "hosts": [{"address": "10.0.0.1:80"}]})")),
      ElementsAre("clusters[0].lb_policy: unknown policy \"fastest\" (round_robin, "
                  "least_request, random, ring_hash, maglev)"));
}

TEST(ConfigLoaderErrorTest, LbPolicyIsCaseSensitive) {
  EXPECT_THAT(
      loadErrors(withOne(
          kListener,
          R"({"name": "web", "lb_policy": "Maglev", "hosts": [{"address": "10.0.0.1:80"}]})")),
      ElementsAre(HasSubstr("clusters[0].lb_policy: unknown policy \"Maglev\"")));
}

TEST(ConfigLoaderErrorTest, WeightZeroRejected) {
  EXPECT_THAT(
      loadErrors(withOne(kListener,
                         R"({"name": "web", "hosts": [{"address": "10.0.0.1:80", "weight": 0}]})")),
      ElementsAre("clusters[0].hosts[0].weight: must be between 1 and 1000"));
}

TEST(ConfigLoaderErrorTest, WeightTooLargeOrWrongType) {
  EXPECT_THAT(loadErrors(withOne(kListener, R"({"name": "web", "hosts": [
                  {"address": "10.0.0.1:80", "weight": 1001},
                  {"address": "10.0.0.2:80", "weight": 1.5},
                  {"address": "10.0.0.3:80", "weight": "2"},
                  {"address": "10.0.0.4:80", "weight": -1}]})")),
              ElementsAre("clusters[0].hosts[0].weight: must be between 1 and 1000",
                          "clusters[0].hosts[1].weight: expected an integer",
                          "clusters[0].hosts[2].weight: expected an integer",
                          "clusters[0].hosts[3].weight: must be between 1 and 1000"));
}

TEST(ConfigLoaderErrorTest, PortZeroBackendRejected) {
  EXPECT_THAT(
      loadErrors(withOne(kListener, R"({"name": "web", "hosts": [{"address": "10.0.0.1:0"}]})")),
      ElementsAre("clusters[0].hosts[0].address: port 0 is not a backend port"));
}

TEST(ConfigLoaderTest, EmptyHostsIsAClusterThatAnswers503) {
  // Like an Envoy cluster with no endpoints: valid, and every request to it gets 503.
  auto config = loadOk(withOne(kListener, R"({"name": "web", "hosts": []})"));
  ASSERT_TRUE(config);
  EXPECT_THAT(config->clusters[0].hosts, IsEmpty());
}

TEST(ConfigLoaderErrorTest, MissingHosts) {
  EXPECT_THAT(loadErrors(withOne(kListener, R"({"name": "web"})")),
              ElementsAre("clusters[0].hosts: is required"));
}

TEST(ConfigLoaderErrorTest, MissingRequiredNames) {
  EXPECT_THAT(
      loadErrors(withOne(R"({"address": "127.0.0.1:8080", "routes": [{"cluster": "web"}]})",
                         R"({"hosts": [{"address": "10.0.0.1:80"}]})")),
      UnorderedElementsAre("listeners[0].name: is required", "clusters[0].name: is required",
                           "listeners[0].routes[0].cluster: no cluster named \"web\""));
}

TEST(ConfigLoaderErrorTest, WrongScalarTypes) {
  std::string json = R"({
    "workers": "4",
    "listeners": [{"name": 1, "address": "127.0.0.1:8080", "idle_timeout_ms": true,
                   "routes": [{"cluster": "web", "host": 3}]}],
    "clusters": [{"name": "web", "hosts": [{"address": "10.0.0.1:80"}]}]
  })";
  EXPECT_THAT(
      loadErrors(json),
      UnorderedElementsAre("workers: expected an integer", "listeners[0].name: expected a string",
                           "listeners[0].idle_timeout_ms: expected an integer",
                           "listeners[0].routes[0].host: expected a string"));
}

TEST(ConfigLoaderErrorTest, NumbersOutOfRange) {
  std::string json = R"({
    "workers": 257,
    "listeners": [{"name": "main", "address": "127.0.0.1:8080", "header_timeout_ms": 0,
                   "max_request_line_bytes": 63, "max_header_bytes": 100, "max_headers": 0,
                   "routes": [{"cluster": "web"}]}],
    "clusters": [{"name": "web", "connect_timeout_ms": 86400001,
                  "hosts": [{"address": "10.0.0.1:80"}]}]
  })";
  EXPECT_THAT(
      loadErrors(json),
      UnorderedElementsAre("workers: must be between 0 and 256",
                           "listeners[0].header_timeout_ms: must be between 1 and 86400000",
                           "listeners[0].max_request_line_bytes: must be between 64 and 1048576",
                           "listeners[0].max_header_bytes: must be between 256 and 16777216",
                           "listeners[0].max_headers: must be between 1 and 10000",
                           "clusters[0].connect_timeout_ms: must be between 1 and 86400000"));
}

TEST(ConfigLoaderErrorTest, BadRouteHostAndPathPrefix) {
  EXPECT_THAT(
      loadErrors(withOne(R"({"name": "main", "address": "127.0.0.1:8080", "routes": [
                  {"host": "a*b.com", "cluster": "web"},
                  {"host": "*.", "cluster": "web"},
                  {"host": "", "cluster": "web"},
                  {"host": "exa mple.com", "cluster": "web"},
                  {"path_prefix": "api", "cluster": "web"},
                  {"path_prefix": "", "cluster": "web"}]})",
                         kCluster)),
      ElementsAre("listeners[0].routes[0].host: expected \"*\", an exact host name or \"*.suffix\"",
                  "listeners[0].routes[1].host: expected \"*\", an exact host name or \"*.suffix\"",
                  "listeners[0].routes[2].host: expected \"*\", an exact host name or \"*.suffix\"",
                  "listeners[0].routes[3].host: expected \"*\", an exact host name or \"*.suffix\"",
                  "listeners[0].routes[4].path_prefix: must start with '/'",
                  "listeners[0].routes[5].path_prefix: must start with '/'"));
}

TEST(ConfigLoaderErrorTest, BadHashPolicy) {
  EXPECT_THAT(
      loadErrors(withOne(kListener, R"({"name": "web", "hash_policy": {"source": "cookie"},
                                        "hosts": [{"address": "10.0.0.1:80"}]})")),
      ElementsAre("clusters[0].hash_policy.source: expected \"source_ip\" or a \"header\" name"));
  EXPECT_THAT(
      loadErrors(withOne(kListener,
                         R"({"name": "web", "hash_policy": {"source": "source_ip", "header": "x"},
                             "hosts": [{"address": "10.0.0.1:80"}]})")),
      ElementsAre("clusters[0].hash_policy.source: \"header\" is set, so source must be "
                  "\"header\" or absent"));
  EXPECT_THAT(loadErrors(withOne(kListener, R"({"name": "web", "hash_policy": "x",
                                               "hosts": [{"address": "10.0.0.1:80"}]})")),
              ElementsAre("clusters[0].hash_policy: expected an object"));
}

TEST(ConfigLoaderErrorTest, AccessLogNeedsPath) {
  std::string json = std::string(R"({"access_log": {}, "listeners": [)") + std::string(kListener) +
                     R"(], "clusters": [)" + std::string(kCluster) + "]}";
  EXPECT_THAT(loadErrors(json), ElementsAre("access_log.path: is required"));
}

TEST(ConfigLoaderErrorTest, BadAdminAddress) {
  std::string json = std::string(R"({"admin": {"address": "127.0.0.1:99999"}, "listeners": [)") +
                     std::string(kListener) + R"(], "clusters": [)" + std::string(kCluster) + "]}";
  EXPECT_THAT(loadErrors(json), ElementsAre("admin.address: port out of range"));
}

TEST(ConfigLoaderErrorTest, AllErrorsAreReportedAtOnce) {
  std::string json = R"({
    "workers": 1000,
    "bogus": true,
    "listeners": [
      {"name": "a", "address": "127.0.0.1:80", "routes": [{"cluster": "missing"}]},
      {"name": "b", "address": "127.0.0.1:80", "protocol": "tcp"}
    ],
    "clusters": [
      {"name": "web", "lb_policy": "nope", "hosts": [{"address": "10.0.0.1:0", "weight": 0},
                                                    {"address": "10.0.0.2:65536"}]}
    ]
  })";
  LoadResult result = loadConfigFromString(json);
  EXPECT_FALSE(result.config) << "the config was accepted";
  EXPECT_THAT(errorStrings(result),
              UnorderedElementsAre(
                  "workers: must be between 0 and 256", "bogus: unknown key",
                  "listeners[1].cluster: a tcp listener needs a cluster",
                  "clusters[0].lb_policy: unknown policy \"nope\" (round_robin, least_request, "
                  "random, ring_hash, maglev)",
                  "clusters[0].hosts[0].weight: must be between 1 and 1000",
                  "clusters[0].hosts[0].address: port 0 is not a backend port",
                  "clusters[0].hosts[1].address: port out of range",
                  "listeners[0].routes[0].cluster: no cluster named \"missing\"",
                  "listeners[1].address: same address as listeners[0]"));
}

TEST(ConfigErrorTest, ToString) {
  EXPECT_EQ((ConfigError{"a.b[0]", "why"}).toString(), "a.b[0]: why");
  EXPECT_EQ((ConfigError{"", "why"}).toString(), "why");
}

}  // namespace
}  // namespace meshlb::config
