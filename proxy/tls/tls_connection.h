#pragma once

// TlsConnection is TLS without sockets: the session that owns a libuv stream moves bytes, this
// class only transforms them. The session feeds every socket read into receive() and gets the
// decrypted application bytes back; it encrypts with send(); and after EVERY call (receive,
// send, startHandshake, shutdown) it writes whatever pendingOutput() holds to the socket, since
// any call may have produced handshake records, tickets or alerts, not only the one that sent
// data. A client calls startHandshake() once its TCP connection is up (a server may too; it is a
// no-op there). Application data arrives from receive() only once handshakeDone(); bytes given
// to send() earlier are kept and encrypted when the handshake completes, so a client may queue
// its request right away. Any error is final: the session logs lastError(), writes what
// pendingOutput() holds (often an alert) and closes. When the peer's close_notify arrives,
// peerClosed() turns true; shutdown() queues our own close_notify. A TCP EOF without
// close_notify is for the session to judge (a truncation attack on framed-by-close bodies).

#include <openssl/ssl.h>  // SSL_SESSION is declared here, not in types.h

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy/tls/tls_context.h"

namespace meshlb::tls {

enum class Role { kServer, kClient };

// One SSL object between two memory BIOs: ciphertext in (from the socket), ciphertext out (to
// the socket). Worker-local: owned by one connection and used only on its loop thread. OpenSSL's
// error queue is per thread, so it is cleared before each SSL call and drained after each
// failure; errors never leak from one connection into the next one on the same thread.
// Renegotiation is refused (SSL_OP_NO_RENEGOTIATION on every context).
class TlsConnection {
 public:
  // `server_name` (client role only): the name sent and verified; empty = the context's `sni`.
  TlsConnection(std::shared_ptr<const TlsContext> context, Role role,
                std::string_view server_name = {});
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Client: produces the ClientHello in pendingOutput(). Server: nothing to do (the handshake
  // starts with the peer's bytes). Fails when the connection could not be set up.
  Status startHandshake();

  // Feeds ciphertext received from the peer: advances the handshake and appends decrypted
  // application bytes to `plaintext_out` (which the caller reuses; its capacity is kept). An
  // error means the peer sent garbage, failed the handshake (certificate, version, cipher) or
  // sent a fatal alert; the connection is then unusable.
  Status receive(const char* data, size_t length, std::string& plaintext_out);

  // Encrypts application bytes; several pieces go out as one run of full-size records (small
  // pieces are gathered, large ones encrypted in place). Before the handshake completes, the
  // bytes are kept and sent when it does. Fails after an error or after shutdown().
  Status send(std::initializer_list<std::string_view> pieces);
  Status send(std::string_view data) { return send({data}); }

  // Ciphertext to write to the socket: handshake records, application records, alerts. The
  // caller takes it (swap with its own buffer, or write then clear()); capacity is reused.
  std::string& pendingOutput() { return output_; }

  // Queues close_notify into pendingOutput() (only once, and only after the handshake: before
  // it there is no session to close and the caller just closes the socket). Bytes kept for an
  // unfinished handshake are dropped.
  void shutdown();

  bool handshakeDone() const { return handshake_done_; }
  bool failed() const { return failed_; }
  // The peer's close_notify arrived: no more application data will come.
  bool peerClosed() const { return peer_closed_; }
  // Why the connection failed, for logs ("" while nothing failed).
  const std::string& lastError() const { return error_; }

  // After the handshake: the ALPN protocol ("" when none was negotiated), the protocol version
  // ("TLSv1.3") and cipher, and the server name (server: the one received; client: the one
  // sent; "" when none).
  std::string_view negotiatedAlpn() const;
  std::string_view protocolVersion() const;
  std::string_view cipherName() const;
  std::string_view serverName() const;
  // The peer's leaf certificate, or null (a server does not ask clients for one). Borrowed:
  // valid while this connection lives.
  X509* peerCertificate() const;

  // Client session resumption. session() returns the latest resumable session (TLS 1.3 tickets
  // arrive after the handshake, so ask late, e.g. when the connection closes), or null.
  // setSession() before startHandshake() offers it to the server; reuse a session only with the
  // same TlsContext and server name, as the server's certificate is not verified again.
  std::shared_ptr<SSL_SESSION> session() const;
  void setSession(const std::shared_ptr<SSL_SESSION>& session);
  bool sessionReused() const;

  // The underlying SSL object, for what this class does not wrap (tests, diagnostics). Calls
  // through it bypass the error-queue discipline above.
  SSL* nativeHandle() const { return ssl_; }

 private:
  static constexpr size_t kMaxRecordPlaintext = 16384;

  // Runs the handshake on the bytes fed so far; flushes data queued by send() when it ends.
  Status advanceHandshake();
  // Decrypts everything available into `plaintext_out`.
  Status readApplicationData(std::string& plaintext_out);
  // Encrypts directly (handshake done). Gathers small pieces into `gather_`.
  Status encrypt(std::initializer_list<std::string_view> pieces);
  Status writeRecords(const char* data, size_t length);
  // Moves what OpenSSL wrote into the outgoing memory BIO to `output_`.
  void collectOutput();
  // Marks the connection failed with the OpenSSL queue's (and verification's) reason.
  Status fail(const char* what);

  std::shared_ptr<const TlsContext> context_;
  SSL* ssl_ = nullptr;
  BIO* network_in_ = nullptr;   // owned by ssl_: ciphertext from the peer
  BIO* network_out_ = nullptr;  // owned by ssl_: ciphertext for the peer
  Role role_;
  std::string output_;
  std::string early_plaintext_;  // given to send() before the handshake completed
  std::string gather_;           // small pieces gathered into one record
  std::string error_;
  bool handshake_done_ = false;
  bool failed_ = false;
  bool peer_closed_ = false;
  bool shutdown_sent_ = false;
};

}  // namespace meshlb::tls
