#include "admin/admin_server.h"

#include <exception>

#include "admin/admin_error.h"
#include "common/log.h"
#include "common/stream_writer.h"
#include "proxy/http/http1_decoder.h"
#include "proxy/http/message_encoder.h"
#include "proxy/http/message_head.h"

namespace meshlb::admin {
namespace {

const config::HttpLimits kAdminLimits{4096, 16 * 1024, 50};

// After answering, what a client may still send (the rest of a refused body) is read and
// dropped so that closing does not reset the connection before the client read the answer;
// beyond this much the connection is closed anyway.
constexpr size_t kMaxDiscardBytes = 256 * 1024;

std::string_view reasonFor(int status) {
  switch (status) {
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 409:
      return "Conflict";
    default:
      return http::reasonPhrase(status);
  }
}

// True when `text` may be written into a header field value: no CR, LF or NUL, which would
// let an endpoint's mistake split or truncate the response.
bool isFieldValue(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool isWellFormed(const AdminResponse& response) {
  if (response.status < 100 || response.status > 599 || !isFieldValue(response.content_type)) {
    return false;
  }
  for (const auto& [name, value] : response.headers) {
    if (!http::isToken(name) || !isFieldValue(value)) {
      return false;
    }
  }
  return true;
}

// A connection over the limit: accepted only to be closed. Main thread; frees itself.
struct RefusedConnection {
  UvHandle<uv_tcp_t> tcp;
};

}  // namespace

// One admin client connection: reads one request, answers it, and closes. Owned by the
// AdminServer's loop thread; frees itself once its handles are closed.
class AdminConnection final : public http::DecoderCallbacks, public StreamWriterCallbacks {
 public:
  explicit AdminConnection(AdminServer& server)
      : server_(&server),
        limits_(server.limits_),
        writer_(*this),
        decoder_(http::Http1Decoder::Kind::kRequest, *this, kAdminLimits) {
    // Both inits only fail on invalid arguments; close() relies on both handles existing.
    uv_tcp_init(server.loop_, tcp_.get());
    tcp_.initialized(this);
    uv_timer_init(server.loop_, timer_.get());
    timer_.initialized(this);
  }

  // Accepts the pending connection on `listener` and starts the request timer and reading.
  void start(uv_stream_t* listener) {
    if (uv_accept(listener, tcp_.stream()) != 0) {
      close();
      return;
    }
    writer_.attach(tcp_.stream());
    startTimer();
    int rc = uv_read_start(
        tcp_.stream(),
        [](uv_handle_t*, size_t, uv_buf_t* buffer) {
          thread_local char storage[16 * 1024];  // one read at a time per loop thread
          *buffer = uv_buf_init(storage, sizeof(storage));
        },
        [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
          static_cast<AdminConnection*>(stream->data)->onRead(nread, buffer);
        });
    if (rc != 0) {
      close();
    }
  }

  // The server is going away: close without answering and without telling it.
  void abandon() {
    server_ = nullptr;
    close();
  }

