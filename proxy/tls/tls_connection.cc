#include "proxy/tls/tls_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

#include "proxy/tls/openssl_error.h"

namespace meshlb::tls {

namespace {

bool isIpLiteral(const std::string& name) {
  in6_addr address{};
  return inet_pton(AF_INET, name.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, name.c_str(), &address) == 1;
}

}  // namespace

TlsConnection::TlsConnection(std::shared_ptr<const TlsContext> context, Role role,
                             std::string_view server_name)
    : context_(std::move(context)), role_(role) {
  if (context_ == nullptr) {
    failed_ = true;
    error_ = "TLS connection has no context";
    return;
  }
  if (context_->isServer() != (role_ == Role::kServer)) {
    failed_ = true;
    error_ = role_ == Role::kServer ? "TLS server connection given a client context"
                                    : "TLS client connection given a server context";
    return;
  }
  ERR_clear_error();
  ssl_ = SSL_new(context_->sslContext());
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    SSL_free(ssl_);
    ssl_ = nullptr;
    (void)fail("cannot create a TLS connection");
    return;
  }
  SSL_set_bio(ssl_, in, out);  // ssl_ owns both from here
  network_in_ = in;
  network_out_ = out;
  if (role_ == Role::kServer) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  const std::string name(server_name.empty() ? std::string_view(context_->clientServerName())
                                             : server_name);
  if (name.empty()) {
    return;
  }
  const bool verify = context_->verifiesPeer();
  if (isIpLiteral(name)) {
    // No SNI for addresses (RFC 6066); verify the certificate's IP addresses instead.
    if (verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str()) != 1) {
      (void)fail("cannot set the TLS peer address to verify");
    }
    return;
  }
  if (SSL_set_tlsext_host_name(ssl_, name.c_str()) != 1) {
    (void)fail("cannot set the TLS server name");
    return;
  }
  if (verify) {
    SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl_, name.c_str()) != 1) {
      (void)fail("cannot set the TLS host name to verify");
    }
  }
}

TlsConnection::~TlsConnection() {
  SSL_free(ssl_);
}

Status TlsConnection::startHandshake() {
  if (failed_) {
    return Error{error_};
  }
  if (role_ == Role::kServer || handshake_done_) {
    return {};
  }
  return advanceHandshake();
}

Status TlsConnection::receive(const char* data, size_t length, std::string& plaintext_out) {
  if (failed_) {
    return Error{error_};
  }
  if (length > 0) {
    ERR_clear_error();
    size_t buffered = 0;
    if (BIO_write_ex(network_in_, data, length, &buffered) != 1 || buffered != length) {
      return fail("cannot buffer TLS input");
    }
  }
  if (!handshake_done_) {
    if (Status status = advanceHandshake(); !status.ok() || !handshake_done_) {
      return status;
    }
  }
  return readApplicationData(plaintext_out);
}

Status TlsConnection::send(std::initializer_list<std::string_view> pieces) {
  if (failed_) {
    return Error{error_};
  }
  if (shutdown_sent_) {
    return Error{"TLS connection is shut down"};
  }
  if (!handshake_done_) {
    for (std::string_view piece : pieces) {
      early_plaintext_.append(piece);
    }
    return {};
  }
  Status status = encrypt(pieces);
  collectOutput();
  return status;
}

void TlsConnection::shutdown() {
  if (failed_ || shutdown_sent_ || ssl_ == nullptr) {
    return;
  }
  shutdown_sent_ = true;
  std::string().swap(early_plaintext_);
  if (!handshake_done_) {
    return;
  }
  ERR_clear_error();
  if (SSL_shutdown(ssl_) < 0) {
    // Nothing to recover (the peer may have failed us first); the caller closes anyway.
    (void)takeOpenSslErrors();
  }
  collectOutput();
}

std::string_view TlsConnection::negotiatedAlpn() const {
  if (ssl_ == nullptr) {
    return {};
  }
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_, &data, &length);
  if (data == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(data), length};
}

std::string_view TlsConnection::protocolVersion() const {
  return ssl_ != nullptr && handshake_done_ ? SSL_get_version(ssl_) : std::string_view();
}

std::string_view TlsConnection::cipherName() const {
  const SSL_CIPHER* cipher = ssl_ != nullptr ? SSL_get_current_cipher(ssl_) : nullptr;
  return cipher != nullptr ? SSL_CIPHER_get_name(cipher) : std::string_view();
}

std::string_view TlsConnection::serverName() const {
  const char* name =
      ssl_ != nullptr ? SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name) : nullptr;
  return name != nullptr ? name : std::string_view();
}

X509* TlsConnection::peerCertificate() const {
  return ssl_ != nullptr ? SSL_get0_peer_certificate(ssl_) : nullptr;
}

