#include "admin/metrics/capture_metrics.h"

#include "admin/metrics/series_delta.h"

namespace meshlb::admin::metrics {

FlowFamilies::FlowFamilies(FamilyRegistry& registry)
    : registry(registry),
      opened(counterFamily(registry, "meshlb_flow_opened_total",
                           "TCP flows to this backend host or listener that passive capture saw "
                           "start.")),
      closed(counterFamily(registry, "meshlb_flow_closed_total",
                           "Flows to this endpoint that ended (FIN, RST, idle or evicted).")),
      reset_flows(counterFamily(registry, "meshlb_flow_reset_flows_total",
                                "Flows to this endpoint that ended with a RST.")),
      active(gaugeFamily(registry, "meshlb_flow_active",
                         "Flows to this endpoint in the capture's flow table now.")),
      packets(counterFamily(registry, "meshlb_flow_packets_total",
                            "Packets of flows to this endpoint, both directions.")),
      bytes(counterFamily(registry, "meshlb_flow_bytes_total",
                          "IP bytes (headers included) of flows to this endpoint, both "
                          "directions.")),
      retransmits(counterFamily(registry, "meshlb_flow_retransmits_total",
                                "Retransmitted segments in flows to this endpoint, both "
                                "directions, as Wireshark's tcp.analysis.retransmission counts "
                                "them (fast and spurious ones included).")),
      out_of_order(counterFamily(registry, "meshlb_flow_out_of_order_total",
                                 "Out-of-order segments in flows to this endpoint.")),
      zero_windows(counterFamily(registry, "meshlb_flow_zero_windows_total",
                                 "Zero-window advertisements in flows to this endpoint.")),
      resets(counterFamily(registry, "meshlb_flow_resets_total",
                           "RST segments in flows to this endpoint.")),
      handshake_rtt(histogramFamily(registry, "meshlb_flow_handshake_rtt_seconds",
                                    "TCP handshake round trip (SYN to the ACK of the SYN-ACK) "
                                    "of flows to this endpoint, as seen at the capture point.")),
      data_rtt(histogramFamily(registry, "meshlb_flow_data_rtt_seconds",
                               "Data round trips (a segment to the ACK covering it) in flows "
                               "to this endpoint.")) {}

FlowSeries::FlowSeries(FlowFamilies& families, prometheus::Labels labels)
    : families_(families),
      opened_(&families.opened.Add(labels)),
      closed_(&families.closed.Add(labels)),
      reset_flows_(&families.reset_flows.Add(labels)),
      active_(&families.active.Add(labels)),
      packets_(&families.packets.Add(labels)),
      bytes_(&families.bytes.Add(labels)),
      retransmits_(&families.retransmits.Add(labels)),
      out_of_order_(&families.out_of_order.Add(labels)),
      zero_windows_(&families.zero_windows.Add(labels)),
      resets_(&families.resets.Add(labels)),
      handshake_rtt_(&families.handshake_rtt.Add(labels, latencyBoundsSeconds())),
      data_rtt_(&families.data_rtt.Add(labels, latencyBoundsSeconds())) {}

FlowSeries::~FlowSeries() {
  if (families_.registry.closing) {
    return;
  }
  families_.opened.Remove(opened_);
  families_.closed.Remove(closed_);
  families_.reset_flows.Remove(reset_flows_);
  families_.active.Remove(active_);
  families_.packets.Remove(packets_);
  families_.bytes.Remove(bytes_);
  families_.retransmits.Remove(retransmits_);
  families_.out_of_order.Remove(out_of_order_);
  families_.zero_windows.Remove(zero_windows_);
  families_.resets.Remove(resets_);
  families_.handshake_rtt.Remove(handshake_rtt_);
  families_.data_rtt.Remove(data_rtt_);
}

void FlowSeries::update(const capture::EndpointFlowTotals& totals,
                        std::vector<double>& increments) {
  advanceCounter(*opened_, applied_.flows_opened, totals.flows_opened);
  advanceCounter(*closed_, applied_.flows_closed, totals.flows_closed);
  advanceCounter(*reset_flows_, applied_.flows_reset, totals.flows_reset);
  active_->Set(static_cast<double>(totals.flows_active));
  advanceCounter(*packets_, applied_.packets, totals.packets);
  advanceCounter(*bytes_, applied_.bytes, totals.bytes);
  advanceCounter(*retransmits_, applied_.retransmits, totals.retransmits);
  advanceCounter(*out_of_order_, applied_.out_of_order, totals.out_of_order);
  advanceCounter(*zero_windows_, applied_.zero_windows, totals.zero_windows);
  advanceCounter(*resets_, applied_.resets, totals.resets);
  advanceHistogram(*handshake_rtt_, applied_.handshake_rtt, totals.handshake_rtt, increments);
  advanceHistogram(*data_rtt_, applied_.data_rtt, totals.data_rtt, increments);
}

CaptureHealthMetrics::CaptureHealthMetrics(FamilyRegistry& registry)
    : enabled_(gaugeFamily(registry, "meshlb_capture_enabled",
                           "1 when passive capture runs; 0 when it is not configured or lacks "
                           "the privilege (see /ready for why).")
                   .Add({})),
      received_(counterFamily(registry, "meshlb_capture_packets_total",
                              "Packets the capture filter accepted on this interface "
                              "(libpcap ps_recv).")),
      kernel_drops_(counterFamily(registry, "meshlb_capture_kernel_drops_total",
                                  "Packets dropped on this interface because the capture "
                                  "buffer was full (libpcap ps_drop).")),
      interface_drops_(counterFamily(registry, "meshlb_capture_interface_drops_total",
                                     "Packets dropped by this interface or its driver "
                                     "(libpcap ps_ifdrop).")),
      decoded_(counterFamily(registry, "meshlb_capture_decoded_packets_total",
                             "Captured packets decoded as TCP or UDP over IP.")
                   .Add({})),
      decode_errors_(counterFamily(registry, "meshlb_capture_decode_errors_total",
                                   "Captured packets skipped, by reason.")),
      flows_active_(gaugeFamily(registry, "meshlb_capture_flows_active",
                                "Flows in the capture's flow table now.")
                        .Add({})),
      flows_created_(counterFamily(registry, "meshlb_capture_flows_created_total",
                                   "Flows the capture's flow table started.")
                         .Add({})),
      flows_evicted_(counterFamily(registry, "meshlb_capture_flows_evicted_total",
                                   "Flows ended early because the flow table was full "
                                   "(capture.max_flows).")
                         .Add({})),
      flows_expired_(counterFamily(registry, "meshlb_capture_flows_expired_total",
                                   "Flows ended by the idle timeout.")
                         .Add({})) {
  for (size_t i = 1; i < errors_.size(); ++i) {
    errors_[i] = &decode_errors_.Add({{"reason", std::string(capture::decodeStatusName(
                                                     static_cast<capture::DecodeStatus>(i)))}});
  }
}

void CaptureHealthMetrics::update(const capture::CaptureHealth& health) {
  enabled_.Set(health.enabled ? 1 : 0);
  for (const capture::InterfaceCounters& counters : health.interfaces) {
    Interface* found = nullptr;
    for (auto& [name, interface] : interfaces_) {
      if (name == counters.name) {
        found = &interface;
      }
    }
    if (found == nullptr) {
      prometheus::Labels labels{{"interface", counters.name}};
      interfaces_.emplace_back(counters.name,
                               Interface{&received_.Add(labels), &kernel_drops_.Add(labels),
                                         &interface_drops_.Add(labels)});
      found = &interfaces_.back().second;
    }
    advanceCounter(*found->received, found->applied_received, counters.received);
    advanceCounter(*found->kernel_drops, found->applied_kernel_drops, counters.kernel_drops);
    advanceCounter(*found->interface_drops, found->applied_interface_drops,
                   counters.interface_drops);
  }
  advanceCounter(decoded_, applied_decoded_, health.packets_decoded);
  for (size_t i = 1; i < errors_.size(); ++i) {
    advanceCounter(*errors_[i], applied_errors_[i], health.decode_errors[i]);
  }
  flows_active_.Set(static_cast<double>(health.flows_active));
  advanceCounter(flows_created_, applied_created_, health.flows_created);
  advanceCounter(flows_evicted_, applied_evicted_, health.flows_evicted);
  advanceCounter(flows_expired_, applied_expired_, health.flows_expired);
}

void CaptureMetrics::update(const capture::FlowSummary& summary, std::vector<double>& increments) {
  health_.update(summary.health);
  keys_.clear();
  labels_.clear();
  totals_.clear();
  if (summary.endpoints != nullptr) {
    const auto& endpoints = summary.endpoints->all();
    for (size_t i = 0; i < endpoints.size() && i < summary.totals.size(); ++i) {
      const capture::CaptureEndpoint& endpoint = endpoints[i];
      if (endpoint.kind == capture::CaptureEndpoint::Kind::kListener) {
        keys_.push_back("listener\n" + endpoint.listener);
        labels_.push_back({{"listener", endpoint.listener}});
        totals_.push_back(&summary.totals[i]);
        continue;
      }
      for (const auto& [cluster, host] : endpoint.hosts) {
        std::string key = "host\n";
        key.append(cluster).append("\n").append(host);
        keys_.push_back(std::move(key));
        labels_.push_back({{"cluster", cluster}, {"host", host}});
        totals_.push_back(&summary.totals[i]);
      }
    }
  }
  series_.follow(
      keys_.size(), [&](size_t i) -> const std::string& { return keys_[i]; },
      [&](std::string_view key) {
        for (size_t i = 0; i < keys_.size(); ++i) {
          if (keys_[i] == key) {
            return std::make_unique<FlowSeries>(flow_families_, labels_[i]);
          }
        }
        return std::make_unique<FlowSeries>(flow_families_, prometheus::Labels{});
      });
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (FlowSeries* series = series_.at(i)) {
      series->update(*totals_[i], increments);
    }
  }
}

}  // namespace meshlb::admin::metrics
