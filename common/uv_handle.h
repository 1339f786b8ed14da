#pragma once

#include <uv.h>

namespace meshlb {

// One libuv handle embedded in a long-lived owner. libuv keeps pointers to the handle until its
// close callback has run, so it is neither copyable nor movable; `data` points at the owner.
// The owner calls close() and frees itself only once every handle's close callback has run.
// Used on the thread that owns the handle's loop.
template <typename T>
class UvHandle {
 public:
  UvHandle() = default;
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;
  UvHandle(UvHandle&&) = delete;
  UvHandle& operator=(UvHandle&&) = delete;

  T* get() { return &handle_; }
  uv_handle_t* handle() { return reinterpret_cast<uv_handle_t*>(&handle_); }
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }

  // Records that uv_*_init succeeded and points `data` at the owner.
  void initialized(void* owner) {
    handle()->data = owner;
    initialized_ = true;
  }
  bool isInitialized() const { return initialized_; }

  // Starts closing; returns true if a close callback will follow.
  bool close(uv_close_cb on_closed) {
    if (!initialized_ || uv_is_closing(handle())) {
      return false;
    }
    uv_close(handle(), on_closed);
    return true;
  }

 private:
  T handle_{};
  bool initialized_ = false;
};

}  // namespace meshlb
