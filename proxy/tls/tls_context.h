#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace meshlb::tls {

// A PEM certificate chain (leaf first) and the PEM private key that goes with its leaf.
struct CertificateFiles {
  std::string cert_file;
  std::string key_file;
};

struct ServerTlsConfig {
  // The first is the default; the others are chosen by the ClientHello's server_name.
  std::vector<CertificateFiles> certificates;
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string max_version;          // "", "1.2" or "1.3"; empty = the newest the library has
  // Protocols accepted, in the server's order of preference; empty = ALPN is ignored.
  std::vector<std::string> alpn = {"http/1.1"};
  bool session_tickets = true;
};

struct ClientTlsConfig {
  // Sent as server_name and verified against the peer's certificate. An IP literal is not sent
  // (RFC 6066 forbids it) but verified against the certificate's IP addresses. A connection may
  // override it (TlsConnection's `server_name`). With `verify` on and no name at all, only the
  // chain is verified: any certificate from a trusted CA is accepted.
  std::string sni;
  std::string ca_file;  // PEM bundle; empty = the system's default store
  bool verify = true;
  // Optional client certificate (both or neither).
  std::string cert_file;
  std::string key_file;
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string max_version;          // "", "1.2" or "1.3"; empty = the newest the library has
  std::vector<std::string> alpn = {"http/1.1"};  // offered, in order; empty = no ALPN
};

// An SSL_CTX built from a config, immutable once built, shared read-only by the worker threads
// as std::shared_ptr<const TlsContext> (SSL_new on a shared SSL_CTX is thread-safe; nothing here
// changes after make*()). TlsConnection creates its SSL objects from it.
//
// Server defaults: TLS 1.2 minimum, TLS 1.2 ciphers restricted to ECDHE with AEAD, TLS 1.3
// default suites, server cipher preference, no compression, no renegotiation. Session tickets
// use OpenSSL's automatic ticket keys, which live as long as the context (a reload builds a new
// context and so rotates them); with tickets on, the server keeps no session cache, so
// handshakes on different workers share no lock. ALPN: the first of the server's protocols the
// client offers is selected; when the client offers ALPN but none matches, the handshake
// continues without ALPN rather than failing (an HTTP/1.1 proxy serves such clients fine, and a
// fatal no_application_protocol alert would only turn a working connection into an error).
//
// Several certificates: each gets its own SSL_CTX; a servername callback on the default one
// switches the connection to the certificate whose names match the ClientHello's server_name.
// Names are the certificate's subjectAltName DNS entries, or its subject CN when it has none.
// An exact name wins over a wildcard; "*.example.com" matches exactly one label
// ("a.example.com", not "example.com" nor "a.b.example.com"). No SNI, or no match: the first.
class TlsContext {
 public:
  static Result<std::shared_ptr<TlsContext>> makeServer(const ServerTlsConfig& config);
  static Result<std::shared_ptr<TlsContext>> makeClient(const ClientTlsConfig& config);
  // A warning for the log when `key_file` is readable or writable by group or others, else
  // nullopt (also when it cannot be stat'ed: loading it reports that).
  static std::optional<std::string> keyFilePermissionWarning(const std::string& key_file);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  bool isServer() const { return server_; }
  // The SSL_CTX connections are created from (server: the default certificate's). Owned here.
  SSL_CTX* sslContext() const { return contexts_.front(); }

  // Server: the index of the certificate served for `server_name` (0 = the default).
  size_t certificateIndexFor(std::string_view server_name) const;
  size_t certificateCount() const { return server_ ? contexts_.size() : 0; }
  // The names a certificate is chosen by (lower case), for logs and tests.
  const std::vector<std::string>& certificateNames(size_t index) const { return names_[index]; }

  // Client: the configured server name and whether the peer is verified.
  const std::string& clientServerName() const { return client_server_name_; }
  bool verifiesPeer() const { return verify_peer_; }

 private:
  TlsContext() = default;

  static int onServerName(SSL* ssl, int* alert, void* arg);
  static int onAlpnSelect(SSL* ssl, const unsigned char** out, unsigned char* out_length,
                          const unsigned char* in, unsigned int in_length, void* arg);
  Status addServerCertificate(const ServerTlsConfig& config, const CertificateFiles& files);

  bool server_ = false;
  std::vector<SSL_CTX*> contexts_;                       // server: one per certificate; client: one
  std::vector<std::vector<std::string>> names_;          // per certificate
  std::unordered_map<std::string, size_t> exact_names_;  // first certificate wins
  std::unordered_map<std::string, size_t> wildcard_names_;  // "example.com" for "*.example.com"
  std::vector<std::string> alpn_;                           // server's preference order
  std::string client_server_name_;
  bool verify_peer_ = false;
};

}  // namespace meshlb::tls
