#include "alerting/alerting_config.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "alerting/model/field_reader.h"
#include "alerting/rules/default_rules.h"
#include "alerting/rules/rule_parser.h"

namespace meshlb::alerting {
namespace {

constexpr size_t kMaxNotifierNameLength = 32;
constexpr size_t kMaxAlertmanagerUrls = 8;
constexpr size_t kMaxMatchers = 16;
constexpr size_t kMaxGroupBy = 16;
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

bool validNotifierName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNotifierNameLength) {
    return false;
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

// Why `url` cannot be used to reach a notifier, or "" when it can.
std::string urlProblem(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  if (url.starts_with("https://")) {
    return "https is not supported yet";
  }
  if (!url.starts_with(kHttp)) {
    return "must start with http://";
  }
  const std::string_view rest = url.substr(kHttp.size());
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
    return "has no host";
  }
  return "";
}

bool validHeaderName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// The file's content without trailing whitespace, or nullopt with the reason in `error`.
std::optional<std::string> readSecretFile(const std::string& path, std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = std::string("cannot read '") + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::string content;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0 &&
         content.size() <= kMaxSecretFileBytes) {
    content.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  const int read_errno = errno;
  std::fclose(file);
  if (failed) {
    error = std::string("cannot read '") + path + "': " + std::strerror(read_errno);
    return std::nullopt;
  }
  if (content.size() > kMaxSecretFileBytes) {
    error = std::string("'") + path + "' is larger than 64 KiB";
    return std::nullopt;
  }
  const size_t end = content.find_last_not_of(" \t\r\n\v\f");
  content.resize(end == std::string::npos ? 0 : end + 1);
  if (content.empty()) {
    error = std::string("'") + path + "' is empty";
    return std::nullopt;
  }
  return content;
}

// A secret given inline (`key`) or in a file (`key` + "_file"), at most one of them.
void readSecret(FieldReader& reader, const std::string& key, std::string& out) {
  const std::string file_key = key + "_file";
  const bool inline_given = reader.take(key) != nullptr;
  const bool file_given = reader.take(file_key) != nullptr;
  if (inline_given && file_given) {
    reader.error(file_key, std::string("give ") + key + " or " + file_key + ", not both");
    return;
  }
  if (inline_given && reader.string(key, out) && out.empty()) {
    reader.error(key, "must not be empty");
  }
  std::string path;
  if (file_given && reader.string(file_key, path)) {
    std::string error;
    if (std::optional<std::string> secret = readSecretFile(path, error)) {
      out = std::move(*secret);
    } else {
      reader.error(file_key, std::move(error));
    }
  }
}

void readUrls(FieldReader& reader, NotifierConfig& notifier) {
  const nlohmann::json* urls = reader.take("urls");
  if (urls == nullptr) {
    reader.error("urls", "is required for an alertmanager notifier");
    return;
  }
  if (!urls->is_array() || urls->empty() || urls->size() > kMaxAlertmanagerUrls) {
    reader.error("urls", "expected an array of 1 to 8 URLs");
    return;
  }
  for (size_t i = 0; i < urls->size(); ++i) {
    const nlohmann::json& url = (*urls)[i];
    const std::string key = indexPath("urls", i);
    if (!url.is_string()) {
      reader.error(key, "expected a string");
      continue;
    }
    if (std::string problem = urlProblem(url.get_ref<const std::string&>()); !problem.empty()) {
      reader.error(key, std::move(problem));
      continue;
    }
    notifier.urls.push_back(url.get<std::string>());
  }
}

void readMatchers(FieldReader& reader, std::vector<Matcher>& out) {
  const nlohmann::json* match = reader.take("match");
  if (match == nullptr) {
    return;
  }
  if (!match->is_array() || match->size() > kMaxMatchers) {
    reader.error("match", "expected an array of at most 16 matchers");
    return;
  }
  for (size_t i = 0; i < match->size(); ++i) {
    std::optional<Matcher> matcher =
        parseMatcher((*match)[i], indexPath(reader.pathOf("match"), i), reader.errors());
    if (matcher.has_value()) {
      out.push_back(std::move(*matcher));
    }
  }
}

void readGroupBy(FieldReader& reader, std::vector<std::string>& out) {
  const nlohmann::json* group_by = reader.take("group_by");
  if (group_by == nullptr) {
    return;
  }
  if (!group_by->is_array() || group_by->size() > kMaxGroupBy) {
    reader.error("group_by", "expected an array of at most 16 label names");
    return;
  }
  out.clear();
  for (size_t i = 0; i < group_by->size(); ++i) {
    const nlohmann::json& name = (*group_by)[i];
    if (!name.is_string() || !validLabelName(name.get_ref<const std::string&>())) {
      reader.error(indexPath("group_by", i), "expected a label name");
      continue;
    }
    out.push_back(name.get<std::string>());
  }
}

// The keys only a webhook takes.
constexpr std::array<std::string_view, 8> kWebhookKeys = {
    "url",         "bearer_token", "bearer_token_file", "hmac_secret", "hmac_secret_file",
    "hmac_header", "group_by",     "send_resolved"};

void readWebhook(FieldReader& reader, NotifierConfig& notifier) {
  std::string url;
  if (reader.string("url", url, true)) {
    if (std::string problem = urlProblem(url); !problem.empty()) {
      reader.error("url", std::move(problem));
    } else {
      notifier.urls.push_back(std::move(url));
    }
  }
  if (reader.take("urls") != nullptr) {
    reader.error("urls", "only for alertmanager notifiers (a webhook takes url)");
  }
  readSecret(reader, "bearer_token", notifier.bearer_token);
  readSecret(reader, "hmac_secret", notifier.hmac_secret);
  if (reader.string("hmac_header", notifier.hmac_header) &&
      !validHeaderName(notifier.hmac_header)) {
    reader.error("hmac_header", "must be an HTTP header name (A-Z a-z 0-9 - _)");
  }
  readGroupBy(reader, notifier.group_by);
  reader.boolean("send_resolved", notifier.send_resolved);
  reader.uint("repeat_interval_s", notifier.repeat_interval_s, 0, 604'800);
}

void readAlertmanager(FieldReader& reader, NotifierConfig& notifier) {
  readUrls(reader, notifier);
  for (const std::string_view key : kWebhookKeys) {
    if (reader.take(key) != nullptr) {
      reader.error(key, "only for webhook notifiers");
    }
  }
  if (reader.take("repeat_interval_s") != nullptr) {
    reader.error("repeat_interval_s",
                 "only for webhook notifiers (Alertmanager repeats by its own config)");
  }
}

std::optional<NotifierConfig> parseNotifier(const nlohmann::json& node, const std::string& path,
                                            std::vector<FieldError>& errors) {
  const size_t errors_before = errors.size();
  FieldReader reader(node, path, errors);
  if (!reader.valid()) {
    return std::nullopt;
  }
  NotifierConfig notifier;
  if (reader.string("name", notifier.name, true) && !validNotifierName(notifier.name)) {
    reader.error("name", "must be 1-32 characters of a-z 0-9 _ -");
  }
  std::string type;
  if (reader.string("type", type, true)) {
    if (type == "alertmanager") {
      notifier.type = NotifierConfig::Type::kAlertmanager;
      readAlertmanager(reader, notifier);
    } else if (type == "webhook") {
      notifier.type = NotifierConfig::Type::kWebhook;
      readWebhook(reader, notifier);
    } else {
      reader.error("type", "must be alertmanager or webhook");
    }
  }
  if (type != "alertmanager" && type != "webhook") {
    // Without a valid type the type-specific keys cannot be judged: do not call them unknown.
    for (const std::string_view key : kWebhookKeys) {
      reader.take(key);
    }
    reader.take("urls");
    reader.take("repeat_interval_s");
  }
  reader.uint("timeout_ms", notifier.timeout_ms, 100, 60'000);
  reader.uint("queue_capacity", notifier.queue_capacity, 1, 100'000);
  bool retry_valid = true;
  if (reader.take("retry_initial_ms") != nullptr) {
    retry_valid = reader.uint("retry_initial_ms", notifier.retry_initial_ms, 10, 600'000);
  }
  if (reader.take("retry_max_ms") != nullptr) {
    retry_valid = reader.uint("retry_max_ms", notifier.retry_max_ms, 10, 3'600'000) && retry_valid;
  }
  if (retry_valid && notifier.retry_max_ms < notifier.retry_initial_ms) {
    reader.error("retry_max_ms", "must be at least retry_initial_ms (" +
                                     std::to_string(notifier.retry_initial_ms) + ")");
  }
  readMatchers(reader, notifier.match);
  reader.finish();
  if (errors.size() != errors_before) {
    return std::nullopt;
  }
  return notifier;
}

void parseNotifiers(FieldReader& reader, AlertingConfig& config) {
  const nlohmann::json* notifiers = reader.take("notifiers");
  if (notifiers == nullptr) {
    return;
  }
  if (!notifiers->is_array()) {
    reader.error("notifiers", "expected an array");
    return;
  }
  std::map<std::string, size_t> seen;  // name -> index
  for (size_t i = 0; i < notifiers->size(); ++i) {
    const std::string path = indexPath(reader.pathOf("notifiers"), i);
    std::optional<NotifierConfig> notifier = parseNotifier((*notifiers)[i], path, reader.errors());
    if (!notifier.has_value()) {
      continue;
    }
    const auto [it, inserted] = seen.emplace(notifier->name, i);
    if (!inserted) {
      reader.errors().push_back(
          {fieldPath(path, "name"), "'" + notifier->name + "' is already used by " +
                                        indexPath(reader.pathOf("notifiers"), it->second)});
      continue;
    }
    config.notifiers.push_back(std::move(*notifier));
  }
}

void parseRules(FieldReader& reader, AlertingConfig& config) {
  const nlohmann::json* rules = reader.take("rules");
  if (rules == nullptr) {
    return;
  }
  if (!rules->is_array()) {
    reader.error("rules", "expected an array");
    return;
  }
  std::set<std::string, std::less<>> default_names;
  if (config.default_rules) {
    for (const std::shared_ptr<const Rule>& rule : defaultRules()) {
      default_names.insert(rule->name);
    }
  }
  std::map<std::string, size_t> seen;  // name -> index
  for (size_t i = 0; i < rules->size(); ++i) {
    const std::string path = indexPath(reader.pathOf("rules"), i);
    std::optional<Rule> rule = parseRule((*rules)[i], path, reader.errors());
    if (!rule.has_value()) {
      continue;
    }
    const std::string name_path = fieldPath(path, "name");
    if (default_names.count(rule->name) != 0) {
      reader.errors().push_back(
          {name_path, "'" + rule->name + "' is already defined by the default rules"});
      continue;
    }
    const auto [it, inserted] = seen.emplace(rule->name, i);
    if (!inserted) {
      reader.errors().push_back({name_path, "'" + rule->name + "' is already defined by " +
                                                indexPath(reader.pathOf("rules"), it->second)});
      continue;
    }
    rule->source = RuleSource::kConfig;
    config.rules.push_back(std::make_shared<const Rule>(std::move(*rule)));
  }
}

}  // namespace

std::optional<AlertingConfig> parseAlertingConfig(const nlohmann::json& section,
                                                  std::vector<FieldError>& errors) {
  const size_t errors_before = errors.size();
  FieldReader reader(section, "alerting", errors);
  if (!reader.valid()) {
    return std::nullopt;
  }
  AlertingConfig config;
  reader.boolean("enabled", config.enabled);
  reader.string("state_dir", config.state_dir);
  reader.boolean("default_rules", config.default_rules);
  if (reader.string("external_url", config.external_url) &&
      !config.external_url.starts_with("http://") && !config.external_url.starts_with("https://")) {
    reader.error("external_url", "must start with http:// or https://");
  }
  reader.uint("resend_interval_s", config.resend_interval_s, 1, 3600);
  reader.uint("resolved_retention_s", config.resolved_retention_s, 0, 86'400);
  reader.uint("restore_grace_s", config.restore_grace_s, 0, 3600);
  reader.uint("history_max_entries", config.history_max_entries, 100, 1'000'000);
  reader.boolean("fsync", config.fsync);
  parseNotifiers(reader, config);
  parseRules(reader, config);
  reader.finish();
  if (errors.size() != errors_before) {
    return std::nullopt;
  }
  return config;
}

}  // namespace meshlb::alerting
