#include "capture/source/mapped_pcap_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/packet/byte_order.h"

namespace meshlb::capture {
namespace {

constexpr size_t kFileHeader = 24;
constexpr size_t kRecordHeader = 16;
constexpr uint32_t kMicroMagic = 0xa1b2c3d4;
constexpr uint32_t kNanoMagic = 0xa1b23c4d;
// A record longer than this is not a packet but a damaged file (libpcap uses the same bound).
constexpr uint32_t kMaxRecord = 262144;

}  // namespace

uint32_t MappedPcapFile::read32(const uint8_t* at) const {
  uint32_t value = detail::loadHost32(at);
  return swapped_ ? __builtin_bswap32(value) : value;
}

Result<MappedPcapFile> MappedPcapFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Error{path + ": " + strerror(errno)};
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || static_cast<size_t>(info.st_size) < kFileHeader) {
    ::close(fd);
    return Error{path + ": not a classic pcap file"};
  }
  size_t size = static_cast<size_t>(info.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) {
    return Error{path + ": mmap: " + strerror(errno)};
  }
  madvise(mapped, size, MADV_SEQUENTIAL);
  MappedPcapFile file;
  file.base_ = static_cast<const uint8_t*>(mapped);
  file.size_ = size;
  uint32_t magic = detail::loadHost32(file.base_);
  if (magic == kMicroMagic || magic == kNanoMagic) {
    file.nanoseconds_ = magic == kNanoMagic;
  } else if (__builtin_bswap32(magic) == kMicroMagic || __builtin_bswap32(magic) == kNanoMagic) {
    file.swapped_ = true;
    file.nanoseconds_ = __builtin_bswap32(magic) == kNanoMagic;
  } else {
    return Error{path + ": not a classic pcap file"};  // the destructor unmaps
  }
  file.snaplen_ = file.read32(file.base_ + 16);
  // The link type is the low 16 bits; the high bits may carry an FCS length (pcap spec).
  file.link_type_ = static_cast<int>(file.read32(file.base_ + 20) & 0xffff);
  file.offset_ = kFileHeader;
  return file;
}

MappedPcapFile::MappedPcapFile(MappedPcapFile&& other) noexcept
    : base_(other.base_),
      size_(other.size_),
      offset_(other.offset_),
      link_type_(other.link_type_),
      snaplen_(other.snaplen_),
      swapped_(other.swapped_),
      nanoseconds_(other.nanoseconds_),
      damaged_(other.damaged_) {
  other.base_ = nullptr;
}

MappedPcapFile::~MappedPcapFile() {
  if (base_ != nullptr) {
    munmap(const_cast<uint8_t*>(base_), size_);
  }
}

bool MappedPcapFile::next(PcapRecord& record) {
  if (offset_ == size_) {
    return false;
  }
  if (size_ - offset_ < kRecordHeader) {
    damaged_ = true;
    offset_ = size_;
    return false;
  }
  const uint8_t* header = base_ + offset_;
  uint32_t seconds = read32(header);
  uint32_t fraction = read32(header + 4);
  uint32_t captured = read32(header + 8);
  uint32_t wire = read32(header + 12);
  if (captured > kMaxRecord || captured > size_ - offset_ - kRecordHeader) {
    damaged_ = true;
    offset_ = size_;
    return false;
  }
  record.timestamp_ns = static_cast<int64_t>(seconds) * 1'000'000'000 +
                        static_cast<int64_t>(nanoseconds_ ? fraction : fraction * 1000ull);
  record.captured = captured;
  record.wire_length = wire < captured ? captured : wire;
  record.data = header + kRecordHeader;
  offset_ += kRecordHeader + captured;
  return true;
}

}  // namespace meshlb::capture
