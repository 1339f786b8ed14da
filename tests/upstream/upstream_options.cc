#include "tests/upstream/upstream_options.h"

#include <optional>
#include <string_view>

#include "tests/upstream/request_head.h"

namespace meshlb::upstream {
namespace {

constexpr int kMaxThreads = 256;
constexpr size_t kMaxNameLength = 128;

bool validName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* usageText() {
  return "usage: meshlb-test-upstream --name NAME --listen IP:PORT [--threads N]\n"
         "\n"
         "HTTP/1.1 test backend of meshlb. PORT may be 0; the bound address is printed as\n"
         "'listening on IP:PORT'. Answers '200 NAME\\n' by default.\n"
         "\n"
         "Request headers: X-Upstream-Delay-Ms: N, X-Upstream-Status: S, X-Upstream-Close: 1,\n"
         "                 X-Upstream-Reset: 1\n"
         "Paths:           /echo...   the request head as received\n"
         "                 /bytes/N   N bytes of body (?chunked=1 for chunked encoding)\n"
         "                 GET /_upstream/stats, POST /_upstream/stats/reset\n"
         "                 GET|POST /_upstream/fault[?delay_ms=N&status=S&close=1&reset=1]\n"
         "Bodies are counted and discarded; Upgrade requests become a raw echo.\n";
}

Result<Options> parseOptions(int argc, char** argv) {
  Options options;
  bool haveName = false;
  bool haveListen = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    std::string_view key = arg;
    std::optional<std::string_view> value;
    size_t equals = arg.find('=');
    if (arg.starts_with("--") && equals != std::string_view::npos) {
      key = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    } else if (i + 1 < argc) {
      value = argv[i + 1];
    }
    bool known = key == "--name" || key == "--listen" || key == "--threads";
    if (!known) {
      return Error{"unknown argument '" + std::string(arg) + "'"};
    }
    if (!value) {
      return Error{std::string(key) + " needs a value"};
    }
    if (equals == std::string_view::npos) {
      ++i;  // the value was the next argument
    }
    if (key == "--name") {
      if (!validName(*value)) {
        return Error{"--name must be 1..128 characters of [A-Za-z0-9._:-]"};
      }
      options.name = std::string(*value);
      haveName = true;
    } else if (key == "--listen") {
      Result<SocketAddress> address = parseSocketAddress(*value);
      if (!address) {
        return Error{"--listen " + std::string(*value) + ": " + address.error().message};
      }
      options.listen = address.value();
      haveListen = true;
    } else {
      std::optional<uint64_t> threads = parseUnsigned(*value, kMaxThreads);
      if (!threads || *threads == 0) {
        return Error{"--threads must be 1..256"};
      }
      options.threads = static_cast<int>(*threads);
    }
  }
  if (!haveName || !haveListen) {
    return Error{"--name and --listen are required"};
  }
  return options;
}

}  // namespace meshlb::upstream
