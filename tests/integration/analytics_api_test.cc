// The /analytics endpoints of the real binary: shapes, and a clear JSON error (never an empty
// answer or a crash) for every kind of bad query.
#include <gtest/gtest.h>

#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using namespace std::chrono_literals;

nlohmann::json oneClusterConfig(TestUpstream& upstream, bool analytics = true) {
  return {{"workers", 1},
          {"analytics", {{"enabled", analytics}, {"warmup_s", 5}}},
          {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
          {"clusters", {clusterOf("app", {&upstream})}}};
}

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string text;
  std::string content_type;
};

Answer get(const Meshlb& meshlb, const std::string& path, const std::string& method = "GET") {
  auto response = httpRequest(meshlb.adminPort(), method, path);
  if (!response) {
    return {};
  }
  return {response->status, nlohmann::json::parse(response->body, nullptr, false), response->body,
          response->header("content-type")};
}

// Sends traffic until the analytics thread has run `ticks` ticks (one a second), so series have
// points; a deadline far above that keeps a slow (sanitizer) build from failing on timing. Returns
// the ticks reached.
int sendTrafficUntilTicks(const Meshlb& meshlb, int ticks) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15 * ticks);
  int reached = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 20; ++i) {
      httpGet(meshlb.listenerPort(0), "/");
    }
    std::this_thread::sleep_for(100ms);
    Answer status = get(meshlb, "/analytics/status");
    reached = status.body.is_object() ? status.body.value("ticks", 0) : 0;
    if (reached >= ticks) {
      break;
    }
  }
  return reached;
}

