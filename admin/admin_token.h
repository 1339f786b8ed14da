#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/result.h"

namespace meshlb::admin {

// The shared secret admin clients present as "Authorization: Bearer <token>". Only the token's
// SHA-256 digest is kept, and presented credentials are digested before an equal-time compare,
// so neither the token's bytes nor its length leak through timing. Built once at start-up on
// the main thread; immutable afterwards, so any thread may call accepts().
class AdminToken {
 public:
  static constexpr const char* kEnvironmentVariable = "MESHLB_ADMIN_TOKEN";

  // No token: configured() is false and accepts() refuses everything.
  AdminToken() = default;

  // The token in `text`, with surrounding whitespace (a file's trailing newline) trimmed.
  // Error when nothing is left or a control character remains (a client could never send it).
  // `source` says where it came from, for logs ("file /etc/meshlb/admin.token").
  static Result<AdminToken> fromText(std::string_view text, std::string source);
  // The token of a running meshlb: from `token_file` when it is not empty (unreadable, empty or
  // oversized file: error); else from $MESHLB_ADMIN_TOKEN when it is set (set but empty: error,
  // so a blank variable never silently opens the admin); else no token (configured() false).
  static Result<AdminToken> load(const std::string& token_file);

  bool configured() const { return configured_; }
  const std::string& source() const { return source_; }
  // True when `authorization` (an Authorization header value) is "Bearer <token>": the scheme
  // case-insensitively (RFC 9110 §11.1), then one or more spaces, then the token exactly.
  bool accepts(std::string_view authorization) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static bool sha256(std::string_view data, Digest& out);

  Digest digest_{};     // SHA-256 of the token
  std::string source_;  // where the token came from; empty without one
  bool configured_ = false;
};

// Which admin requests need the token. Built at start-up; read by the admin listener on the
// main thread.
struct AdminAuthPolicy {
  AdminToken token;            // not configured: every request is open
  bool protect_reads = false;  // GET and HEAD need the token too, except for /ready

  // True when a request with this method and (decoded) path must carry an accepted token.
  // /ready stays open for reads even with protect_reads: load balancers probe it without
  // credentials, and it reveals no more than whether this process serves.
  bool requiresToken(std::string_view method, std::string_view path) const;
  // One line for the start-up log that says which mode is active.
  std::string describe() const;
};

}  // namespace meshlb::admin
