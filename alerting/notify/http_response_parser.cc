#include "alerting/notify/http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace meshlb::alerting {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kMaxChunkLine = 1024;

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

template <typename T>
bool parseNumber(std::string_view text, int base, T* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value, base);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

HttpResponseParser::State HttpResponseParser::feed(std::string_view bytes) {
  if (phase_ == Phase::kDone) {
    return State::kDone;
  }
  if (!error_.empty()) {
    return State::kError;
  }
  pending_.append(bytes);
  return step();
}

HttpResponseParser::State HttpResponseParser::finish() {
  if (phase_ == Phase::kDone) {
    return State::kDone;
  }
  if (!error_.empty()) {
    return State::kError;
  }
  if (phase_ == Phase::kToEof) {
    phase_ = Phase::kDone;
    return State::kDone;
  }
  return fail(phase_ == Phase::kHeaders ? "connection closed before a response"
                                        : "connection closed in the middle of the body");
}

HttpResponseParser::State HttpResponseParser::fail(std::string reason) {
  error_ = std::move(reason);
  return State::kError;
}

void HttpResponseParser::appendBody(std::string_view bytes) {
  size_t room = max_body_ - body_.size();
  if (bytes.size() > room) {
    bytes = bytes.substr(0, room);
    truncated_ = true;
  }
  body_.append(bytes);
  if (body_.size() >= max_body_ && truncated_) {
    phase_ = Phase::kDone;
  }
}

HttpResponseParser::State HttpResponseParser::step() {
  for (;;) {
    switch (phase_) {
      case Phase::kHeaders: {
        size_t end = pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (pending_.size() > kMaxHeadBytes) {
            return fail("response headers too large");
          }
          return State::kNeedMore;
        }
        std::string head = pending_.substr(0, end + 2);
        pending_.erase(0, end + 4);
        if (!parseHead(head)) {
          return State::kError;
        }
        break;
      }
      case Phase::kSized: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, pending_.size()));
        appendBody(std::string_view(pending_).substr(0, take));
        pending_.erase(0, take);
        remaining_ -= take;
        if (remaining_ == 0) {
          phase_ = Phase::kDone;
        }
        if (phase_ != Phase::kDone) {
          return State::kNeedMore;
        }
        break;
      }
      case Phase::kChunkSize: {
        size_t end = pending_.find("\r\n");
        if (end == std::string::npos) {
          return pending_.size() > kMaxChunkLine ? fail("bad chunk size line") : State::kNeedMore;
        }
        std::string_view line = std::string_view(pending_).substr(0, end);
        line = trim(line.substr(0, line.find(';')));  // chunk extensions are ignored
        if (!parseNumber(line, 16, &remaining_)) {
          return fail("bad chunk size");
        }
        pending_.erase(0, end + 2);
        // The last chunk ends the body; trailers, if any, do not matter to us.
        phase_ = remaining_ == 0 ? Phase::kDone : Phase::kChunkData;
        break;
      }
      case Phase::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, pending_.size()));
        appendBody(std::string_view(pending_).substr(0, take));
        pending_.erase(0, take);
        remaining_ -= take;
        if (phase_ == Phase::kDone) {
          break;
        }
        if (remaining_ != 0) {
          return State::kNeedMore;
        }
        phase_ = Phase::kChunkEnd;
        break;
      }
      case Phase::kChunkEnd:
        if (pending_.size() < 2) {
          return State::kNeedMore;
        }
        if (pending_.compare(0, 2, "\r\n") != 0) {
          return fail("bad chunk terminator");
        }
        pending_.erase(0, 2);
        phase_ = Phase::kChunkSize;
        break;
      case Phase::kToEof:
        appendBody(pending_);
        pending_.clear();
        return phase_ == Phase::kDone ? State::kDone : State::kNeedMore;
      case Phase::kDone:
        pending_.clear();
        return State::kDone;
    }
  }
}

// Parses the status line and headers (`head` ends with the last header's CRLF) and chooses how
// the body is delimited. A 1xx response is skipped: the final one follows it.
bool HttpResponseParser::parseHead(std::string_view head) {
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  int status = 0;
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !parseNumber(status_line.substr(9, 3), 10, &status) || status < 100 ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    fail("bad status line");
    return false;
  }
  if (status < 200) {
    return true;  // interim; stay in kHeaders
  }
  status_ = status;
  bool chunked = false;
  bool sized = false;
  uint64_t length = 0;
  std::string_view rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      fail("bad header line");
      return false;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (equalsIgnoringCase(name, "content-length")) {
      if (!parseNumber(value, 10, &length)) {
        fail("bad Content-Length");
        return false;
      }
      sized = true;
    } else if (equalsIgnoringCase(name, "transfer-encoding")) {
      std::string_view last =
          trim(value.substr(value.rfind(',') == std::string_view::npos ? 0 : value.rfind(',') + 1));
      chunked = equalsIgnoringCase(last, "chunked");
    }
  }
  if (status == 204 || status == 304) {
    phase_ = Phase::kDone;
  } else if (chunked) {  // chunked wins over Content-Length (RFC 9112 6.3)
    phase_ = Phase::kChunkSize;
  } else if (sized) {
    remaining_ = length;
    phase_ = length == 0 ? Phase::kDone : Phase::kSized;
  } else {
    phase_ = Phase::kToEof;
  }
  return true;
}

}  // namespace meshlb::alerting
