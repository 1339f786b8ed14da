#include "proxy/http/head_scanner.h"

namespace meshlb::http {

void HeadScanner::reset() {
  previous_ = 0;
  line_length_ = 0;
  lines_ = 0;
  done_ = false;
}

HeadScanner::Outcome HeadScanner::scan(const char* data, size_t length) {
  for (size_t i = 0; i < length && !done_; ++i) {
    char c = data[i];
    if (previous_ == '\r' && c != '\n') {
      return {false, "bare CR in message head"};
    }
    if (c == '\n') {
      if (previous_ != '\r') {
        return {false, "bare LF in message head"};
      }
      if (line_length_ == 0 && lines_ > 0) {
        done_ = true;  // the empty line that ends the head
      } else if (line_length_ > 0) {
        ++lines_;  // empty lines before the start line are allowed (RFC 9112 §2.2)
      }
      line_length_ = 0;
    } else if (c != '\r') {
      if (line_length_ == 0 && lines_ > 0 && (c == ' ' || c == '\t')) {
        return {false, "obsolete line folding in header"};
      }
      ++line_length_;
    }
    previous_ = c;
  }
  return {};
}

}  // namespace meshlb::http
