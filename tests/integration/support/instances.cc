#include "support/instances.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace meshlb::testing {

namespace {

// Removes what tempPath() handed out (files or whole directories) when the scope that asked for
// it ends without a failure: a test, a test suite (paths made in SetUpTestSuite), the program
// (paths made outside any suite).
// After a failure the paths stay for a look afterwards. Installed as a gtest event listener
// before main(); gtest owns it. Any thread may add paths; gtest's thread runs the events.
class TempPathJanitor final : public ::testing::EmptyTestEventListener {
 public:
  void add(std::string path) {
    std::lock_guard<std::mutex> lock(mutex_);
    (in_test_ ? test_paths_ : in_suite_ ? suite_paths_ : program_paths_).push_back(std::move(path));
  }

  void OnTestSuiteStart(const ::testing::TestSuite&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    in_suite_ = true;
  }
  void OnTestStart(const ::testing::TestInfo&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    in_test_ = true;
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    std::lock_guard<std::mutex> lock(mutex_);
    in_test_ = false;
    removeAll(test_paths_, !info.result()->Failed());
  }
  void OnTestSuiteEnd(const ::testing::TestSuite& suite) override {
    std::lock_guard<std::mutex> lock(mutex_);
    in_suite_ = false;
    removeAll(suite_paths_, !suite.Failed());
  }
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    removeAll(program_paths_, unit.Passed());
  }

 private:
  static void removeAll(std::vector<std::string>& paths, bool remove) {
    for (const std::string& path : paths) {
      std::error_code ignored;
      if (remove) {
        std::filesystem::remove_all(path, ignored);
      }
    }
    paths.clear();
  }

  std::mutex mutex_;
  bool in_suite_ = false;
  bool in_test_ = false;
  std::vector<std::string> test_paths_;
  std::vector<std::string> suite_paths_;    // made in a suite's set-up
  std::vector<std::string> program_paths_;  // made outside any suite (a global environment)
};

TempPathJanitor& janitor() {
  static TempPathJanitor* const instance = [] {
    auto* created = new TempPathJanitor;
    ::testing::UnitTest::GetInstance()->listeners().Append(created);
    return created;
  }();
  return *instance;
}

// Installed before main(), so that the first test's start is seen.
[[maybe_unused]] const bool kJanitorInstalled = (janitor(), true);

}  // namespace

