#pragma once

#include <string>

#include "common/address.h"
#include "common/result.h"

namespace meshlb::upstream {

// The command line of meshlb-test-upstream.
struct Options {
  std::string name;
  SocketAddress listen;
  int threads = 1;
  bool help = false;  // --help given: print usage and exit; other fields are not set
};

// Parses "--name NAME --listen IP:PORT [--threads N]" (also "--opt=value"). Names are limited to
// [A-Za-z0-9._:-] so they can go into headers and JSON unescaped.
Result<Options> parseOptions(int argc, char** argv);

const char* usageText();

}  // namespace meshlb::upstream
