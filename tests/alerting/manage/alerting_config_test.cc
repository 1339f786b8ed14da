// The "alerting" config section: defaults, notifiers (both types, secrets from files), rules,
// and every error path.

#include "alerting/alerting_config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace meshlb::alerting {
namespace {

std::string dump(const std::vector<FieldError>& errors) {
  std::string out;
  for (const FieldError& e : errors) {
    out += e.path + ": " + e.reason + "\n";
  }
  return out;
}

AlertingConfig parseOk(const nlohmann::json& section) {
  std::vector<FieldError> errors;
  std::optional<AlertingConfig> config = parseAlertingConfig(section, errors);
  EXPECT_TRUE(config.has_value()) << dump(errors);
  return config.value_or(AlertingConfig{});
}

std::vector<FieldError> errorsOf(const nlohmann::json& section) {
  std::vector<FieldError> errors;
  EXPECT_FALSE(parseAlertingConfig(section, errors).has_value());
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

std::string writeFile(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "alerting_config_test_" + name;
  std::ofstream(path) << content;
  return path;
}

nlohmann::json am() {
  return {{"name", "am"}, {"type", "alertmanager"}, {"urls", {"http://127.0.0.1:9093"}}};
}

nlohmann::json hook() {
  return {{"name", "hook"}, {"type", "webhook"}, {"url", "http://127.0.0.1:9000/hook"}};
}

// The errors of a section holding just `notifier`.
std::vector<FieldError> notifierErrors(const nlohmann::json& notifier) {
  return errorsOf({{"notifiers", {notifier}}});
}

TEST(AlertingConfigParser, Defaults) {
  const AlertingConfig config = parseOk(nlohmann::json::object());
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.state_dir, "");
  EXPECT_TRUE(config.default_rules);
  EXPECT_EQ(config.external_url, "http://127.0.0.1:9901");
  EXPECT_EQ(config.resend_interval_s, 60u);
  EXPECT_EQ(config.resolved_retention_s, 900u);
  EXPECT_EQ(config.restore_grace_s, 30u);
  EXPECT_EQ(config.history_max_entries, 10'000u);
  EXPECT_TRUE(config.fsync);
  EXPECT_TRUE(config.notifiers.empty());
  EXPECT_TRUE(config.rules.empty());
}

TEST(AlertingConfigParser, AFullSection) {
  const std::string token = writeFile("token", "s3cret\n\n");
  const std::string key = writeFile("key", "k3y \t\n");
  nlohmann::json webhook = hook();
  webhook["bearer_token_file"] = token;
  webhook["hmac_secret_file"] = key;
  webhook["hmac_header"] = "X-Sig";
  webhook["group_by"] = {"alertname"};
  webhook["send_resolved"] = false;
  webhook["repeat_interval_s"] = 0;
  webhook["match"] = {{{"name", "severity"}, {"value", "critical"}}};
  nlohmann::json alertmanager = am();
  alertmanager["urls"] = {"http://a:9093", "http://b:9093/prefix"};
  alertmanager["timeout_ms"] = 2000;
  alertmanager["queue_capacity"] = 10'000;
  alertmanager["retry_initial_ms"] = 500;
  alertmanager["retry_max_ms"] = 500;
  const AlertingConfig config = parseOk(
      {{"enabled", false},
       {"state_dir", "/var/lib/meshlb/alerting"},
       {"default_rules", true},
       {"external_url", "https://meshlb.example"},
       {"resend_interval_s", 30},
       {"resolved_retention_s", 0},
       {"restore_grace_s", 3600},
       {"history_max_entries", 100},
       {"fsync", false},
       {"notifiers", {alertmanager, webhook}},
       {"rules",
        {{{"name", "Mine"},
          {"condition", {{"kind", "threshold"}, {"metric", "rps"}, {"op", ">"}, {"value", 1}}}}}}});
  EXPECT_FALSE(config.enabled);
  EXPECT_EQ(config.state_dir, "/var/lib/meshlb/alerting");
  EXPECT_EQ(config.external_url, "https://meshlb.example");
  EXPECT_EQ(config.resend_interval_s, 30u);
  EXPECT_EQ(config.resolved_retention_s, 0u);
  EXPECT_EQ(config.restore_grace_s, 3600u);
  EXPECT_EQ(config.history_max_entries, 100u);
  EXPECT_FALSE(config.fsync);
  ASSERT_EQ(config.notifiers.size(), 2u);
  const NotifierConfig& a = config.notifiers[0];
  EXPECT_EQ(a.type, NotifierConfig::Type::kAlertmanager);
  EXPECT_EQ(a.urls, (std::vector<std::string>{"http://a:9093", "http://b:9093/prefix"}));
  EXPECT_EQ(a.timeout_ms, 2000u);
  EXPECT_EQ(a.queue_capacity, 10'000u);
  EXPECT_EQ(a.retry_initial_ms, 500u);
  EXPECT_EQ(a.retry_max_ms, 500u);
  const NotifierConfig& w = config.notifiers[1];
  EXPECT_EQ(w.name, "hook");
  EXPECT_EQ(w.type, NotifierConfig::Type::kWebhook);
  EXPECT_EQ(w.urls, std::vector<std::string>{"http://127.0.0.1:9000/hook"});
  EXPECT_EQ(w.bearer_token, "s3cret");
  EXPECT_EQ(w.hmac_secret, "k3y");
  EXPECT_EQ(w.hmac_header, "X-Sig");
  EXPECT_EQ(w.group_by, std::vector<std::string>{"alertname"});
  EXPECT_FALSE(w.send_resolved);
  EXPECT_EQ(w.repeat_interval_s, 0u);
  ASSERT_EQ(w.match.size(), 1u);
  EXPECT_EQ(w.match[0].name, "severity");
  ASSERT_EQ(config.rules.size(), 1u);
  EXPECT_EQ(config.rules[0]->name, "Mine");
  EXPECT_EQ(config.rules[0]->source, RuleSource::kConfig);
}

TEST(AlertingConfigParser, InlineSecretsAndNotifierDefaults) {
  nlohmann::json webhook = hook();
  webhook["bearer_token"] = "t";
  webhook["hmac_secret"] = "h";
  const AlertingConfig config = parseOk({{"notifiers", {webhook}}});
  const NotifierConfig& w = config.notifiers.at(0);
  EXPECT_EQ(w.bearer_token, "t");
  EXPECT_EQ(w.hmac_secret, "h");
  EXPECT_EQ(w.timeout_ms, 5000u);
  EXPECT_EQ(w.hmac_header, "X-Meshlb-Signature");
  EXPECT_EQ(w.group_by, (std::vector<std::string>{"alertname", "cluster"}));
  EXPECT_TRUE(w.send_resolved);
  EXPECT_EQ(w.repeat_interval_s, 14'400u);
}

TEST(AlertingConfigParser, SectionErrors) {
  const std::vector<FieldError> errors = errorsOf({{"enabled", "yes"},
                                                   {"state_dir", 5},
                                                   {"external_url", "ftp://x"},
                                                   {"resend_interval_s", 0},
                                                   {"resolved_retention_s", 86'401},
                                                   {"restore_grace_s", 3601},
                                                   {"history_max_entries", 99},
                                                   {"history_max_age_s", 5},
                                                   {"notifiers", {}},
                                                   {"rules", "none"}});
  EXPECT_TRUE(hasError(errors, "alerting.enabled", "expected true or false")) << dump(errors);
  EXPECT_TRUE(hasError(errors, "alerting.state_dir", "expected a string"));
  EXPECT_TRUE(hasError(errors, "alerting.external_url", "must start with http:// or https://"));
  EXPECT_TRUE(hasError(errors, "alerting.resend_interval_s", "must be between 1 and 3600"));
  EXPECT_TRUE(hasError(errors, "alerting.resolved_retention_s", "must be between 0 and 86400"));
  EXPECT_TRUE(hasError(errors, "alerting.restore_grace_s", "must be between 0 and 3600"));
  EXPECT_TRUE(hasError(errors, "alerting.history_max_entries", "must be between 100 and 1000000"));
  EXPECT_TRUE(hasError(errors, "alerting.history_max_age_s", "unknown key"));
  EXPECT_TRUE(hasError(errors, "alerting.notifiers", "expected an array"));
  EXPECT_TRUE(hasError(errors, "alerting.rules", "expected an array"));
  EXPECT_EQ(errors.size(), 10u);
  EXPECT_TRUE(hasError(errorsOf(nlohmann::json::array()), "alerting", "expected an object"));
}

TEST(AlertingConfigParser, NotifierNamesAndTypes) {
  nlohmann::json n = am();
  n["name"] = "Has Caps";
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].name",
                       "must be 1-32 characters of a-z 0-9 _ -"));
  n["name"] = std::string(33, 'a');
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].name",
                       "must be 1-32 characters of a-z 0-9 _ -"));
  n.erase("name");
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].name", "is required"));
  n = am();
  n["type"] = "email";
  n["url"] = "http://x";  // not judged without a valid type
  const std::vector<FieldError> type_errors = notifierErrors(n);
  ASSERT_EQ(type_errors.size(), 1u) << dump(type_errors);
  EXPECT_TRUE(
      hasError(type_errors, "alerting.notifiers[0].type", "must be alertmanager or webhook"));
  n.erase("type");
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].type", "is required"));
  const std::vector<FieldError> dup = errorsOf({{"notifiers", {am(), hook(), am()}}});
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0].path, "alerting.notifiers[2].name");
  EXPECT_EQ(dup[0].reason, "'am' is already used by alerting.notifiers[0]");
  EXPECT_TRUE(
      hasError(errorsOf({{"notifiers", {"am"}}}), "alerting.notifiers[0]", "expected an object"));
}

