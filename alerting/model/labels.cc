#include "alerting/model/labels.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace meshlb::alerting {
namespace {

// Go's hash/fnv 64a, which Alertmanager's model.LabelSet.Fingerprint uses.
constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;
constexpr unsigned char kSeparator = 0xff;  // model.SeparatorByte

uint64_t fnvAdd(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  return hash;
}

uint64_t fnvAddByte(uint64_t hash, unsigned char byte) {
  hash ^= byte;
  return hash * kFnvPrime;
}

bool nameLess(const Label& a, const Label& b) {
  return a.first < b.first;
}

}  // namespace

LabelSet makeLabelSet(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(), nameLess);
  LabelSet out;
  out.reserve(labels.size());
  for (Label& label : labels) {
    if (!out.empty() && out.back().first == label.first) {
      out.back().second = std::move(label.second);  // stable: the later one wins
    } else {
      out.push_back(std::move(label));
    }
  }
  return out;
}

const std::string* findLabel(const LabelSet& labels, std::string_view name) {
  const auto it = std::lower_bound(
      labels.begin(), labels.end(), name,
      [](const Label& label, std::string_view n) { return std::string_view(label.first) < n; });
  if (it == labels.end() || it->first != name) {
    return nullptr;
  }
  return &it->second;
}

bool validLabelName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) {
      return false;
    }
  }
  return true;
}

std::string fingerprint(const LabelSet& labels) {
  uint64_t hash = kFnvOffset;
  for (const auto& [name, value] : labels) {
    hash = fnvAddByte(fnvAdd(hash, name), kSeparator);
    hash = fnvAddByte(fnvAdd(hash, value), kSeparator);
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return std::string(text, 16);
}

}  // namespace meshlb::alerting
