#include <arpa/inet.h>

#include <cctype>
#include <charconv>

#include "alerting/notify/http_post.h"

namespace meshlb::alerting {
namespace {

bool hostCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

// A path or query may hold anything printable except a space: it goes into the request line.
bool pathCharacter(char c) {
  return c > 0x20 && c < 0x7F;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::nullopt_t fail(std::string* error, std::string reason) {
  *error = std::move(reason);
  return std::nullopt;
}

}  // namespace

std::optional<HttpUrl> parseHttpUrl(std::string_view url, std::string* error) {
  if (startsWithIgnoringCase(url, "https://")) {
    return fail(error, "https is not supported; use an http:// URL");
  }
  if (!startsWithIgnoringCase(url, "http://")) {
    return fail(error, "not an http:// URL");
  }
  url.remove_prefix(7);
  url = url.substr(0, url.find('#'));
  size_t authority_end = url.find_first_of("/?");
  std::string_view authority = url.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? std::string_view() : url.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return fail(error, "user info in the URL is not supported");
  }
  HttpUrl out;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(error, "unterminated [IPv6] host");
    }
    out.host = std::string(authority.substr(1, close - 1));
    in6_addr ignored;
    if (::inet_pton(AF_INET6, out.host.c_str(), &ignored) != 1) {
      return fail(error, "bad IPv6 address");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return fail(error, "unexpected text after the [IPv6] host");
    }
    port = after.empty() ? after : after.substr(1);
    if (!after.empty() && port.empty()) {
      return fail(error, "empty port");
    }
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) {
        return fail(error, "empty port");
      }
    }
    for (char c : out.host) {
      if (!hostCharacter(c)) {
        return fail(error, "bad character in the host");
      }
    }
  }
  if (out.host.empty()) {
    return fail(error, "no host");
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(error, "bad port");
    }
    out.port = static_cast<uint16_t>(value);
  }
  for (char c : path) {
    if (!pathCharacter(c)) {
      return fail(error, "bad character in the path (encode it)");
    }
  }
  if (path.empty()) {
    out.path.assign(1, '/');
  } else if (path.front() == '?') {
    out.path.assign(1, '/');  // out.path starts as "/": replace it, do not add to it
    out.path.append(path);
  } else {
    out.path = std::string(path);
  }
  return out;
}

std::string httpAuthority(const HttpUrl& url, bool omit_default_port) {
  std::string out = url.host;
  if (url.host.find(':') != std::string::npos) {
    out = std::string("[").append(url.host).append("]");
  }
  if (!omit_default_port || url.port != 80) {
    out.push_back(':');
    out.append(std::to_string(url.port));
  }
  return out;
}

}  // namespace meshlb::alerting
