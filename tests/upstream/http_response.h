#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Building blocks for HTTP/1.1 response heads. Pure functions appending to a caller-owned string,
// so callers can reuse one buffer and avoid per-request allocation. Thread-safe.

namespace meshlb::upstream {

// Size of one generated body chunk for /bytes/N.
inline constexpr size_t kFillerChunkSize = 64 * 1024;

// kFillerChunkSize bytes of 'x', shared read-only by all threads: /bytes/N writes point into it
// instead of copying, which keeps RSS flat for gigabyte downloads.
std::string_view fillerChunk();

std::string_view reasonPhrase(int status);

// False for 1xx, 204 and 304, which never carry a body (nor Content-Length here).
bool statusAllowsBody(int status);

void appendDecimal(std::string& out, uint64_t value);
void appendHex(std::string& out, uint64_t value);

// What the head of a final response says. The X-Upstream-Name header is always present.
struct ResponseHead {
  int status = 200;
  std::string_view upstreamName;
  std::string_view contentType = "text/plain";
  bool chunked = false;        // Transfer-Encoding: chunked instead of Content-Length
  uint64_t contentLength = 0;  // ignored when chunked or the status allows no body
  int64_t receivedBytes = -1;  // adds X-Upstream-Received-Bytes when >= 0
  bool close = false;          // adds Connection: close
  bool keepAlive = false;      // adds Connection: keep-alive (HTTP/1.0 keep-alive clients)
};

// Appends status line, headers and the blank line ending the head.
void appendResponseHead(std::string& out, const ResponseHead& head);

}  // namespace meshlb::upstream
