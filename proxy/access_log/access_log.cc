#include "proxy/access_log/access_log.h"

#include <charconv>
#include <ctime>

namespace meshlb {
namespace {

void appendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char escaped[8];
      snprintf(escaped, sizeof(escaped), "\\u%04x", u);
      out.append(escaped);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void appendNumber(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

}  // namespace

void formatAccessLogLine(const AccessLogRecord& record, std::string& out) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char time_text[40];
  size_t n = strftime(time_text, sizeof(time_text), "%Y-%m-%dT%H:%M:%S", &utc);
  snprintf(time_text + n, sizeof(time_text) - n, ".%03ldZ", now.tv_nsec / 1000000);

  out.append("{\"time\":\"");
  out.append(time_text);
  out.append("\",\"client\":");
  appendJsonString(out, record.client);
  out.append(",\"method\":");
  appendJsonString(out, record.method);
  out.append(",\"path\":");
  appendJsonString(out, record.path);
  out.append(",\"status\":");
  appendNumber(out, static_cast<uint64_t>(record.status));
  out.append(",\"bytes\":");
  appendNumber(out, record.bytes);
  out.append(",\"upstream\":");
  appendJsonString(out, record.upstream);
  char duration[32];
  snprintf(duration, sizeof(duration), "%.3f", static_cast<double>(record.duration_ns) / 1e6);
  out.append(",\"duration_ms\":");
  out.append(duration);
  out.append("}\n");
}

AccessLogWriter::AccessLogWriter(uv_loop_t* loop, int fd, Counter& dropped)
    : loop_(loop), fd_(fd), dropped_(dropped) {
  uv_timer_init(loop_, timer_.get());
  timer_.initialized(this);
  uv_timer_start(timer_.get(), &AccessLogWriter::onTimer, kFlushIntervalMs, kFlushIntervalMs);
  uv_unref(timer_.handle());  // logging alone must not keep a draining worker alive
  write_request_.data = this;
}

void AccessLogWriter::append(const AccessLogRecord& record) {
  if (buffer_.size() > kMaxBuffered) {
    dropped_.add();
    return;
  }
  formatAccessLogLine(record, buffer_);
  if (buffer_.size() >= kFlushBytes) {
    flush();
  }
}

void AccessLogWriter::flush() {
  if (write_in_flight_ || buffer_.empty()) {
    return;
  }
  writing_.swap(buffer_);
  buffer_.clear();
  uv_buf_t data = uv_buf_init(writing_.data(), writing_.size());
  if (uv_fs_write(loop_, &write_request_, fd_, &data, 1, -1, &AccessLogWriter::onWritten) == 0) {
    write_in_flight_ = true;
  } else {
    writing_.clear();
  }
}

void AccessLogWriter::onTimer(uv_timer_t* timer) {
  static_cast<AccessLogWriter*>(timer->data)->flush();
}

void AccessLogWriter::onWritten(uv_fs_t* request) {
  auto* self = static_cast<AccessLogWriter*>(request->data);
  uv_fs_req_cleanup(request);
  self->write_in_flight_ = false;
  self->writing_.clear();
  if (self->closing_ || self->buffer_.size() >= kFlushBytes) {
    self->flush();
  }
}

void AccessLogWriter::close() {
  closing_ = true;
  timer_.close(nullptr);
  flush();  // if a write is in flight, onWritten writes the rest
}

}  // namespace meshlb
