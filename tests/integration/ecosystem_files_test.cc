// The files operators' other tools read (configs/): Prometheus rules and config, Alertmanager
// routing, the Grafana dashboard, the systemd unit and the example configs. Each is checked by
// the tool that reads it (promtool, amtool, systemd-analyze, meshlb --validate) and against the
// metrics a live meshlb really exports, so none of them can drift from meshlb unnoticed.
//
// The dashboard and the rules share their queries. The scheme: every Grafana target `expr`,
// with each "$cluster" and "$host" replaced by ".*" (Grafana's value for "All"), is the `expr`
// of a recording rule in configs/meshlb-rules.yml, compared with runs of whitespace collapsed
// to one space. No other "$" may appear in a panel query. So promtool parses every panel query.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kAmtool = "/usr/bin/amtool";
constexpr const char* kOpenssl = "/usr/bin/openssl";
constexpr const char* kSystemdAnalyze = "/usr/bin/systemd-analyze";

std::string configsDir() {
  return std::string(MESHLB_SOURCE_DIR).append("/configs");
}
std::string configFile(const std::string& name) {
  return configsDir().append("/").append(name);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ToolRun {
  int code = -1;
  std::string out;
  std::string err;
  std::string describe() const {
    return std::string("exit ")
        .append(std::to_string(code))
        .append("\nstdout:\n")
        .append(out)
        .append("\nstderr:\n")
        .append(err);
  }
};

// Runs a tool to its end (stdout captured, stderr through a file). A missing tool fails the
// calling test with what installs it.
ToolRun runTool(const std::string& binary, const std::vector<std::string>& args,
                const std::string& installed_by) {
  ToolRun run;
  if (access(binary.c_str(), X_OK) != 0) {
    ADD_FAILURE() << binary << " is missing: install " << installed_by;
    run.err = binary + " is missing";
    return run;
  }
  std::string err_path = tempPath("tool.err");
  {
    Process process(binary, args, err_path);
    process.waitForLine("\x01 never printed", std::chrono::seconds(15));  // stdout until EOF
    run.code = process.wait(std::chrono::seconds(5));
    run.out = process.output();
  }
  run.err = readFile(err_path);
  std::filesystem::remove(err_path);
  return run;
}

ToolRun promtool(const std::vector<std::string>& args) {
  return runTool(kPromtool, args, "the Debian package prometheus (scripts/install-deps.sh)");
}

std::string collapseSpaces(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out.push_back(' ');
      space = false;
    }
    out.push_back(c);
  }
  return out;
}

size_t indentOf(const std::string& line) {
  size_t n = line.find_first_not_of(' ');
  return n == std::string::npos ? line.size() : n;
}

std::string trim(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return "";
  }
  size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// One rule of the rules file, as far as a line scan of its YAML can tell: the name after
// `record:` or `alert:`, and `expr:` as a one-line plain or quoted scalar or a block scalar
// (`>-`, `|`, ...) whose lines are joined with spaces. promtool checks the real YAML; this only
// needs the expressions, which the file writes in these forms.
struct Rule {
  std::string name;
  bool record = false;
  std::string expr;  // whitespace collapsed
};

std::vector<Rule> parseRules(const std::string& yaml) {
  std::vector<Rule> rules;
  std::vector<std::string> lines;
  std::stringstream in(yaml);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string content = trim(lines[i]);
    if (content.starts_with("- ")) {
      content = trim(content.substr(2));
    }
    if (content.starts_with("record:") || content.starts_with("alert:")) {
      Rule rule;
      rule.record = content.starts_with("record:");
      rule.name = trim(content.substr(content.find(':') + 1));
      rules.push_back(rule);
      continue;
    }
    if (!content.starts_with("expr:") || rules.empty()) {
      continue;
    }
    std::string value = trim(content.substr(5));
    if (!value.empty() && (value[0] == '>' || value[0] == '|')) {
      const size_t key_indent = indentOf(lines[i]);
      value.clear();
      while (i + 1 < lines.size() &&
             (trim(lines[i + 1]).empty() || indentOf(lines[i + 1]) > key_indent)) {
        value.append(" ").append(trim(lines[++i]));
      }
    } else if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') &&
               value.back() == value[0]) {
      value = value.substr(1, value.size() - 2);
    }
    rules.back().expr = collapseSpaces(value);
  }
  return rules;
}