  // AdminServer::broadcast: one frame for this stream, or the end of a stream that lags.
  void sendEvents(std::string_view frame) {
    if (writer_.buffered() > limits_.max_stream_backlog) {
      close();
      return;
    }
    writer_.write(frame);
  }

  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo& info) override {
    if (closing_) {
      return http::HeadAction::kStop;
    }
    request_.method = std::string(head.methodName());
    if (std::optional<AdminResponse> refusal = admit(head, info)) {
      answer(*refusal);
      return http::HeadAction::kStop;
    }
    bool has_body = info.chunked || info.content_length > 0;
    if (info.expect_continue && has_body) {
      writer_.write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    return http::HeadAction::kContinue;
  }

  void onBody(const char* data, size_t length) override {
    if (answered_ || closing_) {
      return;
    }
    // Content-Length was checked with the head; this catches chunked bodies as they grow.
    if (request_.body.size() + length > limits_.max_body_bytes) {
      answer(bodyTooLarge());
      return;
    }
    request_.body.append(data, length);
  }

  void onMessageComplete() override {
    if (!answered_ && !closing_) {
      answer(callHandler());
    }
  }

  void onWriterDrained() override { closeWhenDone(); }
  void onWriteError(int) override { close(); }

 private:
  void onRead(ssize_t nread, const uv_buf_t* buffer) {
    if (nread < 0) {
      // EOF after the answer: the client has read it (or given up); close once it is out.
      // Anything else (reset, EOF mid-request) ends the connection now.
      if (nread == UV_EOF && answered_) {
        peer_closed_ = true;
        closeWhenDone();
      } else {
        close();
      }
      return;
    }
    size_t length = static_cast<size_t>(nread);
    if (answered_) {
      discarded_ += length;
      if (discarded_ > kMaxDiscardBytes) {
        close();
      }
      return;
    }
    if (length > 0) {
      handleData(buffer->base, length);
    }
  }

  void handleData(const char* data, size_t length) {
    http::Http1Decoder::Result result = decoder_.decode(data, length);
    if (answered_ || closing_) {
      return;  // a callback answered (the message, or a refusal of its head or body) or failed
    }
    if (result.status == http::Http1Decoder::Result::Status::kError) {
      std::string reason(decoder_.errorReason());
      answer(decoder_.errorStatus() == 431
                 ? adminError(431, "head_too_large", "the request head is too large: " + reason)
                 : adminError(400, "bad_request", "the request is malformed: " + reason));
    }
  }

  // Checks a request head before its body is read. Returns the refusal to answer, if any.
  std::optional<AdminResponse> admit(const http::MessageHead& head, const http::HeadInfo& info) {
    std::string_view target = head.url();
    if (target.empty() || target.front() != '/') {
      return adminError(400, "bad_request", "the request target must be a path such as /ready");
    }
    size_t query_start = target.find('?');
    std::optional<std::string> path = percentDecode(target.substr(0, query_start), false);
    if (!path) {
      return adminError(400, "bad_request", "the request path has an invalid percent-escape");
    }
    request_.path = std::move(*path);
    if (query_start != std::string_view::npos) {
      Result<QueryParams> query = parseQueryString(target.substr(query_start + 1));
      if (!query) {
        return adminError(400, "bad_query",
                          "the query string is malformed: " + query.error().message);
      }
      request_.query = std::move(query.value());
    }
    if (head.count("authorization") > 1) {
      return adminError(400, "bad_request", "the request has more than one Authorization header");
    }
    request_.authorization = std::string(head.find("authorization").value_or(""));
    // Authorization is decided on the decoded path, the one the endpoints route on.
    const AdminAuthPolicy& auth = server_->auth_;
    if (auth.requiresToken(request_.method, request_.path) &&
        !auth.token.accepts(request_.authorization)) {
      AdminResponse refusal =
          adminError(401, "unauthorized",
                     request_.authorization.empty()
                         ? "this request needs an Authorization: Bearer <token> header"
                         : "the Authorization header does not carry the admin token");
      refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"meshlb-admin\"");
      return refusal;
    }
    if (info.content_length > limits_.max_body_bytes) {
      return bodyTooLarge();
    }
    return std::nullopt;
  }

