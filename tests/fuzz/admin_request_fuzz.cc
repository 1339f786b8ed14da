// libFuzzer entry point for the admin API's request handling without sockets: the query-string
// and percent decoding of admin/query_string.h, and the alerting endpoints (AlertingApi: /alerts,
// /alerts/rules, /alerts/history, /silences, acks) against a real AlertingService made from a
// default AlertingConfig (default rules, no state_dir, no notifiers). Each input gets a fresh
// service that has evaluated once with host "h1" of cluster "app" down, so the BackendDown alert
// exists (id 22f40d7be72ae992); inputs do not influence each other.
//
// Input: up to 8 requests separated by NUL bytes, each "METHOD\nTARGET\nBODY" (TARGET is
// PATH?QUERY as on the request line). The target is decoded as AdminServer::admit() does it
// (percentDecode of the path, parseQueryString of the query; a target it refuses with 400 does
// not reach the endpoints), then handed to AlertingApi::handle() like AdminServer does, with an
// exception counting as the 500 the server would answer.
// Besides the sanitizers, it asserts: percentDecode() inverts a full percent-encoding in both
// modes and never grows its input; parseQueryString() gives back what an encoding of its result
// parses to; every answer has a status in 200..599 and never 500, a well-formed Content-Type and
// header fields, and a body that is a JSON object.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_server.h"
#include "admin/alerting_api.h"
#include "admin/query_string.h"
#include "alerting/alerting_config.h"
#include "alerting/alerting_service.h"
#include "analytics/analytics_view.h"
#include "analytics/store/series_store.h"
#include "common/log.h"
#include "proxy/http/message_head.h"

namespace {

using meshlb::admin::AdminRequest;
using meshlb::admin::AdminResponse;

constexpr size_t kMaxRequests = 8;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "admin request invariant violated: %s\n", what);
    std::abort();
  }
}

std::string percentEncode(std::string_view bytes, bool upper) {
  static constexpr char kUpper[] = "0123456789ABCDEF";
  static constexpr char kLower[] = "0123456789abcdef";
  const char* digits = upper ? kUpper : kLower;
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back('%');
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

void checkPercentDecode(std::string_view text) {
  for (bool plus_is_space : {false, true}) {
    std::optional<std::string> decoded = meshlb::admin::percentDecode(text, plus_is_space);
    if (decoded) {
      check(decoded->size() <= text.size(), "percentDecode grew its input");
    }
    if (text.find('%') == std::string_view::npos) {
      check(decoded.has_value(), "percentDecode refused text without escapes");
      if (!plus_is_space) {
        check(*decoded == text, "percentDecode changed text without escapes");
      }
    }
    std::optional<std::string> round =
        meshlb::admin::percentDecode(percentEncode(text, plus_is_space), plus_is_space);
    check(round.has_value() && *round == text, "percentDecode does not invert an encoding");
  }
}

void checkQueryString(std::string_view query) {
  meshlb::Result<meshlb::admin::QueryParams> params = meshlb::admin::parseQueryString(query);
  if (!params) {
    check(!params.error().message.empty(), "a query refused without a reason");
    return;
  }
  std::string encoded;
  for (const auto& [name, value] : params.value().entries()) {
    encoded += (encoded.empty() ? "" : "&") + percentEncode(name, false) + "=" +
               percentEncode(value, true);
  }
  meshlb::Result<meshlb::admin::QueryParams> again = meshlb::admin::parseQueryString(encoded);
  check(again.ok(), "an encoded query does not parse");
  const auto& first = params.value().entries();
  const auto& second = again.value().entries();
  // A piece with an empty name and value ("=") encodes to "=" again; pieces that were empty
  // ("a&&b") were skipped the first time already.
  check(first == second, "parseQueryString does not round-trip");
}

bool isFieldValue(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return false;
    }
  }
  return true;
}

