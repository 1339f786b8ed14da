#include "admin/alerting_api.h"

#include <charconv>

#include "admin/admin_error.h"
#include "admin/time_param.h"

namespace meshlb::admin {
namespace {

using alerting::ApiAnswer;

AdminResponse answer(const ApiAnswer& result) {
  return jsonAnswer(result.status, result.body);
}

std::optional<nlohmann::json> parseBody(const AdminRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return std::nullopt;
  }
  return body;
}

AdminResponse badBody() {
  return adminError(400, "bad_request", "the body must be a JSON object");
}

std::optional<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "1") {
    return true;
  }
  if (text == "false" || text == "0") {
    return false;
  }
  return std::nullopt;
}

std::optional<size_t> parseLimit(std::string_view text, size_t max) {
  size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<AdminResponse> AlertingApi::handle(const AdminRequest& request) const {
  const std::string& path = request.path;
  const bool alerts_path = path == "/alerts" || path.starts_with("/alerts/");
  const bool silences_path = path == "/silences" || path.starts_with("/silences/");
  if (!alerts_path && !silences_path) {
    return std::nullopt;
  }
  if (service_ == nullptr) {
    return adminError(503, "alerting_disabled",
                      "alerting needs the analytics core (analytics.enabled is false)");
  }
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (path == "/alerts/status") {
    return read ? jsonAnswer(200, service_->status()) : methodNotAllowed("GET, HEAD");
  }
  if (silences_path) {
    std::string_view id = path == "/silences" ? "" : std::string_view(path).substr(10);
    return silences(request, id);
  }
  if (path == "/alerts/rules" || path.starts_with("/alerts/rules/")) {
    std::string_view name = path == "/alerts/rules" ? "" : std::string_view(path).substr(14);
    return rules(request, name);
  }
  if (path == "/alerts/history") {
    return read ? history(request) : methodNotAllowed("GET, HEAD");
  }
  if (!service_->evaluatedOnce() && read) {
    AdminResponse response = adminError(
        503, "alerting_starting", "the first alert evaluation has not run yet (once a second)");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  }
  if (path == "/alerts") {
    return read ? alerts(request) : methodNotAllowed("GET, HEAD");
  }
  // /alerts/{id} and /alerts/{id}/ack
  std::string_view rest = std::string_view(path).substr(8);
  if (rest.ends_with("/ack")) {
    if (request.method != "POST") {
      return methodNotAllowed("POST");
    }
    std::optional<nlohmann::json> body = parseBody(request);
    if (!body) {
      return badBody();
    }
    return answer(service_->acknowledge(std::string(rest.substr(0, rest.size() - 4)), *body));
  }
  if (rest.find('/') != std::string_view::npos) {
    return adminError(404, "not_found", "no endpoint " + path);
  }
  if (!read) {
    return methodNotAllowed("GET, HEAD");
  }
  if (std::optional<nlohmann::json> alert = service_->alert(std::string(rest))) {
    return jsonAnswer(200, *alert);
  }
  return adminError(404, "alert_not_found", "no alert with id '" + std::string(rest) + "'");
}

AdminResponse AlertingApi::alerts(const AdminRequest& request) const {
  alerting::AlertQuery query;
  for (const auto& [name, value] : request.query.entries()) {
    if (name == "state") {
      if (value == "active") {
        query.states = {alerting::AlertState::kPending, alerting::AlertState::kFiring};
      } else if (value == "all") {
        query.states = {alerting::AlertState::kPending, alerting::AlertState::kFiring,
                        alerting::AlertState::kResolved};
      } else if (std::optional<alerting::AlertState> state = alerting::alertStateByName(value)) {
        query.states = {*state};
      } else {
        return adminError(400, "bad_filter",
                          "state must be active, pending, firing, resolved or all");
      }
    } else if (name == "severity") {
      query.severity = alerting::parseSeverity(value);
      if (!query.severity) {
        return adminError(400, "bad_filter", "severity must be critical, warning or info");
      }
    } else if (name == "cluster") {
      query.cluster = value;
    } else if (name == "host") {
      query.host = value;
    } else if (name == "rule") {
      query.rule = value;
    } else if (name == "silenced" || name == "acked") {
      std::optional<bool> flag = parseBool(value);
      if (!flag) {
        return adminError(400, "bad_filter", name + " must be true or false");
      }
      (name == "silenced" ? query.silenced : query.acked) = flag;
    } else if (name == "limit") {
      std::optional<size_t> limit = parseLimit(value, 1'000);
      if (!limit) {
        return adminError(400, "bad_filter", "limit must be 1..1000");
      }
      query.limit = *limit;
    } else {
      return adminError(400, "bad_filter",
                        "unknown parameter '" + name +
                            "'; the filters are state, severity, cluster, host, rule, silenced, "
                            "acked and limit");
    }
  }
  return jsonAnswer(200, service_->alerts(query));
}

AdminResponse AlertingApi::history(const AdminRequest& request) const {
  alerting::History::Query query;
  const int64_t now = nowUnixMs();
  for (const auto& [name, value] : request.query.entries()) {
    if (name == "since" || name == "until") {
      std::optional<int64_t> at = parseTimeParam(value, now);
      if (!at) {
        return adminError(400, "bad_query",
                          name + " must be now, unix milliseconds or -<n>s|m|h|d");
      }
      (name == "since" ? query.since_ms : query.until_ms) = *at;
    } else if (name == "alert") {
      query.alert_id = value;
    } else if (name == "rule") {
      query.rule = value;
    } else if (name == "type") {
      if (value != "state" && value != "ack" && value != "silence" && value != "rule") {
        return adminError(400, "bad_query", "type must be state, ack, silence or rule");
      }
      query.type = value;
    } else if (name == "limit") {
      std::optional<size_t> limit = parseLimit(value, 10'000);
      if (!limit) {
        return adminError(400, "bad_query", "limit must be 1..10000");
      }
      query.limit = *limit;
    } else {
      return adminError(400, "bad_query",
                        "unknown parameter '" + name +
                            "'; the filters are since, until, alert, rule, type and limit");
    }
  }
  return jsonAnswer(200, service_->history(query));
}

AdminResponse AlertingApi::rules(const AdminRequest& request, std::string_view name) const {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (name.empty()) {
    if (read) {
      return jsonAnswer(200, service_->rules());
    }
    if (request.method != "POST") {
      return methodNotAllowed("GET, HEAD, POST");
    }
    std::optional<nlohmann::json> body = parseBody(request);
    return body ? answer(service_->createRule(*body)) : badBody();
  }
  const std::string rule_name(name);
  if (read) {
    if (std::optional<nlohmann::json> rule = service_->rule(rule_name)) {
      return jsonAnswer(200, *rule);
    }
    return adminError(404, "rule_not_found", "no rule named '" + rule_name + "'");
  }
  if (request.method == "PUT") {
    std::optional<nlohmann::json> body = parseBody(request);
    return body ? answer(service_->putRule(rule_name, *body)) : badBody();
  }
  if (request.method == "DELETE") {
    return answer(service_->deleteRule(rule_name));
  }
  return methodNotAllowed("GET, HEAD, PUT, DELETE");
}

AdminResponse AlertingApi::silences(const AdminRequest& request, std::string_view id) const {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (id.empty()) {
    if (read) {
      std::optional<alerting::SilenceState> state = alerting::SilenceState::kActive;
      for (const auto& [name, value] : request.query.entries()) {
        if (name != "state") {
          return adminError(400, "bad_filter", "unknown parameter '" + name + "'; use state");
        }
        if (value == "all") {
          state.reset();
        } else if (value == "active") {
          state = alerting::SilenceState::kActive;
        } else if (value == "pending") {
          state = alerting::SilenceState::kPending;
        } else if (value == "expired") {
          state = alerting::SilenceState::kExpired;
        } else {
          return adminError(400, "bad_filter", "state must be active, pending, expired or all");
        }
      }
      return jsonAnswer(200, service_->silences(state));
    }
    if (request.method != "POST") {
      return methodNotAllowed("GET, HEAD, POST");
    }
    std::optional<nlohmann::json> body = parseBody(request);
    return body ? answer(service_->putSilence(*body)) : badBody();
  }
  if (request.method != "DELETE") {
    return methodNotAllowed("DELETE");
  }
  return answer(service_->expireSilence(std::string(id)));
}

}  // namespace meshlb::admin
