// meshlb-test-upstream: the project's HTTP/1.1 test backend (demo backend, integration test and
// benchmark peer). See usageText() for what it does.

#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "common/log.h"
#include "tests/upstream/upstream_options.h"
#include "tests/upstream/upstream_server.h"

int main(int argc, char** argv) {
  using namespace meshlb::upstream;
  meshlb::Result<Options> options = parseOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr, "meshlb-test-upstream: %s\n\n%s", options.error().message.c_str(),
                 usageText());
    return 2;
  }
  if (options->help) {
    std::fputs(usageText(), stdout);
    return 0;
  }

  // Writes to a vanished peer must fail with EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  // SIGINT/SIGTERM are blocked in every thread (workers inherit the mask) and collected by
  // sigwait below, so no handler runs inside a libuv loop.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  UpstreamServer server(options.value());
  meshlb::Result<meshlb::SocketAddress> bound = server.start();
  if (!bound) {
    LOG_ERROR("meshlb-test-upstream %s: %s", options->name.c_str(), bound.error().message.c_str());
    return 1;
  }
  // Tests read the port from this exact line.
  std::printf("listening on %s\n", bound->toString().c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&stopSignals, &received);
  server.stop();
  return 0;
}
