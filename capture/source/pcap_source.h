#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>

#include "common/result.h"

namespace meshlb::capture {

// What a live source is asked to do.
struct LiveSourceOptions {
  std::string interface;
  std::string filter;  // BPF; empty: everything
  uint32_t snaplen = 128;
  uint32_t buffer_bytes = 16u << 20;
  bool immediate = true;
};

// Packets and drops as libpcap counts them for a live source (pcap_stats).
struct SourceCounters {
  uint64_t received = 0;         // packets the filter accepted (ps_recv)
  uint64_t kernel_drops = 0;     // dropped because the buffer was full (ps_drop)
  uint64_t interface_drops = 0;  // dropped by the interface or its driver (ps_ifdrop)
};

// Why a source could not be opened: lack of privilege is told apart, since meshlb then runs on
// without capture and says so, while any other failure (no such interface, bad filter) is the
// operator's mistake.
struct SourceError {
  bool permission = false;
  std::string message;
};

// One libpcap handle: a live interface (non-blocking, with a selectable fd for poll) or a file
// (pcap or pcapng). Owned by the capture thread once opened; opening may happen on another
// thread (main, to report errors at start-up) before the handle is handed over.
class PcapSource {
 public:
  ~PcapSource();
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;
  PcapSource(PcapSource&& other) noexcept;
  PcapSource& operator=(PcapSource&&) = delete;

  static Result<PcapSource> openLive(const LiveSourceOptions& options, SourceError* error);
  static Result<PcapSource> openFile(const std::string& path);
  // Checks that `filter` compiles (on a dead Ethernet handle); the error says why not.
  static Status checkFilter(const std::string& filter);

  pcap_t* handle() { return handle_; }
  int linkType() const { return link_type_; }
  const std::string& name() const { return name_; }
  // -1 for files.
  int selectableFd() const { return fd_; }
  // Replaces the BPF filter (live sources; capture thread). On a loopback interface the kernel
  // hands every packet to the capture twice, going out and coming in, and libpcap discards the
  // outgoing copy only after the kernel copied it into the ring. There the kernel's filter
  // becomes `inbound and (filter)`, so that copy costs neither the copy nor a ring slot; what
  // the capture delivers does not change, and libpcap's counts (ps_recv) count a packet once.
  Status setFilter(const std::string& filter);
  // A live Ethernet-framed loopback interface, where setFilter() drops outgoing copies.
  bool isLoopback() const { return loopback_; }
  // The kernel drops loopback's outgoing copies (see setFilter): false where it could not.
  bool dropsOutgoingCopies() const { return drops_outgoing_copies_; }
  // On loopback, the kernel does not even offer outgoing copies to this socket
  // (PACKET_IGNORE_OUTGOING): cheaper for the senders than the filter dropping them.
  bool ignoresOutgoing() const { return ignores_outgoing_; }
  SourceCounters counters();
  // Timestamps of this source are in nanoseconds (pcapng or a nanosecond pcap) or microseconds.
  bool nanosecondTimestamps() const { return nano_; }

 private:
  PcapSource(pcap_t* handle, std::string name);
  bool attachInboundKernelFilter(const std::string& filter);

  pcap_t* handle_ = nullptr;
  std::string name_;
  int link_type_ = 0;
  int fd_ = -1;
  bool nano_ = false;
  bool loopback_ = false;  // a live Ethernet-framed loopback interface (lo)
  bool ignores_outgoing_ = false;
  bool drops_outgoing_copies_ = false;
};

}  // namespace meshlb::capture
