#pragma once

#include <cstdint>

namespace meshlb::capture {

inline constexpr uint32_t kNilIndex = 0xFFFFFFFFu;

// One element's links in an IndexList. Kept in arrays separate from the flow records so that
// relinking a flow touches 8-byte neighbours, not their large records. Owned with the array
// (capture thread).
struct ListLinks {
  uint32_t prev;
  uint32_t next;
};

// An intrusive doubly linked list of element indices whose links live in a caller's array
// (`links[i]` for element i). O(1) push, remove and move-to-back; no allocation. An element is
// in at most one list per links array. Owned by whoever owns the array (the flow table's
// capture thread).
class IndexList {
 public:
  bool empty() const { return head_ == kNilIndex; }
  uint32_t front() const { return head_; }
  uint32_t back() const { return tail_; }
  uint32_t size() const { return size_; }
  static uint32_t next(const ListLinks* links, uint32_t i) { return links[i].next; }

  void pushBack(ListLinks* links, uint32_t i) {
    links[i].prev = tail_;
    links[i].next = kNilIndex;
    if (tail_ == kNilIndex) {
      head_ = i;
    } else {
      links[tail_].next = i;
    }
    tail_ = i;
    ++size_;
  }

  // `i` must be in this list.
  void remove(ListLinks* links, uint32_t i) {
    const ListLinks link = links[i];
    if (link.prev == kNilIndex) {
      head_ = link.next;
    } else {
      links[link.prev].next = link.next;
    }
    if (link.next == kNilIndex) {
      tail_ = link.prev;
    } else {
      links[link.next].prev = link.prev;
    }
    --size_;
  }

  // `i` must be in this list. Free when it already is the last element (bursts of one flow).
  void moveToBack(ListLinks* links, uint32_t i) {
    if (tail_ == i) {
      return;
    }
    remove(links, i);
    pushBack(links, i);
  }

 private:
  uint32_t head_ = kNilIndex;
  uint32_t tail_ = kNilIndex;
  uint32_t size_ = 0;
};

}  // namespace meshlb::capture
