#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace meshlb::analytics {

// Why an anomaly happened, in the order the diagnosis tries them (analytics/DESIGN.md §7.2).
enum class Cause : uint8_t {
  kNone,  // not diagnosed (yet)
  kBackendDown,
  kClusterWide,
  kOverload,
  kNetwork,
  kApplication,
  kUnknown,
};
inline constexpr size_t kCauseCount = 7;
inline constexpr std::array<std::string_view, kCauseCount> kCauseNames = {
    "none", "backend_down", "cluster_wide", "overload", "network", "application", "unknown"};
inline std::string_view causeName(Cause cause) {
  return kCauseNames[static_cast<size_t>(cause)];
}

enum class Confidence : uint8_t { kLow, kMedium, kHigh };
inline std::string_view confidenceName(Confidence confidence) {
  constexpr std::array<std::string_view, 3> kNames = {"low", "medium", "high"};
  return kNames[static_cast<size_t>(confidence)];
}

}  // namespace meshlb::analytics