// Every identifier of a PromQL expression outside string literals and [durations].
std::vector<std::string> identifiers(const std::string& expr) {
  std::vector<std::string> out;
  for (size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      size_t j = i + 1;
      while (j < expr.size() && expr[j] != c) {
        j += expr[j] == '\\' ? 2 : 1;
      }
      i = j + 1;
    } else if (c == '[') {
      size_t j = expr.find(']', i);
      i = j == std::string::npos ? expr.size() : j + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':') {
      size_t j = i;
      while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) != 0 ||
                                 expr[j] == '_' || expr[j] == ':')) {
        ++j;
      }
      out.push_back(expr.substr(i, j - i));
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      while (i < expr.size() &&
             (std::isalnum(static_cast<unsigned char>(expr[i])) != 0 || expr[i] == '.')) {
        ++i;
      }
    } else {
      ++i;
    }
  }
  return out;
}

// Each meshlb_* selector of an expression with the label names of its matchers
// (meshlb_x{a="1",b=~"2"} gives meshlb_x -> {a, b}).
std::vector<std::pair<std::string, std::set<std::string>>> selectors(const std::string& expr) {
  std::vector<std::pair<std::string, std::set<std::string>>> out;
  size_t at = 0;
  while ((at = expr.find("meshlb_", at)) != std::string::npos) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(expr[at - 1])) != 0 ||
                   expr[at - 1] == '_' || expr[at - 1] == ':')) {
      at += 7;  // inside a longer name (a recording rule's, say)
      continue;
    }
    size_t end = at;
    while (end < expr.size() &&
           (std::isalnum(static_cast<unsigned char>(expr[end])) != 0 || expr[end] == '_')) {
      ++end;
    }
    std::pair<std::string, std::set<std::string>> selector{expr.substr(at, end - at), {}};
    if (end < expr.size() && expr[end] == ':') {
      at = end;  // a recording rule's name
      continue;
    }
    if (end < expr.size() && expr[end] == '{') {
      size_t close = expr.find('}', end);
      std::string matchers = expr.substr(end + 1, close - end - 1);
      // Label names precede an operator; values are quoted and skipped.
      for (size_t i = 0; i < matchers.size();) {
        if (matchers[i] == '"') {
          size_t j = i + 1;
          while (j < matchers.size() && matchers[j] != '"') {
            j += matchers[j] == '\\' ? 2 : 1;
          }
          i = j + 1;
        } else if (std::isalpha(static_cast<unsigned char>(matchers[i])) != 0 ||
                   matchers[i] == '_') {
          size_t j = i;
          while (
              j < matchers.size() &&
              (std::isalnum(static_cast<unsigned char>(matchers[j])) != 0 || matchers[j] == '_')) {
            ++j;
          }
          selector.second.insert(matchers.substr(i, j - i));
          i = j;
        } else {
          ++i;
        }
      }
      end = close;
    }
    out.push_back(std::move(selector));
    at = end;
  }
  return out;
}

// The metric families of a Prometheus text exposition, with the label names their samples carry.
struct Exposition {
  std::map<std::string, std::string> type;              // family -> counter, gauge, ...
  std::map<std::string, std::set<std::string>> labels;  // family -> label names
  // The family a sample or selector name belongs to ("" if none): histogram series add
  // _bucket, _sum and _count to the family's name.
  std::string familyOf(const std::string& name) const {
    if (type.contains(name)) {
      return name;
    }
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix)) {
        std::string base = name.substr(0, name.size() - std::string(suffix).size());
        auto it = type.find(base);
        if (it != type.end() && (it->second == "histogram" || it->second == "summary")) {
          return base;
        }
      }
    }
    return "";
  }
};

