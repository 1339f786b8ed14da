#include "analytics/detect/detection_types.h"

namespace meshlb::analytics {

const char* directionName(Direction direction) {
  return direction == Direction::kUp ? "up" : "down";
}

const char* detectorName(DetectorKind kind) {
  switch (kind) {
    case DetectorKind::kRobust:
      return "robust";
    case DetectorKind::kEwma:
      return "ewma";
    case DetectorKind::kLevelShift:
      return "level_shift";
  }
  return "unknown";
}

const char* endReasonName(EndReason reason) {
  switch (reason) {
    case EndReason::kRecovered:
      return "recovered";
    case EndReason::kRebaselined:
      return "rebaselined";
    case EndReason::kNoData:
      return "no_data";
  }
  return "unknown";
}

}  // namespace meshlb::analytics
