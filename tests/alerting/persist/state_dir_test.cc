#include "alerting/persist/state_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "alerting/persist/atomic_file.h"
#include "alerting/persist/journal_format.h"
#include "tests/alerting/support/temp_dir.h"

namespace meshlb::alerting {
namespace {

using testing::TempDir;

class AlertStateDir : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(temp_.path().empty()); }

  std::unique_ptr<StateDir> openDir() {
    std::string error;
    std::unique_ptr<StateDir> dir = StateDir::open(temp_.path(), /*fsync=*/true, &error);
    EXPECT_NE(dir, nullptr) << error;
    return dir;
  }

  // Opens, loads and appends `payloads`; closes the directory again.
  void writeJournal(const std::vector<std::string>& payloads) {
    std::unique_ptr<StateDir> dir = openDir();
    ASSERT_NE(dir, nullptr);
    LoadedState state = dir->load();
    ASSERT_TRUE(state.errors.empty());
    for (const std::string& payload : payloads) {
      std::string error;
      ASSERT_TRUE(dir->append(payload, &error)) << error;
    }
  }

  LoadedState reload() {
    std::unique_ptr<StateDir> dir = openDir();
    return dir ? dir->load() : LoadedState{};
  }

  std::string read(const std::string& name) {
    std::string error;
    return readWholeFile(temp_.file(name), &error).value_or("<" + error + ">");
  }

  void overwrite(const std::string& name, const std::string& bytes) {
    std::string error;
    ASSERT_TRUE(writeFileAtomically(temp_.file(name), bytes, false, &error)) << error;
  }

  TempDir temp_;
};

TEST_F(AlertStateDir, EmptyDirectoryLoadsCleanly) {
  std::unique_ptr<StateDir> dir = openDir();
  ASSERT_NE(dir, nullptr);
  LoadedState state = dir->load();
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_TRUE(state.journal.empty());
  EXPECT_TRUE(state.errors.empty());
  EXPECT_EQ(read("alerting.journal"), std::string(kJournalHeader));
  EXPECT_EQ(dir->journalBytes(), 8u);
  EXPECT_EQ(dir->path(), temp_.path());
}

