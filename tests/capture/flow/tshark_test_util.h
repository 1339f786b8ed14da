#pragma once

// Writes DecodedPacket scripts as real frames into a pcap file (libpcap, Ethernet link type,
// nanosecond timestamps) and reads tshark's per-frame fields back, so tests can compare the
// flow table with Wireshark's TCP analysis frame by frame. Test thread only.

#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "capture/packet/decoded_packet.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture::flowtest {

inline void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

inline uint16_t ipv4Checksum(const uint8_t* header, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) {
    sum += (uint32_t{header[i]} << 8) | header[i + 1];
  }
  while ((sum >> 16) != 0) {
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

// The frame a capture would have seen for `p`: Ethernet, IPv4/IPv6, TCP (SYN options: MSS,
// SACK-permitted, window scale) or UDP, and a zero payload. Checksums of TCP/UDP are left 0
// (Wireshark does not verify them by default).
inline std::vector<uint8_t> buildFrame(const DecodedPacket& p) {
  std::vector<uint8_t> f;
  const bool v6 = p.source.family == 6;
  for (uint8_t b : {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01}) {
    f.push_back(b);
  }
  put16(f, v6 ? 0x86DD : 0x0800);
  const size_t ip_start = f.size();
  if (v6) {
    put32(f, 0x60000000);
    put16(f, static_cast<uint16_t>(p.ip_length - 40));
    f.push_back(p.protocol);
    f.push_back(64);
    f.insert(f.end(), p.source.bytes.begin(), p.source.bytes.end());
    f.insert(f.end(), p.destination.bytes.begin(), p.destination.bytes.end());
  } else {
    f.push_back(0x45);
    f.push_back(0);
    put16(f, static_cast<uint16_t>(p.ip_length));
    put16(f, 1);       // identification
    put16(f, 0x4000);  // don't fragment
    f.push_back(64);
    f.push_back(p.protocol);
    put16(f, 0);
    f.insert(f.end(), p.source.bytes.begin(), p.source.bytes.begin() + 4);
    f.insert(f.end(), p.destination.bytes.begin(), p.destination.bytes.begin() + 4);
    const uint16_t checksum = ipv4Checksum(f.data() + ip_start, 20);
    f[ip_start + 10] = static_cast<uint8_t>(checksum >> 8);
    f[ip_start + 11] = static_cast<uint8_t>(checksum);
  }
  put16(f, p.source_port);
  put16(f, p.destination_port);
  if (p.protocol == 17) {
    put16(f, static_cast<uint16_t>(8 + p.payload_length));
    put16(f, 0);
  } else {
    const uint32_t header = transportHeaderLength(p);
    put32(f, p.seq);
    put32(f, p.ack);
    f.push_back(static_cast<uint8_t>((header / 4) << 4));
    f.push_back(p.tcp_flags);
    put16(f, p.window);
    put16(f, 0);  // checksum
    put16(f, 0);  // urgent pointer
    if ((p.tcp_flags & kSyn) != 0) {
      for (uint8_t b : {2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3}) {
        f.push_back(b);
      }
      f.push_back(static_cast<uint8_t>(p.window_scale));
      f.push_back(1);
      f.push_back(1);
    }
  }
  f.resize(f.size() + p.payload_length, 0);
  return f;
}

// Writes `packets` to `path`; false on a libpcap error.
inline bool writePcap(const std::string& path, const std::vector<DecodedPacket>& packets) {
  pcap_t* dead =
      pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
  if (dead == nullptr) {
    return false;
  }
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) {
    pcap_close(dead);
    return false;
  }
  for (const DecodedPacket& p : packets) {
    const std::vector<uint8_t> frame = buildFrame(p);
    pcap_pkthdr header{};
    header.ts.tv_sec = p.timestamp_ns / kSec;
    header.ts.tv_usec = p.timestamp_ns % kSec;  // nanoseconds: the file is nanosecond-precision
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, frame.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return true;
}

inline bool tsharkAvailable() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

// tshark's values of `fields` for every frame of `path` ("" when a field is absent). Runs
// tshark single-pass with sequence analysis on, as a user would. Empty on failure.
inline std::vector<std::vector<std::string>> tsharkFields(const std::string& path,
                                                          const std::vector<std::string>& fields,
                                                          const std::string& extra = "") {
  std::string command = "tshark -n -r '" + path +
                        "' -o tcp.analyze_sequence_numbers:TRUE -T fields -E separator=/t "
                        "-E occurrence=f " +
                        extra;
  for (const std::string& field : fields) {
    command += " -e " + field;
  }
  command += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return rows;
  }
  std::string line;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    line += buffer;
    if (line.empty() || line.back() != '\n') {
      continue;
    }
    line.pop_back();
    std::vector<std::string> row;
    size_t start = 0;
    for (;;) {
      const size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) {
        break;
      }
      start = tab + 1;
    }
    row.resize(fields.size());
    rows.push_back(row);
    line.clear();
  }
  pclose(pipe);
  return rows;
}

// A scratch directory removed with its files when the test ends. Test thread.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/meshlb_flow_test_XXXXXX";
    const char* made = mkdtemp(pattern);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    const std::string command = "rm -rf '" + path_ + "'";
    if (path_ != "/tmp") {
      (void)!std::system(command.c_str());
    }
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace meshlb::capture::flowtest
