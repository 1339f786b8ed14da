#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/config/config_loader.h"

namespace meshlb::config {

// Reads one JSON object field by field, recording every problem with its JSON path instead of
// stopping at the first. finish() reports the keys nobody asked for. Main thread only.
class JsonObjectReader {
 public:
  JsonObjectReader(const nlohmann::json& object, std::string path,
                   std::vector<ConfigError>& errors);

  // True when the object itself is valid (it was a JSON object).
  bool valid() const { return valid_; }

  void string(const char* key, std::string& out, bool required = false);
  void uint(const char* key, uint32_t& out, uint32_t min, uint32_t max);
  void boolean(const char* key, bool& out);
  // Calls `read` for each element of an array field, with the element's path.
  void array(const char* key, bool required,
             const std::function<void(const nlohmann::json&, const std::string&)>& read);
  // Calls `read` with a nested object's reader when the key is present.
  void object(const char* key, const std::function<void(JsonObjectReader&)>& read);
  bool has(const char* key) const;
  // The raw value of a key another module validates (counted as known), or nullptr.
  const nlohmann::json* raw(const char* key) { return field(key); }

  std::string pathOf(const char* key) const;
  std::vector<ConfigError>& errors() { return errors_; }
  void error(const char* key, std::string reason);
  // Reports unknown keys. Call once, after every known key was read.
  void finish();

 private:
  const nlohmann::json* field(const char* key);

  const nlohmann::json& object_;
  std::string path_;
  std::vector<ConfigError>& errors_;
  std::set<std::string> seen_;
  bool valid_ = true;
};

}  // namespace meshlb::config
