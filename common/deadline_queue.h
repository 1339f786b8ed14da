#pragma once

#include <uv.h>

#include <cstdint>
#include <vector>

#include "common/uv_handle.h"

namespace meshlb {

// One one-shot timeout, embedded in its owner and run by a DeadlineQueue. 32 bytes, against
// 152 for a uv_timer_t: an idle connection's timeout costs little. Not copyable or movable while
// armed (the queue points at it). Used on the queue's loop thread.
struct Deadline {
  using Callback = void (*)(void* owner);
  static constexpr uint32_t kUnarmed = UINT32_MAX;

  Deadline() = default;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool armed() const { return slot != kUnarmed; }

  uint64_t due_ms = 0;  // loop time (uv_now) at which it fires
  Callback fire = nullptr;
  void* owner = nullptr;
  uint32_t slot = kUnarmed;  // its index in the queue's heap while armed
};

// Every deadline of one event loop, on a single uv_timer_t: a binary min-heap of Deadline
// pointers ordered by due time. arm() and cancel() are O(log n) and allocate only when the heap
// outgrows its capacity, like libuv's own timer heap; the loop's timer is set to the earliest
// deadline. A deadline's callback runs from the loop, after the deadline was taken off the
// heap: it may arm or cancel any deadline, itself included, and may destroy its owner.
// Owned by the loop's thread; not thread-safe.
class DeadlineQueue {
 public:
  DeadlineQueue() = default;
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  // Binds the queue to `loop`; before any arm().
  void start(uv_loop_t* loop);
  // Closes the loop's timer (the loop can then end). Deadlines still armed never fire; cancel()
  // stays safe.
  void close();

  // (Re)arms `deadline` to call fire(owner) `timeout_ms` from the loop's current time.
  void arm(Deadline& deadline, uint64_t timeout_ms, Deadline::Callback fire, void* owner);
  // Disarms `deadline` if armed; it will not fire.
  void cancel(Deadline& deadline);

  size_t armed() const { return heap_.size(); }

 private:
  static void onTimer(uv_timer_t* timer);
  void fireDue();
  // Sets the loop's timer to the earliest deadline, if it is not set to that already.
  void schedule();
  void place(uint32_t slot, Deadline* deadline) {
    heap_[slot] = deadline;
    deadline->slot = slot;
  }
  void siftUp(uint32_t slot);
  void siftDown(uint32_t slot);
  void removeAt(uint32_t slot);

  uv_loop_t* loop_ = nullptr;
  UvHandle<uv_timer_t> timer_;
  bool closed_ = false;
  uint64_t timer_due_ms_ = UINT64_MAX;  // when the loop's timer fires; UINT64_MAX: stopped
  std::vector<Deadline*> heap_;
};

}  // namespace meshlb
