// EventFeed's tick: one JSON object made of the read endpoints' bodies, null where an endpoint
// is off or failing, and the stream's opening answer.
#include "admin/events/event_feed.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace meshlb::admin {
namespace {

// Answers like AdminApi would with analytics off: 503 JSON for /analytics/*, plain text for
// /flows (as a misbehaving endpoint), JSON echoing path and query elsewhere.
AdminResponse fakeApi(const AdminRequest& request) {
  if (request.method != "GET") {
    return {405, "application/json", "{\"error\":\"method_not_allowed\"}"};
  }
  if (request.path.starts_with("/analytics/")) {
    return {503, "application/json", "{\"error\":\"analytics_disabled\",\"detail\":\"off\"}"};
  }
  if (request.path == "/flows") {
    return {200, "text/plain", "not json"};
  }
  nlohmann::json query = nlohmann::json::object();
  for (const auto& [name, value] : request.query.entries()) {
    query[name] = value;
  }
  return {200, "application/json",
          nlohmann::json{{"path", request.path}, {"query", query}}.dump() + "\n"};
}

TEST(EventFeed, TickCarriesEveryEndpointBodyUnderItsKey) {
  nlohmann::json tick = nlohmann::json::parse(EventFeed::tickData(&fakeApi, 1234), nullptr, false);
  ASSERT_TRUE(tick.is_object());
  EXPECT_EQ(tick["unix_ms"], 1234);
  EXPECT_EQ(tick["server"]["path"], "/server_info");
  EXPECT_EQ(tick["clusters"]["path"], "/clusters");
  EXPECT_EQ(tick["alerts"]["path"], "/alerts");
  std::set<std::string> keys;
  for (const auto& [key, value] : tick.items()) {
    keys.insert(key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"unix_ms", "server", "clusters", "summary", "anomalies",
                                         "alerts", "flows"}));
}

TEST(EventFeed, TickIsOneLineSoTheEventHasOneDataLine) {
  EXPECT_EQ(EventFeed::tickData(&fakeApi, 1).find('\n'), std::string::npos);
}

TEST(EventFeed, EndpointsThatAreOffOrNotJsonAreNull) {
  nlohmann::json tick = nlohmann::json::parse(EventFeed::tickData(&fakeApi, 1), nullptr, false);
  ASSERT_TRUE(tick.is_object());
  EXPECT_TRUE(tick["summary"].is_null());
  EXPECT_TRUE(tick["anomalies"].is_null());
  EXPECT_TRUE(tick["flows"].is_null());
}

TEST(EventFeed, AsksForOpenAnomaliesAndTheTopFlowsOnly) {
  std::vector<std::string> asked;
  AdminHandler recording = [&asked](const AdminRequest& request) {
    std::string line = request.method + " " + request.path;
    for (const auto& [name, value] : request.query.entries()) {
      line.append(" ").append(name).append("=").append(value);
    }
    asked.push_back(line);
    return AdminResponse{200, "application/json", "{}"};
  };
  EventFeed::tickData(recording, 1);
  EXPECT_EQ(asked,
            (std::vector<std::string>{"GET /server_info", "GET /clusters", "GET /analytics/summary",
                                      "GET /analytics/anomalies state=open", "GET /alerts",
                                      "GET /flows limit=20"}));
}

TEST(EventFeed, OpeningAnswerIsAStreamWithHelloAndAFirstTick) {
  AdminResponse response = EventFeed::openStream(99, "{\"unix_ms\":99}");
  EXPECT_TRUE(response.event_stream);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/event-stream; charset=utf-8");
  EXPECT_TRUE(response.body.starts_with("retry: 2000\n\n")) << response.body;
  size_t hello =
      response.body.find("event: hello\ndata: {\"unix_ms\":99,\"interval_ms\":1000}\n\n");
  size_t tick = response.body.find("event: tick\ndata: {\"unix_ms\":99}\n\n");
  EXPECT_NE(hello, std::string::npos) << response.body;
  EXPECT_NE(tick, std::string::npos) << response.body;
  EXPECT_LT(hello, tick);
}

}  // namespace
}  // namespace meshlb::admin
