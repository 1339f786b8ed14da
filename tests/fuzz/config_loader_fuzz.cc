// libFuzzer entry point for the config loader: loadConfigFromString() on the input as JSON text,
// with the "alerting" section registered as main.cc does (admin::registerAlertingConfigSection,
// no running AlertingService), so alerting's rules, notifiers and matchers are fuzzed too. The
// analytics and capture sections are parsed by the proxy loader itself; for a valid config the
// fuzzer also runs what main.cc and the admin API derive from it (alertingConfigOf's parse,
// analyticsParamsOf, captureOptionsOf, captureEndpointsOf, configDumpView).
// Besides the sanitizers, it asserts: a config or errors, never both and never neither; every
// error has a reason; a valid config's routes and tcp listeners point at existing clusters; its
// alerting section parses again without errors; /config_dump's view is serializable and shows
// "[redacted]" for every secret the config names (tokens, HMAC secrets, key files).
//
// The loader reads files the config names (TLS certificates and keys, webhook secret files).
// Inputs naming anything but a small regular file or a directory, or anything under /dev,
// /proc or /sys, are skipped: a fuzzer run as root must not read /dev/stdin or /proc/kcore.
#include <sys/stat.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_views.h"
#include "admin/alerting_setup.h"
#include "admin/analytics_setup.h"
#include "admin/capture_setup.h"
#include "alerting/alerting_config.h"
#include "alerting/alerting_service.h"
#include "common/log.h"
#include "proxy/config/config_loader.h"

namespace {

using nlohmann::json;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "config loader invariant violated: %s\n", what);
    std::abort();
  }
}

// True when `text`, taken as a path, is harmless for the loader to open.
bool safePath(const std::string& text) {
  struct stat info {};
  if (text.empty() || stat(text.c_str(), &info) != 0) {
    return true;  // nothing there (or not a path at all)
  }
  if (!(S_ISREG(info.st_mode) || S_ISDIR(info.st_mode)) || info.st_size > (1 << 20)) {
    return false;
  }
  char resolved[PATH_MAX];
  if (realpath(text.c_str(), resolved) == nullptr) {
    return false;
  }
  const std::string_view real(resolved);
  for (std::string_view root : {"/dev", "/proc", "/sys"}) {
    if (real == root || (real.starts_with(root) && real[root.size()] == '/')) {
      return false;
    }
  }
  return true;
}

bool safeStrings(const json& node) {
  if (node.is_string()) {
    return safePath(node.get_ref<const std::string&>());
  }
  if (node.is_object() || node.is_array()) {
    for (const json& child : node) {
      if (!safeStrings(child)) {
        return false;
      }
    }
  }
  return true;
}

bool isSecretField(const std::string& key) {
  for (std::string_view secret : {"bearer_token", "bearer_token_file", "hmac_secret",
                                  "hmac_secret_file", "key_file", "token_file"}) {
    if (key == secret) {
      return true;
    }
  }
  return false;
}

// Every secret field of `source` (the config as written) is "[redacted]" in `dump`.
void checkRedacted(const json& source, const json& dump) {
  if (source.is_object()) {
    check(dump.is_object(), "config_dump changed the config's shape");
    for (auto it = source.begin(); it != source.end(); ++it) {
      auto in_dump = dump.find(it.key());
      check(in_dump != dump.end(), "config_dump lost a key");
      if (isSecretField(it.key()) && it.value().is_string()) {
        check(*in_dump == "[redacted]", "config_dump shows a secret");
      } else {
        checkRedacted(it.value(), *in_dump);
      }
    }
  } else if (source.is_array()) {
    check(dump.is_array() && dump.size() == source.size(), "config_dump changed an array");
    for (size_t i = 0; i < source.size(); ++i) {
      checkRedacted(source[i], dump[i]);
    }
  }
}

void checkValidConfig(const meshlb::config::Config& config) {
  for (const auto& listener : config.listeners) {
    for (const auto& route : listener.routes) {
      check(route.cluster_index < config.clusters.size() &&
                config.clusters[route.cluster_index].name == route.cluster,
            "a route's cluster_index does not name its cluster");
    }
    if (listener.protocol == meshlb::config::Protocol::kTcp) {
      check(listener.cluster_index < config.clusters.size() &&
                config.clusters[listener.cluster_index].name == listener.cluster,
            "a tcp listener's cluster_index does not name its cluster");
    }
  }
  if (auto it = config.module_sections.find("alerting"); it != config.module_sections.end()) {
    std::vector<meshlb::alerting::FieldError> errors;
    auto parsed = meshlb::alerting::parseAlertingConfig(it->second, errors);
    check(parsed.has_value() && errors.empty(), "a validated alerting section fails to parse");
  }
  (void)meshlb::admin::alertingConfigOf(config);
  (void)meshlb::admin::analyticsParamsOf(config.analytics);
  if (config.capture) {
    (void)meshlb::admin::captureOptionsOf(*config.capture);
  }
  (void)meshlb::admin::captureEndpointsOf(config);

  const json dump = meshlb::admin::configDumpView(config);
  check(dump.is_object(), "config_dump of a valid config is not an object");
  (void)dump.dump(2);  // as the admin API answers it; throws on invalid UTF-8
  const json source = json::parse(config.source_text, nullptr, false, true);
  checkRedacted(source, dump);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  meshlb::log::setLevel(meshlb::log::Level::kOff);
  // As main.cc, before the first load; no AlertingService runs yet (so no API rule names).
  static std::unique_ptr<meshlb::alerting::AlertingService> no_service;
  meshlb::admin::registerAlertingConfigSection(no_service);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const json parsed = json::parse(text, nullptr, false, true);
  if (!parsed.is_discarded() && !safeStrings(parsed)) {
    return -1;  // names a device or a special file: not added to the corpus
  }
  const meshlb::config::LoadResult result = meshlb::config::loadConfigFromString(text);
  check((result.config != nullptr) != !result.errors.empty(),
        "both a config and errors, or neither");
  for (const auto& error : result.errors) {
    check(!error.reason.empty(), "an error without a reason");
    check(!error.toString().empty(), "an error that prints as nothing");
  }
  if (result.config != nullptr) {
    check(!parsed.is_discarded(), "a config from text that is not JSON");
    checkValidConfig(*result.config);
  }
  return 0;
}
