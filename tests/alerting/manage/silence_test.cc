// Silences: parsing an API body, states over time, matching, persistence round trip, ids.

#include "alerting/manage/silence.h"

#include <gtest/gtest.h>

#include <set>

namespace meshlb::alerting {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

nlohmann::json body() {
  return {{"matchers",
           {{{"name", "alertname"}, {"value", "BackendDown"}},
            {{"name", "cluster"}, {"op", "=~"}, {"value", "app|api"}}}},
          {"duration_s", 3600},
          {"created_by", "ops"},
          {"comment", "maintenance"}};
}

std::vector<FieldError> errorsOf(const nlohmann::json& node) {
  std::vector<FieldError> errors;
  EXPECT_FALSE(parseSilence(node, kNow, errors).has_value());
  return errors;
}

bool hasError(const std::vector<FieldError>& errors, const std::string& path,
              const std::string& reason) {
  for (const FieldError& e : errors) {
    if (e.path == path && e.reason == reason) {
      return true;
    }
  }
  return false;
}

Silence parseOk(const nlohmann::json& node) {
  std::vector<FieldError> errors;
  std::optional<Silence> silence = parseSilence(node, kNow, errors);
  EXPECT_TRUE(silence.has_value())
      << (errors.empty() ? "" : errors[0].path + ": " + errors[0].reason);
  return silence.value_or(Silence{});
}

TEST(AlertSilence, ParsesABody) {
  const Silence silence = parseOk(body());
  EXPECT_EQ(silence.id, "");  // the caller assigns one
  ASSERT_EQ(silence.matchers.size(), 2u);
  EXPECT_EQ(silence.starts_unix_ms, kNow);
  EXPECT_EQ(silence.ends_unix_ms, kNow + 3'600'000);
  EXPECT_EQ(silence.updated_unix_ms, kNow);
  EXPECT_EQ(silence.created_by, "ops");
  EXPECT_EQ(silence.comment, "maintenance");

  nlohmann::json explicit_times = body();
  explicit_times.erase("duration_s");
  explicit_times["id"] = "abc";
  explicit_times["starts_unix_ms"] = kNow + 1000;
  explicit_times["ends_unix_ms"] = kNow + 2000;
  const Silence later = parseOk(explicit_times);
  EXPECT_EQ(later.id, "abc");
  EXPECT_EQ(later.starts_unix_ms, kNow + 1000);
  EXPECT_EQ(later.ends_unix_ms, kNow + 2000);
}

TEST(AlertSilence, States) {
  Silence silence;
  silence.starts_unix_ms = 100;
  silence.ends_unix_ms = 200;
  EXPECT_EQ(silenceState(silence, 99), SilenceState::kPending);
  EXPECT_EQ(silenceState(silence, 100), SilenceState::kActive);
  EXPECT_EQ(silenceState(silence, 199), SilenceState::kActive);
  EXPECT_EQ(silenceState(silence, 200), SilenceState::kExpired);
  EXPECT_EQ(silenceStateName(SilenceState::kPending), "pending");
  EXPECT_EQ(silenceStateName(SilenceState::kActive), "active");
  EXPECT_EQ(silenceStateName(SilenceState::kExpired), "expired");
}

TEST(AlertSilence, SilencesActiveAndMatching) {
  const Silence silence = parseOk(body());
  const LabelSet down = makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "api"}});
  const LabelSet other = makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "web"}});
  EXPECT_TRUE(silences(silence, down, kNow));
  EXPECT_FALSE(silences(silence, other, kNow));
  EXPECT_FALSE(silences(silence, down, kNow - 1));          // pending
  EXPECT_FALSE(silences(silence, down, kNow + 3'600'000));  // expired
}