TEST(AlertingConfigParser, Urls) {
  nlohmann::json n = am();
  n.erase("urls");
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].urls",
                       "is required for an alertmanager notifier"));
  n["urls"] = nlohmann::json::array();
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].urls",
                       "expected an array of 1 to 8 URLs"));
  n["urls"] = {"http://1", "http://2", "http://3", "http://4", "http://5",
               "http://6", "http://7", "http://8", "http://9"};
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].urls",
                       "expected an array of 1 to 8 URLs"));
  n["urls"] = {"https://am:9093", "am:9093", "http://", 5};
  const std::vector<FieldError> errors = notifierErrors(n);
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].urls[0]", "https is not supported yet"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].urls[1]", "must start with http://"));
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].urls[2]", "has no host"));
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].urls[3]", "expected a string"));
  n = hook();
  n["url"] = "https://hook";
  EXPECT_TRUE(
      hasError(notifierErrors(n), "alerting.notifiers[0].url", "https is not supported yet"));
  n.erase("url");
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].url", "is required"));
  n = hook();
  n["urls"] = {"http://x"};
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].urls",
                       "only for alertmanager notifiers (a webhook takes url)"));
}

TEST(AlertingConfigParser, WebhookKeysOnAnAlertmanager) {
  nlohmann::json n = am();
  n["url"] = "http://x";
  n["bearer_token"] = "t";
  n["hmac_header"] = "X";
  n["group_by"] = {"alertname"};
  n["send_resolved"] = true;
  n["repeat_interval_s"] = 60;
  const std::vector<FieldError> errors = notifierErrors(n);
  for (const char* key : {"url", "bearer_token", "hmac_header", "group_by", "send_resolved"}) {
    EXPECT_TRUE(
        hasError(errors, std::string("alerting.notifiers[0].") + key, "only for webhook notifiers"))
        << key << "\n"
        << dump(errors);
  }
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].repeat_interval_s",
                       "only for webhook notifiers (Alertmanager repeats by its own config)"));
  EXPECT_EQ(errors.size(), 6u);
}

