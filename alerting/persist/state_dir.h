#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshlb::alerting {

// One problem found while loading the state directory, for the log and /alerts/status.
struct StateLoadError {
  std::string file;          // "alerting.snapshot" or "alerting.journal"
  std::string reason;        // "snapshot CRC mismatch", "truncated a torn record at ...", ...
  std::string set_aside_as;  // the name the damaged file (or its copy) now has; "" if none
};

// What load() recovered.
struct LoadedState {
  std::optional<std::string> snapshot;  // the JSON text of the last good snapshot
  std::vector<std::string> journal;     // each good journal record's payload, in order
  std::vector<StateLoadError> errors;
};

// The alerting state directory: "lock", "alerting.snapshot" (the whole model, replaced
// atomically) and "alerting.journal" (framed records appended since that snapshot; see
// journal_format.h and snapshot_format.h).
//
// Owned by one object; every method may be called from any thread (one internal mutex). The
// lock is held for the object's lifetime and released by its destructor (or by the process
// dying, even by kill -9).
class StateDir {
 public:
  // Creates the directory (0700, with missing parents) if needed and takes an exclusive flock on
  // "<dir>/lock". A second opener of the same directory fails with a clear error, whether it is
  // another process or another StateDir in this one (flock belongs to the open file
  // description). With `fsync` false nothing is fsynced (tests on slow disks). nullptr and
  // `*error` on failure.
  static std::unique_ptr<StateDir> open(const std::string& dir, bool fsync, std::string* error);
  ~StateDir();
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;

  // Reads the snapshot and the journal and repairs what it must. Never fails:
  // - a snapshot with a bad header, length or CRC is renamed "alerting.snapshot.corrupt-<unix_ms>"
  //   and reported; the journal is still read;
  // - a journal with a torn tail (short record header, length past EOF, or a CRC mismatch in the
  //   very last record) is truncated to its last good record and reported ("truncated ...");
  // - a CRC mismatch with more data after it: the journal is copied to
  //   "alerting.journal.corrupt-<unix_ms>", truncated at the bad record, and reported;
  // - a journal with a bad header is renamed like a bad snapshot and replaced by an empty one.
  // Records before a bad one are always kept. A missing journal is created. Call it once, before
  // append(); append() fails until load() or writeSnapshot() has opened the journal.
  LoadedState load();

  // Atomically replaces the snapshot with `json`, then atomically replaces the journal with an
  // empty one: the caller's `json` must already contain every record appended so far. A crash
  // between the two steps leaves the new snapshot and the old records, which a later load()
  // returns again (records must therefore be idempotent upserts).
  bool writeSnapshot(std::string_view json, std::string* error);

  // Appends one record, then fdatasyncs if `fsync`. On a failed write the journal is cut back
  // to its previous end, so a later append() is not hidden behind a torn record.
  bool append(std::string_view payload, std::string* error);

  uint64_t journalBytes() const;    // the journal file's size, header included
  uint64_t journalRecords() const;  // records since the last snapshot (or in the loaded journal)
  const std::string& path() const { return dir_; }

 private:
  StateDir(std::string dir, bool fsync, int lock_fd);

  std::string file(std::string_view name) const { return dir_ + "/" + std::string(name); }
  void loadSnapshot(LoadedState& state);
  void loadJournal(LoadedState& state);
  // Replaces the journal with a header-only file and opens it for appending.
  bool resetJournal(std::string* error);
  bool openJournalForAppend(std::string* error);
  void closeJournal();

  const std::string dir_;
  const bool fsync_;
  const int lock_fd_;
  mutable std::mutex mutex_;
  int journal_fd_ = -1;  // open for appending once load() or writeSnapshot() ran
  uint64_t journal_bytes_ = 0;
  uint64_t journal_records_ = 0;
};

}  // namespace meshlb::alerting
