#include "tests/upstream/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "tests/upstream/control_endpoints.h"
#include "tests/upstream/http_response.h"
#include "tests/upstream/worker.h"

namespace meshlb::upstream {
namespace {

// Stop reading while more than this much output is queued (a client pipelining requests, or an
// echo peer, that does not read its answers).
constexpr size_t kMaxQueuedOutput = 1024 * 1024;
// /bytes/N: add a chunk only while less than this is queued in libuv, and keep at most this many
// chunk writes in flight (a fast reader empties the queue synchronously inside uv_write).
constexpr size_t kStreamWatermark = 64 * 1024;
constexpr int kMaxStreamWrites = 8;
// Upper bounds for the per-request controls.
constexpr uint64_t kMaxDelayMs = 3600 * 1000;
constexpr uint64_t kMaxBytes = uint64_t{1} << 50;

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "1"/"true" -> 1, "0"/"false" -> 0, anything else -> -2 (invalid).
int8_t parseFlag(std::string_view text) {
  if (text == "1" || equalsIgnoreCase(text, "true")) {
    return 1;
  }
  if (text == "0" || equalsIgnoreCase(text, "false")) {
    return 0;
  }
  return -2;
}

}  // namespace

Connection::Connection(Worker& worker) : worker_(worker) {
  llhttp_init(&parser_, HTTP_REQUEST, &parserSettings());
  parser_.data = this;
}

Connection::~Connection() = default;

const llhttp_settings_t& Connection::parserSettings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = onMessageBegin;
    s.on_url = onUrl;
    s.on_header_field = onHeaderField;
    s.on_header_field_complete = onHeaderFieldComplete;
    s.on_header_value = onHeaderValue;
    s.on_headers_complete = onHeadersComplete;
    s.on_body = onBody;
    s.on_message_complete = onMessageComplete;
    return s;
  }();
  return settings;
}

bool Connection::start(uv_stream_t* server) {
  uv_tcp_init(worker_.loop(), &tcp_);
  uv_timer_init(worker_.loop(), &timer_);
  tcp_.data = this;
  timer_.data = this;
  openHandles_ = 2;
  worker_.add(this);
  if (uv_accept(server, stream()) != 0) {
    closeNow();
    return false;
  }
  uv_tcp_nodelay(&tcp_, 1);
  updateReading();
  return true;
}

// ---- llhttp callbacks (run inside llhttp_execute, on the worker thread) ----

int Connection::onMessageBegin(llhttp_t* parser) {
  Connection* self = from(parser);
  self->head_.clear();
  self->request_ = RequestState();
  return 0;
}

int Connection::onUrl(llhttp_t* parser, const char* at, size_t length) {
  if (!from(parser)->head_.appendUrl(std::string_view(at, length))) {
    llhttp_set_error_reason(parser, "request head too large");
    return HPE_USER;
  }
  return 0;
}

int Connection::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
  if (!from(parser)->head_.appendHeaderName(std::string_view(at, length))) {
    llhttp_set_error_reason(parser, "request head too large");
    return HPE_USER;
  }
  return 0;
}

int Connection::onHeaderFieldComplete(llhttp_t* parser) {
  from(parser)->head_.finishHeaderName();
  return 0;
}

int Connection::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  if (!from(parser)->head_.appendHeaderValue(std::string_view(at, length))) {
    llhttp_set_error_reason(parser, "request head too large");
    return HPE_USER;
  }
  return 0;
}

int Connection::onHeadersComplete(llhttp_t* parser) {
  Connection* self = from(parser);
  RequestState& request = self->request_;
  request.method = parser->method;
  request.httpMajor = parser->http_major;
  request.httpMinor = parser->http_minor;
  request.upgrade = parser->upgrade != 0;
  request.hasBody = (parser->flags & (F_CHUNKED | F_CONTENT_LENGTH)) != 0;
  request.control = !request.upgrade && startsWith(self->head_.path(), kControlPrefix);
  self->interpretHead();
  return 0;
}

int Connection::onBody(llhttp_t* parser, const char* /*at*/, size_t length) {
  Connection* self = from(parser);
  self->request_.bodyBytes += length;
  if (!self->request_.control) {
    self->worker_.counters().bytesReceived.fetch_add(length, std::memory_order_relaxed);
  }
  return 0;
}

