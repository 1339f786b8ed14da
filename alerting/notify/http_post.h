#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshlb::alerting {

// Where a notifier POSTs to. Plain http only: TLS is left to a local relay for now.
struct HttpUrl {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  uint16_t port = 80;
  std::string path = "/";  // always starts with '/'; includes the query, if any
};

// Parses "http://host[:port][/path][?query]" (host a name, IPv4 or [IPv6]). Rejects https, user
// info, and anything that could not go into a request line verbatim. nullopt with `*error` set.
std::optional<HttpUrl> parseHttpUrl(std::string_view url, std::string* error);

// "host:port" as a log line or a Host header shows it ("[::1]:9093"; the port is left out when
// `omit_default_port` and it is 80). Never contains the path, which may carry a secret.
std::string httpAuthority(const HttpUrl& url, bool omit_default_port);

struct HttpResponse {
  int status = 0;     // 0: no HTTP answer
  std::string error;  // "" on a complete answer; else "connect: connection refused", "timeout", ...
  std::string body;   // the first 64 KiB of the body
};

// One blocking HTTP/1.1 POST on a connection of its own (Connection: close), with Host and
// Content-Length added to `headers`. `timeout_ms` bounds the whole exchange (connect, send and
// receive) except name resolution, which getaddrinfo does without a deadline (instant for the
// IP addresses the config normally holds). Never raises SIGPIPE. A status with a non-empty error
// means the server answered but the body was cut short. Any thread; the calling thread blocks.
HttpResponse httpPost(const HttpUrl& url,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::string_view body, uint32_t timeout_ms);

}  // namespace meshlb::alerting