TEST(AlertingConfigParser, Ranges) {
  nlohmann::json n = am();
  n["timeout_ms"] = 99;
  n["queue_capacity"] = 0;
  n["retry_initial_ms"] = 9;
  n["retry_max_ms"] = 3'600'001;
  n["extra"] = 1;
  std::vector<FieldError> errors = notifierErrors(n);
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].timeout_ms", "must be between 100 and 60000"))
      << dump(errors);
  EXPECT_TRUE(
      hasError(errors, "alerting.notifiers[0].queue_capacity", "must be between 1 and 100000"));
  EXPECT_TRUE(
      hasError(errors, "alerting.notifiers[0].retry_initial_ms", "must be between 10 and 600000"));
  EXPECT_TRUE(
      hasError(errors, "alerting.notifiers[0].retry_max_ms", "must be between 10 and 3600000"));
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].extra", "unknown key"));
  EXPECT_EQ(errors.size(), 5u);
  n = am();
  n["retry_initial_ms"] = 5000;
  n["retry_max_ms"] = 4000;
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].retry_max_ms",
                       "must be at least retry_initial_ms (5000)"));
  n.erase("retry_max_ms");
  n["retry_initial_ms"] = 60'000;  // above the default max of 30 s
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].retry_max_ms",
                       "must be at least retry_initial_ms (60000)"));
  n = hook();
  n["repeat_interval_s"] = 604'801;
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].repeat_interval_s",
                       "must be between 0 and 604800"));
}

