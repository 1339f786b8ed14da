#include "alerting/persist/journal_format.h"

#include "alerting/persist/crc32c.h"

namespace meshlb::alerting {
namespace {

void appendU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
}

uint32_t readU32(std::string_view bytes, size_t offset) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i])) << (8 * i);
  }
  return value;
}

}  // namespace

std::string encodeJournalRecord(std::string_view payload) {
  std::string record;
  record.reserve(kJournalRecordHeaderBytes + payload.size());
  appendU32(record, static_cast<uint32_t>(payload.size()));
  appendU32(record, crc32c(payload));
  record.append(payload);
  return record;
}

JournalScan scanJournal(std::string_view bytes) {
  JournalScan scan;
  if (bytes.size() < kJournalHeader.size() ||
      bytes.substr(0, kJournalHeader.size()) != kJournalHeader) {
    scan.problem = JournalScan::Problem::kBadHeader;
    scan.reason = "bad journal header";
    return scan;
  }
  size_t offset = kJournalHeader.size();
  scan.good_bytes = offset;
  while (offset < bytes.size()) {
    size_t left = bytes.size() - offset;
    std::string at = " at offset " + std::to_string(offset);
    if (left < kJournalRecordHeaderBytes) {
      scan.problem = JournalScan::Problem::kTornTail;
      scan.reason = "truncated a torn record" + at + ": short record header (" +
                    std::to_string(left) + " bytes)";
      return scan;
    }
    uint32_t length = readU32(bytes, offset);
    uint32_t crc = readU32(bytes, offset + 4);
    if (length > left - kJournalRecordHeaderBytes) {
      scan.problem = JournalScan::Problem::kTornTail;
      scan.reason = "truncated a torn record" + at + ": length " + std::to_string(length) +
                    " past the end of the file";
      return scan;
    }
    std::string_view payload = bytes.substr(offset + kJournalRecordHeaderBytes, length);
    size_t end = offset + kJournalRecordHeaderBytes + length;
    if (crc32c(payload) != crc) {
      if (end == bytes.size()) {
        // The last record's header reached the disk but its payload did not (a file extended
        // with zeros after a power cut looks like this): a torn write, not damage.
        scan.problem = JournalScan::Problem::kTornTail;
        scan.reason = "truncated a torn record" + at + ": CRC mismatch in the last record";
      } else {
        scan.problem = JournalScan::Problem::kCorrupt;
        scan.reason = "CRC mismatch in the record" + at + " with " +
                      std::to_string(bytes.size() - end) + " bytes after it";
      }
      return scan;
    }
    scan.payloads.push_back(payload);
    offset = end;
    scan.good_bytes = offset;
  }
  return scan;
}

}  // namespace meshlb::alerting
