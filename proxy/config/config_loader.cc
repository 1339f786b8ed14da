#include "proxy/config/config_loader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "common/log.h"
#include "proxy/config/config_sections.h"
#include "proxy/config/json_reader.h"

namespace meshlb::config {
namespace {

using nlohmann::json;

constexpr uint32_t kMaxTimeoutMs = 24 * 3600 * 1000;

void readAddress(JsonObjectReader& reader, const char* key, SocketAddress& out, bool required,
                 std::string* text_out = nullptr) {
  std::string text;
  reader.string(key, text, required);
  if (text.empty()) {
    return;
  }
  Result<SocketAddress> parsed = parseSocketAddress(text);
  if (!parsed) {
    reader.error(key, parsed.error().message);
    return;
  }
  out = parsed.value();
  if (text_out != nullptr) {
    *text_out = text;
  }
}

bool validHostPattern(const std::string& host) {
  if (host == "*") {
    return true;
  }
  std::string_view rest = host;
  if (rest.starts_with("*.")) {
    rest.remove_prefix(2);
  }
  if (rest.empty()) {
    return false;
  }
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':';
  });
}

void readRoute(const json& node, const std::string& path, ListenerConfig& listener,
               std::vector<ConfigError>& errors) {
  JsonObjectReader reader(node, path, errors);
  if (!reader.valid()) {
    return;
  }
  RouteConfig route;
  reader.string("host", route.host);
  reader.string("path_prefix", route.path_prefix);
  reader.string("cluster", route.cluster, true);
  reader.finish();
  std::transform(route.host.begin(), route.host.end(), route.host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (!validHostPattern(route.host)) {
    reader.error("host", "expected \"*\", an exact host name or \"*.suffix\"");
  }
  if (route.path_prefix.empty() || route.path_prefix.front() != '/') {
    reader.error("path_prefix", "must start with '/'");
  }
  listener.routes.push_back(std::move(route));
}

void readVersions(JsonObjectReader& reader, std::string& min_version, std::string& max_version) {
  reader.string("min_version", min_version);
  reader.string("max_version", max_version);
  if (min_version != "1.2" && min_version != "1.3") {
    reader.error("min_version", "expected \"1.2\" or \"1.3\"");
  }
  if (!max_version.empty() && max_version != "1.2" && max_version != "1.3") {
    reader.error("max_version", "expected \"1.2\" or \"1.3\"");
  }
}

void readServerTls(JsonObjectReader& reader, ListenerConfig& listener) {
  tls::ServerTlsConfig tls;
  size_t errors_before = reader.errors().size();
  reader.array("certificates", true, [&](const json& node, const std::string& cert_path) {
    JsonObjectReader cert(node, cert_path, reader.errors());
    if (!cert.valid()) {
      return;
    }
    tls::CertificateFiles files;
    cert.string("cert_file", files.cert_file, true);
    cert.string("key_file", files.key_file, true);
    cert.finish();
    if (auto warning = tls::TlsContext::keyFilePermissionWarning(files.key_file)) {
      LOG_WARN("%s.key_file: %s", cert_path.c_str(), warning->c_str());
    }
    tls.certificates.push_back(std::move(files));
  });
  readVersions(reader, tls.min_version, tls.max_version);
  reader.boolean("session_tickets", tls.session_tickets);
  if (tls.certificates.empty() || errors_before != reader.errors().size()) {
    return;
  }
  auto context = tls::TlsContext::makeServer(tls);
  if (!context) {
    reader.error("certificates", context.error().message);
    return;
  }
  listener.tls = context.value();
}

void readClientTls(JsonObjectReader& reader, ClusterConfig& cluster) {
  tls::ClientTlsConfig tls;
  reader.string("sni", tls.sni);
  reader.string("ca_file", tls.ca_file);
  reader.boolean("verify", tls.verify);
  reader.string("cert_file", tls.cert_file);
  reader.string("key_file", tls.key_file);
  readVersions(reader, tls.min_version, tls.max_version);
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    reader.error("cert_file", "a client certificate needs both cert_file and key_file");
    return;
  }
  if (!tls.key_file.empty()) {
    if (auto warning = tls::TlsContext::keyFilePermissionWarning(tls.key_file)) {
      LOG_WARN("%s: %s", reader.pathOf("key_file").c_str(), warning->c_str());
    }
  }
  auto context = tls::TlsContext::makeClient(tls);
  if (!context) {
    reader.error(tls.ca_file.empty() ? "cert_file" : "ca_file", context.error().message);
    return;
  }
  cluster.tls = context.value();
}

