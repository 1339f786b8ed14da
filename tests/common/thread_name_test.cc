#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace meshlb {
namespace {

std::string commOfThisThread() {
  std::ifstream file("/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(file, name);
  return name;
}

TEST(ThreadName, NamesTheCallingThreadAndKeepsFifteenCharacters) {
  std::string short_name, long_name;
  std::thread([&] {
    nameThisThread("worker-3");
    short_name = commOfThisThread();
    nameThisThread("a-name-longer-than-fifteen");
    long_name = commOfThisThread();
  }).join();
  EXPECT_EQ(short_name, "worker-3");
  EXPECT_EQ(long_name, "a-name-longer-t");
}

}  // namespace
}  // namespace meshlb
