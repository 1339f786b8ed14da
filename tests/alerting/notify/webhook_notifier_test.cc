#include "alerting/notify/webhook_notifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "alerting/notify/hmac.h"
#include "tests/alerting/support/delivery_recorder.h"
#include "tests/alerting/support/hook_config.h"
#include "tests/alerting/support/test_http_server.h"
#include "tests/alerting/support/wait_until.h"

namespace meshlb::alerting {
namespace {

using std::chrono::milliseconds;
using testing::DeliveryRecorder;
using testing::RecordedRequest;
using testing::TestHttpServer;
using testing::waitUntil;

constexpr milliseconds kWait{10'000};

using testing::hookConfig;

OutgoingAlert makeAlert(const std::string& cluster, const std::string& host,
                        bool resolved = false) {
  OutgoingAlert alert;
  alert.labels = makeLabelSet({{"alertname", "BackendDown"}, {"cluster", cluster}, {"host", host}});
  alert.id = fingerprint(alert.labels);
  alert.starts_unix_ms = 1795417779000;
  alert.ends_unix_ms = 1795418019000;
  alert.resolved = resolved;
  return alert;
}

UnitRandom fixedRandom() {
  return [] { return 0.5; };
}

NotifierTargetStatus statusOf(const Notifier& notifier) {
  std::vector<NotifierTargetStatus> all = notifier.status();
  return all.empty() ? NotifierTargetStatus{} : all.front();
}

std::string headerOf(const RecordedRequest& request, std::string_view name) {
  const std::string* value = request.header(name);
  return value == nullptr ? "<missing>" : *value;
}

nlohmann::json bodyOf(const RecordedRequest& request) {
  return nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
}

TEST(AlertWebhookNotifier, OneBodyPerGroup) {
  TestHttpServer server;
  DeliveryRecorder recorder;
  WebhookNotifier notifier(hookConfig(server.url() + "/hook"), "http://127.0.0.1:9901",
                           recorder.fn(), fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a"), makeAlert("db", "b"), makeAlert("app", "c", true)});
  ASSERT_TRUE(server.waitForRequests(2, kWait));
  std::vector<RecordedRequest> requests = server.requests();
  EXPECT_EQ(requests[0].path, "/hook");
  EXPECT_EQ(headerOf(requests[0], "content-type"), "application/json");
  EXPECT_EQ(headerOf(requests[0], "user-agent").rfind("meshlb/", 0), 0u);
  EXPECT_EQ(requests[0].header("authorization"), nullptr);
  EXPECT_EQ(requests[0].header("x-meshlb-signature"), nullptr);
  EXPECT_NE(headerOf(requests[0], "x-meshlb-delivery"), headerOf(requests[1], "x-meshlb-delivery"));
  nlohmann::json app = bodyOf(requests[0]);
  nlohmann::json db = bodyOf(requests[1]);
  EXPECT_EQ(app["groupKey"], "{}:{alertname=\"BackendDown\", cluster=\"app\"}");
  EXPECT_EQ(app["receiver"], "hook");
  EXPECT_EQ(app["externalURL"], "http://127.0.0.1:9901");
  EXPECT_EQ(app["status"], "firing");
  ASSERT_EQ(app["alerts"].size(), 2u);
  EXPECT_EQ(app["alerts"][1]["status"], "resolved");
  EXPECT_EQ(db["groupKey"], "{}:{alertname=\"BackendDown\", cluster=\"db\"}");
  ASSERT_EQ(db["alerts"].size(), 1u);

  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 3; }, kWait));
  ASSERT_TRUE(waitUntil([&] { return recorder.calls().size() == 2; }, kWait));
  std::vector<DeliveryRecorder::Call> calls = recorder.calls();
  EXPECT_EQ(calls[0].first, "hook");
  ASSERT_EQ(calls[0].second.size(), 2u);
  EXPECT_EQ(calls[0].second[1].id, makeAlert("app", "c").id);
  EXPECT_TRUE(calls[0].second[1].resolved);
  EXPECT_TRUE(statusOf(notifier).up);
}

TEST(AlertWebhookNotifier, BearerTokenAndHmacSignature) {
  TestHttpServer server;
  server.setStatusSequence({500});
  NotifierConfig config = hookConfig(server.url());
  config.bearer_token = "tok-123";
  config.hmac_secret = "s3cr3t";
  config.hmac_header = "X-Sig";
  WebhookNotifier notifier(config, "", nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a")});
  ASSERT_TRUE(server.waitForRequests(2, kWait));
  for (const RecordedRequest& request : server.requests()) {
    EXPECT_EQ(headerOf(request, "authorization"), "Bearer tok-123");
    std::string signature = headerOf(request, "x-sig");
    size_t comma = signature.find(",v1=");
    ASSERT_EQ(signature.rfind("t=", 0), 0u) << signature;
    ASSERT_NE(comma, std::string::npos) << signature;
    std::string t = signature.substr(2, comma - 2);
    EXPECT_EQ(signature.substr(comma + 4), hmacSha256Hex("s3cr3t", t + "." + request.body));
    EXPECT_LE(std::abs(std::stoll(t) - request.unix_ms / 1000), 60);
  }
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 1; }, kWait));
  NotifierTargetStatus status = statusOf(notifier);
  for (const std::string& text : {status.url, status.last_error}) {
    EXPECT_EQ(text.find("tok-123"), std::string::npos);
    EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
  }
}

