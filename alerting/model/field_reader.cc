#include "alerting/model/field_reader.h"

#include <cmath>

namespace meshlb::alerting {

std::string fieldPath(const std::string& prefix, std::string_view key) {
  if (prefix.empty()) {
    return std::string(key);
  }
  std::string path = prefix;
  path.push_back('.');
  path.append(key);
  return path;
}

std::string indexPath(const std::string& prefix, size_t index) {
  std::string path = prefix;
  path.push_back('[');
  path.append(std::to_string(index));
  path.push_back(']');
  return path;
}

FieldReader::FieldReader(const nlohmann::json& node, std::string path,
                         std::vector<FieldError>& errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (!node_.is_object()) {
    errors_.push_back({path_, "expected an object"});
    valid_ = false;
  }
}

void FieldReader::error(std::string_view key, std::string reason) {
  errors_.push_back({pathOf(key), std::move(reason)});
}

const nlohmann::json* FieldReader::take(std::string_view key) {
  if (!valid_) {
    return nullptr;
  }
  seen_.emplace(key);
  const auto it = node_.find(key);
  return it == node_.end() ? nullptr : &*it;
}

bool FieldReader::string(std::string_view key, std::string& out, bool required) {
  const nlohmann::json* value = take(key);
  if (value == nullptr) {
    if (required && valid_) {
      error(key, "is required");
    }
    return false;
  }
  if (!value->is_string()) {
    error(key, "expected a string");
    return false;
  }
  out = value->get_ref<const std::string&>();
  return true;
}

bool FieldReader::int64(std::string_view key, int64_t& out, int64_t min, int64_t max) {
  const nlohmann::json* value = take(key);
  if (value == nullptr) {
    return false;
  }
  if (!value->is_number_integer()) {
    error(key, "expected an integer");
    return false;
  }
  const bool too_big =
      value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
  const int64_t number = too_big ? INT64_MAX : value->get<int64_t>();
  if (too_big || number < min || number > max) {
    error(key,
          std::string("must be between ") + std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  out = number;
  return true;
}

bool FieldReader::uint(std::string_view key, uint32_t& out, uint32_t min, uint32_t max) {
  int64_t number = 0;
  if (!int64(key, number, min, max)) {
    return false;
  }
  out = static_cast<uint32_t>(number);
  return true;
}

bool FieldReader::boolean(std::string_view key, bool& out) {
  const nlohmann::json* value = take(key);
  if (value == nullptr) {
    return false;
  }
  if (!value->is_boolean()) {
    error(key, "expected true or false");
    return false;
  }
  out = value->get<bool>();
  return true;
}

bool FieldReader::number(std::string_view key, double& out, bool required) {
  const nlohmann::json* value = take(key);
  if (value == nullptr) {
    if (required && valid_) {
      error(key, "is required");
    }
    return false;
  }
  if (!value->is_number() || !std::isfinite(value->get<double>())) {
    error(key, "expected a finite number");
    return false;
  }
  out = value->get<double>();
  return true;
}

void FieldReader::finish() {
  if (!valid_) {
    return;
  }
  for (const auto& [key, value] : node_.items()) {
    if (seen_.find(key) == seen_.end()) {
      errors_.push_back({pathOf(key), "unknown key"});
    }
  }
}

}  // namespace meshlb::alerting
