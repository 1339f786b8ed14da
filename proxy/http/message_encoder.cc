#include "proxy/http/message_encoder.h"

#include <charconv>

namespace meshlb::http {
namespace {

constexpr std::string_view kHopByHop[] = {"connection", "proxy-connection",  "keep-alive",
                                          "te",         "transfer-encoding", "upgrade"};

void appendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void appendNumber(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

}  // namespace

RequestTarget splitRequestTarget(std::string_view url) {
  RequestTarget target;
  target.path = url;
  size_t scheme = 0;
  if (url.size() >= 7 && equalsIgnoreCase(url.substr(0, 7), "http://")) {
    scheme = 7;
  } else if (url.size() >= 8 && equalsIgnoreCase(url.substr(0, 8), "https://")) {
    scheme = 8;
  } else {
    return target;
  }
  std::string_view rest = url.substr(scheme);
  size_t end = rest.find_first_of("/?");
  target.authority = rest.substr(0, end);
  if (end == std::string_view::npos) {
    target.path = "/";
  } else if (rest[end] == '?') {
    target.path = rest.substr(end);  // "http://a?q": the path is empty; keep the query
  } else {
    target.path = rest.substr(end);
  }
  // Credentials in a request target are refused (RFC 9110 §4.2.4), as is an empty host.
  target.valid = !target.authority.empty() && target.authority.find('@') == std::string_view::npos;
  return target;
}

bool isHopByHop(std::string_view name, const MessageHead& head) {
  for (std::string_view fixed : kHopByHop) {
    if (equalsIgnoreCase(name, fixed)) {
      return true;
    }
  }
  // A Connection header cannot strip the fields that frame or address the message: dropping
  // Content-Length while forwarding the body would let the body be read as a second request.
  if (equalsIgnoreCase(name, "content-length") || equalsIgnoreCase(name, "host")) {
    return false;
  }
  bool listed = false;
  for (size_t i = 0; i < head.headerCount() && !listed; ++i) {
    if (equalsIgnoreCase(head.name(i), "connection")) {
      forEachListElement(head.value(i), [&](std::string_view token) {
        listed = listed || equalsIgnoreCase(token, name);
      });
    }
  }
  return listed;
}

void encodeUpstreamRequest(const MessageHead& head, const HeadInfo& info,
                           const ForwardingInfo& forwarding, std::string& out) {
  out.append(head.methodName());
  out.push_back(' ');
  out.append(forwarding.target.empty() ? head.url() : forwarding.target);
  out.append(" HTTP/1.1\r\n");

  std::string_view forwarded_for;
  bool has_request_id = false;
  bool has_host = false;
  for (size_t i = 0; i < head.headerCount(); ++i) {
    std::string_view name = head.name(i);
    std::string_view value = head.value(i);
    if (isHopByHop(name, head) || equalsIgnoreCase(name, "x-forwarded-proto")) {
      continue;
    }
    if (equalsIgnoreCase(name, "expect") && info.expect_continue) {
      continue;
    }
    if (equalsIgnoreCase(name, "x-forwarded-for")) {
      // Several fields are one list (RFC 9110 §5.3): keep them, append the client at the end.
      if (!forwarded_for.empty()) {
        out.append("X-Forwarded-For: ");
        out.append(forwarded_for);
        out.append("\r\n");
      }
      forwarded_for = value;
      continue;
    }
    if (equalsIgnoreCase(name, "x-request-id")) {
      if (value.empty()) {
        continue;
      }
      has_request_id = true;
    }
    if (equalsIgnoreCase(name, "host")) {
      if (!forwarding.authority.empty()) {
        continue;  // an absolute-form target's authority wins over Host (RFC 9112 §3.2.2)
      }
      has_host = true;
    }
    appendHeader(out, name, value);
  }
  if (!forwarding.authority.empty()) {
    appendHeader(out, "Host", forwarding.authority);
  } else if (!has_host && !forwarding.default_host.empty()) {
    appendHeader(out, "Host", forwarding.default_host);
  }
  if (info.chunked) {
    appendHeader(out, "Transfer-Encoding", "chunked");
  }
  if (info.upgrade) {
    if (auto upgrade = head.find("upgrade")) {
      appendHeader(out, "Upgrade", *upgrade);
    }
    appendHeader(out, "Connection", "upgrade");
  }
  out.append("X-Forwarded-For: ");
  if (!forwarded_for.empty()) {
    out.append(forwarded_for);
    out.append(", ");
  }
  out.append(forwarding.client_ip);
  out.append("\r\n");
  appendHeader(out, "X-Forwarded-Proto", forwarding.proto);
  if (!has_request_id) {
    appendHeader(out, "X-Request-Id", forwarding.request_id);
  }
  out.append("\r\n");
}

void encodeDownstreamResponse(const MessageHead& head, BodyFraming framing, bool keep_alive,
                              bool client_is_http10, std::string& out) {
  out.append(client_is_http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  appendNumber(out, head.status);
  out.push_back(' ');
  out.append(head.reason().empty() ? reasonPhrase(head.status) : head.reason());
  out.append("\r\n");
  bool switching = head.status == 101;
  for (size_t i = 0; i < head.headerCount(); ++i) {
    std::string_view name = head.name(i);
    if (isHopByHop(name, head)) {
      continue;
    }
    appendHeader(out, name, head.value(i));
  }
  if (switching) {
    if (auto upgrade = head.find("upgrade")) {
      appendHeader(out, "Upgrade", *upgrade);
    }
    appendHeader(out, "Connection", "upgrade");
  } else {
    if (framing == BodyFraming::kChunked) {
      appendHeader(out, "Transfer-Encoding", "chunked");
    }
    if (!keep_alive) {
      appendHeader(out, "Connection", "close");
    } else if (client_is_http10) {
      appendHeader(out, "Connection", "keep-alive");
    }
  }
  out.append("\r\n");
}

void encodeLocalReply(int status, std::string_view body, std::string& out,
                      std::string_view extra_header) {
  out.append("HTTP/1.1 ");
  appendNumber(out, status);
  out.push_back(' ');
  out.append(reasonPhrase(status));
  out.append("\r\n");
  if (!extra_header.empty()) {
    out.append(extra_header);
    out.append("\r\n");
  }
  out.append("Content-Type: text/plain\r\nContent-Length: ");
  appendNumber(out, body.size() + 1);
  out.append("\r\nConnection: close\r\n\r\n");
  out.append(body);
  out.push_back('\n');
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
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

ChunkSizeLine::ChunkSizeLine(size_t length) {
  // Room for every digit of a size_t and CRLF: to_chars cannot fail here.
  char* end = std::to_chars(text_, text_ + sizeof(text_) - 2, length, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  size_ = static_cast<uint8_t>(end - text_);
}

}  // namespace meshlb::http