std::shared_ptr<SSL_SESSION> TlsConnection::session() const {
  SSL_SESSION* session = ssl_ != nullptr ? SSL_get1_session(ssl_) : nullptr;
  if (session == nullptr) {
    return nullptr;
  }
  if (SSL_SESSION_is_resumable(session) != 1) {
    SSL_SESSION_free(session);
    return nullptr;
  }
  return {session, &SSL_SESSION_free};
}

void TlsConnection::setSession(const std::shared_ptr<SSL_SESSION>& session) {
  if (ssl_ == nullptr || session == nullptr) {
    return;
  }
  ERR_clear_error();
  if (SSL_set_session(ssl_, session.get()) != 1) {
    // A full handshake happens instead; not worth failing the connection for.
    (void)takeOpenSslErrors();
  }
}

bool TlsConnection::sessionReused() const {
  return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

Status TlsConnection::advanceHandshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) {
    handshake_done_ = true;
    if (!early_plaintext_.empty()) {
      Status status = writeRecords(early_plaintext_.data(), early_plaintext_.size());
      std::string().swap(early_plaintext_);  // not needed again: release it
      if (!status.ok()) {
        return status;
      }
    }
    collectOutput();
    return {};
  }
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    collectOutput();
    return {};
  }
  return fail("TLS handshake failed");
}

Status TlsConnection::readApplicationData(std::string& plaintext_out) {
  for (;;) {
    // SSL_read returns at most one record, so a record's worth of room is enough.
    const size_t old_size = plaintext_out.size();
    plaintext_out.resize(old_size + kMaxRecordPlaintext);
    size_t read = 0;
    ERR_clear_error();
    const int result =
        SSL_read_ex(ssl_, plaintext_out.data() + old_size, kMaxRecordPlaintext, &read);
    plaintext_out.resize(old_size + read);
    if (result == 1) {
      continue;
    }
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      break;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return fail("TLS read failed");
  }
  // Reading may answer the peer (a refused renegotiation, a key update).
  collectOutput();
  return {};
}

Status TlsConnection::encrypt(std::initializer_list<std::string_view> pieces) {
  if (pieces.size() == 1) {
    return writeRecords(pieces.begin()->data(), pieces.begin()->size());
  }
  // Records carry full 16 KiB where possible: small pieces (a chunk header, a CRLF) are gathered
  // so that they do not cost a record each, and the whole records inside a large piece are
  // encrypted straight from the caller's memory.
  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      if (gather_.empty() && piece.size() >= kMaxRecordPlaintext) {
        const size_t whole = piece.size() - piece.size() % kMaxRecordPlaintext;
        if (Status status = writeRecords(piece.data(), whole); !status.ok()) {
          return status;
        }
        piece.remove_prefix(whole);
        continue;
      }
      const size_t take = std::min(piece.size(), kMaxRecordPlaintext - gather_.size());
      gather_.append(piece.data(), take);
      piece.remove_prefix(take);
      if (gather_.size() == kMaxRecordPlaintext) {
        Status status = writeRecords(gather_.data(), gather_.size());
        gather_.clear();
        if (!status.ok()) {
          return status;
        }
      }
    }
  }
  Status status = writeRecords(gather_.data(), gather_.size());
  gather_.clear();
  return status;
}

Status TlsConnection::writeRecords(const char* data, size_t length) {
  if (length == 0) {
    return {};
  }
  ERR_clear_error();
  size_t written = 0;
  // A memory BIO takes everything, so a successful write is always complete.
  if (SSL_write_ex(ssl_, data, length, &written) != 1 || written != length) {
    return fail("TLS write failed");
  }
  return {};
}

void TlsConnection::collectOutput() {
  const size_t pending = BIO_ctrl_pending(network_out_);
  if (pending == 0) {
    return;
  }
  const size_t old_size = output_.size();
  output_.resize(old_size + pending);
  size_t read = 0;
  if (BIO_read_ex(network_out_, output_.data() + old_size, pending, &read) != 1) {
    read = 0;
  }
  output_.resize(old_size + read);
}

Status TlsConnection::fail(const char* what) {
  failed_ = true;
  std::string reason = takeOpenSslErrors();
  if (ssl_ != nullptr && role_ == Role::kClient && context_->verifiesPeer()) {
    // The queue only says "certificate verify failed"; the verification result says why.
    const long verify_result = SSL_get_verify_result(ssl_);
    if (verify_result != X509_V_OK) {
      reason = std::string("certificate verification failed: ") +
               X509_verify_cert_error_string(verify_result) + (reason.empty() ? "" : "; " + reason);
    }
  }
  error_ = reason.empty() ? std::string(what) : std::string(what) + ": " + reason;
  gather_.clear();
  std::string().swap(early_plaintext_);
  if (network_out_ != nullptr) {
    collectOutput();  // often an alert telling the peer why
  }
  return Error{error_};
}

}  // namespace meshlb::tls
