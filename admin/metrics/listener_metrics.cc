#include "admin/metrics/listener_metrics.h"

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_delta.h"

namespace meshlb::admin::metrics {

ListenerFamilies::ListenerFamilies(FamilyRegistry& registry)
    : registry(registry),
      connections(counterFamily(registry, "meshlb_listener_connections_total",
                                "Client connections accepted by this listener.")),
      connections_active(gaugeFamily(registry, "meshlb_listener_connections_active",
                                     "Client connections open on this listener now.")),
      connections_refused(counterFamily(
          registry, "meshlb_listener_connections_refused_total",
          "Client connections closed on accept because this listener's max_connections was "
          "reached.")),
      requests(counterFamily(registry, "meshlb_listener_requests_total",
                             "HTTP request heads received on this listener (none on TCP "
                             "listeners).")),
      responses(counterFamily(registry, "meshlb_listener_responses_total",
                              "HTTP responses sent to clients of this listener, by status "
                              "class.")),
      bad_requests(counterFamily(
          registry, "meshlb_listener_bad_requests_total",
          "Requests on this listener refused before reaching a cluster, by reason: malformed "
          "(400), head_too_large (431), head_timeout (408), invalid_target (400), "
          "method_not_allowed (405).")),
      no_route(counterFamily(registry, "meshlb_listener_no_route_total",
                             "Requests on this listener answered 404 because no route matched.")),
      tls_handshakes(counterFamily(registry, "meshlb_listener_tls_handshakes_total",
                                   "TLS handshakes with clients completed on this listener.")),
      tls_handshake_errors(
          counterFamily(registry, "meshlb_listener_tls_handshake_errors_total",
                        "TLS handshakes with clients that failed on this listener.")),
      tls_errors(
          counterFamily(registry, "meshlb_listener_tls_errors_total",
                        "TLS errors on client connections of this listener after the handshake.")),
      received_bytes(counterFamily(registry, "meshlb_listener_received_bytes_total",
                                   "Bytes read from clients of this listener.")),
      sent_bytes(counterFamily(registry, "meshlb_listener_sent_bytes_total",
                               "Bytes written to clients of this listener.")) {}

ListenerSeries::ListenerSeries(ListenerFamilies& families, const std::string& name)
    : families_(families) {
  const prometheus::Labels labels{{"listener", name}};
  connections_ = &families.connections.Add(labels);
  connections_active_ = &families.connections_active.Add(labels);
  connections_refused_ = &families.connections_refused.Add(labels);
  requests_ = &families.requests.Add(labels);
  for (size_t i = 0; i < responses_.size(); ++i) {
    responses_[i] = &families.responses.Add(withLabel(labels, "code_class", kCodeClassLabels[i]));
  }
  for (size_t i = 0; i < bad_requests_.size(); ++i) {
    bad_requests_[i] =
        &families.bad_requests.Add(withLabel(labels, "reason", stats::kBadRequestReasonNames[i]));
  }
  no_route_ = &families.no_route.Add(labels);
  tls_handshakes_ = &families.tls_handshakes.Add(labels);
  tls_handshake_errors_ = &families.tls_handshake_errors.Add(labels);
  tls_errors_ = &families.tls_errors.Add(labels);
  received_bytes_ = &families.received_bytes.Add(labels);
  sent_bytes_ = &families.sent_bytes.Add(labels);
}

ListenerSeries::~ListenerSeries() {
  if (families_.registry.closing) {
    return;
  }
  families_.connections.Remove(connections_);
  families_.connections_active.Remove(connections_active_);
  families_.connections_refused.Remove(connections_refused_);
  families_.requests.Remove(requests_);
  for (prometheus::Counter* series : responses_) {
    families_.responses.Remove(series);
  }
  for (prometheus::Counter* series : bad_requests_) {
    families_.bad_requests.Remove(series);
  }
  families_.no_route.Remove(no_route_);
  families_.tls_handshakes.Remove(tls_handshakes_);
  families_.tls_handshake_errors.Remove(tls_handshake_errors_);
  families_.tls_errors.Remove(tls_errors_);
  families_.received_bytes.Remove(received_bytes_);
  families_.sent_bytes.Remove(sent_bytes_);
}

void ListenerSeries::update(const stats::ListenerSnapshot& listener) {
  const stats::ListenerStatsValues& values = listener.values;
  advanceCounter(*connections_, applied_.connections_total, values.connections_total);
  connections_active_->Set(levelValue(values.connections_active));
  advanceCounter(*connections_refused_, applied_.connections_refused, values.connections_refused);
  advanceCounter(*requests_, applied_.requests, values.requests);
  for (size_t i = 0; i < responses_.size(); ++i) {
    advanceCounter(*responses_[i], applied_.responses_by_class[i], values.responses_by_class[i]);
  }
  for (size_t i = 0; i < bad_requests_.size(); ++i) {
    advanceCounter(*bad_requests_[i], applied_.bad_requests[i], values.bad_requests[i]);
  }
  advanceCounter(*no_route_, applied_.no_route, values.no_route);
  advanceCounter(*tls_handshakes_, applied_.tls_handshakes, values.tls_handshakes);
  advanceCounter(*tls_handshake_errors_, applied_.tls_handshake_errors,
                 values.tls_handshake_errors);
  advanceCounter(*tls_errors_, applied_.tls_errors, values.tls_errors);
  advanceCounter(*received_bytes_, applied_.bytes_received, values.bytes_received);
  advanceCounter(*sent_bytes_, applied_.bytes_sent, values.bytes_sent);
}

}  // namespace meshlb::admin::metrics
