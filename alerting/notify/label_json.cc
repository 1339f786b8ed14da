#include "alerting/notify/label_json.h"

namespace meshlb::alerting {

nlohmann::ordered_json labelsToJson(const LabelSet& labels) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, value] : labels) {
    object[name] = value;
  }
  return object;
}

std::string dumpJson(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace meshlb::alerting
