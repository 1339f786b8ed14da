#include "common/stream_writer.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <vector>

namespace meshlb {

static_assert(sizeof(uv_buf_t) == sizeof(iovec) &&
                  offsetof(uv_buf_t, base) == offsetof(iovec, iov_base) &&
                  offsetof(uv_buf_t, len) == offsetof(iovec, iov_len),
              "tryWrite hands uv_buf_t arrays to sendmsg as iovec arrays");

struct StreamWriter::AsyncState {
  uv_write_t request{};
  uv_shutdown_t shutdown_request{};
  std::string pending;   // accepted, not yet given to uv_write
  std::string inflight;  // owned by the uv_write in progress
};

namespace {

// States returned to a thread's pool keep buffers up to this size, so a connection that goes
// async again finds them ready; larger ones were a burst and are freed.
constexpr size_t kPooledBufferBytes = 16 * 1024;
// At most this many idle states per thread (each about 300 bytes plus its buffers).
constexpr size_t kPooledStates = 64;

// Set once the thread's pool was destroyed (thread exit): later returns are freed directly.
// A plain bool so that reading it during thread exit is defined.
thread_local bool pool_destroyed = false;

// A template only because StreamWriter::AsyncState is private: the writer names it.
template <typename State>
struct StatePool {
  ~StatePool() {
    for (State* state : free) {
      delete state;
    }
    pool_destroyed = true;
  }
  std::vector<State*> free;
};

template <typename State>
StatePool<State>& statePool() {
  thread_local StatePool<State> pool;
  return pool;
}

// The filter's output for one write, shared by the thread's writers: write() hands it on at
// once and keeps only what the kernel did not take.
std::string& encodeScratch() {
  thread_local std::string scratch;
  return scratch;
}

}  // namespace

StreamWriter::AsyncState* StreamWriter::takeState() {
  if (!pool_destroyed) {
    std::vector<AsyncState*>& free = statePool<AsyncState>().free;
    if (!free.empty()) {
      AsyncState* state = free.back();
      free.pop_back();
      return state;
    }
  }
  return new AsyncState();
}

void StreamWriter::giveState(AsyncState* state) {
  state->pending.clear();
  state->inflight.clear();
  if (pool_destroyed) {
    delete state;
    return;
  }
  std::vector<AsyncState*>& free = statePool<AsyncState>().free;
  if (free.size() >= kPooledStates) {
    delete state;
    return;
  }
  if (state->pending.capacity() > kPooledBufferBytes) {
    std::string().swap(state->pending);
  }
  if (state->inflight.capacity() > kPooledBufferBytes) {
    std::string().swap(state->inflight);
  }
  free.push_back(state);
}

StreamWriter::~StreamWriter() {
  // By contract the stream's close callback has run: libuv holds no request of ours any more.
  if (async_ != nullptr) {
    giveState(async_);
  }
}

StreamWriter::AsyncState& StreamWriter::state() {
  if (async_ == nullptr) {
    async_ = takeState();
  }
  return *async_;
}

bool StreamWriter::hasPending() const {
  return async_ != nullptr && !async_->pending.empty();
}

size_t StreamWriter::buffered() const {
  return async_ == nullptr ? 0 : async_->pending.size() + async_->inflight.size();
}

void StreamWriter::releaseStateIfIdle() {
  if (async_ != nullptr && !writing_ && !shutdown_started_ && async_->pending.empty()) {
    giveState(async_);
    async_ = nullptr;
  }
}

void StreamWriter::keep(std::string_view bytes) {
  state().pending.append(bytes);
}

void StreamWriter::attach(uv_stream_t* stream) {
  stream_ = stream;
  socket_ = -1;
  uv_os_fd_t fd;
  if (stream->type == UV_TCP && uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) == 0) {
    socket_ = fd;
  }
  if (hasPending() && !writing_) {
    startWrite();
  } else if (shutdown_requested_ && flushed()) {
    startShutdown();
  }
}