int Connection::onMessageComplete(llhttp_t* parser) {
  Connection* self = from(parser);
  // Must be asked here: llhttp clears the flags it is based on right after this callback.
  self->request_.keepAlive =
      llhttp_should_keep_alive(parser) != 0 && !self->request_.closeAfterAnswer;
  // Pausing makes llhttp_execute return at the end of this request. An upgrade stops llhttp by
  // itself (HPE_PAUSED_UPGRADE); pausing it as well would hide that.
  return parser->upgrade ? 0 : HPE_PAUSED;
}

void Connection::interpretHead() {
  RequestState& request = request_;
  bool expectContinue = false;
  for (size_t i = 0; i < head_.headerCount(); ++i) {
    std::string_view name = head_.headerName(i);
    if (name.size() < 6) {
      continue;
    }
    std::string_view value = trimBlanks(head_.headerValue(i));
    if (equalsIgnoreCase(name, "Expect")) {
      expectContinue = equalsIgnoreCase(value, "100-continue");
    } else if (equalsIgnoreCase(name, "X-Upstream-Delay-Ms")) {
      std::optional<uint64_t> delay = parseUnsigned(value, kMaxDelayMs);
      if (!delay) {
        request.invalidControl = "X-Upstream-Delay-Ms must be 0..3600000";
      } else {
        request.delayMs = static_cast<int64_t>(*delay);
      }
    } else if (equalsIgnoreCase(name, "X-Upstream-Status")) {
      std::optional<uint64_t> status = parseUnsigned(value, 599);
      if (!status || *status < 200) {
        request.invalidControl = "X-Upstream-Status must be 200..599";
      } else {
        request.status = static_cast<int>(*status);
      }
    } else if (equalsIgnoreCase(name, "X-Upstream-Jitter-Ms")) {
      std::optional<uint64_t> jitter = parseUnsigned(value, 60'000);
      if (!jitter) {
        request.invalidControl = "X-Upstream-Jitter-Ms must be 0..60000";
      } else {
        request.jitterMs = static_cast<int64_t>(*jitter);
      }
    } else if (equalsIgnoreCase(name, "X-Upstream-Close-After")) {
      request.closeAfterAnswer = parseFlag(value) == 1;
    } else if (equalsIgnoreCase(name, "X-Upstream-Close")) {
      request.close = parseFlag(value);
    } else if (equalsIgnoreCase(name, "X-Upstream-Reset")) {
      request.reset = parseFlag(value);
    }
  }
  if (request.close == -2 || request.reset == -2) {
    request.invalidControl = "X-Upstream-Close and X-Upstream-Reset take 1, 0, true or false";
  }
  // HTTP/1.0 clients do not know 100 Continue.
  bool http11 = request.httpMajor > 1 || (request.httpMajor == 1 && request.httpMinor >= 1);
  if (expectContinue && request.hasBody && http11) {
    out() += "HTTP/1.1 100 Continue\r\n\r\n";
    flush();
  }
}

// ---- input ----

void Connection::onAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buffer) {
  auto* self = static_cast<Connection*>(handle->data);
  buffer->base = self->worker_.readBuffer();
  buffer->len = self->worker_.readBufferSize();
}

void Connection::onRead(uv_stream_t* stream, ssize_t count, const uv_buf_t* buffer) {
  auto* self = static_cast<Connection*>(stream->data);
  if (count > 0) {
    self->processInput(buffer->base, static_cast<size_t>(count));
    self->flush();
    self->updateReading();
    return;
  }
  if (count == UV_EOF) {
    self->peerEof_ = true;
    if (self->busy_ == Busy::kIdle) {
      // Everything received was handled: answer what is queued, then close.
      self->closeAfterWrites();
    } else {
      // Finish the answer in progress (and pending_) first; resumeInput() closes after that.
      self->updateReading();
    }
    return;
  }
  if (count < 0) {
    self->closeNow();
  }
}