Exposition parseExposition(const std::string& text) {
  Exposition exposition;
  std::stringstream in(text);
  std::vector<std::string> samples;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE ")) {
      std::stringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      exposition.type[name] = type;
    } else if (!line.empty() && line[0] != '#') {
      samples.push_back(line);
    }
  }
  for (const std::string& sample : samples) {
    size_t name_end = sample.find_first_of("{ ");
    std::string family = exposition.familyOf(sample.substr(0, name_end));
    if (family.empty()) {
      continue;
    }
    std::set<std::string>& names = exposition.labels[family];
    if (name_end != std::string::npos && sample[name_end] == '{') {
      for (const auto& [ignored, labels] : selectors(
               std::string("meshlb_x")
                   .append(sample.substr(name_end, sample.find('}', name_end) - name_end + 1)))) {
        names.insert(labels.begin(), labels.end());
      }
    }
  }
  return exposition;
}

std::vector<const nlohmann::json*> allPanels(const nlohmann::json& dashboard) {
  std::vector<const nlohmann::json*> out;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& panels) {
    for (const nlohmann::json& panel : panels) {
      out.push_back(&panel);
      if (panel.contains("panels")) {
        walk(panel["panels"]);
      }
    }
  };
  if (dashboard.contains("panels")) {
    walk(dashboard["panels"]);  // pointers into `dashboard`: no copy
  }
  return out;
}

