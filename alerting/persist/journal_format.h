#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshlb::alerting {

// The journal's on-disk framing, without any file handling: pure functions, any thread.
//
// A journal is the 8-byte header "MLBJ\0\0\0\1" followed by records
//   u32 len | u32 crc32c(payload) | payload[len]      (integers little-endian)
// appended one write(2) each, so a crash can only tear the last record.

inline constexpr std::string_view kJournalHeader{"MLBJ\0\0\0\1", 8};
inline constexpr size_t kJournalRecordHeaderBytes = 8;

// The framed record for `payload` (whose size must fit in a u32; the caller checks).
std::string encodeJournalRecord(std::string_view payload);

// What scanJournal() found.
struct JournalScan {
  enum class Problem : uint8_t {
    kNone,
    kBadHeader,  // not a journal (or its header is damaged): nothing can be trusted
    kTornTail,   // the last record is incomplete or fails its CRC with nothing after it
    kCorrupt,    // a record fails its CRC and more data follows: damage, not a torn write
  };
  std::vector<std::string_view> payloads;  // the good records, in order; views into the input
  size_t good_bytes = 0;  // where the good prefix ends (header included); 0 with kBadHeader
  Problem problem = Problem::kNone;
  std::string reason;  // for the operator; "" with kNone
};

// Scans a whole journal file. Records before the first bad one are always returned.
JournalScan scanJournal(std::string_view bytes);

}  // namespace meshlb::alerting