std::string tempPath(const std::string& stem) {
  static std::atomic<int> counter{0};
  const char* dir = getenv("TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/meshlb-test-" +
                     std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + stem;
  janitor().add(path);
  return path;
}

TestUpstream::TestUpstream(const std::string& name, int port) : name_(name), port_(port) {
  restart();
}

// Logs and configs made by tempPath() are removed after a passing test (see TempPathJanitor).
TestUpstream::~TestUpstream() {
  process_.reset();
}

void TestUpstream::kill() {
  if (process_) {
    process_->stop(SIGKILL, std::chrono::seconds(5));
    process_.reset();
  }
}

void TestUpstream::restart() {
  process_.reset();
  process_ = std::make_unique<Process>(
      MESHLB_UPSTREAM_BINARY,
      std::vector<std::string>{"--name", name_, "--listen", "127.0.0.1:" + std::to_string(port_)},
      tempPath(name_ + ".log"));
  std::string line = process_->waitForLine("listening on", std::chrono::seconds(10));
  size_t colon = line.rfind(':');
  if (colon != std::string::npos) {
    port_ = std::atoi(line.c_str() + colon + 1);
  }
}

nlohmann::json TestUpstream::stats() const {
  auto response = httpGet(port_, "/_upstream/stats");
  if (!response) {
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(response->body, nullptr, false);
}

Meshlb::Meshlb(nlohmann::json config, const std::vector<std::string>& extra_args) {
  admin_port_ = freePort();
  config["admin"]["address"] = "127.0.0.1:" + std::to_string(admin_port_);
  for (auto& listener : config["listeners"]) {
    int port = freePort();
    listener["address"] = "127.0.0.1:" + std::to_string(port);
    listener_ports_.push_back(port);
  }
  config_path_ = tempPath("meshlb.json");
  stderr_path_ = tempPath("meshlb.log");
  std::ofstream(config_path_) << config.dump(2);
  std::vector<std::string> args = {"--config", config_path_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(MESHLB_BINARY, args, stderr_path_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    auto response = httpGet(admin_port_, "/ready");
    if (response && response->status == 200) {
      ready_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Meshlb::crash() {
  process_->stop(SIGKILL, std::chrono::seconds(10));
  crashed_ = true;
}

Meshlb::~Meshlb() {
  if (!crashed_) {
    // A clean stop is part of every test: under the sanitizers an error or a leak in meshlb
    // turns into a non-zero exit code here.
    int code = process_->stop(SIGTERM, std::chrono::seconds(20));
    if (code != 0) {
      ADD_FAILURE() << "meshlb did not stop cleanly (exit " << code << "):\n" << stderrLog();
    }
  }
}

nlohmann::json Meshlb::stats() const {
  nlohmann::json flat = nlohmann::json::object();
  auto response = httpGet(admin_port_, "/stats?format=json");
  if (!response) {
    return flat;
  }
  nlohmann::json all = nlohmann::json::parse(response->body, nullptr, false);
  if (!all.is_object() || !all.contains("stats")) {
    return flat;
  }
  // "meshlb_upstream_retries_total" becomes "upstream_retries_total"; a labelled sample is
  // keyed like Prometheus writes it, config_reloads_total{result="success"}, and also counts in
  // the sum under its bare name.
  for (const nlohmann::json& sample : all["stats"]) {
    std::string key = sample["name"].get<std::string>();
    if (key.starts_with("meshlb_")) {
      key.erase(0, 7);
    }
    if (!sample["labels"].empty()) {
      // The bare name sums the family over its labels, as Prometheus's sum() would.
      if (flat.contains(key) && flat[key].is_number()) {
        flat[key] = flat[key].get<double>() + sample["value"].get<double>();
      } else {
        flat[key] = sample["value"];
      }
      key.push_back('{');
      bool first = true;
      for (const auto& [label, value] : sample["labels"].items()) {
        if (!first) {
          key.push_back(',');
        }
        first = false;
        key.append(label);
        key.append("=\"");
        key.append(value.get<std::string>());
        key.push_back('"');
      }
      key.push_back('}');
    }
    flat[key] = sample["value"];
  }
  return flat;
}

nlohmann::json Meshlb::clusters() const {
  auto response = httpGet(admin_port_, "/clusters");
  if (!response) {
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(response->body, nullptr, false);
}

std::string Meshlb::hostState(const std::string& cluster, const std::string& address) const {
  nlohmann::json all = clusters();
  if (!all.contains("clusters")) {
    return "no answer";
  }
  for (const auto& entry : all["clusters"]) {
    if (entry["name"] != cluster) {
      continue;
    }
    for (const auto& host : entry["hosts"]) {
      if (host["address"] == address) {
        return host["state"].get<std::string>();
      }
    }
  }
  return "unknown";
}

std::string Meshlb::stderrLog() const {
  std::ifstream file(stderr_path_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

nlohmann::json Meshlb::runningConfig() const {
  std::ifstream file(config_path_);
  return nlohmann::json::parse(file);
}

void Meshlb::replaceConfig(const nlohmann::json& config) const {
  const std::string temporary = config_path_ + ".tmp";
  std::ofstream(temporary) << config.dump(2);
  rename(temporary.c_str(), config_path_.c_str());
}

nlohmann::json clusterOf(const std::string& name, const std::vector<TestUpstream*>& upstreams,
                         const std::string& policy) {
  nlohmann::json hosts = nlohmann::json::array();
  for (TestUpstream* upstream : upstreams) {
    hosts.push_back({{"address", upstream->address()}});
  }
  return {{"name", name}, {"lb_policy", policy}, {"hosts", hosts}};
}

nlohmann::json singleCluster(nlohmann::json cluster, int workers) {
  return {{"workers", workers},
          {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
          {"clusters", {std::move(cluster)}}};
}

}  // namespace meshlb::testing