void Connection::processInput(const char* data, size_t length) {
  while (length > 0) {
    if (closing_ || shuttingDown_) {
      return;
    }
    if (mode_ == Mode::kEcho) {
      out().append(data, length);
      return;
    }
    if (busy_ != Busy::kIdle) {
      pending_.append(data, length);
      return;
    }
    llhttp_errno_t error = llhttp_execute(&parser_, data, length);
    if (error == HPE_OK) {
      return;
    }
    if (error != HPE_PAUSED && error != HPE_PAUSED_UPGRADE) {
      badRequest(llhttp_get_error_reason(&parser_));
      return;
    }
    // Paused at the end of a request: the rest of the input belongs to the next request (or,
    // after an upgrade, to the echo).
    const char* stop = llhttp_get_error_pos(&parser_);
    size_t used =
        (stop >= data && stop <= data + length) ? static_cast<size_t>(stop - data) : length;
    data += used;
    length -= used;
    if (error == HPE_PAUSED) {
      llhttp_resume(&parser_);
    }
    dispatch();
  }
}

void Connection::resumeInput() {
  if (closing_ || shuttingDown_) {
    return;
  }
  if (!pending_.empty()) {
    scratch_.swap(pending_);
    pending_.clear();
    processInput(scratch_.data(), scratch_.size());
    scratch_.clear();
  }
  flush();
  if (peerEof_ && busy_ == Busy::kIdle) {
    closeAfterWrites();
    return;
  }
  updateReading();
}

void Connection::updateReading() {
  bool want = !closing_ && !shuttingDown_ && !peerEof_ && busy_ == Busy::kIdle &&
              pending_.empty() && uv_stream_get_write_queue_size(stream()) < kMaxQueuedOutput;
  if (want && !reading_) {
    reading_ = uv_read_start(stream(), onAlloc, onRead) == 0;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

// ---- answering ----

void Connection::dispatch() {
  RequestState& request = request_;
  if (request.control) {
    respondControl();
    finishResponse();
    return;
  }
  worker_.counters().requests.fetch_add(1, std::memory_order_relaxed);
  if (request.invalidControl != nullptr) {
    badRequest(request.invalidControl);
    return;
  }
  // Explicit request headers win over the global fault.
  Fault fault = worker_.context().shared->fault().get();
  if (request.delayMs < 0) {
    request.delayMs = fault.delayMs;
  }
  if (request.status == 0) {
    request.status = fault.status;
  }
  if (request.close < 0) {
    request.close = fault.close ? 1 : 0;
  }
  if (request.reset < 0) {
    request.reset = fault.reset ? 1 : 0;
  }
  if (request.jitterMs > 0) {
    // Natural-looking variation on top of any delay, so a global fault still shows through.
    thread_local std::minstd_rand random(static_cast<unsigned>(uv_hrtime()));
    int64_t extra = static_cast<int64_t>(random() % static_cast<uint64_t>(request.jitterMs + 1));
    request.delayMs = std::max<int64_t>(request.delayMs, 0) + extra;
  }
  if (request.delayMs > 0) {
    busy_ = Busy::kDelayed;
    flush();  // earlier pipelined answers must not wait for this one's delay
    // The loop's clock is cached from the start of this iteration; refresh it so the delay
    // counts from now and not from whenever the iteration began.
    uv_update_time(timer_.loop);
    uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(request.delayMs), 0);
    return;
  }
  respond();
}

void Connection::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  self->busy_ = Busy::kIdle;
  self->respond();
  if (self->busy_ == Busy::kIdle) {
    self->resumeInput();
  } else {
    self->flush();
  }
}

void Connection::respond() {
  RequestState& request = request_;
  if (request.reset == 1) {
    resetNow();
    return;
  }
  if (request.close == 1) {
    // Earlier pipelined answers still go out; this request gets none, just the FIN.
    closeAfterWrites();
    return;
  }
  if (request.upgrade) {
    respondUpgrade();
    return;
  }
  std::string_view path = head_.path();
  if (startsWith(path, "/echo")) {
    respondEcho();
  } else if (startsWith(path, "/bytes/")) {
    if (!respondBytes()) {
      busy_ = Busy::kStreaming;
      return;
    }
  } else if (request.hasBody) {
    std::string_view name = worker_.context().name;
    body_.clear();
    body_ += name;
    body_ += " received ";
    appendDecimal(body_, request.bodyBytes);
    body_ += " bytes\n";
    respondText(request.status != 0 ? request.status : 200, "text/plain", body_,
                static_cast<int64_t>(request.bodyBytes));
  } else {
    respondDefault();
  }
  finishResponse();
}

