#include "common/stream_writer.h"

#include <algorithm>

namespace meshlb {

void StreamWriter::attach(uv_stream_t* stream) {
  stream_ = stream;
  request_.data = this;
  if (!pending_.empty() && !writing_) {
    startWrite();
  } else if (shutdown_requested_ && flushed()) {
    startShutdown();
  }
}

void StreamWriter::detach() {
  stream_ = nullptr;
}

void StreamWriter::write(std::string_view data) {
  if (filter_ != nullptr) {
    write({data});
    return;
  }
  if (data.empty() || failed_ || shutdown_requested_) {
    return;
  }
  if (stream_ != nullptr && !writing_ && pending_.empty()) {
    uv_buf_t buffer = uv_buf_init(const_cast<char*>(data.data()), data.size());
    int written = uv_try_write(stream_, &buffer, 1);
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
  pending_.append(data);
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
  encoded_.clear();
  if (!filter_->encode(pieces, encoded_)) {
    failed_ = true;
    callbacks_.onWriteError(UV_EPROTO);
    return;
  }
  writeUnfiltered({encoded_});
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
  if (stream_ != nullptr && !writing_ && pending_.empty() && total > 0) {
    int rc = uv_try_write(stream_, buffers, count);
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
    pending_.append(piece.substr(skip));
  }
  if (stream_ != nullptr && !writing_) {
    startWrite();
  }
}

void StreamWriter::startWrite() {
  inflight_.swap(pending_);
  pending_.clear();
  uv_buf_t buffer = uv_buf_init(inflight_.data(), inflight_.size());
  int rc = uv_write(&request_, stream_, &buffer, 1, &StreamWriter::onWriteDone);
  if (rc != 0) {
    inflight_.clear();
    failed_ = true;
    callbacks_.onWriteError(rc);
    return;
  }
  writing_ = true;
}

void StreamWriter::onWriteDone(uv_write_t* request, int status) {
  auto* writer = static_cast<StreamWriter*>(request->data);
  writer->writing_ = false;
  writer->inflight_.clear();
  if (writer->inflight_.capacity() > 2 * kHighWatermark) {
    std::string().swap(writer->inflight_);  // a burst is over: give its memory back
  }
  if (status != 0) {
    if (!writer->failed_) {
      writer->failed_ = true;
      writer->callbacks_.onWriteError(status);
    }
    return;
  }
  if (!writer->pending_.empty() && writer->stream_ != nullptr) {
    writer->startWrite();
  } else if (writer->shutdown_requested_ && writer->flushed()) {
    writer->startShutdown();
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
    encoded_.clear();
    filter_->finish(encoded_);
    writeUnfiltered({encoded_});
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
  shutdown_request_.data = this;
  int rc = uv_shutdown(&shutdown_request_, stream_, [](uv_shutdown_t* request, int status) {
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
  pending_.clear();
  if (!writing_) {
    inflight_.clear();
  }
  if (pending_.capacity() > kHighWatermark) {
    std::string().swap(pending_);
  }
}

}  // namespace meshlb
