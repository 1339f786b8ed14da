#include "proxy/config/json_reader.h"

namespace meshlb::config {

JsonObjectReader::JsonObjectReader(const nlohmann::json& object, std::string path,
                                   std::vector<ConfigError>& errors)
    : object_(object), path_(std::move(path)), errors_(errors) {
  if (!object_.is_object()) {
    errors_.push_back({path_, "expected an object"});
    valid_ = false;
  }
}

std::string JsonObjectReader::pathOf(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

void JsonObjectReader::error(const char* key, std::string reason) {
  errors_.push_back({pathOf(key), std::move(reason)});
}

bool JsonObjectReader::has(const char* key) const {
  return valid_ && object_.contains(key);
}

const nlohmann::json* JsonObjectReader::field(const char* key) {
  if (!valid_) {
    return nullptr;
  }
  seen_.insert(key);
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

void JsonObjectReader::string(const char* key, std::string& out, bool required) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) {
    if (required && valid_) {
      error(key, "is required");
    }
    return;
  }
  if (!value->is_string()) {
    error(key, "expected a string");
    return;
  }
  if (required && value->get_ref<const std::string&>().empty()) {
    error(key, "must not be empty");
    return;
  }
  out = value->get<std::string>();
}

void JsonObjectReader::uint(const char* key, uint32_t& out, uint32_t min, uint32_t max) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) {
    return;
  }
  if (!value->is_number_integer()) {
    error(key, "expected an integer");
    return;
  }
  int64_t number = value->get<int64_t>();
  if (number < static_cast<int64_t>(min) || number > static_cast<int64_t>(max)) {
    error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return;
  }
  out = static_cast<uint32_t>(number);
}

void JsonObjectReader::boolean(const char* key, bool& out) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) {
    return;
  }
  if (!value->is_boolean()) {
    error(key, "expected true or false");
    return;
  }
  out = value->get<bool>();
}

void JsonObjectReader::array(
    const char* key, bool required,
    const std::function<void(const nlohmann::json&, const std::string&)>& read) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) {
    if (required && valid_) {
      error(key, "is required");
    }
    return;
  }
  if (!value->is_array()) {
    error(key, "expected an array");
    return;
  }
  if (required && value->empty()) {
    error(key, "must not be empty");
    return;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    read((*value)[i], pathOf(key) + "[" + std::to_string(i) + "]");
  }
}

void JsonObjectReader::object(const char* key, const std::function<void(JsonObjectReader&)>& read) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) {
    return;
  }
  JsonObjectReader nested(*value, pathOf(key), errors_);
  if (nested.valid()) {
    read(nested);
    nested.finish();
  }
}

void JsonObjectReader::finish() {
  if (!valid_) {
    return;
  }
  for (const auto& [key, value] : object_.items()) {
    if (seen_.count(key) == 0) {
      errors_.push_back({pathOf(key.c_str()), "unknown key"});
    }
  }
}

}  // namespace meshlb::config
