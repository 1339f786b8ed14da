#include "proxy/tls/tls_connection.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/proxy/tls/test_certificates.h"

namespace meshlb::tls {
namespace {

using testcerts::LeafFiles;
using testcerts::TestCertificateAuthority;

// What pump() saw: each side's first error ("" = none).
struct Pumped {
  std::string client_error;
  std::string server_error;
  bool ok() const { return client_error.empty() && server_error.empty(); }
};

// Hands `from`'s ciphertext to `to` in pieces of at most `chunk` bytes, as socket reads would.
bool deliver(TlsConnection& from, TlsConnection& to, std::string& plaintext, std::string& error,
             size_t chunk) {
  if (from.pendingOutput().empty()) {
    return false;
  }
  std::string bytes;
  bytes.swap(from.pendingOutput());
  for (size_t offset = 0; offset < bytes.size() && !to.failed(); offset += chunk) {
    Status status =
        to.receive(bytes.data() + offset, std::min(chunk, bytes.size() - offset), plaintext);
    if (!status.ok() && error.empty()) {
      error = status.message();
    }
  }
  return true;  // a failed side's bytes are dropped, as a closed socket's would be
}

// Moves ciphertext both ways until neither side has anything left to send (alerts included).
Pumped pump(TlsConnection& client, TlsConnection& server, std::string& client_plaintext,
            std::string& server_plaintext, size_t chunk = 1 << 20) {
  Pumped result;
  for (int round = 0; round < 1000; ++round) {
    const bool to_server = deliver(client, server, server_plaintext, result.server_error, chunk);
    const bool to_client = deliver(server, client, client_plaintext, result.client_error, chunk);
    if (!to_server && !to_client) {
      break;
    }
  }
  return result;
}

std::string commonName(X509* certificate) {
  char buffer[256] = {};
  if (certificate == nullptr ||
      X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, buffer,
                                sizeof(buffer)) < 0) {
    return {};
  }
  return buffer;
}

std::vector<std::string> dnsNames(X509* certificate) {
  std::vector<std::string> names;
  auto* alt_names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; alt_names != nullptr && i < sk_GENERAL_NAME_num(alt_names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(alt_names, i);
    if (name->type == GEN_DNS) {
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                         ASN1_STRING_length(name->d.dNSName));
    }
  }
  GENERAL_NAMES_free(alt_names);
  return names;
}

// Counts TLS records in `bytes` (5-byte headers, length in bytes 3-4).
size_t countRecords(const std::string& bytes) {
  size_t records = 0;
  for (size_t offset = 0; offset + 5 <= bytes.size(); ++records) {
    const size_t length = (static_cast<unsigned char>(bytes[offset + 3]) << 8) |
                          static_cast<unsigned char>(bytes[offset + 4]);
    offset += 5 + length;
  }
  return records;
}

// Keys and certificates for the suite: made once, removed at the end.
struct Pki {
  TestCertificateAuthority ca{"meshlb test CA"};
  TestCertificateAuthority unknown_ca{"meshlb unknown CA"};
  std::optional<LeafFiles> fallback = ca.issueLeaf("default", {"default.example.com"});
  std::optional<LeafFiles> a = ca.issueLeaf("a", {"a.example.com"});
  std::optional<LeafFiles> b = ca.issueLeaf("b", {"*.b.example.com"});
  std::optional<LeafFiles> ip = ca.issueLeaf("ip", {"localhost", "127.0.0.1"});
  std::optional<LeafFiles> unknown = unknown_ca.issueLeaf("unknown", {"a.example.com"});
  std::optional<LeafFiles> expired = ca.issueLeaf("expired", {"a.example.com"}, {.expired = true});
};

class TlsConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new Pki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(pki_->ca.ok()) << pki_->ca.error();
    ASSERT_TRUE(pki_->unknown_ca.ok()) << pki_->unknown_ca.error();
    ASSERT_TRUE(pki_->fallback && pki_->a && pki_->b && pki_->ip && pki_->unknown && pki_->expired);
  }

  static CertificateFiles files(const std::optional<LeafFiles>& leaf) {
    return {leaf->cert_file, leaf->key_file};
  }

  // Default first, then a.example.com and *.b.example.com.
  static ServerTlsConfig serverConfig() {
    ServerTlsConfig config;
    config.certificates = {files(pki_->fallback), files(pki_->a), files(pki_->b)};
    return config;
  }

  static ClientTlsConfig clientConfig(const std::string& sni = "a.example.com") {
    ClientTlsConfig config;
    config.sni = sni;
    config.ca_file = pki_->ca.caFile();
    return config;
  }

  static std::shared_ptr<const TlsContext> server(const ServerTlsConfig& config) {
    Result<std::shared_ptr<TlsContext>> context = TlsContext::makeServer(config);
    EXPECT_TRUE(context.ok()) << context.error().message;
    return context.ok() ? *context : nullptr;
  }

  static std::shared_ptr<const TlsContext> client(const ClientTlsConfig& config) {
    Result<std::shared_ptr<TlsContext>> context = TlsContext::makeClient(config);
    EXPECT_TRUE(context.ok()) << context.error().message;
    return context.ok() ? *context : nullptr;
  }

  // Runs a handshake between fresh connections of the two contexts.
  struct Pair {
    std::unique_ptr<TlsConnection> client;
    std::unique_ptr<TlsConnection> server;
    Pumped pumped;
    std::string client_plaintext;
    std::string server_plaintext;
  };
  static Pair handshake(std::shared_ptr<const TlsContext> client_context,
                        std::shared_ptr<const TlsContext> server_context,
                        std::shared_ptr<SSL_SESSION> session = nullptr) {
    Pair pair;
    pair.client = std::make_unique<TlsConnection>(std::move(client_context), Role::kClient);
    pair.server = std::make_unique<TlsConnection>(std::move(server_context), Role::kServer);
    pair.client->setSession(session);
    EXPECT_TRUE(pair.server->startHandshake().ok());
    Status started = pair.client->startHandshake();
    EXPECT_TRUE(started.ok()) << started.message();
    pair.pumped = pump(*pair.client, *pair.server, pair.client_plaintext, pair.server_plaintext);
    return pair;
  }

  static Pki* pki_;
};

Pki* TlsConnectionTest::pki_ = nullptr;

