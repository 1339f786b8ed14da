#include "proxy/access_log/access_log.h"

#include <charconv>
#include <ctime>

namespace meshlb {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if the bytes there are not one.
size_t utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  if (length == 0 || lead > 0xf4 || i + length > text.size()) {
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) {
      return 0;
    }
  }
  // Overlong three- and four-byte forms, surrogates, and code points past U+10FFFF.
  if ((lead == 0xe0 && byte(i + 1) < 0xa0) || (lead == 0xed && byte(i + 1) >= 0xa0) ||
      (lead == 0xf0 && byte(i + 1) < 0x90) || (lead == 0xf4 && byte(i + 1) >= 0x90)) {
    return 0;
  }
  return length;
}

// A path is bytes, not necessarily UTF-8: valid UTF-8 is kept as it is, control characters and
// stray bytes are escaped one by one (\u00XX), so every line stays valid JSON.
void appendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u >= 0x80 && utf8SequenceLength(text, i) > 0) {
      size_t length = utf8SequenceLength(text, i);
      out.append(text.substr(i, length));
      i += length - 1;
    } else if (u < 0x20 || u >= 0x7f) {
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
