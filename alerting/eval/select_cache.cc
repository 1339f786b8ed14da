#include "alerting/eval/select_cache.h"

namespace meshlb::alerting {
namespace {

bool sameHosts(const std::vector<std::pair<std::string, std::string>>& keys,
               const std::vector<analytics::HostView>& hosts) {
  if (keys.size() != hosts.size()) {
    return false;
  }
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (keys[i].first != hosts[i].cluster || keys[i].second != hosts[i].host) {
      return false;
    }
  }
  return true;
}

bool sameClusters(const std::vector<std::string>& keys,
                  const std::vector<analytics::ClusterView>& clusters) {
  if (keys.size() != clusters.size()) {
    return false;
  }
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (keys[i] != clusters[i].name) {
      return false;
    }
  }
  return true;
}

std::vector<uint8_t> evaluateSelect(const Rule& rule, const std::vector<LabelSet>& instances) {
  std::vector<uint8_t> selected(instances.size());
  for (size_t i = 0; i < instances.size(); ++i) {
    selected[i] = matchesAll(rule.select, instances[i]) ? 1 : 0;
  }
  return selected;
}

}  // namespace

void SelectCache::syncInstances(const analytics::AnalyticsView& view) {
  if (sameHosts(host_keys_, view.hosts) && sameClusters(cluster_keys_, view.clusters)) {
    return;
  }
  host_keys_.clear();
  host_labels_.clear();
  for (const analytics::HostView& host : view.hosts) {
    host_keys_.emplace_back(host.cluster, host.host);
    host_labels_.push_back(LabelSet{{"cluster", host.cluster}, {"host", host.host}});
  }
  cluster_keys_.clear();
  cluster_labels_.clear();
  for (const analytics::ClusterView& cluster : view.clusters) {
    cluster_keys_.push_back(cluster.name);
    cluster_labels_.push_back(LabelSet{{"cluster", cluster.name}});
  }
  entries_.clear();
}

void SelectCache::update(const analytics::AnalyticsView& view,
                         const std::vector<std::shared_ptr<const Rule>>& rules) {
  bool any_select = false;
  for (const std::shared_ptr<const Rule>& rule : rules) {
    any_select = any_select || (rule != nullptr && !rule->select.empty());
  }
  if (!any_select) {
    entries_.clear();
    return;
  }
  syncInstances(view);
  for (auto& [key, entry] : entries_) {
    entry.used = false;
  }
  for (const std::shared_ptr<const Rule>& rule : rules) {
    if (rule == nullptr || rule->select.empty() || rule->scope == Scope::kGlobal) {
      continue;
    }
    Entry& entry = entries_[rule.get()];
    if (entry.rule == nullptr) {
      entry.rule = rule;
      entry.selected =
          evaluateSelect(*rule, rule->scope == Scope::kHost ? host_labels_ : cluster_labels_);
    }
    entry.used = true;
  }
  std::erase_if(entries_, [](const auto& item) { return !item.second.used; });
}

const std::vector<uint8_t>* SelectCache::selection(const Rule& rule) const {
  if (rule.select.empty()) {
    return nullptr;
  }
  const auto it = entries_.find(&rule);
  // A rule that update() did not see selects nothing rather than everything.
  static const std::vector<uint8_t> kNone;
  return it == entries_.end() ? &kNone : &it->second.selected;
}

}  // namespace meshlb::alerting