const nlohmann::json* templateVariable(const nlohmann::json& dashboard, const std::string& name) {
  for (const nlohmann::json& variable : dashboard["templating"]["list"]) {
    if (variable.value("name", "") == name) {
      return &variable;
    }
  }
  return nullptr;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

// A Grafana query as the rules file writes it: the dashboard's template variables at "All".
std::string asRuleExpr(const std::string& grafana_expr) {
  return collapseSpaces(replaceAll(replaceAll(grafana_expr, "$cluster", ".*"), "$host", ".*"));
}

TEST(EcosystemFilesTest, PrometheusRulesPassPromtoolAndTheirUnitTests) {
  ToolRun check = promtool({"check", "rules", configFile("meshlb-rules.yml")});
  EXPECT_EQ(check.code, 0) << check.describe();
  EXPECT_NE(check.out.find("SUCCESS"), std::string::npos) << check.describe();
  // Synthetic series through the rules: recorded values, alerts with their labels and
  // rendered annotations.
  ToolRun unit = promtool({"test", "rules", configFile("meshlb-rules.test.yml")});
  EXPECT_EQ(unit.code, 0) << unit.describe();

  std::vector<Rule> rules = parseRules(readFile(configFile("meshlb-rules.yml")));
  std::set<std::string> alerts;
  for (const Rule& rule : rules) {
    EXPECT_FALSE(rule.expr.empty()) << rule.name << " has no expr the line scan could read";
    if (!rule.record) {
      alerts.insert(rule.name);
    }
  }
  for (const char* name : {"MeshlbDown", "BackendUnhealthy", "HighErrorRatio", "HighP99Latency",
                           "CaptureDropping", "AlertNotificationsFailing", "ConfigReloadFailing"}) {
    EXPECT_TRUE(alerts.contains(name)) << "no alert " << name;
  }
  for (const Rule& rule : rules) {
    if (rule.name == "MeshlbDown") {
      EXPECT_EQ(rule.expr, "up{job=\"meshlb\"} == 0");
    }
  }
}

TEST(EcosystemFilesTest, PrometheusConfigLoadsTheRulesAndAlertmanager) {
  ToolRun check = promtool({"check", "config", configFile("prometheus.yml")});
  EXPECT_EQ(check.code, 0) << check.describe();
  // promtool checks the rule files a config names: the rules must be among them.
  EXPECT_NE(check.out.find("meshlb-rules.yml"), std::string::npos) << check.describe();
  std::string config = readFile(configFile("prometheus.yml"));
  EXPECT_NE(config.find("rule_files:"), std::string::npos);
  EXPECT_NE(config.find("127.0.0.1:9093"), std::string::npos);
}

TEST(EcosystemFilesTest, AlertmanagerConfigIsValidAndRoutesBySeverity) {
  const std::string installed_by =
      "the Debian package prometheus-alertmanager (scripts/install-deps.sh)";
  const std::string config = configFile("alertmanager.yml");
  ToolRun check = runTool(kAmtool, {"check-config", config}, installed_by);
  EXPECT_EQ(check.code, 0) << check.describe();
  EXPECT_NE(check.out.find("SUCCESS"), std::string::npos) << check.describe();
  // Labels as meshlb's own alerts carry them; amtool exits non-zero on another receiver.
  const std::vector<std::pair<std::string, std::vector<std::string>>> routes = {
      {"pager-webhook",
       {"alertname=BackendDown", "cluster=app", "host=10.0.0.1:80", "severity=critical"}},
      {"team-webhook",
       {"alertname=HighErrorRatio", "cluster=app", "host=10.0.0.1:80", "severity=warning"}},
      {"null", {"alertname=Something", "severity=info"}},
  };
  for (const auto& [receiver, labels] : routes) {
    std::vector<std::string> args = {"config", "routes", "test",
                                     std::string("--config.file=").append(config),
                                     std::string("--verify.receivers=").append(receiver)};
    args.insert(args.end(), labels.begin(), labels.end());
    ToolRun route = runTool(kAmtool, args, installed_by);
    EXPECT_EQ(route.code, 0) << receiver << ": " << route.describe();
  }
  std::string text = readFile(config);
  EXPECT_NE(text.find("inhibit_rules:"), std::string::npos);
  EXPECT_NE(text.find("alertname=\"BackendDown\""), std::string::npos);
  EXPECT_NE(text.find("equal: [cluster, host]"), std::string::npos);
}

TEST(EcosystemFilesTest, GrafanaQueriesAreRecordingRules) {
  nlohmann::json dashboard =
      nlohmann::json::parse(readFile(configFile("grafana/meshlb.json")), nullptr, false);
  ASSERT_TRUE(dashboard.is_object()) << "configs/grafana/meshlb.json is not JSON";
  EXPECT_GE(dashboard.value("schemaVersion", 0), 36);
  EXPECT_FALSE(dashboard.value("uid", "").empty());

  // Template variables: the data source, then cluster and host from label values.
  const nlohmann::json* datasource = templateVariable(dashboard, "datasource");
  ASSERT_NE(datasource, nullptr) << "no datasource variable";
  EXPECT_EQ(datasource->value("type", ""), "datasource");
  EXPECT_EQ(datasource->value("query", ""), "prometheus");
  for (const char* name : {"cluster", "host"}) {
    const nlohmann::json* variable = templateVariable(dashboard, name);
    ASSERT_NE(variable, nullptr) << "no " << name << " variable";
    EXPECT_EQ(variable->value("type", ""), "query") << name;
    EXPECT_TRUE(variable->value("definition", "").starts_with("label_values(")) << name;
    EXPECT_EQ((*variable)["datasource"].value("uid", ""), "${datasource}") << name;
    // "All" must be the regex the rules file stands in for it.
    EXPECT_TRUE(variable->value("includeAll", false)) << name;
    EXPECT_EQ(variable->value("allValue", ""), ".*") << name;
  }

  std::set<std::string> recorded;
  for (const Rule& rule : parseRules(readFile(configFile("meshlb-rules.yml")))) {
    if (rule.record) {
      recorded.insert(rule.expr);
    }
  }
  ASSERT_FALSE(recorded.empty());
  size_t queries = 0;
  std::set<int> ids;
  std::string titles;
  for (const nlohmann::json* panel : allPanels(dashboard)) {
    EXPECT_TRUE(ids.insert(panel->value("id", -1)).second) << "duplicate panel id";
    EXPECT_TRUE(panel->contains("gridPos")) << panel->value("title", "");
    titles.append(panel->value("title", "")).append("\n");
    for (const nlohmann::json& target : panel->value("targets", nlohmann::json::array())) {
      const std::string expr = target.value("expr", "");
      const std::string where = std::string("panel \"")
                                    .append(panel->value("title", ""))
                                    .append("\" target ")
                                    .append(target.value("refId", ""));
      ASSERT_FALSE(expr.empty()) << where;
      ++queries;
      EXPECT_EQ(target["datasource"].value("uid", ""), "${datasource}") << where;
      const std::string rule_expr = asRuleExpr(expr);
      EXPECT_EQ(rule_expr.find('$'), std::string::npos)
          << where << " uses a variable other than $cluster and $host: " << expr;
      EXPECT_TRUE(recorded.contains(rule_expr))
          << where << ": no recording rule in configs/meshlb-rules.yml has the expr\n  "
          << rule_expr;
    }
  }
  EXPECT_GE(queries, 10u);
  for (const char* title :
       {"Request rate", "Error ratio", "p99", "Healthy hosts", "Active connections", "Network RTT",
        "Retransmit", "anomalies", "alerts", "Notification failures"}) {
    EXPECT_NE(titles.find(title), std::string::npos) << "no panel titled *" << title << "*";
  }
}

// Every metric the rules and the dashboard's variables name is one that a live meshlb exports,
// with the labels they match on. The meshlb runs with what makes every family appear: capture
// (on lo; needs root or CAP_NET_RAW, as `make test` has), a notifier, and traffic.
TEST(EcosystemFilesTest, EveryMetricTheRulesUseIsExported) {
  std::vector<Rule> rules = parseRules(readFile(configFile("meshlb-rules.yml")));
  std::set<std::string> recorded_names;
  for (const Rule& rule : rules) {
    if (rule.record) {
      recorded_names.insert(rule.name);
    }
  }
  std::vector<std::pair<std::string, std::string>> exprs;  // where, expr
  for (const Rule& rule : rules) {
    exprs.emplace_back(std::string("rule ").append(rule.name), rule.expr);
  }
  nlohmann::json dashboard =
      nlohmann::json::parse(readFile(configFile("grafana/meshlb.json")), nullptr, false);
  ASSERT_TRUE(dashboard.is_object());
  std::vector<std::pair<std::string, std::string>> variable_labels;  // family, label
  for (const char* name : {"cluster", "host"}) {
    const nlohmann::json* variable = templateVariable(dashboard, name);
    ASSERT_NE(variable, nullptr);
    std::string query = asRuleExpr(variable->value("definition", ""));
    exprs.emplace_back(std::string("dashboard variable ").append(name), query);
    std::vector<std::string> words = identifiers(query);
    ASSERT_GE(words.size(), 3u) << query;  // label_values, the metric, ..., the label
    variable_labels.emplace_back(words[1], words.back());
  }

  std::set<std::string> needed;
  for (const auto& [where, expr] : exprs) {
    for (const std::string& word : identifiers(expr)) {
      if (word.find(':') != std::string::npos) {
        EXPECT_TRUE(recorded_names.contains(word))
            << where << " uses " << word << ", which no recording rule defines";
      } else if (word.starts_with("meshlb_")) {
        needed.insert(word);
      }
    }
  }
  ASSERT_GE(needed.size(), 15u);

  TestUpstream backend("ecosystem-backend");
  nlohmann::json config = {
      {"workers", 1},
      {"capture", {{"interfaces", {"lo"}}, {"report_interval_ms", 200}}},
      {"alerting",
       {{"notifiers",
         {{{"name", "am"},
           {"type", "alertmanager"},
           {"urls", {std::string("http://127.0.0.1:").append(std::to_string(freePort()))}}}}}}},
      {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
      {"clusters", {clusterOf("app", {&backend})}}};
  Meshlb meshlb(config);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  for (int i = 0; i < 5; ++i) {
    auto response = httpGet(meshlb.listenerPort(0), "/");
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }

  // Capture and notifier series appear with their first report: poll until every family does.
  Exposition exposition;
  std::vector<std::string> missing;
  auto deadline = Clock::now() + std::chrono::seconds(10);
  do {
    auto metrics = httpGet(meshlb.adminPort(), "/metrics");
    ASSERT_TRUE(metrics.has_value());
    ASSERT_EQ(metrics->status, 200);
    exposition = parseExposition(metrics->body);
    missing.clear();
    for (const std::string& name : needed) {
      std::string family = exposition.familyOf(name);
      if (family.empty() || !exposition.labels.contains(family)) {
        missing.push_back(name);
      }
    }
    if (!missing.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  } while (!missing.empty() && Clock::now() < deadline);
  for (const std::string& name : missing) {
    ADD_FAILURE() << name << " is used by configs/meshlb-rules.yml or the dashboard but not "
                  << "exported by meshlb (capture metrics need root or CAP_NET_RAW)";
  }
  EXPECT_NE(meshlb.stderrLog().find("capture on"), std::string::npos) << meshlb.stderrLog();

  // The labels each selector matches on exist on that family.
  for (const auto& [where, expr] : exprs) {
    for (const auto& [name, labels] : selectors(expr)) {
      std::string family = exposition.familyOf(name);
      if (family.empty()) {
        continue;  // reported above
      }
      for (const std::string& label : labels) {
        if (label == "le" && name.ends_with("_bucket")) {
          continue;
        }
        EXPECT_TRUE(exposition.labels[family].contains(label))
            << where << ": " << name << " has no label " << label;
      }
    }
  }
  for (const auto& [name, label] : variable_labels) {
    EXPECT_TRUE(exposition.labels[exposition.familyOf(name)].contains(label))
        << "dashboard variable: " << name << " has no label " << label;
  }
}

// Each example config passes `meshlb --validate`. --validate loads TLS certificates and keys
// (and checks that they match), so listeners' certificate paths are pointed at a throwaway
// self-signed pair in a temporary copy.
TEST(EcosystemFilesTest, ExampleConfigsValidate) {
  const std::string examples = configFile("examples");
  for (const char* name : {"https-tls.json", "tcp-database.json", "canary-weights.json"}) {
    EXPECT_TRUE(std::filesystem::exists(examples + "/" + name)) << name;
  }
  const std::string dir = tempPath("tls");
  std::filesystem::create_directories(dir);
  bool have_certificate = false;
  auto certificate = [&]() {
    if (!have_certificate) {
      ToolRun made =
          runTool(kOpenssl,
                  {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "1",
                   "-subj", "/CN=www.example.com", "-addext",
                   "subjectAltName=DNS:www.example.com,DNS:api.example.com"},
                  "the Debian package openssl (scripts/install-deps.sh)");
      EXPECT_EQ(made.code, 0) << made.describe();
      have_certificate = true;
    }
  };

  size_t validated = 0;
  size_t tls_listeners = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    const std::string name = entry.path().filename().string();
    nlohmann::json config = nlohmann::json::parse(readFile(entry.path()), nullptr, false);
    ASSERT_TRUE(config.is_object()) << name << " is not JSON";
    std::string path = entry.path().string();
    bool rewritten = false;
    for (nlohmann::json& listener : config["listeners"]) {
      if (!listener.contains("tls")) {
        continue;
      }
      ++tls_listeners;
      certificate();
      for (nlohmann::json& pair : listener["tls"]["certificates"]) {
        EXPECT_TRUE(pair.value("cert_file", "").starts_with("/etc/meshlb/")) << name;
        pair["cert_file"] = dir + "/cert.pem";
        pair["key_file"] = dir + "/key.pem";
        rewritten = true;
      }
    }
    if (rewritten) {
      path = dir + "/" + name;
      std::ofstream(path) << config.dump(2);
    }
    ToolRun run = runTool(MESHLB_BINARY, {"--validate", "--config", path}, "(build meshlb)");
    EXPECT_EQ(run.code, 0) << name << ": " << run.describe();
    EXPECT_NE(run.out.find("configuration is valid"), std::string::npos) << name;
    ++validated;
  }
  EXPECT_GE(validated, 3u);
  EXPECT_GE(tls_listeners, 1u) << "https-tls.json has no TLS listener";

  // What each example is about.
  nlohmann::json tls = nlohmann::json::parse(readFile(examples + "/https-tls.json"));
  EXPECT_EQ(tls["listeners"][0].value("protocol", ""), "http");
  EXPECT_TRUE(tls["listeners"][0].contains("tls"));
  nlohmann::json database = nlohmann::json::parse(readFile(examples + "/tcp-database.json"));
  EXPECT_EQ(database["listeners"][0].value("protocol", ""), "tcp");
  EXPECT_TRUE(database["listeners"][0].value("address", "").ends_with(":5432"));
  EXPECT_EQ(database["clusters"][0].value("lb_policy", ""), "least_request");
  EXPECT_EQ(database["clusters"][0]["health_check"].value("type", ""), "tcp");
  for (const nlohmann::json& host : database["clusters"][0]["hosts"]) {
    EXPECT_TRUE(host.value("address", "").ends_with(":5432"));
  }
  // The canary split: the hosts of cluster app-canary carry 5 % of cluster app's weight.
  nlohmann::json canary = nlohmann::json::parse(readFile(examples + "/canary-weights.json"));
  std::set<std::string> canary_hosts;
  for (const nlohmann::json& cluster : canary["clusters"]) {
    if (cluster["name"] == "app-canary") {
      for (const nlohmann::json& host : cluster["hosts"]) {
        canary_hosts.insert(host["address"].get<std::string>());
      }
    }
  }
  double total = 0;
  double canary_weight = 0;
  for (const nlohmann::json& cluster : canary["clusters"]) {
    if (cluster["name"] == "app") {
      for (const nlohmann::json& host : cluster["hosts"]) {
        double weight = host.value("weight", 1);
        total += weight;
        if (canary_hosts.contains(host["address"].get<std::string>())) {
          canary_weight += weight;
        }
      }
    }
  }
  ASSERT_GT(total, 0);
  EXPECT_DOUBLE_EQ(canary_weight / total, 0.05);
  std::filesystem::remove_all(dir);
}

TEST(EcosystemFilesTest, SystemdUnitReloadsWithHupAndIsHardened) {
  const std::string unit = readFile(configFile("meshlb.service"));
  ASSERT_FALSE(unit.empty());
  std::multimap<std::string, std::string> keys;
  std::stringstream in(unit);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    size_t equals = line.find('=');
    if (line.empty() || line[0] == '#' || line[0] == '[' || equals == std::string::npos) {
      continue;
    }
    keys.emplace(line.substr(0, equals), line.substr(equals + 1));
  }
  auto values = [&](const std::string& key) {
    std::string all;
    auto [first, last] = keys.equal_range(key);
    for (auto it = first; it != last; ++it) {
      all.append(it->second).append("\n");
    }
    return all;
  };
  EXPECT_EQ(values("ExecStart"), "/usr/local/bin/meshlb --config /etc/meshlb/meshlb.json\n");
  EXPECT_NE(values("ExecStartPre").find("meshlb --validate --config /etc/meshlb/meshlb.json"),
            std::string::npos);
  EXPECT_NE(values("ExecReload").find("/bin/kill -HUP $MAINPID"), std::string::npos);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Restart", "on-failure"},
      {"User", "meshlb"},
      {"NoNewPrivileges", "yes"},
      {"ProtectSystem", "strict"},
      {"ProtectHome", "yes"},
      {"PrivateTmp", "yes"},
      {"StateDirectory", "meshlb"},
      {"LimitNOFILE", "1048576"},
      {"SystemCallArchitectures", "native"},
  };
  for (const auto& [key, value] : expected) {
    EXPECT_EQ(values(key), value + "\n") << key;
  }
  for (const char* key : {"AmbientCapabilities", "CapabilityBoundingSet"}) {
    std::set<std::string> capabilities;
    std::stringstream words(values(key));
    for (std::string word; words >> word;) {
      capabilities.insert(word);
    }
    EXPECT_EQ(capabilities,
              (std::set<std::string>{"CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_NET_ADMIN"}))
        << key;
  }
  std::set<std::string> families;
  std::stringstream words(values("RestrictAddressFamilies"));
  for (std::string word; words >> word;) {
    families.insert(word);
  }
  EXPECT_EQ(families,
            (std::set<std::string>{"AF_INET", "AF_INET6", "AF_UNIX", "AF_PACKET", "AF_NETLINK"}));

  // systemd's own parser, where systemd is installed (it is not in every container): on a copy
  // whose binary path exists here, since verify checks that ExecStart= is executable.
  if (access(kSystemdAnalyze, X_OK) == 0) {
    const std::string copy = tempPath("meshlb.service");
    std::ofstream(copy) << replaceAll(unit, "/usr/local/bin/meshlb", MESHLB_BINARY);
    ToolRun verify = runTool(kSystemdAnalyze, {"verify", copy}, "systemd");
    EXPECT_EQ(verify.code, 0) << verify.describe();
    EXPECT_EQ(verify.err, "") << verify.describe();
    std::filesystem::remove(copy);
  } else {
    std::cout << kSystemdAnalyze << " is not installed: the unit was checked as text only\n";
  }
}

}  // namespace
}  // namespace meshlb::testing