  AdminResponse bodyTooLarge() const {
    return adminError(
        413, "body_too_large",
        "the request body is larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
  }

  // Runs the endpoint. An exception must not unwind into libuv: it becomes a 500.
  AdminResponse callHandler() {
    try {
      return server_->handler_(request_);
    } catch (const std::exception& e) {
      LOG_ERROR("admin %s %s: %s", request_.method.c_str(), request_.path.c_str(), e.what());
    } catch (...) {
      LOG_ERROR("admin %s %s: unknown exception", request_.method.c_str(), request_.path.c_str());
    }
    return adminError(500, "internal_error", "the endpoint failed; see the meshlb log");
  }

  void answer(const AdminResponse& given) {
    if (closing_) {
      return;
    }
    answered_ = true;
    AdminResponse fallback;
    const AdminResponse* response = &given;
    if (!isWellFormed(given)) {
      LOG_ERROR("admin %s %s: the endpoint's answer has an invalid status or header",
                request_.method.c_str(), request_.path.c_str());
      fallback = adminError(500, "internal_error", "the endpoint produced an invalid answer");
      response = &fallback;
    }
    if (response->event_stream && response->status == 200 && request_.method == "GET") {
      openStream(*response);
      return;
    }
    std::string out = "HTTP/1.1 " + std::to_string(response->status) + " " +
                      std::string(reasonFor(response->status)) +
                      "\r\nContent-Type: " + response->content_type +
                      "\r\nContent-Length: " + std::to_string(response->body.size()) +
                      "\r\nCache-Control: no-store\r\nConnection: close\r\n";
    for (const auto& [name, value] : response->headers) {
      out += name + ": " + value + "\r\n";
    }
    out += "\r\n";
    if (request_.method != "HEAD") {
      out += response->body;
    }
    writer_.write(out);
    writer_.shutdownWhenFlushed();
    startTimer();  // now bounds how long the client takes to read the answer and close
    closeWhenDone();
  }

  // Sends the head of an event stream and its first events, and joins the server's streams.
  // No deadline from here on: the stream lasts until the client closes or falls behind.
  void openStream(const AdminResponse& response) {
    if (server_->streams_.size() >= limits_.max_event_streams) {
      answered_ = false;
      answer(adminError(503, "too_many_streams",
                        "there are already " + std::to_string(limits_.max_event_streams) +
                            " event streams open; close one and retry"));
      return;
    }
    std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: " + response.content_type +
        "\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n";
    for (const auto& [name, value] : response.headers) {
      out.append(name).append(": ").append(value).append("\r\n");
    }
    out.append("\r\n").append(response.body);
    writer_.write(out);
    uv_timer_stop(timer_.get());
    streaming_ = true;
    server_->streams_.insert(this);
  }

  void startTimer() {
    uv_timer_start(
        timer_.get(),
        [](uv_timer_t* timer) { static_cast<AdminConnection*>(timer->data)->onTimeout(); },
        limits_.request_timeout_ms, 0);
  }

  void onTimeout() {
    if (answered_) {
      close();  // the client neither read the answer nor closed in time
      return;
    }
    answer(adminError(
        408, "request_timeout",
        "the request did not arrive within " + std::to_string(limits_.request_timeout_ms) + " ms"));
  }

  // Closes once the answer is out and the client closed its side: closing earlier, with
  // client bytes unread, could reset the connection and lose the answer on its way.
  void closeWhenDone() {
    if (streaming_ && peer_closed_) {
      close();  // nobody reads the events any more
      return;
    }
    if (answered_ && peer_closed_ && writer_.flushed()) {
      close();
    }
  }

  void close() {
    if (closing_) {
      return;
    }
    closing_ = true;
    if (server_ != nullptr) {
      server_->forget(this);
      server_ = nullptr;
    }
    writer_.detach();
    writer_.reset();
    uv_timer_stop(timer_.get());
    pending_closes_ += tcp_.close(&AdminConnection::onClosed) ? 1 : 0;
    pending_closes_ += timer_.close(&AdminConnection::onClosed) ? 1 : 0;
  }

  static void onClosed(uv_handle_t* handle) {
    auto* self = static_cast<AdminConnection*>(handle->data);
    if (--self->pending_closes_ == 0) {
      delete self;
    }
  }

  AdminServer* server_;  // null once closing: the server may be gone
  const AdminServerLimits limits_;
  UvHandle<uv_tcp_t> tcp_;
  UvHandle<uv_timer_t> timer_;  // request deadline, then answer deadline
  StreamWriter writer_;
  http::Http1Decoder decoder_;
  AdminRequest request_;
  size_t discarded_ = 0;  // bytes read and dropped after the answer
  int pending_closes_ = 0;
  bool answered_ = false;
  bool streaming_ = false;  // an event stream: answered, kept open, fed by broadcast()
  bool peer_closed_ = false;
  bool closing_ = false;
};

AdminServer::AdminServer(uv_loop_t* loop, AdminHandler handler, AdminAuthPolicy auth,
                         AdminServerLimits limits)
    : loop_(loop), handler_(std::move(handler)), auth_(std::move(auth)), limits_(limits) {}

AdminServer::~AdminServer() {
  std::unordered_set<AdminConnection*> open = std::move(connections_);
  connections_.clear();
  streams_.clear();
  for (AdminConnection* connection : open) {
    connection->abandon();
  }
}

Status AdminServer::listen(const SocketAddress& address) {
  uv_tcp_init(loop_, server_.get());
  server_.initialized(this);
  int rc = uv_tcp_bind(server_.get(), address.get(), 0);
  if (rc == 0) {
    rc = uv_listen(server_.stream(), 128, &AdminServer::onConnection);
  }
  if (rc != 0) {
    return Error{"admin listener " + address.toString() + ": " + uv_strerror(rc)};
  }
  sockaddr_storage bound{};
  int length = sizeof(bound);
  if (uv_tcp_getsockname(server_.get(), reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
    port_ = static_cast<uint16_t>(fromSockaddr(reinterpret_cast<sockaddr*>(&bound)).port());
  }
  LOG_INFO("admin: %s", auth_.describe().c_str());
  if (auth_.protect_reads && !auth_.token.configured()) {
    LOG_WARN("admin: admin.protect_reads is set but there is no token to protect reads with");
  }
  return {};
}

void AdminServer::close() {
  server_.close(nullptr);
  std::unordered_set<AdminConnection*> open = std::move(connections_);
  connections_.clear();
  streams_.clear();
  for (AdminConnection* connection : open) {
    connection->abandon();
  }
}

void AdminServer::broadcast(std::string_view frame) {
  // sendEvents may close a stream, which removes it from streams_: iterate over a copy.
  std::vector<AdminConnection*> streams(streams_.begin(), streams_.end());
  for (AdminConnection* stream : streams) {
    stream->sendEvents(frame);
  }
}

bool AdminServer::LogThrottle::allow(uint64_t now_ms) {
  if (last_ms && now_ms - *last_ms < 1000) {
    ++suppressed;
    return false;
  }
  last_ms = now_ms;
  return true;
}

void AdminServer::onConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<AdminServer*>(listener->data);
  if (status != 0) {
    if (self->accept_error_log_.allow(uv_now(self->loop_))) {
      LOG_WARN("admin accept: %s (%llu more since the last warning)", uv_strerror(status),
               static_cast<unsigned long long>(self->accept_error_log_.suppressed));
      self->accept_error_log_.suppressed = 0;
    }
    return;
  }
  if (self->connections_.size() >= self->limits_.max_connections) {
    self->refuse(listener);
    return;
  }
  auto* connection = new AdminConnection(*self);
  self->connections_.insert(connection);
  connection->start(listener);
}

void AdminServer::refuse(uv_stream_t* listener) {
  auto* refused = new RefusedConnection;
  uv_tcp_init(loop_, refused->tcp.get());
  refused->tcp.initialized(refused);
  // Closing is all that is left to do whether or not the accept worked.
  (void)uv_accept(listener, refused->tcp.stream());
  refused->tcp.close(
      [](uv_handle_t* handle) { delete static_cast<RefusedConnection*>(handle->data); });
  if (refusal_log_.allow(uv_now(loop_))) {
    LOG_WARN(
        "admin: %zu connections open, the limit; closed a new one (%llu more since the "
        "last warning)",
        connections_.size(), static_cast<unsigned long long>(refusal_log_.suppressed));
    refusal_log_.suppressed = 0;
  }
}

}  // namespace meshlb::admin
