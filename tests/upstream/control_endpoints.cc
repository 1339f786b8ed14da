#include "tests/upstream/control_endpoints.h"

#include <optional>

#include "tests/upstream/request_head.h"

namespace meshlb::upstream {
namespace {

int errorReply(std::string& body, int status, std::string_view message) {
  body += "{\"error\":\"";
  body += message;  // fixed texts without characters that need escaping
  body += "\"}\n";
  return status;
}

std::optional<bool> parseFlag(std::string_view text) {
  if (text == "1" || text == "true") {
    return true;
  }
  if (text == "0" || text == "false") {
    return false;
  }
  return std::nullopt;
}

// Parses "delay_ms=N&status=S&close=1&reset=1" (any subset). Returns an error text or nullptr.
const char* parseFault(std::string_view query, Fault* fault) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    size_t equals = pair.find('=');
    std::string_view key = pair.substr(0, equals);
    std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    if (key == "delay_ms") {
      std::optional<uint64_t> delay = parseUnsigned(value, 3600 * 1000);
      if (!delay) {
        return "delay_ms must be 0..3600000";
      }
      fault->delayMs = static_cast<uint32_t>(*delay);
    } else if (key == "status") {
      std::optional<uint64_t> status = parseUnsigned(value, 599);
      if (!status || (*status != 0 && *status < 200)) {
        return "status must be 200..599 (or 0 for none)";
      }
      fault->status = static_cast<uint16_t>(*status);
    } else if (key == "close" || key == "reset") {
      std::optional<bool> flag = parseFlag(value);
      if (!flag) {
        return "close and reset take 1, 0, true or false";
      }
      (key == "close" ? fault->close : fault->reset) = *flag;
    } else {
      return "unknown fault parameter (expected delay_ms, status, close, reset)";
    }
  }
  return nullptr;
}

}  // namespace

int handleControlRequest(std::string_view method, std::string_view path, std::string_view query,
                         std::string_view name, SharedState& shared, std::string& body) {
  std::string_view endpoint = path.substr(kControlPrefix.size());
  if (endpoint == "stats") {
    if (method != "GET") {
      return errorReply(body, 405, "use GET");
    }
    appendStatsJson(body, name, shared.stats());
    return 200;
  }
  if (endpoint == "stats/reset") {
    if (method != "POST") {
      return errorReply(body, 405, "use POST");
    }
    shared.resetStats();
    appendStatsJson(body, name, shared.stats());
    return 200;
  }
  if (endpoint == "fault") {
    if (method == "GET") {
      appendFaultJson(body, shared.fault().get());
      return 200;
    }
    if (method != "POST") {
      return errorReply(body, 405, "use GET or POST");
    }
    Fault fault;
    if (const char* error = parseFault(query, &fault)) {
      return errorReply(body, 400, error);
    }
    shared.fault().set(fault);
    appendFaultJson(body, shared.fault().get());
    return 200;
  }
  return errorReply(body, 404, "unknown control endpoint");
}

}  // namespace meshlb::upstream
