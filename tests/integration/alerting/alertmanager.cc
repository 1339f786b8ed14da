#include "alerting/alertmanager.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/instances.h"
#include "support/raw_client.h"

namespace meshlb::testing {

Alertmanager::Alertmanager(const std::string& receiver_url, int port)
    : port_(port == 0 ? freePort() : port) {
  const std::string dir = tempPath("alertmanager");
  std::filesystem::create_directories(dir + "/data");
  std::ofstream(dir + "/alertmanager.yml") << "route:\n"
                                              "  receiver: hook\n"
                                              "  group_by: [alertname, cluster]\n"
                                              "  group_wait: 1s\n"
                                              "  group_interval: 2s\n"
                                              "  repeat_interval: 1h\n"
                                              "receivers:\n"
                                              "  - name: hook\n"
                                              "    webhook_configs:\n"
                                              "      - url: '"
                                           << receiver_url << "'\n        send_resolved: true\n";
  process_ = std::make_unique<Process>(
      "/usr/bin/prometheus-alertmanager",
      std::vector<std::string>{"--config.file=" + dir + "/alertmanager.yml",
                               "--storage.path=" + dir + "/data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--cluster.listen-address=", "--log.level=warn"},
      dir + "/alertmanager.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    auto response = httpGet(port_, "/-/ready");
    if (response && response->status == 200) {
      ready_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Alertmanager::~Alertmanager() {
  process_->stop(SIGTERM, std::chrono::seconds(10));
}

nlohmann::json Alertmanager::alerts(const std::string& alertname) const {
  auto response = httpGet(port_, "/api/v2/alerts?filter=alertname%3D%22" + alertname + "%22");
  if (!response || response->status != 200) {
    return nlohmann::json::array();
  }
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  return body.is_array() ? body : nlohmann::json::array();
}

}  // namespace meshlb::testing
