#include "capture/flow/zeroed_array.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace meshlb::capture {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kHuge = ZeroedBuffer::kHugePageBytes;

// Bytes of [begin, begin + length) that are resident (mincore, in 4 KiB pages).
size_t residentBytes(const char* begin, size_t length) {
  std::vector<unsigned char> pages(length / kPage);
  EXPECT_EQ(mincore(const_cast<char*>(begin), length, pages.data()), 0);
  size_t resident = 0;
  for (unsigned char page : pages) {
    resident += (page & 1) * kPage;
  }
  return resident;
}

// AnonHugePages of the mapping that holds `address`, in kB, from /proc/self/smaps.
size_t anonHugePagesKb(const void* address) {
  const auto target = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long begin = 0;
    unsigned long end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2 && line.find(':') > 8) {
      inside = begin <= target && target < end;
    } else if (inside && line.starts_with("AnonHugePages:")) {
      return std::stoul(line.substr(14));
    }
  }
  return 0;
}

// What a filled block should become, in kB of AnonHugePages: one huge page, unless the host
// turned THP off ("never"), when ZeroedBuffer must not ask for one.
size_t filledBlockHugeKb() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(setting, line);
  return line.find("[never]") != std::string::npos ? 0 : kHuge / 1024;
}

// The offset of the first 2 MiB-aligned block inside `buffer`.
size_t firstBlockOffset(const ZeroedBuffer& buffer) {
  const auto start = reinterpret_cast<uintptr_t>(buffer.data());
  return ((start + kHuge - 1) & ~(kHuge - 1)) - start;
}

// A block being filled stays in 4 KiB pages: writing 1 MiB of it makes 1 MiB resident, where
// a huge page would make 2 MiB resident at the first write.
TEST(ZeroedBufferTest, TheBlockBeingFilledCostsOnlyWhatWasWritten) {
  ZeroedBuffer buffer(8 * kHuge, ZeroedBuffer::HugePages::kFilledBlocks);
  char* block = static_cast<char*>(buffer.data()) + firstBlockOffset(buffer);
  for (size_t offset = 0; offset < kHuge / 2; offset += kPage) {
    block[offset] = 1;
  }
  buffer.useUpTo(firstBlockOffset(buffer) + kHuge / 2);
  EXPECT_EQ(residentBytes(block, kHuge), kHuge / 2);
  EXPECT_EQ(anonHugePagesKb(block), 0u);
}

// Once the owner has used a whole block, it becomes one huge page (MADV_COLLAPSE; none with THP
// "never"), and the resident size does not change: every page of it was written already.
TEST(ZeroedBufferTest, AFilledBlockBecomesAHugePage) {
  ZeroedBuffer buffer(8 * kHuge, ZeroedBuffer::HugePages::kFilledBlocks);
  const size_t block_offset = firstBlockOffset(buffer);
  char* begin = static_cast<char*>(buffer.data());
  for (size_t offset = 0; offset < block_offset + kHuge; offset += kPage) {
    begin[offset] = 1;
  }
  buffer.useUpTo(block_offset + kHuge - 1);  // one byte short: not yet
  EXPECT_EQ(anonHugePagesKb(begin + block_offset), 0u);
  buffer.useUpTo(block_offset + kHuge);
  EXPECT_EQ(anonHugePagesKb(begin + block_offset), filledBlockHugeKb());
  EXPECT_EQ(residentBytes(begin + block_offset, kHuge), kHuge);
  EXPECT_EQ(residentBytes(begin + block_offset + kHuge, kHuge), 0u);  // the next block
}

TEST(ZeroedBufferTest, MovingKeepsTheBlocksToAdvise) {
  ZeroedBuffer original(4 * kHuge, ZeroedBuffer::HugePages::kFilledBlocks);
  ZeroedBuffer moved(std::move(original));
  ZeroedBuffer assigned;
  assigned = std::move(moved);
  const size_t block_offset = firstBlockOffset(assigned);
  char* begin = static_cast<char*>(assigned.data());
  for (size_t offset = 0; offset < block_offset + kHuge; offset += kPage) {
    begin[offset] = 1;
  }
  assigned.useUpTo(block_offset + kHuge);
  EXPECT_EQ(anonHugePagesKb(begin + block_offset), filledBlockHugeKb());
  original.useUpTo(SIZE_MAX);  // moved from: nothing to advise, no crash
  moved.useUpTo(SIZE_MAX);
}

TEST(ZeroedArrayTest, UseUpToCountsValues) {
  ZeroedArray<uint64_t> values(4 * kHuge / sizeof(uint64_t),
                               ZeroedBuffer::HugePages::kFilledBlocks);
  const auto start = reinterpret_cast<uintptr_t>(values.data());
  const size_t first_block = (((start + kHuge - 1) & ~(kHuge - 1)) - start) / sizeof(uint64_t);
  const size_t block_end = first_block + kHuge / sizeof(uint64_t);
  for (size_t i = 0; i < block_end; ++i) {
    values[i] = i;
  }
  values.useUpTo(block_end);
  EXPECT_EQ(anonHugePagesKb(&values[first_block]), filledBlockHugeKb());
  EXPECT_EQ(values[block_end - 1], block_end - 1);  // the collapse kept the contents
}

}  // namespace
}  // namespace meshlb::capture
