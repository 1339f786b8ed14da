// ThreadSanitizer builds only (CMake option MESHLB_TSAN): lets TSan see libuv close descriptors.
//
// TSan learns about descriptors from the calls it intercepts: accept4(), dup() or opendir() on a
// descriptor number marks it as written by that thread, and close() clears that mark. Debian's
// libuv is not instrumented and closes with syscall(SYS_close) (libuv.so imports `syscall`, not
// `close`), so TSan never saw a worker close an accepted socket. When another thread then got
// the same number, TSan reported a race between two different descriptors that share no memory.
//
// This definition of syscall() in the executable is what the dynamic linker binds libuv's calls
// to, ahead of libc's (the same interposition TSan's own interceptors rely on). SYS_close goes
// through close(), which TSan intercepts; every other call reaches libc's syscall() unchanged.
// Linked into the executables whose threads run libuv loops (meshlb_add_tsan_hooks in the
// top-level CMakeLists.txt); thread-safe, it keeps no state but libc's function pointer.
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdarg>

extern "C" long syscall(long number, ...) noexcept {
  // Like libc's own, this passes on six argument registers whatever the call used.
  va_list arguments;
  va_start(arguments, number);
  long argument[6];
  for (long& value : argument) {
    value = va_arg(arguments, long);
  }
  va_end(arguments);
  if (number == SYS_close) {
    return close(static_cast<int>(argument[0]));
  }
  using Syscall = long (*)(long, ...);
  static const auto libc_syscall = reinterpret_cast<Syscall>(dlsym(RTLD_NEXT, "syscall"));
  return libc_syscall(number, argument[0], argument[1], argument[2], argument[3], argument[4],
                      argument[5]);
}
