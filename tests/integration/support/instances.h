#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/limits.h"
#include "support/process.h"
#include "support/raw_client.h"

namespace meshlb::testing {

// A running meshlb-test-upstream on an ephemeral port of 127.0.0.1.
class TestUpstream {
 public:
  // On `port` (0: any free port).
  explicit TestUpstream(const std::string& name, int port = 0);
  // Stops the process; its logs are removed unless the test has failed.
  ~TestUpstream();
  TestUpstream(const TestUpstream&) = delete;
  TestUpstream& operator=(const TestUpstream&) = delete;
  // Stops the process (SIGKILL: a crash, not a goodbye) / starts it again on the same port.
  void kill();
  void restart();
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& name() const { return name_; }
  // Its /_upstream/stats counters.
  nlohmann::json stats() const;
  uint64_t requests() const { return stats()["requests"].get<uint64_t>(); }
  Process& process() { return *process_; }

 private:
  std::string name_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

// A running meshlb with a config made by the test. Listener and admin addresses are taken from
// free ports chosen here: listenerPort(i) is the port of listeners[i].
class Meshlb {
 public:
  // `config` is completed: admin.address and every listener's address are filled in.
  explicit Meshlb(nlohmann::json config, const std::vector<std::string>& extra_args = {});
  ~Meshlb();

  bool ready() const { return ready_; }
  // SIGKILL, as a crash: the destructor then expects no clean exit.
  void crash();
  int listenerPort(size_t i) const { return listener_ports_.at(i); }
  int adminPort() const { return admin_port_; }
  nlohmann::json stats() const;
  // GET /clusters, and the state of one host ("healthy", "unhealthy", "ejected", ...).
  nlohmann::json clusters() const;
  std::string hostState(const std::string& cluster, const std::string& address) const;
  Process& process() { return *process_; }
  std::string stderrLog() const;
  const std::string& configPath() const { return config_path_; }
  // The config file as it is now (addresses filled in), and its replacement by `config` through
  // a rename, so that a reload never reads half a file. The caller signals the reload.
  nlohmann::json runningConfig() const;
  void replaceConfig(const nlohmann::json& config) const;

 private:
  std::unique_ptr<Process> process_;
  std::vector<int> listener_ports_;
  int admin_port_ = 0;
  bool ready_ = false;
  bool crashed_ = false;
  std::string config_path_;
  std::string stderr_path_;
};

// A cluster of the given upstreams, as config JSON.
nlohmann::json clusterOf(const std::string& name, const std::vector<TestUpstream*>& upstreams,
                         const std::string& policy = "round_robin");

// A config of one listener "web" routing everything to `cluster` (which must be named "app").
nlohmann::json singleCluster(nlohmann::json cluster, int workers = 1);

// A unique scratch path under the test temp dir ($TMPDIR or /tmp). Whatever the caller makes
// there (a file or a directory tree) is removed when the test, or the test suite set-up that
// asked for it, ends without a failure; after a failure it stays.
std::string tempPath(const std::string& stem);

}  // namespace meshlb::testing
