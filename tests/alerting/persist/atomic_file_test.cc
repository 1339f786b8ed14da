#include "alerting/persist/atomic_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace meshlb::alerting {
namespace {

class AlertAtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/meshlb-atomic-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  size_t entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) {
      ++n;
    }
    return n;
  }

  std::string dir_;
};

TEST_F(AlertAtomicFile, WritesAndReplaces) {
  std::string path = dir_ + "/file";
  std::string error;
  ASSERT_TRUE(writeFileAtomically(path, "first", true, &error)) << error;
  ASSERT_TRUE(writeFileAtomically(path, std::string("sec\0ond", 7), false, &error)) << error;
  std::optional<std::string> read = readWholeFile(path, &error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_EQ(*read, std::string("sec\0ond", 7));
  EXPECT_EQ(entries(), 1u);  // no temporary file left behind
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(AlertAtomicFile, ReadsLargeFiles) {
  std::string path = dir_ + "/large";
  std::string content(300'000, 'x');
  content[123'456] = 'y';
  std::string error;
  ASSERT_TRUE(writeFileAtomically(path, content, false, &error)) << error;
  EXPECT_EQ(readWholeFile(path, &error), content);
}

TEST_F(AlertAtomicFile, FailsInAMissingDirectoryWithoutLeftovers) {
  std::string error;
  EXPECT_FALSE(writeFileAtomically(dir_ + "/missing/file", "x", true, &error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_EQ(entries(), 0u);
}

TEST_F(AlertAtomicFile, ReadOfAMissingFileReportsIt) {
  std::string error;
  EXPECT_FALSE(readWholeFile(dir_ + "/absent", &error).has_value());
  EXPECT_NE(error.find("absent"), std::string::npos) << error;
}

}  // namespace
}  // namespace meshlb::alerting
