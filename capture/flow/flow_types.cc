#include "capture/flow/flow_types.h"

namespace meshlb::capture {

std::string_view toString(FlowState state) {
  switch (state) {
    case FlowState::kNone:
      return "none";
    case FlowState::kSynSent:
      return "syn_sent";
    case FlowState::kSynReceived:
      return "syn_received";
    case FlowState::kEstablished:
      return "established";
    case FlowState::kClosing:
      return "closing";
    case FlowState::kClosed:
      return "closed";
    case FlowState::kReset:
      return "reset";
  }
  return "unknown";
}

std::string_view toString(FlowEndReason reason) {
  switch (reason) {
    case FlowEndReason::kFin:
      return "fin";
    case FlowEndReason::kReset:
      return "reset";
    case FlowEndReason::kIdle:
      return "idle";
    case FlowEndReason::kEvicted:
      return "evicted";
    case FlowEndReason::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

std::string_view toString(RttKind kind) {
  switch (kind) {
    case RttKind::kHandshake:
      return "handshake";
    case RttKind::kInitiatorData:
      return "initiator_data";
    case RttKind::kResponderData:
      return "responder_data";
  }
  return "unknown";
}

}  // namespace meshlb::capture
