#include "scenarios/netns_upstream.h"

#include <unistd.h>

#include <csignal>

#include <chrono>
#include <cstdlib>

namespace meshlb::testing {
namespace {

// Runs a shell command; true on exit status 0.
bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

NetnsUpstream::NetnsUpstream(const std::string& name, int index) : name_(name) {
  std::string n = std::to_string(index);
  namespace_ = "mlbsc-" + n;
  host_if_ = "mlbs" + n + "a";
  peer_if_ = "mlbs" + n + "b";
  ip_ = "10.203." + n + ".2";
  std::string host_ip = "10.203." + n + ".1/30";
  cleanUp();  // leftovers of a run that crashed
  std::string in_ns = "ip netns exec " + namespace_ + " ";
  const std::string steps[] = {
      "ip netns add " + namespace_,
      "ip link add " + host_if_ + " type veth peer name " + peer_if_,
      "ip link set " + peer_if_ + " netns " + namespace_,
      "ip addr add " + host_ip + " dev " + host_if_,
      "ip link set " + host_if_ + " up",
      in_ns + "ip addr add " + ip_ + "/30 dev " + peer_if_,
      in_ns + "ip link set " + peer_if_ + " up",
      in_ns + "ip link set lo up",
      // Unshaped to begin with: a tbf far above what the test sends.
      in_ns + "tc qdisc add dev " + peer_if_ + " root tbf rate 1gbit burst 64kb latency 50ms",
  };
  for (const std::string& step : steps) {
    if (!run(step)) {
      error_ = "failed: " + step;
      return;
    }
  }
  process_ = std::make_unique<Process>(
      "/usr/sbin/ip", std::vector<std::string>{"netns", "exec", namespace_, MESHLB_UPSTREAM_BINARY,
                                               "--name", name_, "--listen", ip_ + ":0"});
  std::string line = process_->waitForLine("listening on", std::chrono::seconds(10));
  size_t colon = line.rfind(':');
  if (colon == std::string::npos) {
    error_ = "the upstream in " + namespace_ + " did not start";
    return;
  }
  port_ = std::atoi(line.c_str() + colon + 1);
  ok_ = port_ > 0;
}

NetnsUpstream::~NetnsUpstream() {
  if (process_) {
    process_->stop(SIGKILL, std::chrono::seconds(5));
    process_.reset();
  }
  cleanUp();
}

bool NetnsUpstream::shape(const std::string& tbf_args) {
  return run("ip netns exec " + namespace_ + " tc qdisc change dev " + peer_if_ + " root tbf " +
             tbf_args);
}

void NetnsUpstream::cleanUp() {
  run("ip netns del " + namespace_);
  run("ip link del " + host_if_);
}

}  // namespace meshlb::testing
