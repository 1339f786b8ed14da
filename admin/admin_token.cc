#include "admin/admin_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "proxy/http/message_head.h"

namespace meshlb::admin {
namespace {

constexpr size_t kMaxTokenFileBytes = 4096;  // a token, not a document: refuse /dev/zero & co

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Reads at most kMaxTokenFileBytes + 1 bytes of `path` into `out`.
Status readSmallFile(const std::string& path, std::string& out) {
  FILE* file = fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Error{"admin.token_file " + path + ": " + strerror(errno)};
  }
  char buffer[kMaxTokenFileBytes + 1];
  size_t length = fread(buffer, 1, sizeof(buffer), file);
  int read_error = ferror(file) ? errno : 0;
  fclose(file);
  if (read_error != 0) {
    return Error{"admin.token_file " + path + ": " + strerror(read_error)};
  }
  if (length > kMaxTokenFileBytes) {
    return Error{"admin.token_file " + path + ": larger than " +
                 std::to_string(kMaxTokenFileBytes) + " bytes"};
  }
  out.assign(buffer, length);
  return {};
}

}  // namespace

bool AdminToken::sha256(std::string_view data, Digest& out) {
  unsigned int length = 0;
  return EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) == 1 &&
         length == out.size();
}

Result<AdminToken> AdminToken::fromText(std::string_view text, std::string source) {
  while (!text.empty() && isSpace(text.back())) {
    text.remove_suffix(1);
  }
  while (!text.empty() && isSpace(text.front())) {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return Error{source + ": the admin token is empty"};
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Error{source + ": the admin token contains a control character (one line expected)"};
    }
  }
  AdminToken token;
  if (!sha256(text, token.digest_)) {
    return Error{source + ": cannot compute SHA-256 (OpenSSL)"};
  }
  token.source_ = std::move(source);
  token.configured_ = true;
  return token;
}

Result<AdminToken> AdminToken::load(const std::string& token_file) {
  if (!token_file.empty()) {
    std::string text;
    if (Status status = readSmallFile(token_file, text); !status) {
      return Error{status.message()};
    }
    return fromText(text, "admin.token_file " + token_file);
  }
  const char* environment = getenv(kEnvironmentVariable);
  if (environment == nullptr) {
    return AdminToken();
  }
  return fromText(environment, std::string("environment variable ") + kEnvironmentVariable);
}

bool AdminToken::accepts(std::string_view authorization) const {
  constexpr std::string_view kScheme = "Bearer";
  if (!configured_ || authorization.size() <= kScheme.size() ||
      !http::equalsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return false;  // the scheme is no secret: refusing it early leaks nothing
  }
  std::string_view credentials = authorization.substr(kScheme.size());
  while (!credentials.empty() && credentials.front() == ' ') {
    credentials.remove_prefix(1);
  }
  // Both sides have 32 bytes whatever was sent: the compare's time says nothing about the token.
  Digest presented{};
  if (!sha256(credentials, presented)) {
    return false;
  }
  return CRYPTO_memcmp(presented.data(), digest_.data(), digest_.size()) == 0;
}

bool AdminAuthPolicy::requiresToken(std::string_view method, std::string_view path) const {
  if (!token.configured()) {
    return false;
  }
  bool read = method == "GET" || method == "HEAD";
  if (!read) {
    return true;
  }
  return protect_reads && path != "/ready";
}

std::string AdminAuthPolicy::describe() const {
  if (!token.configured()) {
    return std::string("no admin token (admin.token_file, ") + AdminToken::kEnvironmentVariable +
           "): every admin endpoint is open";
  }
  return "admin token from " + token.source() +
         (protect_reads ? " required for every request but GET /ready"
                        : " required for every method but GET and HEAD");
}

}  // namespace meshlb::admin