TEST_F(TlsConnectionTest, HandshakeDefaultsToTls13WithHttp11Alpn) {
  Pair pair = handshake(client(clientConfig()), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_TRUE(pair.client->handshakeDone());
  EXPECT_TRUE(pair.server->handshakeDone());
  EXPECT_EQ(pair.client->protocolVersion(), "TLSv1.3");
  EXPECT_EQ(pair.server->protocolVersion(), "TLSv1.3");
  EXPECT_EQ(pair.client->negotiatedAlpn(), "http/1.1");
  EXPECT_EQ(pair.server->negotiatedAlpn(), "http/1.1");
  EXPECT_EQ(pair.server->serverName(), "a.example.com");
  EXPECT_EQ(pair.client->serverName(), "a.example.com");
  EXPECT_FALSE(pair.client->cipherName().empty());
  EXPECT_EQ(pair.server->peerCertificate(), nullptr);  // no client certificate asked for
  EXPECT_TRUE(pair.client->lastError().empty());
  EXPECT_FALSE(pair.client->sessionReused());
}

TEST_F(TlsConnectionTest, Tls12WhenClientMaxIs12WithEcdheAeadCipher) {
  ClientTlsConfig config = clientConfig();
  config.max_version = "1.2";
  Pair pair = handshake(client(config), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_EQ(pair.client->protocolVersion(), "TLSv1.2");
  EXPECT_EQ(pair.server->protocolVersion(), "TLSv1.2");
  EXPECT_EQ(pair.server->negotiatedAlpn(), "http/1.1");
  const std::string cipher(pair.server->cipherName());
  EXPECT_EQ(cipher.rfind("ECDHE-", 0), 0u) << cipher;
  EXPECT_TRUE(cipher.find("GCM") != std::string::npos ||
              cipher.find("CHACHA20") != std::string::npos)
      << cipher;
}

TEST_F(TlsConnectionTest, HandshakeSurvivesOneByteReads) {
  TlsConnection client_connection(client(clientConfig()), Role::kClient);
  TlsConnection server_connection(server(serverConfig()), Role::kServer);
  ASSERT_TRUE(client_connection.startHandshake().ok());
  std::string client_plaintext;
  std::string server_plaintext;
  ASSERT_TRUE(client_connection.send("early").ok());
  Pumped pumped = pump(client_connection, server_connection, client_plaintext, server_plaintext, 1);
  ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
  EXPECT_TRUE(server_connection.handshakeDone());
  EXPECT_EQ(server_plaintext, "early");
}

TEST_F(TlsConnectionTest, ApplicationDataBothWays) {
  TlsConnection client_connection(client(clientConfig()), Role::kClient);
  TlsConnection server_connection(server(serverConfig()), Role::kServer);
  ASSERT_TRUE(client_connection.startHandshake().ok());
  // Queued before the handshake: sent when it completes.
  ASSERT_TRUE(client_connection.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").ok());
  std::string client_plaintext;
  std::string server_plaintext;
  Pumped pumped = pump(client_connection, server_connection, client_plaintext, server_plaintext);
  ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
  EXPECT_EQ(server_plaintext, "GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n");

  ASSERT_TRUE(
      server_connection.send({"HTTP/1.1 200 OK\r\n", "Content-Length: 2\r\n\r\n", "hi"}).ok());
  pumped = pump(client_connection, server_connection, client_plaintext, server_plaintext);
  ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
  EXPECT_EQ(client_plaintext, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
}

TEST_F(TlsConnectionTest, OneMebibyteInPiecesBothWays) {
  Pair pair = handshake(client(clientConfig()), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>((i * 131) ^ (i >> 9));
  }
  for (TlsConnection* sender : {pair.client.get(), pair.server.get()}) {
    std::string expected;
    size_t piece = 1;
    for (size_t offset = 0; offset < data.size();) {
      const size_t length = std::min(piece, data.size() - offset);
      const std::string header = std::to_string(length) + "\r\n";
      ASSERT_TRUE(
          sender->send({header, std::string_view(data).substr(offset, length), "\r\n"}).ok());
      expected += header;
      expected.append(data, offset, length);
      expected += "\r\n";
      offset += length;
      piece = piece * 3 + 7;  // 1, 10, 37 ... 70000+: small and multi-record pieces
    }
    pair.client_plaintext.clear();
    pair.server_plaintext.clear();
    Pumped pumped =
        pump(*pair.client, *pair.server, pair.client_plaintext, pair.server_plaintext, 65536);
    ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
    const std::string& received =
        sender == pair.client.get() ? pair.server_plaintext : pair.client_plaintext;
    EXPECT_EQ(received.size(), expected.size());
    EXPECT_TRUE(received == expected);
  }
}

TEST_F(TlsConnectionTest, PiecesAreGatheredIntoFullRecords) {
  Pair pair = handshake(client(clientConfig()), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  ASSERT_TRUE(pair.server->send({"5\r\n", "hello", "\r\n"}).ok());
  EXPECT_EQ(countRecords(pair.server->pendingOutput()), 1u);
  pair.server->pendingOutput().clear();
  // 1 + 40000 + 2 bytes: three records (16384, 16384, 7235), not five.
  ASSERT_TRUE(pair.server->send({"x", std::string(40000, 'y'), "\r\n"}).ok());
  EXPECT_EQ(countRecords(pair.server->pendingOutput()), 3u);
}

TEST_F(TlsConnectionTest, ServerNameSelectsCertificate) {
  std::shared_ptr<const TlsContext> server_context = server(serverConfig());
  struct Case {
    std::string sni;
    std::string common_name;
  };
  for (const Case& test :
       {Case{"a.example.com", "a.example.com"}, Case{"x.b.example.com", "*.b.example.com"},
        Case{"A.Example.Com", "a.example.com"}, Case{"", "default.example.com"}}) {
    SCOPED_TRACE(test.sni);
    Pair pair = handshake(client(clientConfig(test.sni)), server_context);
    ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
    X509* peer = pair.client->peerCertificate();
    ASSERT_NE(peer, nullptr);
    EXPECT_EQ(commonName(peer), test.common_name);
    EXPECT_EQ(dnsNames(peer), std::vector<std::string>{test.common_name});
    EXPECT_EQ(pair.server->serverName(), test.sni);
  }
}

TEST_F(TlsConnectionTest, UnknownServerNameGetsTheDefaultCertificate) {
  ClientTlsConfig config = clientConfig("unknown.example.com");
  config.verify = false;
  Pair pair = handshake(client(config), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_EQ(commonName(pair.client->peerCertificate()), "default.example.com");
}

TEST_F(TlsConnectionTest, ConnectionServerNameOverridesTheContexts) {
  TlsConnection client_connection(client(clientConfig("a.example.com")), Role::kClient,
                                  "x.b.example.com");
  TlsConnection server_connection(server(serverConfig()), Role::kServer);
  ASSERT_TRUE(client_connection.startHandshake().ok());
  std::string client_plaintext;
  std::string server_plaintext;
  Pumped pumped = pump(client_connection, server_connection, client_plaintext, server_plaintext);
  ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
  EXPECT_EQ(server_connection.serverName(), "x.b.example.com");
  EXPECT_EQ(commonName(client_connection.peerCertificate()), "*.b.example.com");
}

TEST_F(TlsConnectionTest, ClientRefusesCertificateFromUnknownCa) {
  ServerTlsConfig config;
  config.certificates = {files(pki_->unknown)};
  Pair pair = handshake(client(clientConfig()), server(config));
  EXPECT_FALSE(pair.client->handshakeDone());
  EXPECT_TRUE(pair.client->failed());
  EXPECT_NE(pair.pumped.client_error.find("certificate verification failed"), std::string::npos)
      << pair.pumped.client_error;
  EXPECT_NE(pair.pumped.client_error.find("issuer"), std::string::npos) << pair.pumped.client_error;
  EXPECT_EQ(pair.client->lastError(), pair.pumped.client_error);
  // The client's alert tells the server why.
  EXPECT_NE(pair.pumped.server_error.find("unknown ca"), std::string::npos)
      << pair.pumped.server_error;
}

TEST_F(TlsConnectionTest, ClientRefusesWrongHostname) {
  Pair pair = handshake(client(clientConfig("wrong.example.com")), server(serverConfig()));
  EXPECT_TRUE(pair.client->failed());
  EXPECT_NE(pair.pumped.client_error.find("hostname mismatch"), std::string::npos)
      << pair.pumped.client_error;
}

TEST_F(TlsConnectionTest, ClientRefusesExpiredCertificate) {
  ServerTlsConfig config;
  config.certificates = {files(pki_->expired)};
  Pair pair = handshake(client(clientConfig()), server(config));
  EXPECT_NE(pair.pumped.client_error.find("expired"), std::string::npos)
      << pair.pumped.client_error;
}

TEST_F(TlsConnectionTest, VerifyFalseAcceptsUnknownCaAndWrongName) {
  ServerTlsConfig server_config;
  server_config.certificates = {files(pki_->unknown)};
  ClientTlsConfig client_config = clientConfig("wrong.example.com");
  client_config.verify = false;
  Pair pair = handshake(client(client_config), server(server_config));
  EXPECT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_TRUE(pair.client->handshakeDone());
}

TEST_F(TlsConnectionTest, IpLiteralIsVerifiedAgainstIpAddressesAndNotSentAsSni) {
  ServerTlsConfig server_config;
  server_config.certificates = {files(pki_->ip)};
  std::shared_ptr<const TlsContext> server_context = server(server_config);
  Pair good = handshake(client(clientConfig("127.0.0.1")), server_context);
  EXPECT_TRUE(good.pumped.ok()) << good.pumped.client_error << " / " << good.pumped.server_error;
  EXPECT_EQ(good.server->serverName(), "");

  Pair bad = handshake(client(clientConfig("127.0.0.2")), server_context);
  EXPECT_NE(bad.pumped.client_error.find("IP address mismatch"), std::string::npos)
      << bad.pumped.client_error;
}

TEST_F(TlsConnectionTest, Tls13OnlyServerRefusesTls12Client) {
  ServerTlsConfig server_config = serverConfig();
  server_config.min_version = "1.3";
  ClientTlsConfig client_config = clientConfig();
  client_config.max_version = "1.2";
  Pair pair = handshake(client(client_config), server(server_config));
  EXPECT_TRUE(pair.server->failed());
  EXPECT_TRUE(pair.client->failed());
  EXPECT_NE(pair.pumped.server_error.find("unsupported protocol"), std::string::npos)
      << pair.pumped.server_error;
  EXPECT_NE(pair.pumped.client_error.find("protocol version"), std::string::npos)
      << pair.pumped.client_error;
}

TEST_F(TlsConnectionTest, AlpnWithoutCommonProtocolContinuesWithoutAlpn) {
  ClientTlsConfig client_config = clientConfig();
  client_config.alpn = {"h2", "spdy/3"};
  Pair pair = handshake(client(client_config), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_EQ(pair.client->negotiatedAlpn(), "");
  EXPECT_EQ(pair.server->negotiatedAlpn(), "");

  ServerTlsConfig no_alpn = serverConfig();
  no_alpn.alpn.clear();
  pair = handshake(client(clientConfig()), server(no_alpn));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_EQ(pair.client->negotiatedAlpn(), "");
}

TEST_F(TlsConnectionTest, ServerAlpnPreferenceWins) {
  ServerTlsConfig server_config = serverConfig();
  server_config.alpn = {"h2", "http/1.1"};
  ClientTlsConfig client_config = clientConfig();
  client_config.alpn = {"http/1.1", "h2"};
  Pair pair = handshake(client(client_config), server(server_config));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error << " / " << pair.pumped.server_error;
  EXPECT_EQ(pair.client->negotiatedAlpn(), "h2");
}

TEST_F(TlsConnectionTest, HttpRequestInsteadOfClientHelloIsAnError) {
  TlsConnection connection(server(serverConfig()), Role::kServer);
  std::string plaintext;
  const std::string request = "GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n";
  Status status = connection.receive(request.data(), request.size(), plaintext);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(connection.failed());
  EXPECT_FALSE(connection.handshakeDone());
  EXPECT_TRUE(plaintext.empty());
  EXPECT_NE(status.message().find("http request"), std::string::npos) << status.message();
  // The error is final.
  Status again = connection.receive(request.data(), request.size(), plaintext);
  EXPECT_EQ(again.message(), status.message());
  EXPECT_FALSE(connection.send("x").ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(TlsConnectionTest, MalformedHandshakeRecordIsAnErrorWithAnAlert) {
  TlsConnection connection(server(serverConfig()), Role::kServer);
  std::string plaintext;
  // A handshake record whose body is not a ClientHello.
  const std::string garbage("\x16\x03\x01\x00\x08\x01\x00\x00\x04junk", 13);
  Status status = connection.receive(garbage.data(), garbage.size(), plaintext);
  ASSERT_FALSE(status.ok());
  EXPECT_FALSE(connection.lastError().empty());
  ASSERT_GE(connection.pendingOutput().size(), 7u);
  EXPECT_EQ(connection.pendingOutput()[0], '\x15');  // alert record
}

TEST_F(TlsConnectionTest, RoleMustMatchTheContext) {
  TlsConnection wrong(server(serverConfig()), Role::kClient);
  EXPECT_TRUE(wrong.failed());
  Status status = wrong.startHandshake();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("server context"), std::string::npos) << status.message();
}

TEST_F(TlsConnectionTest, SessionResumesWithTicketTls13) {
  std::shared_ptr<const TlsContext> client_context = client(clientConfig());
  std::shared_ptr<const TlsContext> server_context = server(serverConfig());
  Pair first = handshake(client_context, server_context);
  ASSERT_TRUE(first.pumped.ok()) << first.pumped.client_error << " / " << first.pumped.server_error;
  std::shared_ptr<SSL_SESSION> session = first.client->session();
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(SSL_SESSION_get_protocol_version(session.get()), TLS1_3_VERSION);

  Pair second = handshake(client_context, server_context, session);
  ASSERT_TRUE(second.pumped.ok()) << second.pumped.client_error << " / "
                                  << second.pumped.server_error;
  EXPECT_TRUE(second.client->sessionReused());
  EXPECT_TRUE(second.server->sessionReused());
  EXPECT_EQ(second.client->negotiatedAlpn(), "http/1.1");
}

TEST_F(TlsConnectionTest, SessionResumesWithTicketTls12) {
  ClientTlsConfig client_config = clientConfig();
  client_config.max_version = "1.2";
  std::shared_ptr<const TlsContext> client_context = client(client_config);
  std::shared_ptr<const TlsContext> server_context = server(serverConfig());
  Pair first = handshake(client_context, server_context);
  ASSERT_TRUE(first.pumped.ok()) << first.pumped.client_error;
  std::shared_ptr<SSL_SESSION> session = first.client->session();
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(SSL_SESSION_has_ticket(session.get()), 1);

  Pair second = handshake(client_context, server_context, session);
  ASSERT_TRUE(second.pumped.ok()) << second.pumped.client_error;
  EXPECT_TRUE(second.client->sessionReused());
  EXPECT_TRUE(second.server->sessionReused());
}

TEST_F(TlsConnectionTest, SessionFromAnotherServerContextIsNotResumed) {
  // A different server context (e.g. after a reload) has other ticket keys: a full handshake.
  std::shared_ptr<const TlsContext> client_context = client(clientConfig());
  Pair first = handshake(client_context, server(serverConfig()));
  ASSERT_TRUE(first.pumped.ok()) << first.pumped.client_error;
  std::shared_ptr<SSL_SESSION> session = first.client->session();
  ASSERT_NE(session, nullptr);
  Pair second = handshake(client_context, server(serverConfig()), session);
  ASSERT_TRUE(second.pumped.ok()) << second.pumped.client_error;
  EXPECT_FALSE(second.client->sessionReused());
}

TEST_F(TlsConnectionTest, WithoutTicketsTls12ResumesBySessionId) {
  ServerTlsConfig server_config = serverConfig();
  server_config.session_tickets = false;
  ClientTlsConfig client_config = clientConfig();
  client_config.max_version = "1.2";
  std::shared_ptr<const TlsContext> client_context = client(client_config);
  std::shared_ptr<const TlsContext> server_context = server(server_config);
  Pair first = handshake(client_context, server_context);
  ASSERT_TRUE(first.pumped.ok()) << first.pumped.client_error;
  std::shared_ptr<SSL_SESSION> session = first.client->session();
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(SSL_SESSION_has_ticket(session.get()), 0);
  Pair second = handshake(client_context, server_context, session);
  ASSERT_TRUE(second.pumped.ok()) << second.pumped.client_error;
  EXPECT_TRUE(second.server->sessionReused());
}

TEST_F(TlsConnectionTest, RenegotiationIsRefused) {
  ClientTlsConfig client_config = clientConfig();
  client_config.max_version = "1.2";  // TLS 1.3 has no renegotiation at all
  Pair pair = handshake(client(client_config), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error;
  // Make the client ask for it despite its own setting.
  SSL* native = pair.client->nativeHandle();
  SSL_clear_options(native, SSL_OP_NO_RENEGOTIATION);
  ASSERT_EQ(SSL_renegotiate(native), 1);
  SSL_do_handshake(native);
  ERR_clear_error();
  ASSERT_TRUE(pair.client->receive(nullptr, 0, pair.client_plaintext).ok());  // collects it
  ASSERT_FALSE(pair.client->pendingOutput().empty());
  // The server answers the new ClientHello with one (warning) alert and no ServerHello...
  std::string client_hello;
  client_hello.swap(pair.client->pendingOutput());
  Status server_status =
      pair.server->receive(client_hello.data(), client_hello.size(), pair.server_plaintext);
  EXPECT_TRUE(server_status.ok()) << server_status.message();
  const std::string answer = pair.server->pendingOutput();
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(countRecords(answer), 1u);
  EXPECT_EQ(answer[0], '\x15');  // alert
  // ...which the client, expecting a ServerHello, takes as the refusal it is.
  Pumped pumped = pump(*pair.client, *pair.server, pair.client_plaintext, pair.server_plaintext);
  EXPECT_NE(pumped.client_error.find("no renegotiation"), std::string::npos) << pumped.client_error;
}

TEST_F(TlsConnectionTest, ShutdownSendsCloseNotifyToThePeer) {
  Pair pair = handshake(client(clientConfig()), server(serverConfig()));
  ASSERT_TRUE(pair.pumped.ok()) << pair.pumped.client_error;
  ASSERT_TRUE(pair.client->send("bye").ok());
  pair.client->shutdown();
  EXPECT_FALSE(pair.client->send("more").ok());
  Pumped pumped = pump(*pair.client, *pair.server, pair.client_plaintext, pair.server_plaintext);
  ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
  EXPECT_EQ(pair.server_plaintext, "bye");
  EXPECT_TRUE(pair.server->peerClosed());
  EXPECT_FALSE(pair.client->peerClosed());

  ASSERT_TRUE(pair.server->send("last words").ok());
  pair.server->shutdown();
  pumped = pump(*pair.client, *pair.server, pair.client_plaintext, pair.server_plaintext);
  ASSERT_TRUE(pumped.ok()) << pumped.client_error << " / " << pumped.server_error;
  EXPECT_EQ(pair.client_plaintext, "last words");
  EXPECT_TRUE(pair.client->peerClosed());
}

TEST_F(TlsConnectionTest, ShutdownBeforeHandshakeSendsNothing) {
  TlsConnection connection(client(clientConfig()), Role::kClient);
  connection.shutdown();
  EXPECT_TRUE(connection.pendingOutput().empty());
  EXPECT_FALSE(connection.send("x").ok());
}

TEST_F(TlsConnectionTest, ErrorsDoNotLeakIntoTheNextConnection) {
  std::shared_ptr<const TlsContext> client_context = client(clientConfig());
  ServerTlsConfig unknown;
  unknown.certificates = {files(pki_->unknown)};
  Pair failed = handshake(client_context, server(unknown));
  ASSERT_TRUE(failed.client->failed());
  EXPECT_EQ(ERR_peek_error(), 0u);
  Pair good = handshake(client_context, server(serverConfig()));
  EXPECT_TRUE(good.pumped.ok()) << good.pumped.client_error << " / " << good.pumped.server_error;
  EXPECT_TRUE(good.client->lastError().empty());
}

}  // namespace
}  // namespace meshlb::tls
