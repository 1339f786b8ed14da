#include "tests/upstream/http_response.h"

#include <charconv>

namespace meshlb::upstream {

std::string_view fillerChunk() {
  // Function-local static: initialised once, thread-safely, on first use.
  static const std::string chunk(kFillerChunkSize, 'x');
  return chunk;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

bool statusAllowsBody(int status) {
  return status >= 200 && status != 204 && status != 304;
}

void appendDecimal(std::string& out, uint64_t value) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, result.ptr);
}

void appendHex(std::string& out, uint64_t value) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value, 16);
  out.append(digits, result.ptr);
}

void appendResponseHead(std::string& out, const ResponseHead& head) {
  out += "HTTP/1.1 ";
  appendDecimal(out, static_cast<uint64_t>(head.status));
  out += ' ';
  out += reasonPhrase(head.status);
  out += "\r\n";
  bool hasBody = statusAllowsBody(head.status);
  if (hasBody && !head.contentType.empty()) {
    out += "Content-Type: ";
    out += head.contentType;
    out += "\r\n";
  }
  out += "X-Upstream-Name: ";
  out += head.upstreamName;
  out += "\r\n";
  if (head.receivedBytes >= 0) {
    out += "X-Upstream-Received-Bytes: ";
    appendDecimal(out, static_cast<uint64_t>(head.receivedBytes));
    out += "\r\n";
  }
  if (hasBody) {
    if (head.chunked) {
      out += "Transfer-Encoding: chunked\r\n";
    } else {
      out += "Content-Length: ";
      appendDecimal(out, head.contentLength);
      out += "\r\n";
    }
  }
  if (head.close) {
    out += "Connection: close\r\n";
  } else if (head.keepAlive) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
}

}  // namespace meshlb::upstream