void checkResponse(const AdminResponse& response) {
  check(response.status >= 200 && response.status <= 599, "status outside 200..599");
  check(response.status != 500, "500 for a request (an endpoint threw or failed)");
  check(response.content_type == "application/json", "an alerting answer that is not JSON");
  check(isFieldValue(response.content_type), "Content-Type is not a field value");
  for (const auto& [name, value] : response.headers) {
    check(meshlb::http::isToken(name) && isFieldValue(value), "a malformed header field");
  }
  check(!response.event_stream, "an event stream from the alerting API");
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  check(!body.is_discarded() && body.is_object(), "the body is not a JSON object");
  if (response.status >= 400) {
    check(body.contains("error") && body["error"].is_string(), "an error answer without error");
  }
}

// One analytics tick: host h1 of cluster app is down, h2 is up.
struct Tick {
  Tick() : store(16) {
    view.recent = std::make_shared<const std::vector<meshlb::analytics::Anomaly>>();
    for (const char* name : {"h1", "h2"}) {
      meshlb::analytics::HostView host;
      host.cluster = "app";
      host.host = name;
      host.series.fill(meshlb::analytics::kNoSeries);
      host.last.set(meshlb::analytics::Metric::kHealth, std::string_view(name) == "h1" ? 0 : 1);
      view.hosts.push_back(host);
    }
    meshlb::analytics::ClusterView app;
    app.name = "app";
    app.series.fill(meshlb::analytics::kNoSeries);
    app.hosts = {0, 1};
    view.clusters.push_back(app);
  }
  meshlb::analytics::AnalyticsView view;
  meshlb::analytics::SeriesStore store;
};

void handleOne(const meshlb::admin::AlertingApi& api, std::string_view text) {
  const size_t first = text.find('\n');
  const size_t second = first == std::string_view::npos ? first : text.find('\n', first + 1);
  AdminRequest request;
  request.method = std::string(text.substr(0, first));
  const std::string_view target =
      first == std::string_view::npos
          ? std::string_view()
          : text.substr(first + 1, second == std::string_view::npos ? std::string_view::npos
                                                                    : second - first - 1);
  if (second != std::string_view::npos) {
    request.body = std::string(text.substr(second + 1));
  }
  const size_t query_start = target.find('?');
  const std::string_view raw_path = target.substr(0, query_start);
  checkPercentDecode(raw_path);
  if (query_start != std::string_view::npos) {
    checkQueryString(target.substr(query_start + 1));
  }
  // As AdminServer::admit(): these get a 400 before any endpoint runs.
  if (target.empty() || target.front() != '/') {
    return;
  }
  std::optional<std::string> path = meshlb::admin::percentDecode(raw_path, false);
  if (!path) {
    return;
  }
  request.path = std::move(*path);
  if (query_start != std::string_view::npos) {
    meshlb::Result<meshlb::admin::QueryParams> query =
        meshlb::admin::parseQueryString(target.substr(query_start + 1));
    if (!query) {
      return;
    }
    request.query = std::move(query.value());
  }
  std::optional<AdminResponse> response;
  try {
    response = api.handle(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s %s threw: %s\n", request.method.c_str(), request.path.c_str(),
                 e.what());
    check(false, "an endpoint threw: the admin server answers 500");
  }
  if (response && std::getenv("MESHLB_FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr, "%s %s -> %d %.300s\n", request.method.c_str(), request.path.c_str(),
                 response->status, response->body.c_str());
  }
  if (response) {
    checkResponse(*response);
  } else {
    const std::string& p = request.path;
    check(p != "/alerts" && !p.starts_with("/alerts/") && p != "/silences" &&
              !p.starts_with("/silences/"),
          "an alerting path without an answer");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  meshlb::log::setLevel(meshlb::log::Level::kOff);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Tick* tick = new Tick();  // read-only once built
  std::string error;
  std::unique_ptr<meshlb::alerting::AlertingService> service =
      meshlb::alerting::AlertingService::create(meshlb::alerting::AlertingConfig{}, &error);
  check(service != nullptr, "AlertingService::create failed without a state_dir");
  service->evaluate(tick->view, tick->store, nullptr);
  const meshlb::admin::AlertingApi api(service.get());

  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (size_t i = 0; i < kMaxRequests && !input.empty(); ++i) {
    const size_t end = input.find('\0');
    handleOne(api, input.substr(0, end));
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  return 0;
}