void Connection::finishResponse() {
  if (!request_.keepAlive) {
    closeAfterWrites();
  }
}

void Connection::respondDefault() {
  const ServerContext& context = worker_.context();
  const RequestState& request = request_;
  bool plain = request.status == 0 && request.keepAlive && request.httpMinor == 1 &&
               request.httpMajor == 1 && request.method != HTTP_HEAD;
  if (plain) {
    out() += context.defaultResponse;  // the fast path: one copy, nothing built
    return;
  }
  body_.clear();
  body_ += context.name;
  body_ += '\n';
  respondText(request.status != 0 ? request.status : 200, "text/plain", body_);
}

void Connection::respondText(int status, std::string_view contentType, std::string_view body,
                             int64_t receivedBytes) {
  const RequestState& request = request_;
  ResponseHead head;
  head.status = status;
  head.upstreamName = worker_.context().name;
  head.contentType = contentType;
  head.contentLength = body.size();
  head.receivedBytes = receivedBytes;
  head.close = !request.keepAlive;
  head.keepAlive = request.keepAlive && request.httpMajor == 1 && request.httpMinor == 0;
  std::string& text = out();
  appendResponseHead(text, head);
  if (request.method != HTTP_HEAD && statusAllowsBody(status)) {
    text += body;
  }
}

void Connection::respondEcho() {
  const RequestState& request = request_;
  body_.clear();
  head_.appendWireText(body_, llhttp_method_name(static_cast<llhttp_method_t>(request.method)),
                       request.httpMajor, request.httpMinor);
  respondText(request.status != 0 ? request.status : 200, "text/plain", body_);
}

void Connection::respondUpgrade() {
  RequestState& request = request_;
  const ServerContext& context = worker_.context();
  if (request.status != 0 && request.status != 101) {
    // A refused upgrade: llhttp has stopped parsing HTTP, so the connection cannot continue.
    request.keepAlive = false;
    body_.clear();
    body_ += context.name;
    body_ += '\n';
    respondText(request.status, "text/plain", body_);
    closeAfterWrites();
    return;
  }
  std::string& text = out();
  if (request.method == HTTP_CONNECT) {
    text += "HTTP/1.1 200 Connection Established\r\n";
  } else {
    text += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: ";
    text += head_.find("Upgrade").value_or(std::string_view());
    text += "\r\nConnection: Upgrade\r\n";
  }
  text += "X-Upstream-Name: ";
  text += context.name;
  text += "\r\n\r\n";
  mode_ = Mode::kEcho;
}

bool Connection::respondBytes() {
  const RequestState& request = request_;
  std::optional<uint64_t> count =
      parseUnsigned(head_.path().substr(std::string_view("/bytes/").size()), kMaxBytes);
  if (!count) {
    respondText(400, "text/plain", "expected /bytes/N with N a decimal byte count\n");
    return true;
  }
  int status = request.status != 0 ? request.status : 200;
  bool http10 = request.httpMajor == 1 && request.httpMinor == 0;
  ResponseHead head;
  head.status = status;
  head.upstreamName = worker_.context().name;
  head.contentType = "application/octet-stream";
  head.chunked = !http10 && queryParam(head_.query(), "chunked") == std::string_view("1");
  head.contentLength = *count;
  head.close = !request.keepAlive;
  head.keepAlive = request.keepAlive && http10;
  std::string& text = out();
  appendResponseHead(text, head);
  if (request.method == HTTP_HEAD || !statusAllowsBody(status)) {
    return true;
  }
  if (*count == 0) {
    if (head.chunked) {
      text += "0\r\n\r\n";
    }
    return true;
  }
  streamRemaining_ = *count;
  streamChunked_ = head.chunked;
  return pumpStream();
}

