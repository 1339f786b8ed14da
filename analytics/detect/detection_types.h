#pragma once

#include <cstddef>
#include <cstdint>

namespace meshlb::analytics {

// Which way a series moved: up is above its baseline.
enum class Direction : uint8_t { kUp, kDown };
const char* directionName(Direction direction);  // "up", "down"

// The statistical detectors a SeriesMonitor runs (DESIGN §5.1-5.3), indexable as an array.
enum class DetectorKind : uint8_t { kRobust, kEwma, kLevelShift };
inline constexpr size_t kDetectorKinds = 3;
const char* detectorName(DetectorKind kind);  // "robust", "ewma", "level_shift"

// A bit per DetectorKind, for "which detectors hit" and "which detectors may open".
constexpr uint8_t detectorBit(DetectorKind kind) {
  return uint8_t{1} << static_cast<int>(kind);
}
inline constexpr uint8_t kAllDetectors = 0b111;

// Why an anomaly closed (DESIGN §5.6).
enum class EndReason : uint8_t { kRecovered, kRebaselined, kNoData };
const char* endReasonName(EndReason reason);  // "recovered", "rebaselined", "no_data"

}  // namespace meshlb::analytics
