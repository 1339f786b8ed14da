#include "alerting/notify/alertmanager_notifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/alerting/support/delivery_recorder.h"
#include "tests/alerting/support/test_http_server.h"
#include "tests/alerting/support/wait_until.h"

namespace meshlb::alerting {
namespace {

using std::chrono::milliseconds;
using testing::DeliveryRecorder;
using testing::TestHttpServer;
using testing::waitUntil;

constexpr milliseconds kWait{10'000};  // generous: a loaded 2-core machine

NotifierConfig amConfig(std::vector<std::string> urls) {
  NotifierConfig config;
  config.name = "am";
  config.type = NotifierConfig::Type::kAlertmanager;
  config.urls = std::move(urls);
  config.timeout_ms = 5'000;
  config.retry_initial_ms = 20;
  config.retry_max_ms = 100;
  config.queue_capacity = 100;
  return config;
}

OutgoingAlert makeAlert(const std::string& host, const std::string& summary = "down") {
  OutgoingAlert alert;
  alert.labels = makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "app"}, {"host", host}});
  alert.id = fingerprint(alert.labels);
  alert.annotations = makeLabelSet({{"summary", summary}});
  alert.starts_unix_ms = 1795417779000;
  alert.ends_unix_ms = 1795418019000;
  alert.generator_url = "http://127.0.0.1:9901/alerts/" + alert.id;
  return alert;
}

UnitRandom fixedRandom() {
  return [] { return 0.5; };
}

NotifierTargetStatus statusOf(const Notifier& notifier) {
  std::vector<NotifierTargetStatus> all = notifier.status();
  return all.empty() ? NotifierTargetStatus{} : all.front();
}

nlohmann::json bodyOf(const testing::RecordedRequest& request) {
  return nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
}

TEST(AlertAlertmanagerNotifier, PostsTheAlertsToTheApiPath) {
  TestHttpServer server;
  DeliveryRecorder recorder;
  AlertmanagerNotifier notifier(amConfig({server.url() + "/prefix/"}), recorder.fn(),
                                fixedRandom());
  notifier.start();
  OutgoingAlert alert = makeAlert("a");
  notifier.offer({alert});
  ASSERT_TRUE(server.waitForRequests(1, kWait));
  testing::RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/prefix/api/v2/alerts");
  ASSERT_NE(request.header("content-type"), nullptr);
  EXPECT_EQ(*request.header("content-type"), "application/json");
  ASSERT_NE(request.header("user-agent"), nullptr);
  EXPECT_EQ(request.header("user-agent")->rfind("meshlb/", 0), 0u);
  nlohmann::json body = bodyOf(request);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["labels"]["host"], "a");
  EXPECT_EQ(body[0]["annotations"]["summary"], "down");
  EXPECT_EQ(body[0]["startsAt"], "2026-11-23T07:09:39.000Z");
  EXPECT_EQ(body[0]["endsAt"], "2026-11-23T07:13:39.000Z");
  EXPECT_EQ(body[0]["generatorURL"], alert.generator_url);

  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 1; }, kWait));
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_TRUE(status.up);
  EXPECT_EQ(status.url, server.url() + "/prefix/");
  EXPECT_EQ(status.queued, 0u);
  EXPECT_EQ(status.failed, 0u);
  EXPECT_GT(status.last_success_unix_ms, 0);
  ASSERT_TRUE(waitUntil([&] { return recorder.calls().size() == 1; }, kWait));
  DeliveryRecorder::Call call = recorder.calls().at(0);
  EXPECT_EQ(call.first, "am");
  ASSERT_EQ(call.second.size(), 1u);
  EXPECT_EQ(call.second[0].id, alert.id);
  EXPECT_FALSE(call.second[0].resolved);
}

TEST(AlertAlertmanagerNotifier, RetriesUntilDelivered) {
  TestHttpServer server;
  server.setStatusSequence({500, 500, 200});
  DeliveryRecorder recorder;
  AlertmanagerNotifier notifier(amConfig({server.url()}), recorder.fn(), fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("a")});
  ASSERT_TRUE(server.waitForRequests(3, kWait));
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 1; }, kWait));
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_EQ(status.failed, 2u);
  EXPECT_TRUE(status.up);
  EXPECT_EQ(status.last_error, "HTTP 500");
  EXPECT_EQ(status.queued, 0u);
  EXPECT_EQ(status.next_retry_unix_ms, 0);
  ASSERT_TRUE(waitUntil([&] { return recorder.calls().size() == 1; }, kWait));
  std::vector<testing::RecordedRequest> requests = server.requests();
  EXPECT_EQ(requests[0].body, requests[2].body);
  EXPECT_EQ(server.requestCount(), 3u);
  EXPECT_EQ(recorder.calls().size(), 1u);
}

TEST(AlertAlertmanagerNotifier, RejectedAlertsAreDropped) {
  TestHttpServer server;
  server.setStatus(400);
  server.setResponseBody("bad alert");
  DeliveryRecorder recorder;
  AlertmanagerNotifier notifier(amConfig({server.url()}), recorder.fn(), fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("a"), makeAlert("b")});
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).dropped == 2; }, kWait));
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_EQ(status.failed, 0u);
  EXPECT_EQ(status.sent, 0u);
  EXPECT_EQ(status.queued, 0u);
  EXPECT_FALSE(status.up);
  EXPECT_EQ(status.last_error, "HTTP 400: bad alert");
  EXPECT_EQ(server.requestCount(), 1u);
  EXPECT_TRUE(recorder.calls().empty());
}

