#include "admin/metrics/process_info.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

namespace meshlb::admin {
namespace {

TEST(ProcessInfoTest, CountsOpenDescriptorsExactly) {
  const uint64_t before = process_info_detail::countOpenFds();
  ASSERT_GT(before, 0u);
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) {
    int fd = open("/dev/null", O_RDONLY);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
  }
  EXPECT_EQ(process_info_detail::countOpenFds(), before + 5);
  EXPECT_EQ(readProcessInfo().open_fds, before + 5);
  for (int fd : fds) {
    close(fd);
  }
  EXPECT_EQ(process_info_detail::countOpenFds(), before);
}

TEST(ProcessInfoTest, ResidentMemoryFollowsTouchedPages) {
  uint64_t resident = 0;
  uint64_t size = 0;
  ASSERT_TRUE(process_info_detail::readMemory(resident, size));
  EXPECT_GT(resident, 0u);
  EXPECT_GE(size, resident);
  EXPECT_EQ(resident % static_cast<uint64_t>(sysconf(_SC_PAGESIZE)), 0u);

  constexpr size_t kBytes = 64 << 20;
  auto block = std::make_unique<char[]>(kBytes);
  std::memset(block.get(), 1, kBytes);  // touch every page
  uint64_t resident_after = 0;
  uint64_t size_after = 0;
  ASSERT_TRUE(process_info_detail::readMemory(resident_after, size_after));
  EXPECT_GE(resident_after, resident + kBytes / 2);
  EXPECT_GE(size_after, size + kBytes / 2);
  EXPECT_EQ(block[kBytes - 1], 1);  // keeps the block alive and used
}

TEST(ProcessInfoTest, StartTimeIsInThePastAndUptimeAddsUpToNow) {
  ProcessInfo info = readProcessInfo();
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_GT(info.start_time_unix_seconds, 0);
  EXPECT_LE(info.start_time_unix_seconds, now + 1);  // the kernel counts in clock ticks
  // This test process started less than an hour ago.
  EXPECT_GT(info.start_time_unix_seconds, now - 3600);
  EXPECT_GE(info.uptime_seconds, 0);
  EXPECT_NEAR(info.start_time_unix_seconds + info.uptime_seconds, now, 1.0);
  // The caller's part stays empty.
  EXPECT_EQ(info.workers, 0u);
  EXPECT_EQ(info.config_generation, 0u);
  EXPECT_EQ(info.config_reloads_ok, 0u);
  EXPECT_EQ(info.config_reload_failures, 0u);
  EXPECT_GT(info.resident_memory_bytes, 0u);
  EXPECT_GE(info.virtual_memory_bytes, info.resident_memory_bytes);
}

}  // namespace
}  // namespace meshlb::admin
