#include "common/thread_name.h"

#include <pthread.h>

#include <cstring>

namespace meshlb {

void nameThisThread(const char* name) {
  char truncated[16];
  std::strncpy(truncated, name, sizeof(truncated) - 1);
  truncated[sizeof(truncated) - 1] = '\0';
  pthread_setname_np(pthread_self(), truncated);  // a failure only loses the name
}

}  // namespace meshlb
