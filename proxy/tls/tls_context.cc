#include "proxy/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>

#include "proxy/tls/openssl_error.h"

namespace meshlb::tls {

namespace {

// TLS 1.2 only; TLS 1.3 suites are all AEAD and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";
constexpr unsigned char kSessionIdContext[] = "meshlb";

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return lower;
}

Result<int> parseVersion(const std::string& text, const char* what, bool allow_empty) {
  if (text == "1.2") {
    return TLS1_2_VERSION;
  }
  if (text == "1.3") {
    return TLS1_3_VERSION;
  }
  if (text.empty() && allow_empty) {
    return 0;  // OpenSSL: no limit
  }
  return Error{std::string("invalid TLS ") + what + " '" + text +
               "' (expected \"1.2\" or \"1.3\")"};
}

// ALPN's wire format: each protocol prefixed by its length.
Result<std::string> alpnWireFormat(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& protocol : protocols) {
    if (protocol.empty() || protocol.size() > 255) {
      return Error{"invalid ALPN protocol '" + protocol + "' (1 to 255 bytes)"};
    }
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  return wire;
}

std::string failure(const std::string& what) {
  std::string reason = takeOpenSslErrors();
  return reason.empty() ? what : what + ": " + reason;
}

// Settings shared by server and client contexts.
Status configureCommon(SSL_CTX* context, const std::string& min_version,
                       const std::string& max_version) {
  Result<int> min = parseVersion(min_version, "min_version", false);
  if (!min.ok()) {
    return min.error();
  }
  Result<int> max = parseVersion(max_version, "max_version", true);
  if (!max.ok()) {
    return max.error();
  }
  if (*max != 0 && *max < *min) {
    return Error{"TLS max_version " + max_version + " is below min_version " + min_version};
  }
  if (SSL_CTX_set_min_proto_version(context, *min) != 1 ||
      SSL_CTX_set_max_proto_version(context, *max) != 1) {
    return Error{failure("cannot set the TLS versions")};
  }
  if (SSL_CTX_set_cipher_list(context, kTls12Ciphers) != 1) {
    return Error{failure("cannot set the TLS 1.2 ciphers")};
  }
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Memory BIOs hold whole socket reads: reading ahead saves a BIO call per record.
  SSL_CTX_set_read_ahead(context, 1);
  return {};
}

// Names a certificate serves: subjectAltName DNS entries, else the subject's CN.
std::vector<std::string> certificateNamesOf(X509* certificate) {
  std::vector<std::string> names;
  auto* alt_names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (alt_names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(alt_names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(alt_names, i);
      if (name->type == GEN_DNS) {
        const ASN1_IA5STRING* dns = name->d.dNSName;
        names.push_back(lowerCase(std::string_view(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)), ASN1_STRING_length(dns))));
      }
    }
    GENERAL_NAMES_free(alt_names);
  }
  if (names.empty()) {
    const X509_NAME* subject = X509_get_subject_name(certificate);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
      const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
      names.push_back(lowerCase(std::string_view(
          reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)), ASN1_STRING_length(cn))));
    }
  }
  return names;
}

}  // namespace

TlsContext::~TlsContext() {
  for (SSL_CTX* context : contexts_) {
    SSL_CTX_free(context);
  }
}

Result<std::shared_ptr<TlsContext>> TlsContext::makeServer(const ServerTlsConfig& config) {
  if (config.certificates.empty()) {
    return Error{"TLS server needs at least one certificate"};
  }
  Result<std::string> wire = alpnWireFormat(config.alpn);
  if (!wire.ok()) {
    return wire.error();
  }
  ERR_clear_error();
  std::shared_ptr<TlsContext> result(new TlsContext());
  result->server_ = true;
  result->alpn_ = config.alpn;
  for (const CertificateFiles& files : config.certificates) {
    if (Status status = result->addServerCertificate(config, files); !status.ok()) {
      return Error{status.message()};
    }
  }
  for (size_t index = 0; index < result->names_.size(); ++index) {
    for (const std::string& name : result->names_[index]) {
      if (name.starts_with("*.")) {
        result->wildcard_names_.emplace(name.substr(2), index);
      } else {
        result->exact_names_.emplace(name, index);
      }
    }
  }
  // Connections start on the default context; its callback moves them to another certificate.
  // The callback runs before any switch, so only the default context needs it.
  SSL_CTX* initial = result->contexts_.front();
  SSL_CTX_set_tlsext_servername_callback(initial, &TlsContext::onServerName);
  SSL_CTX_set_tlsext_servername_arg(initial, result.get());
  return result;
}

