#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace meshlb::alerting::testing {

// A fresh directory under /tmp, removed with everything in it when the object dies. Owned by one
// test; not shared between threads.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/meshlb-alerting-test-XXXXXX";
    if (::mkdtemp(pattern) != nullptr) {
      path_ = pattern;
    }
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // "" when mkdtemp failed (tests assert on it).
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace meshlb::alerting::testing
