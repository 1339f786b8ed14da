#include "admin/admin_server.h"

#include "common/log.h"
#include "common/stream_writer.h"
#include "proxy/http/http1_decoder.h"
#include "proxy/http/message_encoder.h"

namespace meshlb::admin {
namespace {

const config::HttpLimits kAdminLimits{4096, 16 * 1024, 50};

// One admin client connection. Main thread; frees itself when closed.
class AdminConnection final : public http::DecoderCallbacks, public StreamWriterCallbacks {
 public:
  AdminConnection(uv_loop_t* loop, const AdminHandler& handler)
      : handler_(handler),
        writer_(*this),
        decoder_(http::Http1Decoder::Kind::kRequest, *this, kAdminLimits) {
    uv_tcp_init(loop, tcp_.get());
    tcp_.initialized(this);
  }

  void start(uv_stream_t* server) {
    if (uv_accept(server, tcp_.stream()) != 0) {
      close();
      return;
    }
    writer_.attach(tcp_.stream());
    uv_read_start(
        tcp_.stream(),
        [](uv_handle_t*, size_t, uv_buf_t* buffer) {
          static char storage[16 * 1024];  // main thread only: one read at a time
          *buffer = uv_buf_init(storage, sizeof(storage));
        },
        [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
          auto* self = static_cast<AdminConnection*>(stream->data);
          if (nread < 0) {
            self->close();
          } else if (nread > 0 && !self->answered_) {
            self->handleData(buffer->base, static_cast<size_t>(nread));
          }
        });
  }

  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo&) override {
    method_ = head.methodName();
    path_ = head.url();
    return http::HeadAction::kContinue;
  }
  void onBody(const char*, size_t) override {}
  void onMessageComplete() override {
    size_t query = path_.find('?');
    AdminResponse response = handler_(method_, std::string_view(path_).substr(0, query));
    answer(response);
  }
  void onWriterDrained() override {
    if (answered_ && writer_.flushed()) {
      close();
    }
  }
  void onWriteError(int) override { close(); }

 private:
  void handleData(const char* data, size_t length) {
    http::Http1Decoder::Result result = decoder_.decode(data, length);
    if (result.status == http::Http1Decoder::Result::Status::kError) {
      answer({decoder_.errorStatus(), "application/json",
              "{\"error\":\"" + std::string(decoder_.errorReason()) + "\"}"});
    }
  }

  void answer(const AdminResponse& response) {
    answered_ = true;
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      std::string(http::reasonPhrase(response.status)) +
                      "\r\nContent-Type: " + response.content_type +
                      "\r\nContent-Length: " + std::to_string(response.body.size()) +
                      "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + response.body;
    writer_.write(out);
    writer_.shutdownWhenFlushed();
    if (writer_.flushed()) {
      close();
    }
  }

  void close() {
    writer_.detach();
    tcp_.close([](uv_handle_t* handle) { delete static_cast<AdminConnection*>(handle->data); });
  }

  const AdminHandler& handler_;
  UvHandle<uv_tcp_t> tcp_;
  StreamWriter writer_;
  http::Http1Decoder decoder_;
  std::string method_;
  std::string path_;
  bool answered_ = false;
};

}  // namespace

AdminServer::AdminServer(uv_loop_t* loop, AdminHandler handler)
    : loop_(loop), handler_(std::move(handler)) {}

AdminServer::~AdminServer() = default;

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
  return {};
}

void AdminServer::close() {
  server_.close(nullptr);
}

void AdminServer::onConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<AdminServer*>(server->data);
  if (status != 0) {
    LOG_WARN("admin accept: %s", uv_strerror(status));
    return;
  }
  (new AdminConnection(self->loop_, self->handler_))->start(server);
}

}  // namespace meshlb::admin
