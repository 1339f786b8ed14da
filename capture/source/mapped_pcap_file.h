#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace meshlb::capture {

// One record of a capture file: where its bytes are and what its header said.
struct PcapRecord {
  int64_t timestamp_ns = 0;
  uint32_t captured = 0;  // bytes at `data`
  uint32_t wire_length = 0;
  const uint8_t* data = nullptr;
};

// A classic pcap file (not pcapng) read straight from a memory mapping: no copy and no call per
// record, which is most of what libpcap costs per packet when reading files. Either byte order,
// microsecond or nanosecond timestamps. Every record header is checked against the bytes that
// are left, so a truncated or corrupt file ends the walk (ended() tells a clean end from a
// damaged one) and nothing is read past the mapping. Used by one thread at a time.
class MappedPcapFile {
 public:
  // Error when the file cannot be opened or mapped, or is not a classic pcap file (then use
  // libpcap, which also reads pcapng).
  static Result<MappedPcapFile> open(const std::string& path);
  ~MappedPcapFile();
  MappedPcapFile(MappedPcapFile&& other) noexcept;
  MappedPcapFile(const MappedPcapFile&) = delete;
  MappedPcapFile& operator=(const MappedPcapFile&) = delete;
  MappedPcapFile& operator=(MappedPcapFile&&) = delete;

  int linkType() const { return link_type_; }
  // The next record, or false at the end of the file (or of its readable part).
  bool next(PcapRecord& record);
  // True when the walk ended because a record header or its data was cut off or implausible.
  bool damaged() const { return damaged_; }

 private:
  MappedPcapFile() = default;
  uint32_t read32(const uint8_t* at) const;

  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t offset_ = 0;
  int link_type_ = 0;
  uint32_t snaplen_ = 0;
  bool swapped_ = false;
  bool nanoseconds_ = false;
  bool damaged_ = false;
};

}  // namespace meshlb::capture