TEST(AnalyticsApiTest, EndpointsAnswerWithTheirShapes) {
  TestUpstream upstream("a");
  Meshlb meshlb(oneClusterConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  ASSERT_GE(sendTrafficUntilTicks(meshlb, 4), 4);

  Answer status = get(meshlb, "/analytics/status");
  ASSERT_EQ(status.status, 200) << status.text;
  EXPECT_EQ(status.body["enabled"], true);
  EXPECT_GE(status.body["ticks"].get<int>(), 3);
  EXPECT_EQ(status.body["series"]["count"], 17 + 16);
  EXPECT_EQ(status.body["bytes_per_series"], 18752);
  EXPECT_GT(status.body["memory_bytes"]["total"].get<double>(), 0);

  Answer summary = get(meshlb, "/analytics/summary");
  ASSERT_EQ(summary.status, 200);
  ASSERT_EQ(summary.body["clusters"].size(), 1u);
  const nlohmann::json& cluster = summary.body["clusters"][0];
  EXPECT_EQ(cluster["name"], "app");
  EXPECT_EQ(cluster["health_score"], 100);
  ASSERT_EQ(cluster["hosts"].size(), 1u);
  EXPECT_EQ(cluster["hosts"][0]["host"], upstream.address());
  EXPECT_GT(cluster["hosts"][0]["current"]["rps"].get<double>(), 10);

  std::string series_path =
      "/analytics/series?metric=rps&cluster=app&host=" + upstream.address() + "&from=-30s";
  Answer series = get(meshlb, series_path);
  ASSERT_EQ(series.status, 200) << series.text;
  EXPECT_EQ(series.body["resolution_s"], 1);
  EXPECT_EQ(series.body["columns"], nlohmann::json({"t_ms", "avg", "min", "max", "last"}));
  size_t with_value = 0;
  for (const nlohmann::json& point : series.body["points"]) {
    ASSERT_EQ(point.size(), 5u);
    with_value += point[1].is_null() ? 0 : 1;
  }
  EXPECT_GE(with_value, 2u) << series.text;

  Answer csv = get(meshlb, series_path + "&format=csv&step=5");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.content_type.find("text/csv"), std::string::npos);
  EXPECT_EQ(csv.text.rfind("t_ms,avg,min,max,last\n", 0), 0u) << csv.text;

  Answer cluster_series = get(meshlb, "/analytics/series?metric=healthy_hosts&cluster=app");
  EXPECT_EQ(cluster_series.status, 200) << cluster_series.text;

  Answer correlations = get(meshlb, "/analytics/correlations");
  ASSERT_EQ(correlations.status, 200);
  EXPECT_EQ(correlations.body["window_s"], 60);
  ASSERT_EQ(correlations.body["hosts"].size(), 1u);
  EXPECT_TRUE(correlations.body["hosts"][0]["latency_rtt"].contains("spearman"));

  Answer anomalies = get(meshlb, "/analytics/anomalies?state=open");
  ASSERT_EQ(anomalies.status, 200);
  EXPECT_TRUE(anomalies.body["anomalies"].is_array());

  // The Prometheus families are there.
  auto metrics = httpGet(meshlb.adminPort(), "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("meshlb_analytics_host_health_score{cluster=\"app\",host=\"" +
                               upstream.address() + "\"} 100"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("meshlb_analytics_host_diagnosis{cause=\"none\",cluster=\"app\""),
            std::string::npos);
  EXPECT_NE(metrics->body.find("meshlb_analytics_tick_duration_seconds_count"), std::string::npos);
}

TEST(AnalyticsApiTest, BadQueriesGetClearErrors) {
  TestUpstream upstream("a");
  Meshlb meshlb(oneClusterConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  // Until the first tick the endpoints say they are starting.
  Answer early = get(meshlb, "/analytics/summary");
  if (early.status == 503) {
    EXPECT_EQ(early.body["error"], "analytics_starting");
  }
  ASSERT_GE(sendTrafficUntilTicks(meshlb, 2), 2);
  std::string host = "&host=" + upstream.address();
  struct Case {
    std::string path;
    int status;
    std::string error;
  };
  const Case cases[] = {
      {"/analytics/series?cluster=app", 400, "bad_query"},
      {"/analytics/series?metric=latency&cluster=app", 404, "metric_not_found"},
      {"/analytics/series?metric=rps&cluster=nope", 404, "cluster_not_found"},
      {"/analytics/series?metric=rps&cluster=app&host=10.9.9.9:1", 404, "host_not_found"},
      {"/analytics/series?metric=healthy_hosts&cluster=app" + host, 404, "metric_not_found"},
      {"/analytics/series?metric=health&cluster=app", 404, "metric_not_found"},
      {"/analytics/series?metric=rps&cluster=app&from=now&to=-1h", 400, "bad_query"},
      {"/analytics/series?metric=rps&cluster=app&from=yesterday", 400, "bad_query"},
      {"/analytics/series?metric=rps&cluster=app&step=0", 400, "bad_query"},
      {"/analytics/series?metric=rps&cluster=app&from=-3h&step=1", 400, "bad_query"},
      {"/analytics/series?metric=rps&cluster=app&format=xml", 400, "bad_query"},
      {"/analytics/anomalies?state=closed", 400, "bad_query"},
      {"/analytics/anomalies?limit=0", 400, "bad_query"},
      {"/analytics/anomalies?limit=5000", 400, "bad_query"},
      {"/analytics/anomalies?metric=nope", 404, "metric_not_found"},
      {"/analytics/anomalies?cluster=nope", 404, "cluster_not_found"},
      {"/analytics/correlations?cluster=app&host=10.9.9.9:1", 404, "host_not_found"},
      {"/analytics/nothing", 404, "not_found"},
  };
  for (const Case& c : cases) {
    Answer answer = get(meshlb, c.path);
    EXPECT_EQ(answer.status, c.status) << c.path << ": " << answer.text;
    ASSERT_TRUE(answer.body.is_object()) << c.path << ": " << answer.text;
    EXPECT_EQ(answer.body["error"], c.error) << c.path << ": " << answer.text;
    EXPECT_FALSE(answer.body["detail"].get<std::string>().empty());
  }
  Answer post = get(meshlb, "/analytics/status", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.body["error"], "method_not_allowed");
  // Still serving after all that.
  EXPECT_EQ(get(meshlb, "/analytics/status").status, 200);
}

TEST(AnalyticsApiTest, DisabledAnalyticsSaySo) {
  TestUpstream upstream("a");
  Meshlb meshlb(oneClusterConfig(upstream, false));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  Answer status = get(meshlb, "/analytics/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["enabled"], false);
  Answer summary = get(meshlb, "/analytics/summary");
  EXPECT_EQ(summary.status, 503);
  EXPECT_EQ(summary.body["error"], "analytics_disabled");
}

}  // namespace
}  // namespace meshlb::testing
