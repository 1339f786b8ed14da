#include "capture/source/pcap_source.h"

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cstring>

namespace meshlb::capture {

namespace {

// Whether the kernel flags the interface as loopback (lo, also inside a network namespace).
bool isLoopbackInterface(const std::string& name) {
  ifreq request{};
  if (name.size() >= sizeof(request.ifr_name)) {
    return false;
  }
  std::memcpy(request.ifr_name, name.data(), name.size());
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  const bool loopback =
      ioctl(fd, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_LOOPBACK);
  close(fd);
  return loopback;
}

}  // namespace

PcapSource::PcapSource(pcap_t* handle, std::string name)
    : handle_(handle), name_(std::move(name)), link_type_(pcap_datalink(handle)) {
  nano_ = pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO;
}

PcapSource::PcapSource(PcapSource&& other) noexcept
    : handle_(other.handle_),
      name_(std::move(other.name_)),
      link_type_(other.link_type_),
      fd_(other.fd_),
      nano_(other.nano_),
      loopback_(other.loopback_),
      ignores_outgoing_(other.ignores_outgoing_),
      drops_outgoing_copies_(other.drops_outgoing_copies_) {
  other.handle_ = nullptr;
}

PcapSource::~PcapSource() {
  if (handle_ != nullptr) {
    pcap_close(handle_);
  }
}

Result<PcapSource> PcapSource::openLive(const LiveSourceOptions& options, SourceError* error) {
  char message[PCAP_ERRBUF_SIZE] = {0};
  auto fail = [&](pcap_t* handle, bool permission, std::string text) -> Result<PcapSource> {
    if (handle != nullptr) {
      pcap_close(handle);
    }
    std::string full = "capture on " + options.interface + ": " + text;
    if (error != nullptr) {
      error->permission = permission;
      error->message = full;
    }
    return Error{full};
  };
  pcap_t* handle = pcap_create(options.interface.c_str(), message);
  if (handle == nullptr) {
    return fail(nullptr, false, message);
  }
  pcap_set_snaplen(handle, static_cast<int>(options.snaplen));
  pcap_set_promisc(handle, 0);
  pcap_set_buffer_size(handle, static_cast<int>(options.buffer_bytes));
  pcap_set_immediate_mode(handle, options.immediate ? 1 : 0);
  pcap_set_timeout(handle, 100);
  // Nanosecond stamps where the kernel offers them: RTTs on loopback are tens of microseconds.
  pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);
  int rc = pcap_activate(handle);
  if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
    return fail(handle, true,
                std::string("no permission to capture (needs root or CAP_NET_RAW): ") +
                    pcap_geterr(handle));
  }
  if (rc < 0) {
    return fail(handle, false, pcap_geterr(handle));
  }
  PcapSource source(handle, options.interface);
  // See setFilter(): Ethernet framing is what lets a kernel filter test the packet type.
  source.loopback_ = source.link_type_ == DLT_EN10MB && isLoopbackInterface(options.interface);
  if (source.loopback_) {
    // On loopback every packet reaches a packet socket twice: from the transmit path (outgoing)
    // and from the receive path (incoming). With PACKET_IGNORE_OUTGOING (Linux 4.20) the kernel
    // skips this socket on the transmit path altogether: no clone of the packet, no run of the
    // filter, in the context of whichever thread sent it (the proxy's worker among them). The
    // `inbound` kernel filter (setFilter) stays as the fallback for kernels without it.
    int one = 1;
    source.ignores_outgoing_ =
        setsockopt(pcap_fileno(handle), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) == 0;
  }
  if (!options.filter.empty() || source.loopback_) {
    if (Status status = source.setFilter(options.filter); !status) {
      return fail(nullptr, false, status.message());
    }
  }
  if (pcap_setnonblock(handle, 1, message) != 0) {
    return fail(nullptr, false, message);
  }
  source.fd_ = pcap_get_selectable_fd(handle);
  return source;
}

Result<PcapSource> PcapSource::openFile(const std::string& path) {
  char message[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, message);
  if (handle == nullptr) {
    return Error{path + ": " + message};
  }
  return PcapSource(handle, path);
}

Status PcapSource::checkFilter(const std::string& filter) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  bpf_program program{};
  int rc = pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  std::string message = rc != 0 ? pcap_geterr(dead) : "";
  if (rc == 0) {
    pcap_freecode(&program);
  }
  pcap_close(dead);
  if (rc != 0) {
    return Error{"capture.filter: " + message};
  }
  return {};
}

Status PcapSource::setFilter(const std::string& filter) {
  bpf_program program{};
  if (pcap_compile(handle_, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return Error{std::string("filter '") + filter + "': " + pcap_geterr(handle_)};
  }
  int rc = pcap_setfilter(handle_, &program);
  pcap_freecode(&program);
  if (rc != 0) {
    return Error{std::string("filter '") + filter + "': " + pcap_geterr(handle_)};
  }
  drops_outgoing_copies_ = loopback_ && attachInboundKernelFilter(filter);
  return {};
}

bool PcapSource::attachInboundKernelFilter(const std::string& filter) {
  // Not through pcap_setfilter(): after a filter change libpcap runs the new filter in user
  // space over the blocks the kernel may have filled before it, and its user-space BPF cannot
  // read the packet type, so an `inbound` filter there would silently reject those packets.
  // libpcap keeps `filter` for that; only the kernel's copy becomes `inbound and (filter)`.
  const std::string inbound = filter.empty() ? "inbound" : "inbound and (" + filter + ")";
  bpf_program program{};
  if (pcap_compile(handle_, &program, inbound.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return false;
  }
  // libpcap's instructions have the kernel's layout (code, jt, jf, k), as pcap-linux.c relies on.
  static_assert(sizeof(bpf_insn) == sizeof(sock_filter));
  sock_fprog kernel_program{static_cast<unsigned short>(program.bf_len),
                            reinterpret_cast<sock_filter*>(program.bf_insns)};
  const bool attached =
      program.bf_len <= USHRT_MAX && setsockopt(pcap_fileno(handle_), SOL_SOCKET, SO_ATTACH_FILTER,
                                                &kernel_program, sizeof(kernel_program)) == 0;
  pcap_freecode(&program);
  return attached;
}

SourceCounters PcapSource::counters() {
  SourceCounters counters;
  pcap_stat stats{};
  if (fd_ >= 0 && pcap_stats(handle_, &stats) == 0) {
    counters.received = stats.ps_recv;
    counters.kernel_drops = stats.ps_drop;
    counters.interface_drops = stats.ps_ifdrop;
  }
  return counters;
}

}  // namespace meshlb::capture
