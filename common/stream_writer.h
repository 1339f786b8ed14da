#pragma once

#include <uv.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace meshlb {

// Told when a StreamWriter's state changes. Called on the writer's loop thread.
class StreamWriterCallbacks {
 public:
  virtual ~StreamWriterCallbacks() = default;
  // Buffered bytes fell to or below the low watermark: the producer may resume reading.
  virtual void onWriterDrained() = 0;
  // A write failed; the stream should be closed. `status` is a libuv error code.
  virtual void onWriteError(int status) = 0;
};

// Transforms bytes on their way to the stream (TLS encryption). Owned by the writer's owner;
// called on the writer's loop thread.
class WriteFilter {
 public:
  virtual ~WriteFilter() = default;
  // Appends what to send for `pieces` to `out`; false when the filter failed (the writer then
  // reports a write error).
  virtual bool encode(std::initializer_list<std::string_view> pieces, std::string& out) = 0;
  // Appends the last bytes to send before a half-close (TLS close_notify).
  virtual void finish(std::string& out) = 0;
};

// Writes to a libuv stream without copying on the fast path: it tries a direct write first and
// keeps only what the kernel did not take, for one uv_write at a time. What a write in progress
// needs (the uv_write_t, the uv_shutdown_t and the buffers) is borrowed from a small per-thread
// pool while bytes wait and given back once they are written, so an idle connection's writer is
// a few pointers and flags; a writer whose buffers grew past 16 KiB (a large body streaming)
// keeps them until reset() or its end instead of freeing and allocating them on every write.
// Writes made before attach() are buffered (a request may start before its upstream connects).
// Producers check aboveHighWatermark() and stop reading their source until onWriterDrained(),
// which bounds memory per connection whatever the sizes streamed. Worker-local; must stay alive
// until the stream's close callback has run.
class StreamWriter {
 public:
  static constexpr size_t kHighWatermark = 256 * 1024;
  static constexpr size_t kLowWatermark = 64 * 1024;

  explicit StreamWriter(StreamWriterCallbacks& callbacks) : callbacks_(callbacks) {}
  ~StreamWriter();
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  void attach(uv_stream_t* stream);
  // From now on every write() passes through `filter` (may be null to remove it).
  void setFilter(WriteFilter* filter) { filter_ = filter; }
  // Writes bytes as they are, past the filter (TLS handshake records).
  void writeRaw(std::string_view data) { writeUnfiltered({data}); }
  void detach();
  void write(std::string_view data);
  // Writes several pieces as one (one syscall on the fast path), e.g. chunk header, data, CRLF.
  void write(std::initializer_list<std::string_view> pieces);
  // Bytes accepted but not yet handed to the kernel.
  size_t buffered() const;
  bool aboveHighWatermark() const { return buffered() > kHighWatermark; }
  bool flushed() const { return buffered() == 0; }
  // Half-closes the stream (sends FIN) once everything accepted so far has been written.
  // Later writes are dropped.
  void shutdownWhenFlushed();
  bool shutdownRequested() const { return shutdown_requested_; }
  // Drops what is buffered (the stream is being closed) and releases large buffers.
  void reset();

 private:
  // The state of an asynchronous write or shutdown. Lent by the thread's pool from the first
  // byte the kernel does not take until everything is written (kept after a shutdown started,
  // as libuv holds its request until the close callback, and while its buffers are large).
  struct AsyncState;
  static AsyncState* takeState();
  static void giveState(AsyncState* state);

  static void onWriteDone(uv_write_t* request, int status);
  AsyncState& state();
  bool hasPending() const;
  void keep(std::string_view bytes);
  void startWrite();
  void startShutdown();
  // Gives the state back to the pool when nothing waits and no request is in libuv's hands.
  void releaseStateIfIdle();
  void writeUnfiltered(std::initializer_list<std::string_view> pieces);
  // One non-blocking attempt to hand `buffers` to the kernel: bytes taken, or a libuv error
  // (UV_EAGAIN when it took none). Calls send()/sendmsg() on a TCP socket, uv_try_write on
  // anything else.
  int tryWrite(const uv_buf_t* buffers, size_t count);

  StreamWriterCallbacks& callbacks_;
  uv_stream_t* stream_ = nullptr;
  AsyncState* async_ = nullptr;
  WriteFilter* filter_ = nullptr;
  int socket_ = -1;  // stream_'s descriptor when it is a TCP socket, else -1
  bool writing_ = false;
  bool failed_ = false;
  bool shutdown_requested_ = false;
  bool shutdown_started_ = false;
};

}  // namespace meshlb
