#include "common/deadline_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace meshlb {
namespace {

// A loop with a queue, and a record of which deadlines fired in which order.
struct QueueFixture {
  QueueFixture() {
    uv_loop_init(&loop);
    queue.start(&loop);
    // The queue's timer does not keep the loop alive; this one does, until the test ends it.
    uv_timer_init(&loop, &keep_alive);
    uv_timer_start(
        &keep_alive, [](uv_timer_t*) {}, 60'000, 0);
  }
  ~QueueFixture() {
    queue.close();
    uv_close(reinterpret_cast<uv_handle_t*>(&keep_alive), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0);
  }
  // Runs the loop until `count` deadlines fired or 5 s passed.
  void runUntilFired(size_t count) {
    const uint64_t give_up = uv_now(&loop) + 5000;
    while (fired.size() < count && uv_now(&loop) < give_up) {
      uv_run(&loop, UV_RUN_ONCE);
    }
  }

  struct Owner {
    QueueFixture* fixture;
    int id;
    Deadline deadline;
  };
  static void record(void* owner) {
    auto* o = static_cast<Owner*>(owner);
    o->fixture->fired.push_back(o->id);
  }

  uv_loop_t loop{};
  uv_timer_t keep_alive{};
  DeadlineQueue queue;
  std::vector<int> fired;
};

TEST(DeadlineQueueTest, FiresInDueOrderAndNotBeforeItsTime) {
  QueueFixture f;
  std::vector<QueueFixture::Owner> owners(8);
  const uint64_t timeouts[] = {70, 10, 50, 30, 80, 20, 60, 40};
  const uint64_t start = uv_now(&f.loop);
  for (int i = 0; i < 8; ++i) {
    owners[i].fixture = &f;
    owners[i].id = static_cast<int>(timeouts[i]);
    f.queue.arm(owners[i].deadline, timeouts[i], &QueueFixture::record, &owners[i]);
  }
  EXPECT_EQ(f.queue.armed(), 8u);
  f.runUntilFired(8);
  EXPECT_EQ(f.fired, (std::vector<int>{10, 20, 30, 40, 50, 60, 70, 80}));
  EXPECT_GE(uv_now(&f.loop) - start, 80u);
  EXPECT_EQ(f.queue.armed(), 0u);
  for (const auto& owner : owners) {
    EXPECT_FALSE(owner.deadline.armed());
  }
}

TEST(DeadlineQueueTest, CancelledAndRearmedDeadlinesFireOnlyAtTheirNewTime) {
  QueueFixture f;
  QueueFixture::Owner cancelled{&f, 1, {}};
  QueueFixture::Owner moved_later{&f, 2, {}};
  QueueFixture::Owner moved_earlier{&f, 3, {}};
  QueueFixture::Owner untouched{&f, 4, {}};
  f.queue.arm(cancelled.deadline, 10, &QueueFixture::record, &cancelled);
  f.queue.arm(moved_later.deadline, 20, &QueueFixture::record, &moved_later);
  f.queue.arm(moved_earlier.deadline, 500, &QueueFixture::record, &moved_earlier);
  f.queue.arm(untouched.deadline, 60, &QueueFixture::record, &untouched);
  f.queue.cancel(cancelled.deadline);
  f.queue.cancel(cancelled.deadline);  // twice is harmless
  f.queue.arm(moved_later.deadline, 100, &QueueFixture::record, &moved_later);
  f.queue.arm(moved_earlier.deadline, 30, &QueueFixture::record, &moved_earlier);
  EXPECT_FALSE(cancelled.deadline.armed());
  EXPECT_EQ(f.queue.armed(), 3u);
  f.runUntilFired(3);
  EXPECT_EQ(f.fired, (std::vector<int>{3, 4, 2}));
}

// A callback may re-arm its own deadline and cancel another one that is due at the same time.
TEST(DeadlineQueueTest, ACallbackCanRearmItselfAndCancelAnotherDueOne) {
  QueueFixture f;
  struct Pair {
    QueueFixture* fixture;
    Deadline first;
    Deadline second;
    int first_runs = 0;
    int second_runs = 0;
  } pair{&f, {}, {}};
  auto on_first = [](void* owner) {
    auto* p = static_cast<Pair*>(owner);
    if (++p->first_runs == 1) {
      p->fixture->queue.cancel(p->second);
      p->fixture->queue.arm(
          p->first, 20,
          +[](void* o) {
            auto* q = static_cast<Pair*>(o);
            ++q->first_runs;
            q->fixture->fired.push_back(1);
          },
          p);
    }
  };
  auto on_second = [](void* owner) { ++static_cast<Pair*>(owner)->second_runs; };
  f.queue.arm(pair.first, 10, on_first, &pair);
  f.queue.arm(pair.second, 10, on_second, &pair);
  f.runUntilFired(1);
  EXPECT_EQ(pair.first_runs, 2);
  EXPECT_EQ(pair.second_runs, 0);
  EXPECT_EQ(f.queue.armed(), 0u);
}

// Many deadlines armed, re-armed and cancelled at random keep the heap ordered: each fires
// once, in due order.
TEST(DeadlineQueueTest, ManyRandomArmsAndCancelsFireInOrder) {
  QueueFixture f;
  constexpr int kCount = 500;
  std::vector<QueueFixture::Owner> owners(kCount);
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % 200;
  };
  std::vector<bool> live(kCount, false);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kCount; ++i) {
      owners[i].fixture = &f;
      if (next() % 4 == 0) {
        f.queue.cancel(owners[i].deadline);
        live[i] = false;
      } else {
        const uint64_t timeout = next();
        owners[i].id = static_cast<int>(timeout);
        f.queue.arm(owners[i].deadline, timeout, &QueueFixture::record, &owners[i]);
        live[i] = true;
      }
    }
  }
  size_t expected = 0;
  for (bool l : live) {
    expected += l ? 1 : 0;
  }
  EXPECT_EQ(f.queue.armed(), expected);
  f.runUntilFired(expected);
  EXPECT_EQ(f.fired.size(), expected);
  EXPECT_TRUE(std::is_sorted(f.fired.begin(), f.fired.end()));
}

}  // namespace
}  // namespace meshlb
