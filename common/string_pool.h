#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace meshlb {

// Heap buffers of std::string kept for reuse, so a connection can give its buffers back between
// requests (an idle connection then holds none) without a malloc and free per request: an
// exchange lends them at its start and recycles them at its end. Buffers larger than
// `max_capacity` are freed instead of kept, and at most `max_kept` are kept, which bounds what
// the pool holds. Owned by one thread (a worker); not thread-safe.
class StringPool {
 public:
  StringPool(size_t max_kept, size_t max_capacity)
      : max_kept_(max_kept), max_capacity_(max_capacity) {
    free_.reserve(max_kept);
  }
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  // Gives an empty `text` a kept buffer if it has only its inline one.
  void lend(std::string& text) {
    if (!text.empty() || text.capacity() > kInlineCapacity || free_.empty()) {
      return;
    }
    text = std::move(free_.back());
    free_.pop_back();
  }

  // Takes `text`'s heap buffer back, if it has one: `text` is empty afterwards and holds no heap
  // memory.
  void recycle(std::string& text) {
    if (text.capacity() <= kInlineCapacity) {
      text.clear();
      return;
    }
    if (text.capacity() > max_capacity_ || free_.size() >= max_kept_) {
      std::string().swap(text);
      return;
    }
    text.clear();
    free_.push_back(std::move(text));
    text = std::string();  // a moved-from string is valid but unspecified: make it empty
  }

  size_t kept() const { return free_.size(); }

 private:
  // What a std::string holds without a heap buffer.
  static inline const size_t kInlineCapacity = std::string().capacity();

  size_t max_kept_;
  size_t max_capacity_;
  std::vector<std::string> free_;
};

}  // namespace meshlb