TEST(AlertAlertmanagerNotifier, QueueOverflowDropsTheOldestOffered) {
  TestHttpServer server;
  NotifierConfig config = amConfig({server.url()});
  config.queue_capacity = 2;
  AlertmanagerNotifier notifier(config, nullptr, fixedRandom());
  notifier.offer({makeAlert("a"), makeAlert("b")});
  notifier.offer({makeAlert("c")});
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_EQ(status.dropped, 1u);
  EXPECT_EQ(status.queued, 2u);
  notifier.start();
  ASSERT_TRUE(server.waitForRequests(1, kWait));
  nlohmann::json body = bodyOf(server.requests().at(0));
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0]["labels"]["host"], "b");
  EXPECT_EQ(body[1]["labels"]["host"], "c");
}

TEST(AlertAlertmanagerNotifier, CoalescesOffersOfOneAlert) {
  TestHttpServer server;
  AlertmanagerNotifier notifier(amConfig({server.url()}), nullptr, fixedRandom());
  notifier.offer({makeAlert("a", "first")});
  notifier.offer({makeAlert("a", "second")});
  EXPECT_EQ(statusOf(notifier).queued, 1u);
  notifier.start();
  ASSERT_TRUE(server.waitForRequests(1, kWait));
  nlohmann::json body = bodyOf(server.requests().at(0));
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["annotations"]["summary"], "second");
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).sent == 1; }, kWait));
  EXPECT_EQ(statusOf(notifier).dropped, 0u);
}

TEST(AlertAlertmanagerNotifier, NewOfferDoesNotBypassTheBackoff) {
  TestHttpServer server;
  server.setStatus(503);
  NotifierConfig config = amConfig({server.url()});
  config.retry_initial_ms = 60'000;
  config.retry_max_ms = 60'000;
  AlertmanagerNotifier notifier(config, nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("a")});
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).failed == 1; }, kWait));
  const int64_t now =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  NotifierTargetStatus status = statusOf(notifier);
  EXPECT_FALSE(status.up);
  EXPECT_GT(status.next_retry_unix_ms, now + 30'000);
  notifier.offer({makeAlert("b")});
  EXPECT_FALSE(server.waitForRequests(2, milliseconds(300)));
  EXPECT_EQ(statusOf(notifier).queued, 2u);
  const auto started = std::chrono::steady_clock::now();
  notifier.stop();  // wakes the waiting thread at once
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2'000));
}

TEST(AlertAlertmanagerNotifier, EveryUrlGetsEveryAlert) {
  TestHttpServer first;
  TestHttpServer second;
  second.setStatus(500);
  AlertmanagerNotifier notifier(amConfig({first.url(), second.url()}), nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("a")});
  ASSERT_TRUE(first.waitForRequests(1, kWait));
  ASSERT_TRUE(second.waitForRequests(1, kWait));
  ASSERT_TRUE(waitUntil(
      [&] {
        std::vector<NotifierTargetStatus> all = notifier.status();
        return all.size() == 2 && all[0].sent == 1 && all[1].failed >= 1;
      },
      kWait));
  std::vector<NotifierTargetStatus> all = notifier.status();
  EXPECT_EQ(all[0].url, first.url());
  EXPECT_EQ(all[1].url, second.url());
  EXPECT_EQ(all[1].sent, 0u);
  EXPECT_EQ(all[1].queued, 1u);
}

TEST(AlertAlertmanagerNotifier, TimeoutCountsAsAFailureAndStopIsPrompt) {
  TestHttpServer server;
  server.setHang(true);
  NotifierConfig config = amConfig({server.url()});
  config.timeout_ms = 300;
  AlertmanagerNotifier notifier(config, nullptr, fixedRandom());
  notifier.start();
  notifier.offer({makeAlert("a")});
  ASSERT_TRUE(waitUntil([&] { return statusOf(notifier).failed >= 1; }, kWait));
  EXPECT_EQ(statusOf(notifier).last_error, "timeout");
  const auto started = std::chrono::steady_clock::now();
  notifier.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(300 + 2'000));
}

TEST(AlertAlertmanagerNotifier, MakeNotifierBuildsTheConfiguredType) {
  NotifierConfig config = amConfig({"http://127.0.0.1:1", "http://127.0.0.1:2"});
  std::unique_ptr<Notifier> notifier = makeNotifier(config, "http://meshlb", nullptr);
  ASSERT_NE(notifier, nullptr);
  EXPECT_EQ(notifier->config().name, "am");
  EXPECT_EQ(notifier->status().size(), 2u);
  config.type = NotifierConfig::Type::kWebhook;
  config.urls = {"http://127.0.0.1:1/hook"};
  notifier = makeNotifier(config, "http://meshlb", nullptr);
  ASSERT_NE(notifier, nullptr);
  ASSERT_EQ(notifier->status().size(), 1u);
  EXPECT_EQ(notifier->status()[0].url, "http://127.0.0.1:1/hook");
}

TEST(AlertAlertmanagerNotifier, AlertsUrlAvoidsDoubleSlashes) {
  std::string error;
  EXPECT_EQ(alertmanagerAlertsUrl("http://h:9093", &error)->path, "/api/v2/alerts");
  EXPECT_EQ(alertmanagerAlertsUrl("http://h:9093/", &error)->path, "/api/v2/alerts");
  EXPECT_EQ(alertmanagerAlertsUrl("http://h/am//", &error)->path, "/am/api/v2/alerts");
  EXPECT_EQ(alertmanagerAlertsUrl("http://h/am?x=1", &error)->path, "/am/api/v2/alerts?x=1");
  EXPECT_FALSE(alertmanagerAlertsUrl("https://h", &error).has_value());
}

}  // namespace
}  // namespace meshlb::alerting
