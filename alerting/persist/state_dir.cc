#include "alerting/persist/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

#include "alerting/persist/atomic_file.h"
#include "alerting/persist/journal_format.h"
#include "alerting/persist/snapshot_format.h"
#include "common/wall_clock.h"

namespace meshlb::alerting {
namespace {

constexpr std::string_view kSnapshotName = "alerting.snapshot";
constexpr std::string_view kJournalName = "alerting.journal";

std::string errnoText(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

int64_t nowUnixMs() {
  return wallClockUnixMs();
}

bool exists(const std::string& path) {
  struct stat info;
  return ::lstat(path.c_str(), &info) == 0;
}

// "mkdir -p" with mode 0700 for the directories it creates; existing ones are left as they are.
bool makeDirectories(const std::string& dir, std::string* error) {
  for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
    std::string prefix = dir.substr(0, end);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = errnoText("create " + prefix, errno);
      return false;
    }
    if (end == std::string::npos) {
      break;
    }
  }
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    *error = dir + " is not a directory";
    return false;
  }
  return true;
}

// The pid the current holder wrote into the lock file, or "" if unknown.
std::string lockHolder(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
    pid.pop_back();
  }
  return pid;
}

// A fresh name "<path>.corrupt-<unix_ms>" (with "-<n>" added if two files go bad in one ms).
std::string setAsideName(const std::string& path) {
  std::string base = path + ".corrupt-" + std::to_string(nowUnixMs());
  std::string name = base;
  for (int n = 1; exists(name); ++n) {
    name = base + "-" + std::to_string(n);
  }
  return name;
}

std::string baseName(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

}  // namespace

std::unique_ptr<StateDir> StateDir::open(const std::string& dir, bool fsync, std::string* error) {
  std::string clean = dir;
  while (clean.size() > 1 && clean.back() == '/') {
    clean.pop_back();
  }
  if (clean.empty()) {
    *error = "state_dir is empty";
    return nullptr;
  }
  if (!makeDirectories(clean, error)) {
    return nullptr;
  }
  std::string lock_path = clean + "/lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = errnoText("open " + lock_path, errno);
    return nullptr;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = lockHolder(fd);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      *error = "state directory " + clean + " is in use (" + lock_path + " is locked by " +
               (holder.empty() ? std::string("another opener") : "pid " + holder) + ")";
    } else {
      *error = errnoText("flock " + lock_path, err);
    }
    return nullptr;
  }
  // Only for the error message of a second opener; the lock itself is the flock.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // Harmless: a second opener just cannot name us.
  }
  return std::unique_ptr<StateDir>(new StateDir(clean, fsync, fd));
}

StateDir::StateDir(std::string dir, bool fsync, int lock_fd)
    : dir_(std::move(dir)), fsync_(fsync), lock_fd_(lock_fd) {}

StateDir::~StateDir() {
  closeJournal();
  ::close(lock_fd_);  // releases the flock
}

LoadedState StateDir::load() {
  std::lock_guard<std::mutex> lock(mutex_);
  LoadedState state;
  loadSnapshot(state);
  loadJournal(state);
  return state;
}

void StateDir::loadSnapshot(LoadedState& state) {
  std::string path = file(kSnapshotName);
  if (!exists(path)) {
    return;
  }
  std::string error;
  std::optional<std::string> bytes = readWholeFile(path, &error);
  if (!bytes) {
    state.errors.push_back({std::string(kSnapshotName), error, ""});
    return;
  }
  std::string reason;
  std::optional<std::string_view> json = decodeSnapshot(*bytes, &reason);
  if (json) {
    state.snapshot = std::string(*json);
    return;
  }
  std::string aside = setAsideName(path);
  if (::rename(path.c_str(), aside.c_str()) != 0) {
    reason += "; " + errnoText("could not set it aside as " + aside, errno);
    aside.clear();
  } else if (fsync_) {
    syncParentDirectory(path, nullptr);
  }
  state.errors.push_back(
      {std::string(kSnapshotName), reason, aside.empty() ? "" : baseName(aside)});
}