bool Connection::pumpStream() {
  while (streamRemaining_ > 0) {
    if (closing_ || writesInFlight_ >= kMaxStreamWrites ||
        uv_stream_get_write_queue_size(stream()) >= kStreamWatermark) {
      return false;
    }
    size_t size = static_cast<size_t>(std::min<uint64_t>(kFillerChunkSize, streamRemaining_));
    std::string& text = out();  // may already hold the response head
    if (streamChunked_) {
      appendHex(text, size);
      text += "\r\n";
    }
    streamRemaining_ -= size;
    WriteRequest* write = filling_;
    filling_ = nullptr;
    write->body = fillerChunk().substr(0, size);
    if (streamChunked_) {
      write->trailer = streamRemaining_ == 0 ? std::string_view("\r\n0\r\n\r\n") : "\r\n";
    }
    submit(write);
  }
  return !closing_;
}

void Connection::respondControl() {
  const ServerContext& context = worker_.context();
  std::string_view method = llhttp_method_name(static_cast<llhttp_method_t>(request_.method));
  body_.clear();
  int status = handleControlRequest(method, head_.path(), head_.query(), context.name,
                                    *context.shared, body_);
  respondText(status, "application/json", body_);
}

void Connection::badRequest(const char* reason) {
  request_.keepAlive = false;
  body_.clear();
  body_ += "bad request: ";
  body_ += reason != nullptr ? reason : "malformed";
  body_ += '\n';
  respondText(400, "text/plain", body_);
  closeAfterWrites();
}

// ---- output ----

Connection::WriteRequest* Connection::acquireWrite() {
  if (freeWrites_.empty()) {
    writePool_.push_back(std::make_unique<WriteRequest>());
    WriteRequest* write = writePool_.back().get();
    write->owner = this;
    write->req.data = write;
    return write;
  }
  WriteRequest* write = freeWrites_.back();
  freeWrites_.pop_back();
  return write;
}

void Connection::releaseWrite(WriteRequest* write) {
  write->text.clear();
  write->body = std::string_view();
  write->trailer = std::string_view();
  freeWrites_.push_back(write);
}

std::string& Connection::out() {
  if (filling_ == nullptr) {
    filling_ = acquireWrite();
  }
  return filling_->text;
}

void Connection::flush() {
  if (filling_ == nullptr || filling_->text.empty()) {
    return;
  }
  WriteRequest* write = filling_;
  filling_ = nullptr;
  submit(write);
}

void Connection::submit(WriteRequest* write) {
  if (closing_ || shuttingDown_) {
    releaseWrite(write);
    return;
  }
  uv_buf_t buffers[3];
  unsigned count = 0;
  for (std::string_view part : {std::string_view(write->text), write->body, write->trailer}) {
    if (!part.empty()) {
      buffers[count++] =
          uv_buf_init(const_cast<char*>(part.data()), static_cast<unsigned>(part.size()));
    }
  }
  if (count == 0) {
    releaseWrite(write);
    return;
  }
  if (uv_write(&write->req, stream(), buffers, count, onWrite) != 0) {
    releaseWrite(write);
    closeNow();
    return;
  }
  ++writesInFlight_;
}

void Connection::onWrite(uv_write_t* req, int status) {
  auto* write = static_cast<WriteRequest*>(req->data);
  Connection* self = write->owner;
  self->releaseWrite(write);
  --self->writesInFlight_;
  if (self->closing_) {
    return;
  }
  if (status < 0) {
    self->closeNow();
    return;
  }
  if (self->busy_ == Busy::kStreaming && self->pumpStream()) {
    self->busy_ = Busy::kIdle;
    self->finishResponse();
    self->resumeInput();
    return;
  }
  self->updateReading();
}

// ---- closing ----

void Connection::closeAfterWrites() {
  if (closing_ || shuttingDown_) {
    return;
  }
  flush();
  shuttingDown_ = true;
  updateReading();
  shutdownReq_.data = this;
  if (uv_shutdown(&shutdownReq_, stream(), onShutdown) != 0) {
    closeNow();
  }
}

void Connection::onShutdown(uv_shutdown_t* req, int /*status*/) {
  static_cast<Connection*>(req->data)->closeNow();
}

void Connection::resetNow() {
  // SO_LINGER with a zero timeout makes close(2) send RST and drop unsent data.
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) == 0) {
    linger option{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  }
  closeNow();
}

void Connection::closeNow() {
  if (closing_) {
    return;
  }
  closing_ = true;
  if (reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClose);
}

void Connection::onClose(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  if (--self->openHandles_ == 0) {
    self->worker_.remove(self);
    delete self;
  }
}

}  // namespace meshlb::upstream
