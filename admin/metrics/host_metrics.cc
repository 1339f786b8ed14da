#include "admin/metrics/host_metrics.h"

#include <string_view>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_delta.h"
#include "proxy/health/host_state.h"

namespace meshlb::admin::metrics {

namespace {

size_t stateIndex(uint8_t flags) {
  const std::string_view name = health::hostStateName(flags);
  for (size_t i = 0; i < kHostStates.size(); ++i) {
    if (name == kHostStates[i]) {
      return i;
    }
  }
  return 0;
}

}  // namespace

// An attempt is one try of a request on one host: a retried request makes several attempts.
HostFamilies::HostFamilies(FamilyRegistry& registry)
    : registry(registry),
      responses(counterFamily(
          registry, "meshlb_upstream_responses_total",
          "Attempts on this upstream host that ended with a status, by status class: the host's "
          "answer, or the 502/504 meshlb answered when the host failed (connect failure, reset, "
          "bad answer, timeout).")),
      responses_by_code(counterFamily(
          registry, "meshlb_upstream_responses_by_code_total",
          "Attempts on this upstream host that ended with a status, by status code, for the "
          "commonly used codes only (others are counted in meshlb_upstream_responses_total "
          "alone); a code's series appears once that code has been seen.")),
      requests_active(gaugeFamily(registry, "meshlb_upstream_requests_active",
                                  "Attempts in flight on this upstream host.")),
      retries(counterFamily(registry, "meshlb_upstream_retries_total",
                            "Attempts on this upstream host that were retries of a request.")),
      timeouts(counterFamily(
          registry, "meshlb_upstream_timeouts_total",
          "Attempts on this upstream host that ended in a request or per-try timeout.")),
      connections(counterFamily(
          registry, "meshlb_upstream_connections_total",
          "Connections to this upstream host that meshlb began to open, established or not.")),
      connections_active(gaugeFamily(registry, "meshlb_upstream_connections_active",
                                     "Connections to this upstream host open or opening now.")),
      connect_failures(counterFamily(
          registry, "meshlb_upstream_connect_failures_total",
          "Connections to this upstream host that failed to open: refused, unreachable or timed "
          "out.")),
      sent_bytes(counterFamily(registry, "meshlb_upstream_sent_bytes_total",
                               "Bytes written towards this upstream host.")),
      received_bytes(counterFamily(registry, "meshlb_upstream_received_bytes_total",
                                   "Bytes read from this upstream host.")),
      request_duration(histogramFamily(
          registry, "meshlb_upstream_request_duration_seconds",
          "Duration of attempts on this upstream host, from the start of the attempt to the last "
          "byte of the answer.")),
      connect_duration(histogramFamily(
          registry, "meshlb_upstream_connect_duration_seconds",
          "Time to establish a TCP connection to this upstream host (the TLS handshake, when "
          "used, is not included), for connections that were established.")),
      ejections(counterFamily(registry, "meshlb_upstream_ejections_total",
                              "Times outlier detection ejected this upstream host.")),
      weight(gaugeFamily(registry, "meshlb_upstream_host_weight",
                         "Load-balancing weight of this upstream host as balanced now (the "
                         "config's, or an operator's override).")),
      health(gaugeFamily(registry, "meshlb_upstream_host_health",
                         "1 for this upstream host's current state, 0 for the others; the most "
                         "serious reason wins: draining, then unhealthy (failed active checks), "
                         "then ejected (outlier detection).")),
      usable(gaugeFamily(registry, "meshlb_upstream_host_usable",
                         "1 when this upstream host may take new requests (healthy, not ejected, "
                         "not draining), else 0.")) {}

HostSeries::HostSeries(HostFamilies& families, const std::string& cluster, const std::string& host)
    : families_(families),
      labels_{{"cluster", cluster}, {"host", host}},
      requests_active_(&families.requests_active.Add(labels_)),
      retries_(&families.retries.Add(labels_)),
      timeouts_(&families.timeouts.Add(labels_)),
      connections_(&families.connections.Add(labels_)),
      connections_active_(&families.connections_active.Add(labels_)),
      connect_failures_(&families.connect_failures.Add(labels_)),
      sent_bytes_(&families.sent_bytes.Add(labels_)),
      received_bytes_(&families.received_bytes.Add(labels_)),
      request_duration_(&families.request_duration.Add(labels_, latencyBoundsSeconds())),
      connect_duration_(&families.connect_duration.Add(labels_, latencyBoundsSeconds())),
      ejections_(&families.ejections.Add(labels_)),
      weight_(&families.weight.Add(labels_)),
      usable_(&families.usable.Add(labels_)) {
  for (size_t i = 0; i < responses_.size(); ++i) {
    responses_[i] = &families.responses.Add(withLabel(labels_, "code_class", kCodeClassLabels[i]));
  }
  for (size_t i = 0; i < health_.size(); ++i) {
    health_[i] = &families.health.Add(withLabel(labels_, "state", kHostStates[i]));
  }
}

HostSeries::~HostSeries() {
  if (families_.registry.closing) {
    return;
  }
  for (prometheus::Counter* series : responses_) {
    families_.responses.Remove(series);
  }
  for (prometheus::Counter* series : responses_by_code_) {
    if (series != nullptr) {
      families_.responses_by_code.Remove(series);
    }
  }
  families_.requests_active.Remove(requests_active_);
  families_.retries.Remove(retries_);
  families_.timeouts.Remove(timeouts_);
  families_.connections.Remove(connections_);
  families_.connections_active.Remove(connections_active_);
  families_.connect_failures.Remove(connect_failures_);
  families_.sent_bytes.Remove(sent_bytes_);
  families_.received_bytes.Remove(received_bytes_);
  families_.request_duration.Remove(request_duration_);
  families_.connect_duration.Remove(connect_duration_);
  families_.ejections.Remove(ejections_);
  families_.weight.Remove(weight_);
  for (prometheus::Gauge* series : health_) {
    families_.health.Remove(series);
  }
  families_.usable.Remove(usable_);
}

void HostSeries::update(const stats::HostSnapshot& host, std::vector<double>& increments) {
  const stats::HostStatsValues& values = host.values;
  for (size_t i = 0; i < responses_.size(); ++i) {
    advanceCounter(*responses_[i], applied_.responses_by_class[i], values.responses_by_class[i]);
  }
  for (size_t i = 0; i < responses_by_code_.size(); ++i) {
    if (responses_by_code_[i] == nullptr) {
      if (values.responses_by_code[i] == 0) {
        continue;
      }
      responses_by_code_[i] = &families_.responses_by_code.Add(
          withLabel(labels_, "code", std::to_string(stats::kTrackedStatusCodes[i])));
    }
    advanceCounter(*responses_by_code_[i], applied_.responses_by_code[i],
                   values.responses_by_code[i]);
  }
  requests_active_->Set(levelValue(values.requests_active));
  advanceCounter(*retries_, applied_.retries, values.retries);
  advanceCounter(*timeouts_, applied_.timeouts, values.timeouts);
  advanceCounter(*connections_, applied_.connections_total, values.connections_total);
  connections_active_->Set(levelValue(values.connections_active));
  advanceCounter(*connect_failures_, applied_.connect_failures, values.connect_failures);
  advanceCounter(*sent_bytes_, applied_.bytes_sent, values.bytes_sent);
  advanceCounter(*received_bytes_, applied_.bytes_received, values.bytes_received);
  advanceHistogram(*request_duration_, applied_.request_duration, values.request_duration,
                   increments);
  advanceHistogram(*connect_duration_, applied_.connect_duration, values.connect_duration,
                   increments);
  advanceCounter(*ejections_, applied_ejections_, host.ejections_total);
  weight_->Set(static_cast<double>(host.weight));
  const size_t state = stateIndex(host.health_flags);
  for (size_t i = 0; i < health_.size(); ++i) {
    health_[i]->Set(i == state ? 1.0 : 0.0);
  }
  usable_->Set(host.health_flags == 0 ? 1.0 : 0.0);
}

}  // namespace meshlb::admin::metrics