TEST(AlertingConfigParser, Secrets) {
  nlohmann::json n = hook();
  n["bearer_token"] = "t";
  n["bearer_token_file"] = writeFile("t2", "t");
  n["hmac_secret"] = "";
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].bearer_token_file",
                       "give bearer_token or bearer_token_file, not both"));
  EXPECT_TRUE(
      hasError(notifierErrors(n), "alerting.notifiers[0].hmac_secret", "must not be empty"));
  n = hook();
  const std::string missing = ::testing::TempDir() + "alerting_config_test_missing";
  n["hmac_secret_file"] = missing;
  n["bearer_token_file"] = writeFile("blank", " \n\t\n");
  const std::vector<FieldError> errors = notifierErrors(n);
  EXPECT_TRUE(
      hasError(errors, "alerting.notifiers[0].hmac_secret_file",
               std::string("cannot read '").append(missing).append("': No such file or directory")))
      << dump(errors);
  EXPECT_TRUE(hasError(
      errors, "alerting.notifiers[0].bearer_token_file",
      std::string("'").append(n["bearer_token_file"].get<std::string>()).append("' is empty")));
  n = hook();
  n["hmac_secret"] = "a";
  n["hmac_secret_file"] = writeFile("h2", "b");
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].hmac_secret_file",
                       "give hmac_secret or hmac_secret_file, not both"));
}

TEST(AlertingConfigParser, WebhookFields) {
  nlohmann::json n = hook();
  n["hmac_header"] = "X Sig";
  n["group_by"] = {"alertname", "bad-label", 3};
  n["send_resolved"] = 1;
  n["match"] = {{{"name", "severity"}, {"op", "=~"}, {"value", "["}}};
  const std::vector<FieldError> errors = notifierErrors(n);
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].hmac_header",
                       "must be an HTTP header name (A-Z a-z 0-9 - _)"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].group_by[1]", "expected a label name"));
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].group_by[2]", "expected a label name"));
  EXPECT_TRUE(hasError(errors, "alerting.notifiers[0].send_resolved", "expected true or false"));
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[4].path, "alerting.notifiers[0].match[0].value");
  n = hook();
  n["match"] = "severity";
  EXPECT_TRUE(hasError(notifierErrors(n), "alerting.notifiers[0].match",
                       "expected an array of at most 16 matchers"));
}

TEST(AlertingConfigParser, Rules) {
  const nlohmann::json condition = {
      {"kind", "threshold"}, {"metric", "rps"}, {"op", ">"}, {"value", 1}};
  nlohmann::json bad = {{"name", "Bad"}, {"condition", condition}};
  bad["condition"]["op"] = "=>";
  const std::vector<FieldError> errors =
      errorsOf({{"rules",
                 {{{"name", "A"}, {"condition", condition}},
                  bad,
                  {{"name", "A"}, {"condition", condition}},
                  {{"name", "BackendDown"}, {"condition", condition}}}}});
  ASSERT_EQ(errors.size(), 3u) << dump(errors);
  EXPECT_TRUE(hasError(errors, "alerting.rules[1].condition.op", "must be one of > >= < <= == !="));
  EXPECT_TRUE(
      hasError(errors, "alerting.rules[2].name", "'A' is already defined by alerting.rules[0]"));
  EXPECT_TRUE(hasError(errors, "alerting.rules[3].name",
                       "'BackendDown' is already defined by the default rules"));
  // Without the default rules the name is free.
  const AlertingConfig config = parseOk(
      {{"default_rules", false}, {"rules", {{{"name", "BackendDown"}, {"condition", condition}}}}});
  EXPECT_FALSE(config.default_rules);
  EXPECT_EQ(config.rules.at(0)->name, "BackendDown");
}

}  // namespace
}  // namespace meshlb::alerting
