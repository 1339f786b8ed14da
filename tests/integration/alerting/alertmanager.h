#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "support/process.h"

namespace meshlb::testing {

// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1, with its
// config and data in a temp folder and no cluster port. It routes every alert to
// `receiver_url` (a webhook) with a 1 s group wait. Test thread only.
class Alertmanager {
 public:
  // Starts it on `port` (0: a free port) and waits until /-/ready answers.
  Alertmanager(const std::string& receiver_url, int port = 0);
  ~Alertmanager();

  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // GET /api/v2/alerts?filter=alertname="<name>" (active, silenced and inhibited ones).
  nlohmann::json alerts(const std::string& alertname) const;

 private:
  std::unique_ptr<Process> process_;
  int port_ = 0;
  bool ready_ = false;
};

}  // namespace meshlb::testing
