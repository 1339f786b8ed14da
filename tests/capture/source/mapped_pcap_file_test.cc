#include "capture/source/mapped_pcap_file.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace meshlb::capture {
namespace {

std::string tempFile(const char* name) {
  return ::testing::TempDir() + "/" + name;
}

// Writes `count` frames of `length` bytes with libpcap itself, microsecond or nanosecond.
std::string writeFile(const char* name, int count, uint32_t length, bool nano) {
  std::string path = tempFile(name);
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      DLT_EN10MB, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  std::string frame(length, '\x42');
  for (int i = 0; i < count; ++i) {
    pcap_pkthdr header{};
    header.ts.tv_sec = 1'700'000'000 + i;
    header.ts.tv_usec = nano ? 123'456'789 : 123'456;
    header.caplen = length;
    header.len = length + 1000;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header,
              reinterpret_cast<const u_char*>(frame.data()));
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return path;
}

TEST(MappedPcapFileTest, ReadsEveryRecordWithItsTimeAndLengths) {
  for (bool nano : {false, true}) {
    std::string path = writeFile(nano ? "nano.pcap" : "micro.pcap", 3, 60, nano);
    Result<MappedPcapFile> file = MappedPcapFile::open(path);
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ(file->linkType(), DLT_EN10MB);
    PcapRecord record;
    int records = 0;
    while (file->next(record)) {
      EXPECT_EQ(record.timestamp_ns,
                (1'700'000'000LL + records) * 1'000'000'000 + 123'456'000 + (nano ? 789 : 0));
      EXPECT_EQ(record.captured, 60u);
      EXPECT_EQ(record.wire_length, 1060u);
      EXPECT_EQ(record.data[0], 0x42);
      ++records;
    }
    EXPECT_EQ(records, 3);
    EXPECT_FALSE(file->damaged());
  }
}

TEST(MappedPcapFileTest, ATruncatedFileEndsTheWalkAndSaysSo) {
  std::string path = writeFile("whole.pcap", 2, 60, false);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t cut : {bytes.size() - 1, bytes.size() - 60, bytes.size() - 70}) {
    std::string cut_path = tempFile("cut.pcap");
    std::ofstream(cut_path, std::ios::binary) << bytes.substr(0, cut);
    Result<MappedPcapFile> file = MappedPcapFile::open(cut_path);
    ASSERT_TRUE(file);
    PcapRecord record;
    int records = 0;
    while (file->next(record)) {
      ++records;
    }
    EXPECT_EQ(records, 1) << cut;
    EXPECT_TRUE(file->damaged()) << cut;
  }
}

TEST(MappedPcapFileTest, AnImplausibleRecordLengthIsDamageNotARead) {
  std::string path = writeFile("one.pcap", 1, 60, false);
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(24 + 8);  // the first record's caplen
  uint32_t huge = 0x7fffffff;
  file.write(reinterpret_cast<const char*>(&huge), 4);
  file.close();
  Result<MappedPcapFile> mapped = MappedPcapFile::open(path);
  ASSERT_TRUE(mapped);
  PcapRecord record;
  EXPECT_FALSE(mapped->next(record));
  EXPECT_TRUE(mapped->damaged());
}

TEST(MappedPcapFileTest, OtherFilesAreRefused) {
  std::string path = tempFile("text.pcap");
  std::ofstream(path) << "this is not a capture file at all, just some text";
  EXPECT_FALSE(MappedPcapFile::open(path));
  EXPECT_FALSE(MappedPcapFile::open(tempFile("missing.pcap")));
  std::string pcapng = std::string(MESHLB_SOURCE_DIR) + "/tests/data/loopback_ipv6.pcapng";
  EXPECT_FALSE(MappedPcapFile::open(pcapng)) << "pcapng goes through libpcap";
}

}  // namespace
}  // namespace meshlb::capture
