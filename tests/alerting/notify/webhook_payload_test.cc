#include "alerting/notify/webhook_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace meshlb::alerting {
namespace {

OutgoingAlert makeAlert(std::vector<Label> labels, bool resolved = false) {
  OutgoingAlert alert;
  alert.labels = makeLabelSet(std::move(labels));
  alert.id = fingerprint(alert.labels);
  alert.annotations = makeLabelSet({{"summary", "down"}, {"detail", alert.id}});
  alert.starts_unix_ms = 1795417779000;
  alert.ends_unix_ms = resolved ? 1795417839000 : 1795418019000;
  alert.resolved = resolved;
  alert.generator_url = "http://127.0.0.1:9901/alerts/" + alert.id;
  return alert;
}

const std::vector<std::string> kGroupBy = {"alertname", "cluster"};

TEST(AlertWebhookPayload, GroupsByTheGroupByLabels) {
  std::vector<OutgoingAlert> alerts = {
      makeAlert({{"alertname", "BackendDown"}, {"cluster", "app"}, {"host", "a"}}),
      makeAlert({{"alertname", "BackendDown"}, {"cluster", "db"}, {"host", "b"}}),
      makeAlert({{"alertname", "BackendDown"}, {"cluster", "app"}, {"host", "c"}}),
      makeAlert({{"alertname", "Global"}}),
  };
  std::vector<AlertGroup> groups = groupAlerts(alerts, kGroupBy);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].labels, makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "app"}}));
  ASSERT_EQ(groups[0].alerts.size(), 2u);
  EXPECT_EQ(groups[0].alerts[0].id, alerts[0].id);
  EXPECT_EQ(groups[0].alerts[1].id, alerts[2].id);
  EXPECT_EQ(groups[1].alerts.size(), 1u);
  EXPECT_EQ(groups[2].labels, makeLabelSet({{"alertname", "Global"}}));  // cluster absent

  EXPECT_EQ(groupAlerts(alerts, {}).size(), 1u);
}

TEST(AlertWebhookPayload, GroupKeyLikeAlertmanager) {
  EXPECT_EQ(groupKey(makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "app"}})),
            "{}:{alertname=\"BackendDown\", cluster=\"app\"}");
  EXPECT_EQ(groupKey({}), "{}:{}");
  EXPECT_EQ(groupKey(makeLabelSet({{"a", "q\"\\\n"}})), "{}:{a=\"q\\\"\\\\\\n\"}");
  // Go sorts the formatted pairs: "a1=" sorts before "a=".
  EXPECT_EQ(groupKey(makeLabelSet({{"a", "x"}, {"a1", "y"}})), "{}:{a1=\"y\", a=\"x\"}");
}

TEST(AlertWebhookPayload, BodyShape) {
  AlertGroup group;
  group.labels = makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "app"}});
  group.alerts = {
      makeAlert({{"alertname", "BackendDown"},
                 {"cluster", "app"},
                 {"host", "a"},
                 {"severity", "critical"}}),
      makeAlert({{"alertname", "BackendDown"},
                 {"cluster", "app"},
                 {"host", "b"},
                 {"severity", "critical"}},
                /*resolved=*/true),
  };
  nlohmann::json body = nlohmann::json::parse(webhookBody(group, "hook", "http://127.0.0.1:9901"));
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["groupKey"], "{}:{alertname=\"BackendDown\", cluster=\"app\"}");
  EXPECT_EQ(body["truncatedAlerts"], 0);
  EXPECT_EQ(body["receiver"], "hook");
  EXPECT_EQ(body["status"], "firing");  // one of the two fires
  EXPECT_EQ(body["externalURL"], "http://127.0.0.1:9901");
  EXPECT_EQ(body["groupLabels"],
            nlohmann::json({{"alertname", "BackendDown"}, {"cluster", "app"}}));
  EXPECT_EQ(
      body["commonLabels"],
      nlohmann::json({{"alertname", "BackendDown"}, {"cluster", "app"}, {"severity", "critical"}}));
  EXPECT_EQ(body["commonAnnotations"], nlohmann::json({{"summary", "down"}}));
  ASSERT_EQ(body["alerts"].size(), 2u);
  const nlohmann::json& firing = body["alerts"][0];
  EXPECT_EQ(firing["status"], "firing");
  EXPECT_EQ(firing["labels"]["host"], "a");
  EXPECT_EQ(firing["startsAt"], "2026-11-23T07:09:39.000Z");
  EXPECT_EQ(firing["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(firing["generatorURL"], group.alerts[0].generator_url);
  EXPECT_EQ(firing["fingerprint"], group.alerts[0].id);
  const nlohmann::json& resolved = body["alerts"][1];
  EXPECT_EQ(resolved["status"], "resolved");
  EXPECT_EQ(resolved["endsAt"], "2026-11-23T07:10:39.000Z");
}

TEST(AlertWebhookPayload, AllResolvedMeansResolved) {
  AlertGroup group{makeLabelSet({{"alertname", "X"}}),
                   {makeAlert({{"alertname", "X"}, {"host", "a"}}, true)}};
  nlohmann::json body = nlohmann::json::parse(webhookBody(group, "hook", ""));
  EXPECT_EQ(body["status"], "resolved");
  EXPECT_EQ(body["commonLabels"], nlohmann::json({{"alertname", "X"}, {"host", "a"}}));
}

}  // namespace
}  // namespace meshlb::alerting
