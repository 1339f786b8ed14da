// meshlb entry point: parses the command line, loads the config, and wires the proxy's workers
// and the admin listener together on the main thread's loop. Shutdown: SIGTERM or SIGINT stops
// accepting, lets in-flight requests finish within the drain timeout, and exits 0.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "admin/admin_api.h"
#include "admin/admin_server.h"
#include "admin/admin_token.h"
#include "admin/alerting_setup.h"
#include "admin/analytics_setup.h"
#include "admin/capture_setup.h"
#include "admin/events/event_feed.h"
#include "admin/stats_collector.h"
#include "analytics/analytics_service.h"
#include "capture/offline/capture_command.h"
#include "capture/source/pcap_source.h"
#include "common/log.h"
#include "proxy/config/config_loader.h"
#include "proxy/health/health_manager.h"
#include "proxy/server/config_reloader.h"
#include "proxy/server/proxy_server.h"

namespace {

constexpr const char* kUsage =
    "usage: meshlb --config FILE [--log-level LEVEL]\n"
    "       meshlb --validate --config FILE\n"
    "       meshlb capture --read FILE [--json]   flows of a pcap/pcapng file\n"
    "       meshlb --version | --help\n"
    "\n"
    "  --config FILE      JSON configuration (see README: Config reference)\n"
    "  --validate         check the configuration, print every error, exit 0 (valid) or 1\n"
    "  --log-level LEVEL  trace, debug, info (default), warn, error, off\n"
    "  --version          print the version\n";

struct Options {
  std::string config_path;
  bool validate = false;
};

// Returns -1 to go on, or the exit code.
int parseArguments(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "meshlb: %s needs a value\n%s", name, kUsage);
        return nullptr;
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      printf("meshlb %s\n", MESHLB_VERSION);
      return 0;
    } else if (arg == "--validate") {
      options.validate = true;
    } else if (arg == "--config" || arg == "-c") {
      const char* path = value("--config");
      if (path == nullptr) {
        return 2;
      }
      options.config_path = path;
    } else if (arg == "--log-level") {
      const char* level = value("--log-level");
      meshlb::log::Level parsed;
      if (level == nullptr || !meshlb::log::parseLevel(level, &parsed)) {
        fprintf(stderr, "meshlb: unknown log level '%s'\n", level ? level : "");
        return 2;
      }
      meshlb::log::setLevel(parsed);
    } else {
      fprintf(stderr, "meshlb: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (options.config_path.empty()) {
    fprintf(stderr, "meshlb: --config FILE is required\n%s", kUsage);
    return 2;
  }
  return -1;
}

// Main-thread state for an orderly shutdown.
struct Shutdown {
  meshlb::ProxyServer* proxy = nullptr;
  meshlb::admin::AdminApi* api = nullptr;
  meshlb::health::HealthManager* health = nullptr;
  meshlb::admin::AdminServer* admin = nullptr;
  meshlb::admin::StatsCollector* stats = nullptr;
  meshlb::admin::EventFeed* events = nullptr;
  uv_signal_t sigterm{};
  uv_signal_t sigint{};
  uv_signal_t sighup{};
  uv_timer_t poll{};
  bool started = false;
};

