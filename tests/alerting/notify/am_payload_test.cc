#include "alerting/notify/am_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace meshlb::alerting {
namespace {

OutgoingAlert backendDown() {
  OutgoingAlert alert;
  alert.labels = makeLabelSet({{"alertname", "BackendDown"},
                               {"cluster", "app"},
                               {"host", "127.0.0.1:9002"},
                               {"severity", "critical"}});
  alert.id = fingerprint(alert.labels);
  alert.annotations = makeLabelSet({{"summary", "backend 127.0.0.1:9002 is down"}});
  alert.starts_unix_ms = 1795417779000;
  alert.ends_unix_ms = 1795417779000 + 240'000;
  alert.generator_url = "http://127.0.0.1:9901/alerts/" + alert.id;
  return alert;
}

TEST(AlertAmPayload, Rfc3339) {
  EXPECT_EQ(rfc3339(1795417779000), "2026-11-23T07:09:39.000Z");
  EXPECT_EQ(rfc3339(1795417779123), "2026-11-23T07:09:39.123Z");
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(rfc3339(1709251199000), "2024-02-29T23:59:59.000Z");
  EXPECT_EQ(rfc3339(951868800000), "2000-03-01T00:00:00.000Z");
}

TEST(AlertAmPayload, BodyShape) {
  nlohmann::json body = nlohmann::json::parse(alertmanagerBody({backendDown()}));
  nlohmann::json expected = nlohmann::json::parse(R"([{
    "labels": {"alertname": "BackendDown", "cluster": "app", "host": "127.0.0.1:9002",
               "severity": "critical"},
    "annotations": {"summary": "backend 127.0.0.1:9002 is down"},
    "startsAt": "2026-11-23T07:09:39.000Z",
    "endsAt": "2026-11-23T07:13:39.000Z",
    "generatorURL": "http://127.0.0.1:9901/alerts/36b06c7f023d27d1"}])");
  EXPECT_EQ(body, expected);
}

TEST(AlertAmPayload, LeavesOutUnsetFieldsAndSurvivesBadUtf8) {
  OutgoingAlert alert;
  alert.labels = makeLabelSet({{"alertname", "X"}, {"host", "bad\xff"}});
  std::string text = alertmanagerBody({alert});
  nlohmann::json body = nlohmann::json::parse(text);
  ASSERT_EQ(body.size(), 1u);
  EXPECT_FALSE(body[0].contains("startsAt"));
  EXPECT_FALSE(body[0].contains("endsAt"));
  EXPECT_FALSE(body[0].contains("generatorURL"));
  EXPECT_EQ(body[0]["annotations"], nlohmann::json::object());
  EXPECT_EQ(body[0]["labels"]["host"], "bad\xEF\xBF\xBD");  // U+FFFD
  EXPECT_EQ(alertmanagerBody({}), "[]");
}

}  // namespace
}  // namespace meshlb::alerting
