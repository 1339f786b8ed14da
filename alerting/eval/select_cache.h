#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alerting/model/labels.h"
#include "alerting/rules/rule.h"
#include "analytics/analytics_view.h"

namespace meshlb::alerting {

// Which of the view's hosts (host scope) or clusters (cluster scope) each rule's `select`
// keeps. A regex match costs about 1 µs, too much for 1,000 hosts × 10 rules every second, so
// the answers are kept until the view's host or cluster list changes or a rule is replaced.
// Owned by RuleEvaluator (analytics thread).
class SelectCache {
 public:
  // Brings the cache up to date with this tick's view and rules; cheap when no rule selects.
  void update(const analytics::AnalyticsView& view,
              const std::vector<std::shared_ptr<const Rule>>& rules);
  // One flag per view host (host rule) or view cluster (cluster rule), or nullptr when the
  // rule selects everything. Valid until the next update().
  const std::vector<uint8_t>* selection(const Rule& rule) const;

 private:
  struct Entry {
    std::shared_ptr<const Rule> rule;  // held, so its address cannot be reused by another rule
    std::vector<uint8_t> selected;
    bool used = false;
  };
  // Whether the view's hosts and clusters are the ones the base labels were built for; rebuilds
  // them (and drops every entry) when not.
  void syncInstances(const analytics::AnalyticsView& view);

  std::vector<std::pair<std::string, std::string>> host_keys_;  // (cluster, host) by index
  std::vector<std::string> cluster_keys_;
  std::vector<LabelSet> host_labels_;     // {cluster, host}
  std::vector<LabelSet> cluster_labels_;  // {cluster}
  std::unordered_map<const Rule*, Entry> entries_;
};

}  // namespace meshlb::alerting