void beginShutdown(Shutdown& shutdown, const char* why) {
  if (shutdown.started) {
    return;
  }
  shutdown.started = true;
  LOG_INFO("%s: draining (up to %u ms)", why, shutdown.proxy->config().drain_timeout_ms);
  shutdown.api->setDraining();
  shutdown.health->stop();
  shutdown.proxy->drain();
  uv_timer_start(
      &shutdown.poll,
      [](uv_timer_t* timer) {
        auto* state = static_cast<Shutdown*>(timer->data);
        if (!state->proxy->finished()) {
          return;
        }
        state->admin->close();
        state->events->stop();
        state->stats->stop();
        uv_close(reinterpret_cast<uv_handle_t*>(&state->sigterm), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&state->sigint), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&state->sighup), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&state->poll), nullptr);
      },
      10, 10);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "capture") {
    return meshlb::capture::runCaptureCommand(argc, argv);
  }
  Options options;
  if (int code = parseArguments(argc, argv, options); code >= 0) {
    return code;
  }
  // Alerting validates its own config section; the service exists from start-up on.
  std::unique_ptr<meshlb::alerting::AlertingService> alerting;
  meshlb::admin::registerAlertingConfigSection(alerting);
  meshlb::config::LoadResult loaded = meshlb::config::loadConfigFromFile(options.config_path);
  if (!loaded.errors.empty()) {
    for (const auto& error : loaded.errors) {
      fprintf(stderr, "%s: %s\n", options.config_path.c_str(), error.toString().c_str());
    }
    fprintf(stderr, "%s: %zu error(s)\n", options.config_path.c_str(), loaded.errors.size());
    return 1;
  }
  if (loaded.config->capture && !loaded.config->capture->filter.empty()) {
    // The filter language is libpcap's: only it can say whether a filter is valid.
    if (meshlb::Status status =
            meshlb::capture::PcapSource::checkFilter(loaded.config->capture->filter);
        !status) {
      fprintf(stderr, "%s: %s\n%s: 1 error(s)\n", options.config_path.c_str(),
              status.message().c_str(), options.config_path.c_str());
      return 1;
    }
  }
  if (!loaded.config->analytics.enabled && loaded.config->module_sections.count("alerting")) {
    fprintf(stderr, "%s: alerting: needs the analytics core (analytics.enabled is false)\n",
            options.config_path.c_str());
    return 1;
  }
  if (options.validate) {
    printf("%s: configuration is valid\n", options.config_path.c_str());
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  meshlb::Result<meshlb::admin::AdminToken> token =
      meshlb::admin::AdminToken::load(loaded.config->admin.token_file);
  if (!token) {
    LOG_ERROR("%s", token.error().message.c_str());
    return 1;
  }

  uv_loop_t* loop = uv_default_loop();
  meshlb::ProxyServer proxy(loaded.config);
  meshlb::health::HealthManager health(
      loop, loaded.config,
      [&proxy](meshlb::health::HealthSnapshotPtr snapshot) { proxy.publishHealth(snapshot); });
  proxy.setOutlierSink(&health);
  if (meshlb::Status status = proxy.start(); !status) {
    LOG_ERROR("%s", status.message().c_str());
    return 1;
  }
  health.start();
  meshlb::ConfigReloader reloader(options.config_path, proxy, health);
  meshlb::admin::StatsCollector stats(loop, proxy, health, reloader, MESHLB_VERSION);
  std::unique_ptr<meshlb::capture::CaptureService> capture;
  if (loaded.config->capture) {
    capture = std::make_unique<meshlb::capture::CaptureService>(
        meshlb::admin::captureOptionsOf(*loaded.config->capture));
    if (meshlb::Status status = capture->start(meshlb::admin::captureEndpointsOf(*loaded.config));
        !status) {
      LOG_ERROR("%s", status.message().c_str());
      health.stop();
      proxy.drain();
      proxy.join();
      uv_run(loop, UV_RUN_NOWAIT);
      return 1;
    }
    stats.setCapture(capture.get());
    reloader.onApplied([&capture](const std::shared_ptr<const meshlb::config::Config>& config) {
      capture->setEndpoints(meshlb::admin::captureEndpointsOf(*config));
    });
  }
  // The analytics thread takes each stats tick; the exporter publishes its latest view.
  std::unique_ptr<meshlb::analytics::AnalyticsService> analytics;
  if (loaded.config->analytics.enabled) {
    analytics = std::make_unique<meshlb::analytics::AnalyticsService>(
        meshlb::admin::analyticsParamsOf(loaded.config->analytics));
    // Alert rules are evaluated on the analytics thread after each tick.
    std::string error;
    alerting = meshlb::alerting::AlertingService::create(
        meshlb::admin::alertingConfigOf(*loaded.config), &error);
    if (!alerting) {
      LOG_ERROR("alerting: %s", error.c_str());
      if (capture) {
        capture->stop();
      }
      health.stop();
      proxy.drain();
      proxy.join();
      uv_run(loop, UV_RUN_NOWAIT);
      return 1;
    }
    alerting->start();
    analytics->setTickObserver([&alerting](const meshlb::analytics::AnalyticsView& view,
                                           const meshlb::analytics::SeriesStore& store,
                                           const meshlb::capture::FlowSummary* flows) {
      alerting->evaluate(view, store, flows);
    });
    reloader.onApplied([&alerting](const std::shared_ptr<const meshlb::config::Config>& config) {
      alerting->setConfigRules(meshlb::admin::alertingConfigOf(*config).rules);
    });
    analytics->start();
    stats.subscribe([&analytics, &alerting, &stats](const meshlb::stats::StatsSnapshot& snapshot,
                                                    const meshlb::capture::FlowSummary&) {
      analytics->post(std::make_shared<const meshlb::stats::StatsSnapshot>(snapshot),
                      stats.latestFlows());
      stats.exporter().updateAnalytics(*analytics->latest());
      stats.exporter().updateAlerting(alerting->counts());
    });
  }
  Shutdown shutdown;
  meshlb::admin::AdminControl control;
  control.drain_listeners = [&proxy] { proxy.drain(); };
  control.quit = [&shutdown] { beginShutdown(shutdown, "/quitquitquit"); };
  bool token_required = token->configured();
  meshlb::admin::AdminApi api(proxy, health, reloader, stats, std::move(control), token_required);
  api.setAnalytics(analytics.get());
  api.setAlerting(alerting.get());
  meshlb::admin::AdminAuthPolicy auth{std::move(*token), loaded.config->admin.protect_reads};
  meshlb::admin::AdminServer admin(
      loop, [&api](const meshlb::admin::AdminRequest& request) { return api.handle(request); },
      std::move(auth));
  if (meshlb::Status status = admin.listen(loaded.config->admin.address); !status) {
    LOG_ERROR("%s", status.message().c_str());
    health.stop();
    proxy.drain();
    proxy.join();  // workers report to `health`: they must be gone before it is
    uv_run(loop, UV_RUN_NOWAIT);
    return 1;
  }

  meshlb::admin::EventFeed events(loop, admin, [&api](const meshlb::admin::AdminRequest& request) {
    return api.handle(request);
  });
  events.start();
  stats.start();
  shutdown.events = &events;
  shutdown.proxy = &proxy;
  shutdown.api = &api;
  shutdown.admin = &admin;
  shutdown.health = &health;
  shutdown.stats = &stats;
  uv_timer_init(loop, &shutdown.poll);
  shutdown.poll.data = &shutdown;
  for (auto [handle, signum] :
       {std::pair{&shutdown.sigterm, SIGTERM}, {&shutdown.sigint, SIGINT}}) {
    uv_signal_init(loop, handle);
    handle->data = &shutdown;
    uv_signal_start(
        handle,
        [](uv_signal_t* signal, int number) {
          beginShutdown(*static_cast<Shutdown*>(signal->data), strsignal(number));
        },
        signum);
  }

  uv_signal_init(loop, &shutdown.sighup);
  shutdown.sighup.data = &reloader;
  uv_signal_start(
      &shutdown.sighup,
      [](uv_signal_t* signal, int) {
        LOG_INFO("SIGHUP: reloading the config");
        static_cast<meshlb::ConfigReloader*>(signal->data)->reload();
      },
      SIGHUP);

  for (const auto& listener : loaded.config->listeners) {
    LOG_INFO("listener %s (%s) on %s", listener.name.c_str(),
             listener.protocol == meshlb::config::Protocol::kHttp ? "http" : "tcp",
             listener.address.toString().c_str());
  }
  LOG_INFO("admin on http://%s/ ; %u workers ; meshlb %s ready",
           loaded.config->admin.address.toString().c_str(), proxy.workerCount(), MESHLB_VERSION);

  uv_run(loop, UV_RUN_DEFAULT);
  if (analytics) {
    analytics->stop();  // first: its thread evaluates the alert rules
  }
  if (alerting) {
    alerting->stop();
  }
  if (capture) {
    capture->stop();
  }
  proxy.join();
  uv_loop_close(loop);
  LOG_INFO("stopped");
  return 0;
}
