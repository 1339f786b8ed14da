#include "capture/source/pcap_source.h"

namespace meshlb::capture {

PcapSource::PcapSource(pcap_t* handle, std::string name)
    : handle_(handle), name_(std::move(name)), link_type_(pcap_datalink(handle)) {
  nano_ = pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO;
}

PcapSource::PcapSource(PcapSource&& other) noexcept
    : handle_(other.handle_),
      name_(std::move(other.name_)),
      link_type_(other.link_type_),
      fd_(other.fd_),
      nano_(other.nano_) {
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
  if (!options.filter.empty()) {
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
  return {};
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