void readListener(const json& node, const std::string& path, Config& config,
                  std::vector<ConfigError>& errors) {
  JsonObjectReader reader(node, path, errors);
  if (!reader.valid()) {
    return;
  }
  ListenerConfig listener;
  reader.string("name", listener.name, true);
  readAddress(reader, "address", listener.address, true);
  std::string protocol = "http";
  reader.string("protocol", protocol);
  if (protocol == "http") {
    listener.protocol = Protocol::kHttp;
  } else if (protocol == "tcp") {
    listener.protocol = Protocol::kTcp;
  } else {
    reader.error("protocol", "expected \"http\" or \"tcp\"");
  }
  reader.array("routes", false, [&](const json& route, const std::string& route_path) {
    readRoute(route, route_path, listener, errors);
  });
  reader.string("cluster", listener.cluster);
  reader.uint("header_timeout_ms", listener.header_timeout_ms, 1, kMaxTimeoutMs);
  reader.uint("idle_timeout_ms", listener.idle_timeout_ms, 1, kMaxTimeoutMs);
  reader.uint("request_timeout_ms", listener.request_timeout_ms, 0, kMaxTimeoutMs);
  reader.uint("max_connections", listener.max_connections, 0, 10'000'000);
  reader.object("tls", [&](JsonObjectReader& nested) { readServerTls(nested, listener); });
  reader.uint("max_request_line_bytes", listener.limits.max_request_line_bytes, 64, 1 << 20);
  reader.uint("max_header_bytes", listener.limits.max_header_bytes, 256, 1 << 24);
  reader.uint("max_headers", listener.limits.max_headers, 1, 10'000);
  reader.finish();

  if (listener.protocol == Protocol::kHttp) {
    if (!reader.has("routes")) {
      reader.error("routes", "an http listener needs routes");
    } else if (node["routes"].is_array() && node["routes"].empty()) {
      reader.error("routes", "must not be empty");
    }
    if (reader.has("cluster")) {
      reader.error("cluster", "an http listener routes with \"routes\", not \"cluster\"");
    }
  } else {
    if (listener.cluster.empty()) {
      reader.error("cluster",
                   reader.has("cluster") ? "must not be empty" : "a tcp listener needs a cluster");
    }
    if (reader.has("routes")) {
      reader.error("routes", "a tcp listener has no routes; use \"cluster\"");
    }
  }
  config.listeners.push_back(std::move(listener));
}

void readHost(const json& node, const std::string& path, ClusterConfig& cluster,
              std::vector<ConfigError>& errors) {
  JsonObjectReader reader(node, path, errors);
  if (!reader.valid()) {
    return;
  }
  HostConfig host;
  readAddress(reader, "address", host.address, true, &host.address_text);
  reader.uint("weight", host.weight, 1, 1000);
  reader.boolean("draining", host.draining);
  reader.finish();
  if (host.address.length != 0 && host.address.port() == 0) {
    reader.error("address", "port 0 is not a backend port");
  }
  cluster.hosts.push_back(std::move(host));
}

void readHashPolicy(JsonObjectReader& reader, ClusterConfig& cluster) {
  std::string header;
  reader.string("header", header);
  std::string source;
  reader.string("source", source);
  if (!header.empty()) {
    cluster.hash_policy.source = HashPolicy::Source::kHeader;
    std::transform(header.begin(), header.end(), header.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    cluster.hash_policy.header = header;
    if (!source.empty() && source != "header") {
      reader.error("source", "\"header\" is set, so source must be \"header\" or absent");
    }
  } else if (source.empty() || source == "source_ip") {
    cluster.hash_policy.source = HashPolicy::Source::kSourceIp;
  } else {
    reader.error("source", "expected \"source_ip\" or a \"header\" name");
  }
}

void readStatusRanges(JsonObjectReader& reader, HealthCheckConfig& check) {
  if (!reader.has("expected_statuses")) {
    return;
  }
  check.expected_statuses.clear();
  reader.array("expected_statuses", true, [&](const json& range, const std::string& range_path) {
    // Either a status (200) or an inclusive range ([200, 299]).
    if (range.is_number_unsigned() && range.get<uint32_t>() >= 100 && range.get<uint32_t>() < 600) {
      check.expected_statuses.emplace_back(range.get<uint32_t>(), range.get<uint32_t>());
    } else if (range.is_array() && range.size() == 2 && range[0].is_number_unsigned() &&
               range[1].is_number_unsigned() && range[0].get<uint32_t>() >= 100 &&
               range[0].get<uint32_t>() <= range[1].get<uint32_t>() &&
               range[1].get<uint32_t>() < 600) {
      check.expected_statuses.emplace_back(range[0].get<uint32_t>(), range[1].get<uint32_t>());
    } else {
      reader.errors().push_back({range_path, "expected a status or [first, last] within 100..599"});
    }
  });
}

void readHealthCheck(JsonObjectReader& reader, ClusterConfig& cluster) {
  HealthCheckConfig check;
  std::string type = "tcp";
  reader.string("type", type);
  if (type == "http") {
    check.type = HealthCheckConfig::Type::kHttp;
  } else if (type != "tcp") {
    reader.error("type", "expected \"tcp\" or \"http\"");
  }
  reader.string("method", check.method);
  if (check.method != "GET" && check.method != "HEAD" && check.method != "OPTIONS") {
    reader.error("method", "expected \"GET\", \"HEAD\" or \"OPTIONS\"");
  }
  reader.string("path", check.path);
  if (check.path.empty() || check.path.front() != '/') {
    reader.error("path", "must start with '/'");
  }
  reader.string("host", check.host);
  reader.uint("interval_ms", check.interval_ms, 10, kMaxTimeoutMs);
  reader.uint("jitter_ms", check.jitter_ms, 0, kMaxTimeoutMs);
  reader.uint("timeout_ms", check.timeout_ms, 1, kMaxTimeoutMs);
  reader.uint("unhealthy_threshold", check.unhealthy_threshold, 1, 1000);
  reader.uint("healthy_threshold", check.healthy_threshold, 1, 1000);
  readStatusRanges(reader, check);
  if (type == "tcp" &&
      (reader.has("path") || reader.has("host") || reader.has("expected_statuses"))) {
    reader.error("type", "path, host and expected_statuses need \"type\": \"http\"");
  }
  cluster.health_check = check;
}

void readOutlierDetection(JsonObjectReader& reader, ClusterConfig& cluster) {
  OutlierDetectionConfig outlier;
  reader.uint("consecutive_5xx", outlier.consecutive_5xx, 0, 100'000);
  reader.uint("consecutive_gateway_failure", outlier.consecutive_gateway_failure, 0, 100'000);
  reader.uint("base_ejection_ms", outlier.base_ejection_ms, 1, kMaxTimeoutMs);
  reader.uint("max_ejection_ms", outlier.max_ejection_ms, 1, kMaxTimeoutMs);
  reader.uint("max_ejection_percent", outlier.max_ejection_percent, 0, 100);
  cluster.outlier_detection = outlier;
}

void readRetryPolicy(JsonObjectReader& reader, ClusterConfig& cluster) {
  RetryPolicyConfig retry;
  reader.array("retry_on", true, [&](const json& condition, const std::string& condition_path) {
    std::string name = condition.is_string() ? condition.get<std::string>() : "";
    if (name == "connect-failure") {
      retry.on_connect_failure = true;
    } else if (name == "reset") {
      retry.on_reset = true;
    } else if (name == "5xx") {
      retry.on_5xx = true;
    } else if (name == "gateway-error") {
      retry.on_gateway_error = true;
    } else {
      reader.errors().push_back(
          {condition_path,
           "expected \"connect-failure\", \"reset\", \"5xx\" or \"gateway-error\""});
    }
  });
  reader.uint("max_retries", retry.max_retries, 0, 10);
  reader.uint("per_try_timeout_ms", retry.per_try_timeout_ms, 0, kMaxTimeoutMs);
  reader.uint("budget_percent", retry.budget_percent, 0, 100);
  reader.uint("min_retry_concurrency", retry.min_retry_concurrency, 0, 100'000);
  cluster.retry_policy = retry;
}

void readCircuitBreakers(JsonObjectReader& reader, ClusterConfig& cluster) {
  CircuitBreakersConfig& limits = cluster.circuit_breakers;
  reader.uint("max_connections", limits.max_connections, 0, 10'000'000);
  reader.uint("max_pending_requests", limits.max_pending_requests, 0, 10'000'000);
  reader.uint("max_requests", limits.max_requests, 0, 10'000'000);
}

void readCluster(const json& node, const std::string& path, Config& config,
                 std::vector<ConfigError>& errors) {
  JsonObjectReader reader(node, path, errors);
  if (!reader.valid()) {
    return;
  }
  ClusterConfig cluster;
  reader.string("name", cluster.name, true);
  std::string policy = "round_robin";
  reader.string("lb_policy", policy);
  if (auto parsed = lb::parseLbPolicy(policy)) {
    cluster.lb_policy = *parsed;
  } else {
    reader.error("lb_policy", "unknown policy \"" + policy +
                                  "\" (round_robin, least_request, random, ring_hash, maglev)");
  }
  reader.object("hash_policy", [&](JsonObjectReader& nested) { readHashPolicy(nested, cluster); });
  reader.uint("connect_timeout_ms", cluster.connect_timeout_ms, 1, kMaxTimeoutMs);
  reader.uint("upstream_idle_timeout_ms", cluster.upstream_idle_timeout_ms, 1, kMaxTimeoutMs);
  reader.uint("max_idle_connections_per_host", cluster.max_idle_connections_per_host, 0, 100'000);
  reader.uint("panic_threshold_percent", cluster.panic_threshold_percent, 0, 100);
  reader.object("health_check",
                [&](JsonObjectReader& nested) { readHealthCheck(nested, cluster); });
  reader.object("outlier_detection",
                [&](JsonObjectReader& nested) { readOutlierDetection(nested, cluster); });
  reader.object("retry_policy",
                [&](JsonObjectReader& nested) { readRetryPolicy(nested, cluster); });
  reader.object("circuit_breakers",
                [&](JsonObjectReader& nested) { readCircuitBreakers(nested, cluster); });
  reader.object("tls", [&](JsonObjectReader& nested) { readClientTls(nested, cluster); });
  // Required, but may be empty: a cluster without hosts is valid and answers 503.
  if (!reader.has("hosts")) {
    reader.error("hosts", "is required");
  }
  reader.array("hosts", false, [&](const json& host, const std::string& host_path) {
    readHost(host, host_path, cluster, errors);
  });
  reader.finish();
  config.clusters.push_back(std::move(cluster));
}

// Cross-references: names unique, every route and tcp listener names an existing cluster.
void resolveReferences(Config& config, std::vector<ConfigError>& errors) {
  std::map<std::string, uint32_t> cluster_index;
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    const std::string& name = config.clusters[i].name;
    if (name.empty()) {
      continue;
    }
    if (!cluster_index.emplace(name, static_cast<uint32_t>(i)).second) {
      errors.push_back(
          {"clusters[" + std::to_string(i) + "].name", "duplicate cluster name \"" + name + "\""});
    }
  }
  std::map<std::string, size_t> listener_names;
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    ListenerConfig& listener = config.listeners[i];
    std::string path = "listeners[" + std::to_string(i) + "]";
    if (!listener.name.empty() && !listener_names.emplace(listener.name, i).second) {
      errors.push_back({path + ".name", "duplicate listener name \"" + listener.name + "\""});
    }
    for (size_t j = 0; j < listener.routes.size(); ++j) {
      RouteConfig& route = listener.routes[j];
      auto it = cluster_index.find(route.cluster);
      if (it == cluster_index.end()) {
        if (!route.cluster.empty()) {
          errors.push_back({path + ".routes[" + std::to_string(j) + "].cluster",
                            "no cluster named \"" + route.cluster + "\""});
        }
      } else {
        route.cluster_index = it->second;
      }
    }
    if (listener.protocol == Protocol::kTcp && !listener.cluster.empty()) {
      auto it = cluster_index.find(listener.cluster);
      if (it == cluster_index.end()) {
        errors.push_back({path + ".cluster", "no cluster named \"" + listener.cluster + "\""});
      } else {
        listener.cluster_index = it->second;
      }
    }
  }
  // Two listeners on one address would silently share the port through SO_REUSEPORT.
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const SocketAddress& a = config.listeners[i].address;
      if (a.length != 0 && a.toString() == config.listeners[j].address.toString()) {
        errors.push_back({"listeners[" + std::to_string(i) + "].address",
                          "same address as listeners[" + std::to_string(j) + "]"});
      }
    }
    if (config.listeners[i].address.toString() == config.admin.address.toString()) {
      errors.push_back(
          {"listeners[" + std::to_string(i) + "].address", "same address as the admin listener"});
    }
  }
}

void readCapture(JsonObjectReader& reader, CaptureConfig& capture) {
  reader.array("interfaces", true, [&](const json& node, const std::string& path) {
    if (!node.is_string() || node.get<std::string>().empty()) {
      reader.errors().push_back({path, "an interface name (a non-empty string)"});
      return;
    }
    capture.interfaces.push_back(node.get<std::string>());
  });
  if (reader.has("interfaces") && capture.interfaces.empty()) {
    reader.error("interfaces", "at least one interface");
  }
  reader.string("filter", capture.filter);
  reader.uint("snaplen", capture.snaplen, 64, 65535);
  reader.uint("buffer_mb", capture.buffer_mb, 1, 1024);
  reader.uint("max_flows", capture.max_flows, 1, 50'000'000);
  reader.boolean("immediate", capture.immediate);
  reader.uint("idle_timeout_ms", capture.idle_timeout_ms, 100, kMaxTimeoutMs);
  reader.uint("report_interval_ms", capture.report_interval_ms, 100, kMaxTimeoutMs);
}

void readAnalytics(JsonObjectReader& reader, AnalyticsConfig& analytics) {
  reader.boolean("enabled", analytics.enabled);
  std::string sensitivity = "medium";
  reader.string("sensitivity", sensitivity);
  if (sensitivity == "low") {
    analytics.sensitivity = AnalyticsConfig::Sensitivity::kLow;
  } else if (sensitivity == "medium") {
    analytics.sensitivity = AnalyticsConfig::Sensitivity::kMedium;
  } else if (sensitivity == "high") {
    analytics.sensitivity = AnalyticsConfig::Sensitivity::kHigh;
  } else {
    reader.error("sensitivity", "unknown sensitivity \"" + sensitivity + "\" (low, medium, high)");
  }
  reader.uint("warmup_s", analytics.warmup_s, 5, 3'600);
  reader.uint("max_series", analytics.max_series, 100, 1'000'000);
  reader.uint("retention_after_removal_s", analytics.retention_after_removal_s, 0, 86'400);
  reader.uint("correlation_window_s", analytics.correlation_window_s, 20, 600);
  reader.uint("recent_anomalies", analytics.recent_anomalies, 10, 100'000);
}

}  // namespace

LoadResult loadConfigFromString(std::string_view json_text) {
  LoadResult result;
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (root.is_discarded()) {
    // Parse again with exceptions to learn where: the message carries the byte offset.
    try {
      json again = json::parse(json_text, nullptr, true, true);
    } catch (const json::exception& e) {
      // parse_error, and out_of_range for a number no double holds (1e400): both are the
      // file's fault, never a reason to stop a running proxy on reload.
      result.errors.push_back({"", std::string("invalid JSON: ") + e.what()});
      return result;
    }
    result.errors.push_back({"", "invalid JSON"});
    return result;
  }

  auto config = std::make_shared<Config>();
  config->source_text = json_text;
  config->admin.address = parseSocketAddress("127.0.0.1:9901").value();
  std::vector<ConfigError>& errors = result.errors;
  JsonObjectReader reader(root, "", errors);
  if (!reader.valid()) {
    return result;
  }
  reader.object("admin", [&](JsonObjectReader& admin) {
    readAddress(admin, "address", config->admin.address, false);
    admin.string("token_file", config->admin.token_file);
    admin.boolean("protect_reads", config->admin.protect_reads);
  });
  reader.uint("workers", config->workers, 0, 256);
  reader.uint("drain_timeout_ms", config->drain_timeout_ms, 0, kMaxTimeoutMs);
  reader.object("access_log",
                [&](JsonObjectReader& log) { log.string("path", config->access_log.path, true); });
  reader.object("capture", [&](JsonObjectReader& capture) {
    readCapture(capture, config->capture.emplace());
  });
  reader.object("analytics",
                [&](JsonObjectReader& analytics) { readAnalytics(analytics, config->analytics); });
  reader.array("listeners", true, [&](const json& node, const std::string& path) {
    readListener(node, path, *config, errors);
  });
  reader.array("clusters", true, [&](const json& node, const std::string& path) {
    readCluster(node, path, *config, errors);
  });
  for (const auto& [name, validate] : registeredConfigSections()) {
    if (const json* section = reader.raw(name.c_str())) {
      const size_t before = errors.size();
      validate(*section, errors);
      if (errors.size() == before) {
        config->module_sections.emplace(name, *section);
      }
    }
  }
  reader.finish();
  resolveReferences(*config, errors);
  if (errors.empty()) {
    result.config = std::move(config);
  }
  return result;
}

LoadResult loadConfigFromFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    LoadResult result;
    result.errors.push_back({"", "cannot read config file " + path});
    return result;
  }
  std::stringstream text;
  text << file.rdbuf();
  return loadConfigFromString(text.str());
}

}  // namespace meshlb::config
