#include "admin/admin_error.h"

#include <nlohmann/json.hpp>

namespace meshlb::admin {

AdminResponse adminError(int status, std::string_view error, std::string_view detail) {
  nlohmann::json body = {{"error", error}, {"detail", detail}};
  AdminResponse response;
  response.status = status;
  response.content_type = "application/json";
  // `detail` may quote what a client sent (a path, a parameter name): replace invalid UTF-8
  // instead of letting dump() throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return response;
}

AdminResponse methodNotAllowed(std::string_view allowed) {
  AdminResponse response = adminError(405, "method_not_allowed",
                                      "this endpoint answers " + std::string(allowed) + " only");
  response.headers.emplace_back("Allow", allowed);
  return response;
}

AdminResponse jsonAnswer(int status, const nlohmann::json& body) {
  // Bodies may echo request bytes (an id from the path) that are not UTF-8: replace them
  // rather than let dump() throw, as adminError does.
  return {status, "application/json",
          body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
}

}  // namespace meshlb::admin