TEST(AlertWebhookNotifier, DefaultSignatureHeader) {
  TestHttpServer server;
  NotifierConfig config = hookConfig(server.url());
  config.hmac_secret = "k";
  WebhookNotifier notifier(config, "", nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a")});
  ASSERT_TRUE(server.waitForRequests(1, kWait));
  EXPECT_EQ(headerOf(server.requests()[0], "x-meshlb-signature").rfind("t=", 0), 0u);
}

TEST(AlertWebhookNotifier, DeliveryIdStaysTheSameAcrossRetries) {
  TestHttpServer server;
  server.setStatusSequence({503, 503, 200});
  DeliveryRecorder recorder;
  WebhookNotifier notifier(hookConfig(server.url()), "", recorder.fn(), fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a")});
  ASSERT_TRUE(server.waitForRequests(3, kWait));
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 1; }, kWait));
  std::vector<RecordedRequest> requests = server.requests();
  std::string id = headerOf(requests[0], "x-meshlb-delivery");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(headerOf(requests[1], "x-meshlb-delivery"), id);
  EXPECT_EQ(headerOf(requests[2], "x-meshlb-delivery"), id);
  EXPECT_EQ(requests[2].body, requests[0].body);
  EXPECT_EQ(statusOf(notifier).failed, 2u);
  ASSERT_TRUE(waitUntil([&] { return recorder.calls().size() == 1; }, kWait));
}

TEST(AlertWebhookNotifier, RejectedBodyIsDroppedAndTheNextSent) {
  TestHttpServer server;
  server.setStatusSequence({400, 200});
  WebhookNotifier notifier(hookConfig(server.url()), "", nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a"), makeAlert("db", "b")});
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 1; }, kWait));
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_EQ(status.dropped, 1u);
  EXPECT_EQ(status.failed, 0u);
  EXPECT_EQ(status.queued, 0u);
  EXPECT_EQ(server.requestCount(), 2u);
  EXPECT_EQ(bodyOf(server.requests()[1])["groupLabels"]["cluster"], "db");
}

TEST(AlertWebhookNotifier, FullQueueDropsTheOldestBody) {
  TestHttpServer server;
  NotifierConfig config = hookConfig(server.url());
  config.queue_capacity = 1;
  WebhookNotifier notifier(config, "", nullptr, fixedRandom());
  notifier.offer({makeAlert("app", "a"), makeAlert("db", "b")});
  notifier.offer({makeAlert("web", "c")});
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_EQ(status.dropped, 2u);
  EXPECT_EQ(status.queued, 1u);
  notifier.start();
  ASSERT_TRUE(server.waitForRequests(1, kWait));
  EXPECT_EQ(bodyOf(server.requests()[0])["groupLabels"]["cluster"], "web");
}

TEST(AlertWebhookNotifier, OverflowWhileTheHeadIsInFlightKeepsTheHead) {
  TestHttpServer server;
  server.setHang(true);
  NotifierConfig config = hookConfig(server.url());
  config.queue_capacity = 2;
  config.timeout_ms = 1'000;  // the offers below must land while the first attempt hangs
  WebhookNotifier notifier(config, "", nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a")});
  ASSERT_TRUE(server.waitForRequests(1, kWait));  // "app" is in flight now
  notifier.offer({makeAlert("db", "b")});
  notifier.offer({makeAlert("web", "c")});  // evicts "db", not the head
  notifier.offer({makeAlert("ops", "d")});  // evicts "web"
  EXPECT_EQ(statusOf(notifier).dropped, 2u);
  server.setHang(false);
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 2; }, kWait));
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_GE(requests.size(), 3u);
  EXPECT_EQ(bodyOf(requests.front())["groupLabels"]["cluster"], "app");
  EXPECT_EQ(bodyOf(requests[requests.size() - 2])["groupLabels"]["cluster"], "app");
  EXPECT_EQ(headerOf(requests[requests.size() - 2], "x-meshlb-delivery"),
            headerOf(requests.front(), "x-meshlb-delivery"));
  EXPECT_EQ(bodyOf(requests.back())["groupLabels"]["cluster"], "ops");
}

TEST(AlertWebhookNotifier, InvalidUrlRejectsOffers) {
  WebhookNotifier notifier(hookConfig("https://example.com/hook"), "", nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("app", "a")});
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_EQ(status.dropped, 1u);
  EXPECT_NE(status.last_error.find("https"), std::string::npos) << status.last_error;
}

}  // namespace
}  // namespace meshlb::alerting