TEST_F(AlertStateDir, CreatesMissingDirectoriesPrivately) {
  std::string nested = temp_.file("a/b/state");
  std::string error;
  std::unique_ptr<StateDir> dir = StateDir::open(nested + "/", false, &error);
  ASSERT_NE(dir, nullptr) << error;
  EXPECT_EQ(dir->path(), nested);
  struct stat info;
  ASSERT_EQ(::stat(nested.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST_F(AlertStateDir, RoundTrip) {
  writeJournal({"{\"type\":\"rule_put\"}", "", std::string("bin\0ary", 7)});
  std::unique_ptr<StateDir> dir = openDir();
  ASSERT_NE(dir, nullptr);
  LoadedState state = dir->load();
  EXPECT_TRUE(state.errors.empty());
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_EQ(state.journal,
            (std::vector<std::string>{"{\"type\":\"rule_put\"}", "", std::string("bin\0ary", 7)}));
  EXPECT_EQ(dir->journalRecords(), 3u);
  EXPECT_EQ(dir->journalBytes(), 8u + (8 + 19) + 8 + (8 + 7));

  std::string error;
  ASSERT_TRUE(dir->append("fourth", &error)) << error;
  dir.reset();
  EXPECT_EQ(reload().journal.back(), "fourth");
}

TEST_F(AlertStateDir, WriteSnapshotEmptiesTheJournal) {
  writeJournal({"one", "two"});
  std::unique_ptr<StateDir> dir = openDir();
  ASSERT_NE(dir, nullptr);
  ASSERT_EQ(dir->load().journal.size(), 2u);
  std::string error;
  ASSERT_TRUE(dir->writeSnapshot("{\"folded\":[\"one\",\"two\"]}", &error)) << error;
  EXPECT_EQ(dir->journalRecords(), 0u);
  EXPECT_EQ(dir->journalBytes(), 8u);
  ASSERT_TRUE(dir->append("three", &error)) << error;
  dir.reset();

  LoadedState state = reload();
  EXPECT_TRUE(state.errors.empty());
  EXPECT_EQ(state.snapshot, "{\"folded\":[\"one\",\"two\"]}");
  EXPECT_EQ(state.journal, std::vector<std::string>{"three"});
}

TEST_F(AlertStateDir, AppendBeforeLoadFails) {
  std::unique_ptr<StateDir> dir = openDir();
  ASSERT_NE(dir, nullptr);
  std::string error;
  EXPECT_FALSE(dir->append("x", &error));
  EXPECT_NE(error.find("load()"), std::string::npos) << error;
}

TEST_F(AlertStateDir, TornTailAtEveryOffsetKeepsEarlierRecords) {
  writeJournal({"first record", "second", "the last record, torn"});
  const std::string full = read("alerting.journal");
  const size_t last_start = full.size() - (8 + 21);
  for (size_t cut = last_start; cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    overwrite("alerting.journal", full.substr(0, cut));
    std::unique_ptr<StateDir> dir = openDir();
    ASSERT_NE(dir, nullptr);
    LoadedState state = dir->load();
    EXPECT_EQ(state.journal, (std::vector<std::string>{"first record", "second"}));
    if (cut == last_start) {
      EXPECT_TRUE(state.errors.empty());
    } else {
      ASSERT_EQ(state.errors.size(), 1u);
      EXPECT_EQ(state.errors[0].file, "alerting.journal");
      EXPECT_EQ(state.errors[0].reason.rfind("truncated", 0), 0u) << state.errors[0].reason;
      EXPECT_EQ(state.errors[0].set_aside_as, "");
    }
    EXPECT_EQ(read("alerting.journal"), full.substr(0, last_start));
    EXPECT_EQ(dir->journalRecords(), 2u);
    std::string error;
    ASSERT_TRUE(dir->append("after", &error)) << error;
    dir.reset();
    EXPECT_EQ(reload().journal, (std::vector<std::string>{"first record", "second", "after"}));
  }
}

TEST_F(AlertStateDir, CorruptMiddleRecordIsSetAsideAndEarlierRecordsKept) {
  writeJournal({"first", "second", "third"});
  std::string original = read("alerting.journal");
  std::string damaged = original;
  damaged[8 + (8 + 5) + 8 + 2] ^= 0x01;  // inside "second"
  overwrite("alerting.journal", damaged);

  std::unique_ptr<StateDir> dir = openDir();
  ASSERT_NE(dir, nullptr);
  LoadedState state = dir->load();
  EXPECT_EQ(state.journal, std::vector<std::string>{"first"});
  ASSERT_EQ(state.errors.size(), 1u);
  EXPECT_NE(state.errors[0].reason.find("CRC mismatch"), std::string::npos);
  EXPECT_EQ(state.errors[0].set_aside_as.rfind("alerting.journal.corrupt-", 0), 0u)
      << state.errors[0].set_aside_as;
  EXPECT_EQ(read(state.errors[0].set_aside_as), damaged);
  EXPECT_EQ(read("alerting.journal"), original.substr(0, 8 + 8 + 5));
  EXPECT_EQ(dir->journalRecords(), 1u);
}

TEST_F(AlertStateDir, BadSnapshotHeaderIsSetAsideAndTheJournalStillRead) {
  writeJournal({"kept"});
  overwrite("alerting.snapshot", "not a snapshot\n{}");
  LoadedState state = reload();
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_EQ(state.journal, std::vector<std::string>{"kept"});
  ASSERT_EQ(state.errors.size(), 1u);
  EXPECT_EQ(state.errors[0].file, "alerting.snapshot");
  EXPECT_EQ(state.errors[0].reason, "bad snapshot header");
  EXPECT_EQ(state.errors[0].set_aside_as.rfind("alerting.snapshot.corrupt-", 0), 0u);
  EXPECT_EQ(read(state.errors[0].set_aside_as), "not a snapshot\n{}");
  EXPECT_FALSE(std::filesystem::exists(temp_.file("alerting.snapshot")));
}

TEST_F(AlertStateDir, BadSnapshotCrcIsSetAside) {
  {
    std::unique_ptr<StateDir> dir = openDir();
    ASSERT_NE(dir, nullptr);
    dir->load();
    std::string error;
    ASSERT_TRUE(dir->writeSnapshot("{\"x\":1}", &error)) << error;
    ASSERT_TRUE(dir->append("after snapshot", &error)) << error;
  }
  std::string snapshot = read("alerting.snapshot");
  snapshot[snapshot.size() - 2] = '2';
  overwrite("alerting.snapshot", snapshot);
  LoadedState state = reload();
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_EQ(state.journal, std::vector<std::string>{"after snapshot"});
  ASSERT_EQ(state.errors.size(), 1u);
  EXPECT_EQ(state.errors[0].reason, "snapshot CRC mismatch");
  EXPECT_NE(state.errors[0].set_aside_as, "");
}

TEST_F(AlertStateDir, BadJournalHeaderIsSetAsideAndReplaced) {
  overwrite("alerting.journal", "garbage that is no journal");
  std::unique_ptr<StateDir> dir = openDir();
  ASSERT_NE(dir, nullptr);
  LoadedState state = dir->load();
  EXPECT_TRUE(state.journal.empty());
  ASSERT_EQ(state.errors.size(), 1u);
  EXPECT_EQ(state.errors[0].reason, "bad journal header");
  EXPECT_EQ(read(state.errors[0].set_aside_as), "garbage that is no journal");
  std::string error;
  ASSERT_TRUE(dir->append("fresh", &error)) << error;
  dir.reset();
  EXPECT_EQ(reload().journal, std::vector<std::string>{"fresh"});
}

TEST_F(AlertStateDir, SecondOpenInTheSameProcessFails) {
  std::unique_ptr<StateDir> first = openDir();
  ASSERT_NE(first, nullptr);
  std::string error;
  EXPECT_EQ(StateDir::open(temp_.path(), true, &error), nullptr);
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  EXPECT_NE(error.find("pid " + std::to_string(::getpid())), std::string::npos) << error;
  first.reset();
  EXPECT_NE(StateDir::open(temp_.path(), true, &error), nullptr) << error;
}

TEST_F(AlertStateDir, SecondOpenFromAnotherProcessFails) {
  std::unique_ptr<StateDir> first = openDir();
  ASSERT_NE(first, nullptr);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string error;
    bool refused = StateDir::open(temp_.path(), true, &error) == nullptr &&
                   error.find("in use") != std::string::npos;
    ::_exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace meshlb::alerting
