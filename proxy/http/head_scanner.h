#pragma once

#include <cstddef>
#include <string_view>

namespace meshlb::http {

// Checks the raw bytes of a message head for framing that llhttp 8 tolerates but RFC 9112
// forbids and that request smugglers rely on: a bare LF or a bare CR where CRLF is required
// (§2.2) and obs-fold line continuations (§5.2). It runs over the same bytes just before the
// parser sees them and stops at the empty line that ends the head. Worker-local.
class HeadScanner {
 public:
  struct Outcome {
    bool ok = true;
    std::string_view reason;  // set when !ok
  };

  // Scans the next piece of input. Bytes after the end of the head are ignored.
  Outcome scan(const char* data, size_t length);
  bool headComplete() const { return done_; }
  // Prepares for the next message on the connection.
  void reset();

 private:
  char previous_ = 0;
  size_t line_length_ = 0;
  size_t lines_ = 0;
  bool done_ = false;
};

}  // namespace meshlb::http