Status TlsContext::addServerCertificate(const ServerTlsConfig& config,
                                        const CertificateFiles& files) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) {
    return Error{failure("cannot create a TLS server context")};
  }
  contexts_.push_back(context);  // freed by the destructor whatever happens next
  if (Status status = configureCommon(context, config.min_version, config.max_version);
      !status.ok()) {
    return status;
  }
  SSL_CTX_set_options(context, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (config.session_tickets) {
    // Stateless tickets with the context's automatic keys: no server-side cache to share.
    SSL_CTX_clear_options(context, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  } else {
    SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
  }
  // The same on every certificate's context, so that switching by SNI keeps sessions valid.
  SSL_CTX_set_session_id_context(context, kSessionIdContext, sizeof(kSessionIdContext) - 1);
  if (!alpn_.empty()) {
    SSL_CTX_set_alpn_select_cb(context, &TlsContext::onAlpnSelect, this);
  }
  if (SSL_CTX_use_certificate_chain_file(context, files.cert_file.c_str()) != 1) {
    return Error{failure("cannot load TLS certificate chain '" + files.cert_file + "'")};
  }
  if (SSL_CTX_use_PrivateKey_file(context, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error{failure("cannot load TLS private key '" + files.key_file + "' (for certificate '" +
                         files.cert_file + "')")};
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return Error{failure("TLS private key '" + files.key_file + "' does not match certificate '" +
                         files.cert_file + "'")};
  }
  std::vector<std::string> names = certificateNamesOf(SSL_CTX_get0_certificate(context));
  names_.push_back(std::move(names));
  return {};
}

Result<std::shared_ptr<TlsContext>> TlsContext::makeClient(const ClientTlsConfig& config) {
  Result<std::string> wire = alpnWireFormat(config.alpn);
  if (!wire.ok()) {
    return wire.error();
  }
  if (config.cert_file.empty() != config.key_file.empty()) {
    return Error{"TLS client certificate needs both cert_file and key_file"};
  }
  ERR_clear_error();
  std::shared_ptr<TlsContext> result(new TlsContext());
  result->client_server_name_ = config.sni;
  result->verify_peer_ = config.verify;
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) {
    return Error{failure("cannot create a TLS client context")};
  }
  result->contexts_.push_back(context);
  if (Status status = configureCommon(context, config.min_version, config.max_version);
      !status.ok()) {
    return Error{status.message()};
  }
  // Sessions are kept by the connection that wants them (TlsConnection::session()).
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  if (!wire->empty() &&
      SSL_CTX_set_alpn_protos(context, reinterpret_cast<const unsigned char*>(wire->data()),
                              static_cast<unsigned int>(wire->size())) != 0) {
    return Error{failure("cannot set the ALPN protocols")};
  }
  if (config.verify) {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    if (config.ca_file.empty()) {
      if (SSL_CTX_set_default_verify_paths(context) != 1) {
        return Error{failure("cannot load the system's CA certificates")};
      }
    } else if (SSL_CTX_load_verify_locations(context, config.ca_file.c_str(), nullptr) != 1) {
      return Error{failure("cannot load TLS CA file '" + config.ca_file + "'")};
    }
  } else {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  }
  if (!config.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(context, config.cert_file.c_str()) != 1) {
      return Error{failure("cannot load TLS client certificate chain '" + config.cert_file + "'")};
    }
    if (SSL_CTX_use_PrivateKey_file(context, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Error{failure("cannot load TLS client private key '" + config.key_file +
                           "' (for certificate '" + config.cert_file + "')")};
    }
    if (SSL_CTX_check_private_key(context) != 1) {
      return Error{failure("TLS client private key '" + config.key_file +
                           "' does not match certificate '" + config.cert_file + "'")};
    }
  }
  return result;
}

std::optional<std::string> TlsContext::keyFilePermissionWarning(const std::string& key_file) {
  struct stat info {};
  if (stat(key_file.c_str(), &info) != 0) {
    return std::nullopt;
  }
  const unsigned mode = info.st_mode & 0777;
  if ((mode & 077) == 0) {
    return std::nullopt;
  }
  char octal[8];
  std::snprintf(octal, sizeof(octal), "%04o", mode);
  return "TLS private key '" + key_file + "' is accessible by group or others (mode " + octal +
         "); chmod 600 it";
}

size_t TlsContext::certificateIndexFor(std::string_view server_name) const {
  if (server_name.ends_with('.')) {
    server_name.remove_suffix(1);  // an absolute name is the same name
  }
  if (server_name.empty() || contexts_.size() < 2) {
    return 0;
  }
  const std::string name = lowerCase(server_name);
  if (auto exact = exact_names_.find(name); exact != exact_names_.end()) {
    return exact->second;
  }
  // A wildcard covers exactly one label: "x.b.example.com" looks up "b.example.com", while
  // "a.x.b.example.com" looks up "x.b.example.com" and so does not match "*.b.example.com".
  const size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) {
    if (auto wildcard = wildcard_names_.find(name.substr(dot + 1));
        wildcard != wildcard_names_.end()) {
      return wildcard->second;
    }
  }
  return 0;
}

int TlsContext::onServerName(SSL* ssl, int* /*alert*/, void* arg) {
  const auto* self = static_cast<const TlsContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) {
    return SSL_TLSEXT_ERR_OK;
  }
  const size_t index = self->certificateIndexFor(name);
  if (index != 0 && SSL_set_SSL_CTX(ssl, self->contexts_[index]) == nullptr) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

int TlsContext::onAlpnSelect(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
                             const unsigned char* in, unsigned int in_length, void* arg) {
  const auto* self = static_cast<const TlsContext*>(arg);
  for (const std::string& protocol : self->alpn_) {
    for (unsigned int offset = 0; offset < in_length;) {
      const unsigned int length = in[offset];
      if (offset + 1 + length > in_length) {
        break;  // malformed list; OpenSSL validates it before calling us, but stay in bounds
      }
      const std::string_view offered(reinterpret_cast<const char*>(in + offset + 1), length);
      if (offered == protocol) {
        *out = in + offset + 1;  // points into the ClientHello, valid for the handshake
        *out_length = static_cast<unsigned char>(length);
        return SSL_TLSEXT_ERR_OK;
      }
      offset += 1 + length;
    }
  }
  // No common protocol: carry on without ALPN rather than failing (see the class comment).
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace meshlb::tls
