#include "admin/capture_setup.h"

namespace meshlb::admin {

std::shared_ptr<const capture::CaptureEndpoints> captureEndpointsOf(const config::Config& config) {
  auto endpoints = std::make_shared<capture::CaptureEndpoints>();
  for (const config::ListenerConfig& listener : config.listeners) {
    endpoints->addListener(listener.address, listener.name);
  }
  for (const config::ClusterConfig& cluster : config.clusters) {
    for (const config::HostConfig& host : cluster.hosts) {
      endpoints->addHost(host.address, host.address_text, cluster.name);
    }
  }
  return endpoints;
}

capture::CaptureOptions captureOptionsOf(const config::CaptureConfig& config) {
  capture::CaptureOptions options;
  options.interfaces = config.interfaces;
  options.filter = config.filter;
  options.snaplen = config.snaplen;
  options.buffer_mb = config.buffer_mb;
  options.max_flows = config.max_flows;
  options.immediate = config.immediate;
  options.idle_timeout_ms = config.idle_timeout_ms;
  options.report_interval_ms = config.report_interval_ms;
  return options;
}

}  // namespace meshlb::admin
