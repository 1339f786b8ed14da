#pragma once

namespace meshlb {

// Names the calling thread for `ps -L`, `top -H`, perf and gdb (Linux keeps the first 15
// characters). Called once by each long-lived thread at its start.
void nameThisThread(const char* name);

}  // namespace meshlb
