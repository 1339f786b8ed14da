#include "proxy/server/proxy_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "common/log.h"

namespace meshlb {

ProxyServer::ProxyServer(std::shared_ptr<const config::Config> config)
    : config_(std::move(config)) {}

ProxyServer::~ProxyServer() {
  drain();
  join();
  workers_.clear();
  if (access_log_fd_ > STDERR_FILENO) {
    ::close(access_log_fd_);
  }
}

Result<std::vector<std::map<std::string, int>>> ProxyServer::openNewSockets(
    const config::Config& config, uint32_t workers) {
  std::vector<std::map<std::string, int>> fds(workers);
  auto closeAll = [&] {
    for (auto& per_worker : fds) {
      for (auto& [address, fd] : per_worker) {
        ::close(fd);
      }
    }
  };
  for (const config::ListenerConfig& listener : config.listeners) {
    std::string address = listener.address.toString();
    if (bound_addresses_.count(address) != 0) {
      continue;
    }
    for (uint32_t w = 0; w < workers; ++w) {
      Result<int> fd = openListenSocket(listener.address, 4096);
      if (!fd) {
        closeAll();
        return Error{"listener " + listener.name + ": " + fd.error().message};
      }
      fds[w][address] = fd.value();
    }
  }
  return fds;
}

Status ProxyServer::start() {
  uint32_t count = config_->workers;
  if (count == 0) {
    count = std::max(1u, std::thread::hardware_concurrency());
  }
  const std::string& log_path = config_->access_log.path;
  if (log_path == "stdout" || log_path == "-") {
    access_log_fd_ = STDOUT_FILENO;
  } else if (!log_path.empty()) {
    access_log_fd_ = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (access_log_fd_ < 0) {
      return Error{"access_log.path: cannot open " + log_path + ": " + strerror(errno)};
    }
  }
  auto fds = openNewSockets(*config_, count);
  if (!fds) {
    return Error{fds.error().message};
  }
  generation_ = 1;
  auto limits = std::make_shared<SharedLimits>(config_->clusters.size(), config_->listeners.size());
  stats_store_ = std::make_unique<stats::StatsStore>(count);
  stats_blocks_ = stats_store_->resolve(*config_);
  for (uint32_t w = 0; w < count; ++w) {
    GenerationSpec spec{generation_, config_, limits, stats_blocks_, std::move(fds.value()[w])};
    workers_.push_back(std::make_unique<Worker>(w, std::move(spec), access_log_fd_, outlier_sink_));
  }
  for (const config::ListenerConfig& listener : config_->listeners) {
    bound_addresses_.insert(listener.address.toString());
  }
  for (auto& worker : workers_) {
    worker->start();
  }
  return {};
}

Status ProxyServer::reload(std::shared_ptr<const config::Config> config) {
  if (draining_) {
    return Error{"draining: reload refused"};
  }
  auto fds = openNewSockets(*config, workerCount());
  if (!fds) {
    return Error{fds.error().message};
  }
  ++generation_;
  auto limits = std::make_shared<SharedLimits>(config->clusters.size(), config->listeners.size());
  stats_blocks_ = stats_store_->resolve(*config);
  for (uint32_t w = 0; w < workers_.size(); ++w) {
    workers_[w]->postGeneration(
        {generation_, config, limits, stats_blocks_, std::move(fds.value()[w])});
  }
  bound_addresses_.clear();
  for (const config::ListenerConfig& listener : config->listeners) {
    bound_addresses_.insert(listener.address.toString());
  }
  config_ = std::move(config);
  return {};
}

void ProxyServer::publishHealth(const health::HealthSnapshotPtr& snapshot) {
  for (auto& worker : workers_) {
    worker->postHealth(snapshot);
  }
}

void ProxyServer::drain() {
  if (draining_) {
    return;
  }
  draining_ = true;
  for (auto& worker : workers_) {
    worker->drain();
  }
}

bool ProxyServer::finished() const {
  for (const auto& worker : workers_) {
    if (!worker->finished()) {
      return false;
    }
  }
  return true;
}

void ProxyServer::join() {
  for (auto& worker : workers_) {
    worker->join();
  }
}

stats::StatsSnapshot ProxyServer::stats() const {
  if (stats_blocks_ == nullptr) {
    return {};  // not started
  }
  stats::StatsSnapshot snapshot = stats::StatsStore::merge(*config_, *stats_blocks_);
  snapshot.unix_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  snapshot.monotonic_ms = uv_hrtime() / 1000000;
  snapshot.config_generation = generation_;
  // Totals that the per-host blocks also count (retries, timeouts, upstream connections and
  // connect failures) are not repeated here: their sum over hosts is the same number.
  auto sum = [&](const char* name, const Counter WorkerStats::*field) {
    uint64_t total = 0;
    for (const auto& worker : workers_) {
      total += (worker->stats().*field).get();
    }
    snapshot.worker_totals.emplace_back(name, total);
  };
  sum("downstream_connections_total", &WorkerStats::downstream_connections_total);
  sum("downstream_connections_active", &WorkerStats::downstream_connections_active);
  sum("downstream_requests_total", &WorkerStats::downstream_requests_total);
  sum("responses_1xx_total", &WorkerStats::responses_1xx);
  sum("responses_2xx_total", &WorkerStats::responses_2xx);
  sum("responses_3xx_total", &WorkerStats::responses_3xx);
  sum("responses_4xx_total", &WorkerStats::responses_4xx);
  sum("responses_5xx_total", &WorkerStats::responses_5xx);
  sum("bad_requests_total", &WorkerStats::bad_requests_total);
  sum("header_timeouts_total", &WorkerStats::header_timeouts_total);
  sum("no_route_total", &WorkerStats::no_route_total);
  sum("no_healthy_upstream_total", &WorkerStats::no_healthy_upstream_total);
  sum("lb_panic_total", &WorkerStats::lb_panic_total);
  sum("overflow_max_connections_total", &WorkerStats::overflow_max_connections_total);
  sum("overflow_max_pending_requests_total", &WorkerStats::overflow_max_pending_requests_total);
  sum("overflow_max_requests_total", &WorkerStats::overflow_max_requests_total);
  sum("downstream_connections_refused_total", &WorkerStats::downstream_connections_refused_total);
  sum("downstream_accept_errors_total", &WorkerStats::downstream_accept_errors_total);
  sum("upstream_retries_budget_exhausted_total",
      &WorkerStats::upstream_retries_budget_exhausted_total);
  sum("upstream_bad_responses_total", &WorkerStats::upstream_bad_responses_total);
  sum("upstream_resets_total", &WorkerStats::upstream_resets_total);
  sum("upstream_reuse_retries_total", &WorkerStats::upstream_reuse_retries_total);
  sum("upstream_connections_reused_total", &WorkerStats::upstream_connections_reused_total);
  sum("tcp_sessions_total", &WorkerStats::tcp_sessions_total);
  sum("tls_handshakes_total", &WorkerStats::tls_handshakes_total);
  sum("tls_handshake_errors_total", &WorkerStats::tls_handshake_errors_total);
  sum("tls_errors_total", &WorkerStats::tls_errors_total);
  sum("upstream_tls_handshake_errors_total", &WorkerStats::upstream_tls_handshake_errors_total);
  sum("bytes_received_total", &WorkerStats::bytes_received_total);
  sum("bytes_sent_total", &WorkerStats::bytes_sent_total);
  sum("access_log_dropped_total", &WorkerStats::access_log_dropped_total);
  return snapshot;
}

}  // namespace meshlb
