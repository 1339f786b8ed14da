#include "common/deadline_queue.h"

namespace meshlb {

void DeadlineQueue::start(uv_loop_t* loop) {
  loop_ = loop;
  uv_timer_init(loop, timer_.get());
  timer_.initialized(this);
  // The queue's timer alone does not keep the loop running: the connections that own the
  // deadlines do.
  uv_unref(timer_.handle());
}

void DeadlineQueue::close() {
  closed_ = true;
  timer_.close(nullptr);
}

void DeadlineQueue::arm(Deadline& deadline, uint64_t timeout_ms, Deadline::Callback fire,
                        void* owner) {
  deadline.fire = fire;
  deadline.owner = owner;
  const uint64_t now = uv_now(loop_);
  deadline.due_ms = timeout_ms > UINT64_MAX - now ? UINT64_MAX : now + timeout_ms;
  if (deadline.armed()) {
    // Usually later than before (a connection's next timeout): sift both ways to be sure.
    siftUp(deadline.slot);
    siftDown(deadline.slot);
  } else {
    heap_.push_back(&deadline);
    deadline.slot = static_cast<uint32_t>(heap_.size() - 1);
    siftUp(deadline.slot);
  }
  schedule();
}

void DeadlineQueue::cancel(Deadline& deadline) {
  if (deadline.armed()) {
    removeAt(deadline.slot);
  }
  // The loop's timer may now fire early, find nothing due and be set again: cheaper than
  // resetting it on every cancel.
}

void DeadlineQueue::removeAt(uint32_t slot) {
  Deadline* removed = heap_[slot];
  Deadline* last = heap_.back();
  heap_.pop_back();
  removed->slot = Deadline::kUnarmed;
  if (last != removed) {
    place(slot, last);
    siftUp(slot);
    siftDown(last->slot);
  }
}

void DeadlineQueue::siftUp(uint32_t slot) {
  Deadline* moving = heap_[slot];
  while (slot > 0) {
    uint32_t parent = (slot - 1) / 2;
    if (heap_[parent]->due_ms <= moving->due_ms) {
      break;
    }
    place(slot, heap_[parent]);
    slot = parent;
  }
  place(slot, moving);
}

void DeadlineQueue::siftDown(uint32_t slot) {
  Deadline* moving = heap_[slot];
  const auto size = static_cast<uint32_t>(heap_.size());
  while (true) {
    uint32_t child = 2 * slot + 1;
    if (child >= size) {
      break;
    }
    if (child + 1 < size && heap_[child + 1]->due_ms < heap_[child]->due_ms) {
      ++child;
    }
    if (moving->due_ms <= heap_[child]->due_ms) {
      break;
    }
    place(slot, heap_[child]);
    slot = child;
  }
  place(slot, moving);
}

void DeadlineQueue::schedule() {
  if (closed_ || heap_.empty()) {
    return;
  }
  const uint64_t due = heap_.front()->due_ms;
  if (due >= timer_due_ms_) {
    return;  // the timer fires at or before the earliest deadline already
  }
  const uint64_t now = uv_now(loop_);
  timer_due_ms_ = due;
  uv_timer_start(timer_.get(), &DeadlineQueue::onTimer, due > now ? due - now : 0, 0);
}

void DeadlineQueue::onTimer(uv_timer_t* timer) {
  static_cast<DeadlineQueue*>(timer->data)->fireDue();
}

void DeadlineQueue::fireDue() {
  timer_due_ms_ = UINT64_MAX;
  const uint64_t now = uv_now(loop_);
  // A callback may arm a deadline due now (timeout 0): it fires on the next turn, not in this
  // loop, so a callback that keeps re-arming cannot hold the thread.
  size_t budget = heap_.size();
  while (!heap_.empty() && heap_.front()->due_ms <= now && budget-- > 0) {
    Deadline* due = heap_.front();
    removeAt(0);
    due->fire(due->owner);
  }
  schedule();
}

}  // namespace meshlb
