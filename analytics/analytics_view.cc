#include "analytics/analytics_view.h"

namespace meshlb::analytics {

const ClusterView* AnalyticsView::findCluster(std::string_view name) const {
  for (const ClusterView& cluster : clusters) {
    if (cluster.name == name) {
      return &cluster;
    }
  }
  return nullptr;
}

const HostView* AnalyticsView::findHost(std::string_view cluster, std::string_view host) const {
  for (const HostView& view : hosts) {
    if (view.cluster == cluster && view.host == host) {
      return &view;
    }
  }
  return nullptr;
}

}  // namespace meshlb::analytics
