#pragma once

#include <memory>

#include "capture/capture_service.h"
#include "capture/summary/capture_endpoints.h"
#include "proxy/config/config.h"

namespace meshlb::admin {

// Translates the config into what the capture module takes (capture/ does not know the
// config). Main thread.
std::shared_ptr<const capture::CaptureEndpoints> captureEndpointsOf(const config::Config& config);
capture::CaptureOptions captureOptionsOf(const config::CaptureConfig& config);

}  // namespace meshlb::admin
