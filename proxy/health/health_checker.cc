#include "proxy/health/health_checker.h"

#include "common/log.h"
#include "common/stream_writer.h"
#include "proxy/http/http1_decoder.h"

namespace meshlb::health {

// One check in flight: a connection, a timeout, and for http a request and the answer's status.
// Frees itself after its handles close; the checker may detach from it first (stop()).
class HostHealthChecker::Probe final : public http::DecoderCallbacks, public StreamWriterCallbacks {
 public:
  explicit Probe(HostHealthChecker& checker)
      : checker_(&checker),
        writer_(*this),
        decoder_(http::Http1Decoder::Kind::kResponse, *this, config::HttpLimits{}) {}

  void start() {
    uv_loop_t* loop = checker_->loop_;
    uv_tcp_init(loop, tcp_.get());
    tcp_.initialized(this);
    uv_timer_init(loop, timer_.get());
    timer_.initialized(this);
    uv_timer_start(
        timer_.get(),
        [](uv_timer_t* timer) { static_cast<Probe*>(timer->data)->finish(false, "timeout"); },
        checker_->config_.timeout_ms, 0);
    connect_.data = this;
    int rc = uv_tcp_connect(&connect_, tcp_.get(), checker_->host_.address.get(),
                            [](uv_connect_t* request, int status) {
                              static_cast<Probe*>(request->data)->onConnected(status);
                            });
    if (rc != 0) {
      finish(false, uv_strerror(rc));
    }
  }

  void detach() {
    checker_ = nullptr;
    close();
  }

  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo&) override {
    if (checker_ == nullptr) {
      return http::HeadAction::kStop;
    }
    if (head.status >= 100 && head.status < 200) {
      return http::HeadAction::kContinue;  // interim: wait for the real answer
    }
    bool ok = statusExpected(checker_->config_, head.status);
    status_text_ = "status " + std::to_string(head.status);
    finish(ok, status_text_);
    return http::HeadAction::kStop;
  }
  void onBody(const char*, size_t) override {}
  void onMessageComplete() override {}
  void onWriterDrained() override {}
  void onWriteError(int status) override { finish(false, uv_strerror(status)); }

 private:
  void onConnected(int status) {
    if (status == UV_ECANCELED || done_) {
      return;
    }
    if (status != 0) {
      finish(false, uv_strerror(status));
      return;
    }
    if (checker_->config_.type == config::HealthCheckConfig::Type::kTcp) {
      finish(true, "");
      return;
    }
    const config::HealthCheckConfig& config = checker_->config_;
    std::string request = config.method + " " + config.path + " HTTP/1.1\r\nHost: " +
                          (config.host.empty() ? checker_->host_.address_text : config.host) +
                          "\r\nUser-Agent: meshlb-health-check\r\nConnection: close\r\n\r\n";
    writer_.attach(tcp_.stream());
    writer_.write(request);
    uv_read_start(
        tcp_.stream(),
        [](uv_handle_t*, size_t, uv_buf_t* buffer) {
          static char storage[4096];  // main thread only, consumed before the next read
          *buffer = uv_buf_init(storage, sizeof(storage));
        },
        [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
          auto* self = static_cast<Probe*>(stream->data);
          if (nread < 0) {
            self->finish(false, "connection closed before a status");
          } else if (nread > 0 && !self->done_) {
            auto result = self->decoder_.decode(buffer->base, static_cast<size_t>(nread));
            if (result.status == http::Http1Decoder::Result::Status::kError) {
              self->finish(false, "unparsable answer");
            }
          }
        });
  }

  void finish(bool ok, std::string_view reason) {
    if (done_) {
      return;
    }
    done_ = true;
    if (checker_ != nullptr) {
      HostHealthChecker* checker = checker_;
      checker_ = nullptr;
      checker->onProbeDone(ok, reason);
    }
    close();
  }

  // Both handles exist from start() on, so both close callbacks come and the last frees us.
  void close() {
    if (closing_) {
      return;
    }
    closing_ = true;
    done_ = true;
    writer_.detach();
    open_handles_ = 2;
    tcp_.close(&Probe::onClosed);
    timer_.close(&Probe::onClosed);
  }

  static void onClosed(uv_handle_t* handle) {
    auto* self = static_cast<Probe*>(handle->data);
    if (--self->open_handles_ == 0) {
      delete self;
    }
  }

  HostHealthChecker* checker_;
  UvHandle<uv_tcp_t> tcp_;
  UvHandle<uv_timer_t> timer_;
  uv_connect_t connect_{};
  StreamWriter writer_;
  http::Http1Decoder decoder_;
  std::string status_text_;
  int open_handles_ = 0;
  bool done_ = false;
  bool closing_ = false;
};

HostHealthChecker::HostHealthChecker(uv_loop_t* loop, const config::HealthCheckConfig& config,
                                     const config::HostConfig& host, lb::Random& random,
                                     OnChange on_change, bool start_healthy)
    : loop_(loop),
      config_(config),
      host_(host),
      random_(random),
      on_change_(std::move(on_change)),
      healthy_(start_healthy) {}

HostHealthChecker::~HostHealthChecker() {
  if (probe_ != nullptr) {
    probe_->detach();
  }
}

void HostHealthChecker::start() {
  uv_timer_init(loop_, timer_.get());
  timer_.initialized(this);
  // Spread the first checks over one interval so that many hosts are not probed at once.
  scheduleNext(random_.next() % (config_.interval_ms + 1));
}

void HostHealthChecker::stop() {
  stopped_ = true;
  if (probe_ != nullptr) {
    probe_->detach();
    probe_ = nullptr;
  }
  timer_.close(nullptr);
}

void HostHealthChecker::scheduleNext(uint64_t delay_ms) {
  if (!stopped_) {
    uv_timer_start(timer_.get(), &HostHealthChecker::onTimer, delay_ms, 0);
  }
}

void HostHealthChecker::onTimer(uv_timer_t* timer) {
  static_cast<HostHealthChecker*>(timer->data)->runCheck();
}

void HostHealthChecker::runCheck() {
  if (stopped_ || probe_ != nullptr) {
    return;
  }
  ++checks_;
  probe_ = new Probe(*this);
  probe_->start();
}

void HostHealthChecker::onProbeDone(bool ok, std::string_view reason) {
  probe_ = nullptr;
  if (ok) {
    failures_ = 0;
    ++successes_;
    if (!healthy_ && successes_ >= config_.healthy_threshold) {
      healthy_ = true;
      on_change_(true, "");
    }
  } else {
    successes_ = 0;
    ++failures_;
    ++failures_total_;
    last_failure_ = reason;
    if (healthy_ && failures_ >= config_.unhealthy_threshold) {
      healthy_ = false;
      on_change_(false, reason);
    }
  }
  uint64_t jitter = config_.jitter_ms > 0 ? random_.next() % (config_.jitter_ms + 1) : 0;
  scheduleNext(config_.interval_ms + jitter);
}

bool HostHealthChecker::statusExpected(const config::HealthCheckConfig& config, int status) {
  for (const auto& [first, last] : config.expected_statuses) {
    if (status >= static_cast<int>(first) && status <= static_cast<int>(last)) {
      return true;
    }
  }
  return false;
}

}  // namespace meshlb::health