void StreamWriter::detach() {
  stream_ = nullptr;
  socket_ = -1;
}

// uv_try_write reaches a socket through write()/writev(), which pass the kernel's file layer
// (fdget_pos, rw_verify_area, vfs_writev, sock_write_iter). send()/sendmsg() go to the socket
// directly: in a profile of a worker at 50 keep-alive connections, the file layer and system
// call entry of reads and writes together fell from 3.1 % to 2.2 % of its samples. Like
// uv_try_write, the attempt is left to libuv while a connect is pending (so a refused connect
// reaches the connect callback, not onWriteError) or a uv_write is queued (order).
int StreamWriter::tryWrite(const uv_buf_t* buffers, size_t count) {
  if (socket_ < 0 || stream_->connect_req != nullptr || stream_->write_queue_size != 0) {
    return uv_try_write(stream_, buffers, static_cast<unsigned int>(count));
  }
  ssize_t sent;
  do {
    if (count == 1) {
      sent = ::send(socket_, buffers[0].base, buffers[0].len, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
      msghdr message{};
      // uv_buf_t is laid out as struct iovec on Unix (libuv's own contract for its writev).
      message.msg_iov = reinterpret_cast<iovec*>(const_cast<uv_buf_t*>(buffers));
      message.msg_iovlen = count;
      sent = ::sendmsg(socket_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) {
    return static_cast<int>(sent);
  }
  // ENOBUFS: the kernel is short of memory for the moment; libuv retries it the same way.
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? UV_EAGAIN : -errno;
}

void StreamWriter::write(std::string_view data) {
  if (filter_ != nullptr) {
    write({data});
    return;
  }
  if (data.empty() || failed_ || shutdown_requested_) {
    return;
  }
  if (stream_ != nullptr && !writing_ && !hasPending()) {
    uv_buf_t buffer = uv_buf_init(const_cast<char*>(data.data()), data.size());
    int written = tryWrite(&buffer, 1);
    if (written == static_cast<int>(data.size())) {
      return;
    }
    if (written > 0) {
      data.remove_prefix(written);
    } else if (written != UV_EAGAIN && written != UV_ENOSYS) {
      failed_ = true;
      callbacks_.onWriteError(written);
      return;
    }
  }
  keep(data);
  if (stream_ != nullptr && !writing_) {
    startWrite();
  }
}

void StreamWriter::write(std::initializer_list<std::string_view> pieces) {
  if (filter_ == nullptr) {
    writeUnfiltered(pieces);
    return;
  }
  if (failed_ || shutdown_requested_) {
    return;
  }
  std::string& encoded = encodeScratch();
  encoded.clear();
  if (!filter_->encode(pieces, encoded)) {
    failed_ = true;
    callbacks_.onWriteError(UV_EPROTO);
    return;
  }
  writeUnfiltered({encoded});
  if (encoded.capacity() > kHighWatermark) {
    std::string().swap(encoded);
  }
}

void StreamWriter::writeUnfiltered(std::initializer_list<std::string_view> pieces) {
  if (failed_ || shutdown_requested_) {
    return;
  }
  constexpr size_t kMaxPieces = 8;
  if (pieces.size() > kMaxPieces) {
    for (std::string_view piece : pieces) {
      writeUnfiltered({piece});  // rare: more pieces than one vectored write takes
    }
    return;
  }
  uv_buf_t buffers[kMaxPieces];
  size_t count = 0;
  size_t total = 0;
  for (std::string_view piece : pieces) {
    if (!piece.empty()) {
      buffers[count++] = uv_buf_init(const_cast<char*>(piece.data()), piece.size());
      total += piece.size();
    }
  }
  size_t written = 0;
  if (stream_ != nullptr && !writing_ && !hasPending() && total > 0) {
    int rc = tryWrite(buffers, count);
    if (rc < 0 && rc != UV_EAGAIN && rc != UV_ENOSYS) {
      failed_ = true;
      callbacks_.onWriteError(rc);
      return;
    }
    written = rc > 0 ? static_cast<size_t>(rc) : 0;
  }
  if (written == total) {
    return;
  }
  // Keep what the kernel did not take, skipping the `written` bytes it did.
  for (size_t i = 0; i < count; ++i) {
    std::string_view piece(buffers[i].base, buffers[i].len);
    size_t skip = std::min(written, piece.size());
    written -= skip;
    keep(piece.substr(skip));
  }
  if (stream_ != nullptr && !writing_) {
    startWrite();
  }
}

void StreamWriter::startWrite() {
  AsyncState& async = state();
  async.inflight.swap(async.pending);
  async.pending.clear();
  async.request.data = this;
  uv_buf_t buffer = uv_buf_init(async.inflight.data(), async.inflight.size());
  int rc = uv_write(&async.request, stream_, &buffer, 1, &StreamWriter::onWriteDone);
  if (rc != 0) {
    async.inflight.clear();
    failed_ = true;
    releaseStateIfIdle();
    callbacks_.onWriteError(rc);
    return;
  }
  writing_ = true;
}

void StreamWriter::onWriteDone(uv_write_t* request, int status) {
  auto* writer = static_cast<StreamWriter*>(request->data);
  AsyncState& async = *writer->async_;
  writer->writing_ = false;
  async.inflight.clear();
  if (async.inflight.capacity() > 2 * kHighWatermark) {
    std::string().swap(async.inflight);  // a burst is over: give its memory back
  }
  if (status != 0) {
    writer->releaseStateIfIdle();
    if (!writer->failed_) {
      writer->failed_ = true;
      writer->callbacks_.onWriteError(status);
    }
    return;
  }
  if (!async.pending.empty() && writer->stream_ != nullptr) {
    writer->startWrite();
  } else if (writer->shutdown_requested_ && writer->flushed()) {
    writer->startShutdown();
  }
  // A writer that only sent a small answer async gives its state back, so an idle connection
  // holds none. One streaming a large body keeps it, buffers included, from one write to the
  // next: giving large buffers back would free and allocate them again on every write.
  if (async.inflight.capacity() <= kPooledBufferBytes &&
      async.pending.capacity() <= kPooledBufferBytes) {
    writer->releaseStateIfIdle();
  }
  if (writer->buffered() <= kLowWatermark) {
    writer->callbacks_.onWriterDrained();
  }
}

void StreamWriter::shutdownWhenFlushed() {
  if (shutdown_requested_) {
    return;
  }
  if (filter_ != nullptr && !failed_) {
    std::string& encoded = encodeScratch();
    encoded.clear();
    filter_->finish(encoded);
    writeUnfiltered({encoded});
  }
  shutdown_requested_ = true;
  if (flushed() && stream_ != nullptr) {
    startShutdown();
  }
}

void StreamWriter::startShutdown() {
  if (shutdown_started_ || stream_ == nullptr) {
    return;
  }
  shutdown_started_ = true;
  AsyncState& async = state();
  async.shutdown_request.data = this;
  int rc = uv_shutdown(&async.shutdown_request, stream_, [](uv_shutdown_t* request, int status) {
    auto* writer = static_cast<StreamWriter*>(request->data);
    if (status != 0 && status != UV_ECANCELED && !writer->failed_) {
      writer->failed_ = true;
      writer->callbacks_.onWriteError(status);
    }
  });
  if (rc != 0 && !failed_) {
    failed_ = true;
    callbacks_.onWriteError(rc);
  }
}

void StreamWriter::reset() {
  if (async_ == nullptr) {
    return;
  }
  async_->pending.clear();
  if (!writing_) {
    async_->inflight.clear();
  }
  if (async_->pending.capacity() > kHighWatermark) {
    std::string().swap(async_->pending);
  }
  releaseStateIfIdle();
}

}  // namespace meshlb
