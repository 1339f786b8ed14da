#include "alerting/persist/journal_format.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb::alerting {
namespace {

std::string journalOf(std::initializer_list<std::string_view> payloads) {
  std::string bytes(kJournalHeader);
  for (std::string_view payload : payloads) {
    bytes += encodeJournalRecord(payload);
  }
  return bytes;
}

TEST(AlertJournalFormat, FramesLittleEndianWithCrc) {
  std::string record = encodeJournalRecord("123456789");
  // len 9, crc32c 0xE3069283, then the payload.
  EXPECT_EQ(record, std::string("\x09\x00\x00\x00\x83\x92\x06\xE3", 8) + "123456789");
}

TEST(AlertJournalFormat, ScansGoodRecordsIncludingEmptyOnes) {
  std::string bytes = journalOf({"a", "", "ccc"});
  JournalScan scan = scanJournal(bytes);
  EXPECT_EQ(scan.problem, JournalScan::Problem::kNone);
  ASSERT_EQ(scan.payloads.size(), 3u);
  EXPECT_EQ(scan.payloads[0], "a");
  EXPECT_EQ(scan.payloads[1], "");
  EXPECT_EQ(scan.payloads[2], "ccc");
  EXPECT_EQ(scan.good_bytes, bytes.size());
}

TEST(AlertJournalFormat, RejectsABadOrShortHeader) {
  EXPECT_EQ(scanJournal("MLBJ").problem, JournalScan::Problem::kBadHeader);
  std::string bytes = journalOf({"a"});
  bytes[7] = '\2';  // a future version
  JournalScan scan = scanJournal(bytes);
  EXPECT_EQ(scan.problem, JournalScan::Problem::kBadHeader);
  EXPECT_TRUE(scan.payloads.empty());
  EXPECT_EQ(scan.good_bytes, 0u);
}

TEST(AlertJournalFormat, CrcMismatchInTheLastRecordIsATornWrite) {
  std::string bytes = journalOf({"first", "second"});
  bytes.back() ^= 0x01;
  JournalScan scan = scanJournal(bytes);
  EXPECT_EQ(scan.problem, JournalScan::Problem::kTornTail);
  EXPECT_EQ(scan.reason.rfind("truncated", 0), 0u) << scan.reason;
  ASSERT_EQ(scan.payloads.size(), 1u);
  EXPECT_EQ(scan.good_bytes, kJournalHeader.size() + 8 + 5);
}

TEST(AlertJournalFormat, CrcMismatchWithDataAfterItIsCorruption) {
  std::string bytes = journalOf({"first", "second", "third"});
  bytes[kJournalHeader.size() + 8 + 5 + 8] ^= 0x20;  // "second" -> "Second"
  JournalScan scan = scanJournal(bytes);
  EXPECT_EQ(scan.problem, JournalScan::Problem::kCorrupt);
  ASSERT_EQ(scan.payloads.size(), 1u);
  EXPECT_EQ(scan.payloads[0], "first");
  EXPECT_EQ(scan.good_bytes, kJournalHeader.size() + 8 + 5);
}

}  // namespace
}  // namespace meshlb::alerting