TEST(AlertSilence, RejectsMatchersThatMatchEverything) {
  nlohmann::json b = body();
  b["matchers"] = {{{"name", "alertname"}, {"op", "=~"}, {"value", ".*"}},
                   {{"name", "team"}, {"op", "!="}, {"value", "x"}}};
  EXPECT_TRUE(hasError(errorsOf(b), "matchers", "matches every alert"));
  b["matchers"] = nlohmann::json::array();
  EXPECT_TRUE(hasError(errorsOf(b), "matchers", "expected an array of 1 to 16 matchers"));
  b.erase("matchers");
  EXPECT_TRUE(hasError(errorsOf(b), "matchers", "is required"));
  b["matchers"] = {{{"name", "a"}, {"op", "=~"}, {"value", "("}}};
  const std::vector<FieldError> errors = errorsOf(b);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "matchers[0].value");
}

TEST(AlertSilence, TimeErrors) {
  nlohmann::json b = body();
  b["ends_unix_ms"] = kNow + 1;
  EXPECT_TRUE(
      hasError(errorsOf(b), "ends_unix_ms", "give either ends_unix_ms or duration_s, not both"));
  b.erase("ends_unix_ms");
  b.erase("duration_s");
  EXPECT_TRUE(hasError(errorsOf(b), "ends_unix_ms", "ends_unix_ms or duration_s is required"));
  b["starts_unix_ms"] = kNow + 5000;
  b["ends_unix_ms"] = kNow + 5000;
  EXPECT_TRUE(hasError(errorsOf(b), "ends_unix_ms", "the silence must end after it starts"));
  b["starts_unix_ms"] = kNow - 5000;
  b["ends_unix_ms"] = kNow;
  EXPECT_TRUE(hasError(errorsOf(b), "ends_unix_ms", "the silence would already have ended"));
  b.erase("ends_unix_ms");
  b["starts_unix_ms"] = kNow - 10'000;
  b["duration_s"] = 5;
  EXPECT_TRUE(hasError(errorsOf(b), "duration_s", "the silence would already have ended"));
  b["duration_s"] = 31'536'001;
  EXPECT_TRUE(hasError(errorsOf(b), "duration_s", "must be between 1 and 31536000"));
  b["duration_s"] = 0;
  EXPECT_TRUE(hasError(errorsOf(b), "duration_s", "must be between 1 and 31536000"));
}

TEST(AlertSilence, TextErrors) {
  nlohmann::json b = body();
  b.erase("created_by");
  b["comment"] = std::string(1025, 'c');
  b["note"] = "x";
  b["id"] = "";
  const std::vector<FieldError> errors = errorsOf(b);
  EXPECT_TRUE(hasError(errors, "created_by", "is required"));
  EXPECT_TRUE(hasError(errors, "comment", "must be at most 1024 characters"));
  EXPECT_TRUE(hasError(errors, "note", "unknown key"));
  EXPECT_TRUE(hasError(errors, "id", "must not be empty"));
  b = body();
  b["created_by"] = std::string(129, 'x');
  EXPECT_TRUE(hasError(errorsOf(b), "created_by", "must be 1 to 128 characters"));
  b["created_by"] = "";
  EXPECT_TRUE(hasError(errorsOf(b), "created_by", "must be 1 to 128 characters"));
  EXPECT_TRUE(hasError(errorsOf("text"), "", "expected an object"));
}

TEST(AlertSilence, JsonRoundTrip) {
  Silence silence = parseOk(body());
  silence.id = newSilenceId();
  const nlohmann::json json = silenceToJson(silence);
  EXPECT_FALSE(json.contains("state"));
  EXPECT_EQ(json["id"], silence.id);
  const std::optional<Silence> again = silenceFromJson(json);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(silenceToJson(*again), json);
  EXPECT_TRUE(
      silences(*again, makeLabelSet({{"alertname", "BackendDown"}, {"cluster", "app"}}), kNow));
  nlohmann::json broken = json;
  broken.erase("ends_unix_ms");
  EXPECT_FALSE(silenceFromJson(broken).has_value());
  broken = json;
  broken["matchers"][0]["op"] = "~~";
  EXPECT_FALSE(silenceFromJson(broken).has_value());
  EXPECT_FALSE(silenceFromJson(nlohmann::json::array()).has_value());
}

TEST(AlertSilence, NewIdsAreVersion4Uuids) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = newSilenceId();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_EQ(id[18], '-');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_EQ(id[23], '-');
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

}  // namespace
}  // namespace meshlb::alerting
