#include "admin/admin_api.h"

#include <nlohmann/json.hpp>

namespace meshlb::admin {
namespace {

AdminResponse jsonError(int status, std::string_view message) {
  nlohmann::json body = {{"error", message}};
  return {status, "application/json", body.dump() + "\n"};
}

}  // namespace

AdminResponse AdminApi::handle(std::string_view method, std::string_view path) const {
  if (method != "GET" && method != "HEAD") {
    return jsonError(405, "method not allowed");
  }
  if (path == "/ready") {
    nlohmann::json body = {{"ready", !draining_},
                           {"state", draining_ ? "draining" : "serving"},
                           {"workers", proxy_.workerCount()}};
    return {draining_ ? 503 : 200, "application/json", body.dump() + "\n"};
  }
  if (path == "/stats") {
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [name, value] : proxy_.stats().counters) {
      body[name] = value;
    }
    return {200, "application/json", body.dump(2) + "\n"};
  }
  if (path == "/") {
    return {200, "text/plain",
            "meshlb admin\n  GET /ready  readiness (503 while draining)\n"
            "  GET /stats  counters summed over workers (JSON)\n"};
  }
  return jsonError(404, "no such endpoint");
}

}  // namespace meshlb::admin