void StateDir::loadJournal(LoadedState& state) {
  closeJournal();
  std::string path = file(kJournalName);
  std::string name(kJournalName);
  std::string error;
  if (!exists(path)) {
    if (!resetJournal(&error)) {
      state.errors.push_back({name, error, ""});
    }
    return;
  }
  std::optional<std::string> bytes = readWholeFile(path, &error);
  if (!bytes) {
    state.errors.push_back({name, error, ""});  // append() stays disabled: nothing is clobbered
    return;
  }
  if (bytes->empty()) {  // created but never written: nothing to lose
    if (!resetJournal(&error)) {
      state.errors.push_back({name, error, ""});
    }
    return;
  }
  JournalScan scan = scanJournal(*bytes);
  for (std::string_view payload : scan.payloads) {
    state.journal.emplace_back(payload);
  }
  switch (scan.problem) {
    case JournalScan::Problem::kNone:
      break;
    case JournalScan::Problem::kBadHeader: {
      std::string aside = setAsideName(path);
      if (::rename(path.c_str(), aside.c_str()) != 0) {
        state.errors.push_back({name, scan.reason + "; " + errnoText("rename", errno), ""});
        return;  // append() stays disabled: the file is neither trusted nor overwritten
      }
      state.errors.push_back({name, scan.reason, baseName(aside)});
      if (!resetJournal(&error)) {
        state.errors.push_back({name, error, ""});
      }
      return;
    }
    case JournalScan::Problem::kTornTail:
      state.errors.push_back({name, scan.reason, ""});
      break;
    case JournalScan::Problem::kCorrupt: {
      std::string aside = setAsideName(path);
      if (writeFileAtomically(aside, *bytes, fsync_, &error)) {
        state.errors.push_back({name, scan.reason + "; truncated there", baseName(aside)});
      } else {
        state.errors.push_back(
            {name, scan.reason + "; truncated there without a copy (" + error + ")", ""});
      }
      break;
    }
  }
  if (!openJournalForAppend(&error)) {
    state.errors.push_back({name, error, ""});
    return;
  }
  if (scan.good_bytes != bytes->size()) {
    if (::ftruncate(journal_fd_, static_cast<off_t>(scan.good_bytes)) != 0 ||
        (fsync_ && ::fdatasync(journal_fd_) != 0)) {
      state.errors.push_back({name, errnoText("truncate " + path, errno), ""});
      closeJournal();  // appending after the bad record would hide the new records
      return;
    }
  }
  journal_bytes_ = scan.good_bytes;
  journal_records_ = scan.payloads.size();
}

bool StateDir::writeSnapshot(std::string_view json, std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!writeFileAtomically(file(kSnapshotName), encodeSnapshot(json), fsync_, error)) {
    return false;
  }
  return resetJournal(error);
}

bool StateDir::append(std::string_view payload, std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (journal_fd_ < 0) {
    *error = "the journal is not open (load() has not run or could not repair it)";
    return false;
  }
  if (payload.size() > std::numeric_limits<uint32_t>::max()) {
    *error = "journal record too large";
    return false;
  }
  std::string record = encodeJournalRecord(payload);
  std::string_view left = record;
  while (!left.empty()) {
    ssize_t n = ::write(journal_fd_, left.data(), left.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      *error = errnoText("append to " + file(kJournalName), errno);
      if (::ftruncate(journal_fd_, static_cast<off_t>(journal_bytes_)) != 0) {
        closeJournal();  // the torn record stays; load() will cut it
      }
      return false;
    }
    left.remove_prefix(static_cast<size_t>(n));
  }
  journal_bytes_ += record.size();
  journal_records_ += 1;
  if (fsync_ && ::fdatasync(journal_fd_) != 0) {
    *error = errnoText("fdatasync " + file(kJournalName), errno);
    return false;
  }
  return true;
}

uint64_t StateDir::journalBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return journal_bytes_;
}

uint64_t StateDir::journalRecords() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return journal_records_;
}

bool StateDir::resetJournal(std::string* error) {
  closeJournal();
  if (!writeFileAtomically(file(kJournalName), kJournalHeader, fsync_, error)) {
    return false;
  }
  if (!openJournalForAppend(error)) {
    return false;
  }
  journal_bytes_ = kJournalHeader.size();
  journal_records_ = 0;
  return true;
}

bool StateDir::openJournalForAppend(std::string* error) {
  std::string path = file(kJournalName);
  journal_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (journal_fd_ < 0) {
    *error = errnoText("open " + path, errno);
    return false;
  }
  return true;
}

void StateDir::closeJournal() {
  if (journal_fd_ >= 0) {
    ::close(journal_fd_);
    journal_fd_ = -1;
  }
  journal_bytes_ = 0;
  journal_records_ = 0;
}

}  // namespace meshlb::alerting
