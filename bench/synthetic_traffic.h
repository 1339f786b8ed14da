// Synthetic traffic for the analytics and alerting benchmarks: 1,000 hosts in 10 clusters with
// steady request and capture figures, advanced one second per call, as the stats merge and the
// capture's flow summary would produce them. Single-threaded: the benchmark's thread owns it.
#pragma once

#include <memory>
#include <random>
#include <string>

#include "capture/summary/capture_endpoints.h"
#include "capture/summary/flow_summary.h"
#include "common/address.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::bench {

constexpr int kClusters = 10;
constexpr int kHostsPerCluster = 100;

// A growing set of cumulative counters for every host, as the stats merge would produce.
class SyntheticTraffic {
 public:
  SyntheticTraffic() {
    endpoints_ = std::make_shared<capture::CaptureEndpoints>();
    for (int c = 0; c < kClusters; ++c) {
      stats::ClusterSnapshot cluster;
      cluster.name = "cluster" + std::to_string(c);
      for (int h = 0; h < kHostsPerCluster; ++h) {
        stats::HostSnapshot host;
        host.address = "10." + std::to_string(c) + "." + std::to_string(h / 250) + "." +
                       std::to_string(h % 250 + 1) + ":8080";
        endpoints_->addHost(parseSocketAddress(host.address).value(), host.address, cluster.name);
        cluster.hosts.push_back(host);
      }
      snapshot_.clusters.push_back(cluster);
    }
    flows_.health.enabled = true;
    flows_.endpoints = endpoints_;
    flows_.totals.resize(endpoints_->size());
  }

  void advance() {
    snapshot_.monotonic_ms += 1000;
    snapshot_.unix_ms = 1'700'000'000'000 + snapshot_.monotonic_ms;
    for (auto& cluster : snapshot_.clusters) {
      for (auto& host : cluster.hosts) {
        stats::HostStatsValues& v = host.values;
        uint64_t requests = 20 + random_() % 20;
        v.responses_by_class[1] += requests;
        v.responses_by_class[4] += random_() % 50 == 0 ? 1 : 0;
        for (uint64_t r = 0; r < requests; ++r) {
          uint64_t micros = 500 + random_() % 3000;
          v.request_duration.buckets[stats::latencyBucket(micros)]++;
          v.request_duration.sum_us += micros;
        }
        v.connections_total += 2;
        v.connect_duration.buckets[stats::latencyBucket(60)] += 2;
        v.bytes_sent += requests * 200;
        v.bytes_received += requests * 800;
        v.requests_active = random_() % 5;
        v.connections_active = 10;
      }
    }
    for (capture::EndpointFlowTotals& totals : flows_.totals) {
      totals.packets += 200;
      totals.bytes += 40'000;
      totals.retransmits += random_() % 100 == 0 ? 1 : 0;
      totals.handshake_rtt.buckets[stats::latencyBucket(40 + random_() % 20)] += 2;
      totals.data_rtt_upstream.buckets[stats::latencyBucket(100 + random_() % 200)] += 30;
    }
  }

  const stats::StatsSnapshot& snapshot() const { return snapshot_; }
  const capture::FlowSummary& flows() const { return flows_; }

 private:
  stats::StatsSnapshot snapshot_;
  std::shared_ptr<capture::CaptureEndpoints> endpoints_;
  capture::FlowSummary flows_;
  std::mt19937_64 random_{7};
};

}  // namespace meshlb::bench
