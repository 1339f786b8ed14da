#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshlb::alerting {

// An incremental parser of one HTTP/1.x response to a POST, fed the bytes as they arrive. It
// understands a status line, headers, and a body delimited by Content-Length, by chunked
// transfer coding, or by the end of the connection; 1xx interim responses are skipped. It keeps
// the first `max_body` bytes of the body and stops there (done, truncated()): a notifier needs
// the status and a readable error, not a large body. Owned by the one request that feeds it.
class HttpResponseParser {
 public:
  enum class State : uint8_t { kNeedMore, kDone, kError };

  explicit HttpResponseParser(size_t max_body = 64 * 1024) : max_body_(max_body) {}

  // Consumes `bytes`; returns kDone once the response is complete (bytes after it are ignored).
  State feed(std::string_view bytes);
  // The peer closed the connection: kDone when the body ran to EOF or was complete, kError
  // otherwise (status() stays set if the headers had arrived).
  State finish();

  int status() const { return status_; }  // 0 until the final status line is parsed
  const std::string& body() const { return body_; }
  bool truncated() const { return truncated_; }
  const std::string& error() const { return error_; }

 private:
  enum class Phase : uint8_t { kHeaders, kSized, kChunkSize, kChunkData, kChunkEnd, kToEof, kDone };

  State step();  // parses as much of pending_ as it can
  bool parseHead(std::string_view head);
  void appendBody(std::string_view bytes);
  State fail(std::string reason);

  const size_t max_body_;
  Phase phase_ = Phase::kHeaders;
  std::string pending_;     // received but not yet consumed
  uint64_t remaining_ = 0;  // of the sized body or the current chunk
  int status_ = 0;
  std::string body_;
  bool truncated_ = false;
  std::string error_;
};

}  // namespace meshlb::alerting
