#pragma once

#include <memory>
#include <string>

#include "support/process.h"

namespace meshlb::testing {

// A test upstream in its own network namespace behind a veth pair, so a test can shape the
// backend's network with tc (tbf; these machines have no netem). The namespace, the link and
// the process are created here and deleted by the destructor (and by a pre-clean of leftovers
// of a crashed run). Needs root. Test thread only.
class NetnsUpstream {
 public:
  // `index` (0..63) picks the addresses 10.203.index.1 (host side) and .2 (namespace side).
  NetnsUpstream(const std::string& name, int index);
  ~NetnsUpstream();
  NetnsUpstream(const NetnsUpstream&) = delete;
  NetnsUpstream& operator=(const NetnsUpstream&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::string address() const { return ip_ + ":" + std::to_string(port_); }
  // The host-side veth, where capture must listen to see this backend's packets.
  const std::string& hostInterface() const { return host_if_; }
  // Replaces the backend's egress qdisc with a token bucket ("rate 256kbit burst 4kb latency
  // 200ms"); true when tc accepted it.
  bool shape(const std::string& tbf_args);

 private:
  void cleanUp();

  std::string name_;
  std::string namespace_;
  std::string host_if_;
  std::string peer_if_;
  std::string ip_;
  int port_ = 0;
  bool ok_ = false;
  std::string error_;
  std::unique_ptr<Process> process_;
};

}  // namespace meshlb::testing
