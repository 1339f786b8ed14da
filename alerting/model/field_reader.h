#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/model/field_error.h"

namespace meshlb::alerting {

// "prefix.key", or "key" when the prefix is empty: the paths in FieldError.
std::string fieldPath(const std::string& prefix, std::string_view key);
// "prefix[index]".
std::string indexPath(const std::string& prefix, size_t index);

// Reads one JSON object key by key and records every problem with its path instead of stopping
// at the first; finish() reports the keys nobody read. Never throws: every value is type-checked
// before it is read. A short-lived helper on the caller's stack (any thread).
class FieldReader {
 public:
  FieldReader(const nlohmann::json& node, std::string path, std::vector<FieldError>& errors);

  bool valid() const { return valid_; }  // the node was an object
  const std::string& path() const { return path_; }
  std::string pathOf(std::string_view key) const { return fieldPath(path_, key); }
  void error(std::string_view key, std::string reason);
  std::vector<FieldError>& errors() { return errors_; }

  // The value of `key`, now counted as known, or nullptr when absent (or the node is invalid).
  const nlohmann::json* take(std::string_view key);
  // Each returns true when the key was present and valid, and only then writes `out`.
  bool string(std::string_view key, std::string& out, bool required = false);
  bool uint(std::string_view key, uint32_t& out, uint32_t min, uint32_t max);
  bool int64(std::string_view key, int64_t& out, int64_t min, int64_t max);
  bool boolean(std::string_view key, bool& out);
  bool number(std::string_view key, double& out, bool required = false);  // finite
  // Reports the keys that were never taken. Call once, after every known key was read.
  void finish();

 private:
  const nlohmann::json& node_;
  std::string path_;
  std::vector<FieldError>& errors_;
  std::set<std::string, std::less<>> seen_;
  bool valid_ = true;
};

}  // namespace meshlb::alerting
