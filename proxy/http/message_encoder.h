#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/http/http1_decoder.h"
#include "proxy/http/message_head.h"

namespace meshlb::http {

// A request target split the way a proxy needs it: absolute-form ("http://a.example/p?q")
// gives the authority and the origin-form path ("/p?q"); anything else is kept as the path.
struct RequestTarget {
  std::string_view authority;  // empty unless absolute-form
  std::string_view path;       // may start with '?' ("http://a?q"): the caller adds the '/'
  bool valid = true;           // false for an absolute-form target with userinfo or no host
};
RequestTarget splitRequestTarget(std::string_view url);

// What the proxy adds to a request it forwards.
struct ForwardingInfo {
  std::string_view client_ip;       // appended to X-Forwarded-For
  std::string_view proto = "http";  // X-Forwarded-Proto
  std::string_view request_id;      // X-Request-Id when the client sent none
  std::string_view default_host;    // Host for HTTP/1.0 requests that carried none
  // For absolute-form requests (RFC 9112 §3.2.2): the origin-form target to send and the
  // authority that replaces the received Host. Empty: the request line and Host as received.
  std::string_view target;
  std::string_view authority;
};

// How the body of a response travels to the client.
enum class BodyFraming {
  kNone,           // no body (HEAD, 1xx, 204, 304)
  kContentLength,  // as the upstream framed it
  kChunked,        // re-chunked by meshlb (upstream chunked or close-delimited, 1.1 client)
  kUntilClose,     // close-delimited (HTTP/1.0 client)
};

// True for hop-by-hop fields (RFC 9110 §7.6.1) and fields the message's Connection header names.
bool isHopByHop(std::string_view name, const MessageHead& head);

// Serialises the upstream request head: the client's request line (as HTTP/1.1), its end-to-end
// fields, then framing and the forwarding fields. Upgrade requests keep Upgrade and
// Connection: upgrade; Expect: 100-continue is dropped because meshlb answers it itself.
void encodeUpstreamRequest(const MessageHead& head, const HeadInfo& info,
                           const ForwardingInfo& forwarding, std::string& out);

// Serialises a response head for the client.
void encodeDownstreamResponse(const MessageHead& head, BodyFraming framing, bool keep_alive,
                              bool client_is_http10, std::string& out);

// A response meshlb makes itself (errors): short text body, always closes the connection.
// `extra_header` is one "Name: value" line without CRLF, or empty.
void encodeLocalReply(int status, std::string_view body, std::string& out,
                      std::string_view extra_header = {});

std::string_view reasonPhrase(int status);

// The size line that starts one chunk of a chunked body (RFC 9112 §7.1): the length in hex and
// CRLF, formatted without printf (it runs for every chunk relayed). kChunkTrailer ends the chunk,
// kLastChunk the body.
class ChunkSizeLine {
 public:
  explicit ChunkSizeLine(size_t length);
  std::string_view view() const { return {text_, size_}; }

 private:
  char text_[2 * sizeof(size_t) + 2];
  uint8_t size_ = 0;
};
inline constexpr std::string_view kChunkTrailer = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace meshlb::http
