#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace meshlb::admin::metrics {

// The live series of one kind of thing the snapshot lists by name (the listeners, the clusters,
// one cluster's hosts), in the order of the last snapshot. follow() makes it match a new list:
// a name seen for the first time gets a Series (its constructor adds it to the registry), a name
// that is gone loses it (its destructor removes it), and a name listed twice maps to one Series
// at its first position (at() is nullptr at the repeats, so it is counted once). When the list
// is the same as last time, which is every update between config changes, follow() only
// compares names: no lookup, no allocation. Main thread only, like the exporter that owns it.
template <typename Series>
class SeriesRoster {
 public:
  // `name_of(i)` gives the i-th name (anything comparable with std::string_view) for i < count;
  // `make(name)` returns the std::unique_ptr<Series> for a new name.
  template <typename NameOf, typename Make>
  void follow(size_t count, NameOf name_of, Make make) {
    if (sameLayout(count, name_of)) {
      return;
    }
    ++round_;
    layout_.clear();
    slots_.clear();
    layout_.reserve(count);
    slots_.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      std::string_view name = name_of(i);
      auto it = by_name_.find(name);
      if (it == by_name_.end()) {
        it = by_name_.emplace(std::string(name), Entry{make(name), 0}).first;
      }
      if (it->second.round == round_) {
        slots_.push_back(nullptr);
      } else {
        it->second.round = round_;
        slots_.push_back(it->second.series.get());
      }
      layout_.emplace_back(name);
    }
    std::erase_if(by_name_, [this](const auto& entry) { return entry.second.round != round_; });
  }

  // The Series at position i of the last list, or nullptr when that name came earlier too.
  Series* at(size_t i) const { return slots_[i]; }
  size_t distinct() const { return by_name_.size(); }

 private:
  struct Entry {
    std::unique_ptr<Series> series;
    uint64_t round = 0;  // the last follow() that listed this name
  };
  // Lets std::string_view look up std::string keys without a temporary string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  template <typename NameOf>
  bool sameLayout(size_t count, NameOf& name_of) const {
    if (count != layout_.size() || round_ == 0) {
      return false;
    }
    for (size_t i = 0; i < count; ++i) {
      if (std::string_view(name_of(i)) != layout_[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<std::string> layout_;  // the names of the last list, repeats included
  std::vector<Series*> slots_;       // by position in layout_
  std::unordered_map<std::string, Entry, NameHash, std::equal_to<>> by_name_;
  uint64_t round_ = 0;
};

}  // namespace meshlb::admin::metrics
