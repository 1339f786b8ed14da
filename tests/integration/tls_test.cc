// TLS on the real binary, checked with the clients operators use (curl, openssl s_client):
// termination with TLS 1.3 and SNI, garbage instead of a ClientHello, and TLS towards upstreams
// (a second meshlb terminating TLS plays the backend) with verification of its certificate.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

#include "support/instances.h"
#include "tests/proxy/tls/test_certificates.h"

namespace meshlb::testing {
namespace {

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, n);
  }
  int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ca_.ok()) << ca_.error();
    auto a = ca_.issueLeaf("a", {"a.example.com", "127.0.0.1"});
    auto b = ca_.issueLeaf("b", {"*.b.example.com"});
    ASSERT_TRUE(a && b) << ca_.error();
    a_ = *a;
    b_ = *b;
  }

  nlohmann::json tlsListenerConfig(TestUpstream& upstream) {
    return {{"workers", 2},
            {"listeners",
             {{{"name", "tls"},
               {"routes", {{{"cluster", "app"}}}},
               {"tls",
                {{"certificates",
                  {{{"cert_file", a_.cert_file}, {"key_file", a_.key_file}},
                   {{"cert_file", b_.cert_file}, {"key_file", b_.key_file}}}}}}}}},
            {"clusters", {clusterOf("app", {&upstream})}}};
  }

  testcerts::TestCertificateAuthority ca_{"meshlb integration CA"};
  testcerts::LeafFiles a_;
  testcerts::LeafFiles b_;
};

TEST_F(TlsTest, CurlGetsAnAnswerOverTls13WithTheRightCertificate) {
  TestUpstream upstream("backend");
  Meshlb meshlb(tlsListenerConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::string port = std::to_string(meshlb.listenerPort(0));
  CommandResult curl = runCommand("curl -sv --tlsv1.3 --cacert " + ca_.caFile() +
                                  " --resolve a.example.com:" + port +
                                  ":127.0.0.1 https://a.example.com:" + port + "/echo");
  ASSERT_EQ(curl.code, 0) << curl.output;
  EXPECT_NE(curl.output.find("SSL connection using TLSv1.3"), std::string::npos) << curl.output;
  EXPECT_NE(curl.output.find("ALPN: server accepted http/1.1"), std::string::npos) << curl.output;
  EXPECT_NE(curl.output.find("X-Forwarded-Proto: https"), std::string::npos) << curl.output;
  EXPECT_EQ(meshlb.stats()["tls_handshakes_total"], 1);
}

TEST_F(TlsTest, TcpListenerTerminatesTlsToo) {
  TestUpstream upstream("backend");
  nlohmann::json config = tlsListenerConfig(upstream);
  config["listeners"][0].erase("routes");
  config["listeners"][0]["protocol"] = "tcp";
  config["listeners"][0]["cluster"] = "app";
  Meshlb meshlb(config);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::string port = std::to_string(meshlb.listenerPort(0));
  CommandResult curl =
      runCommand("curl -s --cacert " + ca_.caFile() + " --resolve a.example.com:" + port +
                 ":127.0.0.1 https://a.example.com:" + port + "/");
  ASSERT_EQ(curl.code, 0) << curl.output;
  EXPECT_EQ(curl.output, "backend\n");
  EXPECT_EQ(meshlb.stats()["tls_handshakes_total"], 1);
}

TEST_F(TlsTest, SniPicksTheCertificate) {
  TestUpstream upstream("backend");
  Meshlb meshlb(tlsListenerConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::string connect =
      "openssl s_client -connect 127.0.0.1:" + std::to_string(meshlb.listenerPort(0)) +
      " -CAfile " + ca_.caFile() + " </dev/null";
  CommandResult wildcard = runCommand(connect + " -servername x.b.example.com");
  EXPECT_NE(wildcard.output.find("CN = *.b.example.com"), std::string::npos) << wildcard.output;
  EXPECT_NE(wildcard.output.find("Verify return code: 0 (ok)"), std::string::npos);
  CommandResult exact = runCommand(connect + " -servername a.example.com");
  EXPECT_NE(exact.output.find("CN = a.example.com"), std::string::npos) << exact.output;
  CommandResult none = runCommand(connect + " -noservername");
  EXPECT_NE(none.output.find("CN = a.example.com"), std::string::npos)
      << "no SNI gets the first certificate\n"
      << none.output;
}

TEST_F(TlsTest, GarbageInsteadOfAClientHelloIsCountedAndClosed) {
  TestUpstream upstream("backend");
  Meshlb meshlb(tlsListenerConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(meshlb.stats()["tls_handshake_errors_total"], 1);
  EXPECT_EQ(upstream.requests(), 0u);
}

// A client stalled in the middle of its ClientHello, and one that never says anything, are closed
// at the listener's header timeout and counted as failed handshakes; a prompt client is served.
void expectStalledHandshakesClosed(const std::string& ca_file, Meshlb& meshlb,
                                   TestUpstream& upstream, int header_timeout_ms) {
  constexpr int kMarginMs = 4000;  // a loaded machine may run the timer late
  const auto timeout = std::chrono::milliseconds(header_timeout_ms + kMarginMs);
  RawClient stalled(meshlb.listenerPort(0), timeout);
  const auto start = std::chrono::steady_clock::now();
  // The first bytes of a handshake record that announces 512 bytes, then silence.
  ASSERT_TRUE(stalled.send(std::string("\x16\x03\x01\x02\x00\x01", 6)));
  RawClient silent(meshlb.listenerPort(0), timeout);
  EXPECT_TRUE(stalled.waitClosed());
  const long long stalled_ms = msSince(start);
  EXPECT_TRUE(silent.waitClosed());
  const long long silent_ms = msSince(start);
  std::cout << "stalled handshake closed after " << stalled_ms << " ms, silent client after "
            << silent_ms << " ms (header timeout " << header_timeout_ms << " ms)\n";
  EXPECT_GE(stalled_ms, header_timeout_ms - 100);
  EXPECT_LT(silent_ms, header_timeout_ms + kMarginMs);
  nlohmann::json stats = meshlb.stats();
  EXPECT_EQ(stats["tls_handshake_errors_total"], 2) << stats.dump();
  EXPECT_EQ(stats["tls_handshakes_total"], 0) << stats.dump();
  EXPECT_EQ(upstream.requests(), 0u);
  const std::string port = std::to_string(meshlb.listenerPort(0));
  CommandResult curl =
      runCommand("curl -sS --cacert " + ca_file + " --resolve a.example.com:" + port +
                 ":127.0.0.1 https://a.example.com:" + port + "/");
  EXPECT_EQ(curl.code, 0) << curl.output;
  EXPECT_EQ(curl.output, "backend\n");
}

TEST_F(TlsTest, StalledHandshakeIsClosedAtTheHeaderTimeout) {
  constexpr int kHeaderTimeoutMs = 1000;
  TestUpstream upstream("backend");
  nlohmann::json config = tlsListenerConfig(upstream);
  config["listeners"][0]["header_timeout_ms"] = kHeaderTimeoutMs;
  Meshlb meshlb(config);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  expectStalledHandshakesClosed(ca_.caFile(), meshlb, upstream, kHeaderTimeoutMs);
}

TEST_F(TlsTest, TcpListenerBoundsTheHandshakeByTheHeaderTimeoutToo) {
  constexpr int kHeaderTimeoutMs = 1000;
  TestUpstream upstream("backend");
  nlohmann::json config = tlsListenerConfig(upstream);
  config["listeners"][0].erase("routes");
  config["listeners"][0]["protocol"] = "tcp";
  config["listeners"][0]["cluster"] = "app";
  config["listeners"][0]["header_timeout_ms"] = kHeaderTimeoutMs;
  Meshlb meshlb(config);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  expectStalledHandshakesClosed(ca_.caFile(), meshlb, upstream, kHeaderTimeoutMs);
}

TEST_F(TlsTest, RenegotiationIsRefused) {
  TestUpstream upstream("backend");
  Meshlb meshlb(tlsListenerConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  // TLS 1.2 (1.3 has no renegotiation). s_client reads "R" on a line of its own as "renegotiate
  // now"; the request after it must not be answered over a renegotiated session.
  const std::string port = std::to_string(meshlb.listenerPort(0));
  CommandResult renegotiate = runCommand(
      "(sleep 1; echo R; sleep 1; printf 'GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n'; sleep 1) | "
      "openssl s_client -tls1_2 -connect 127.0.0.1:" +
      port + " -CAfile " + ca_.caFile() + " -servername a.example.com");
  EXPECT_NE(renegotiate.output.find("RENEGOTIATING"), std::string::npos) << renegotiate.output;
  EXPECT_NE(renegotiate.output.find("no renegotiation"), std::string::npos) << renegotiate.output;
  EXPECT_EQ(renegotiate.output.find("HTTP/1.1 200"), std::string::npos) << renegotiate.output;
  // meshlb is unharmed: a fresh TLS 1.2 connection is served.
  CommandResult fresh = runCommand(
      "(sleep 1; printf 'GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n'; "
      "sleep 1) | openssl s_client -tls1_2 -quiet -connect 127.0.0.1:" +
      port + " -CAfile " + ca_.caFile() + " -servername a.example.com");
  EXPECT_NE(fresh.output.find("HTTP/1.1 200"), std::string::npos) << fresh.output;
}

TEST_F(TlsTest, UpstreamTlsIsVerifiedAndAnUnknownCaIsRefused) {
  TestUpstream upstream("backend");
  Meshlb tls_backend(tlsListenerConfig(upstream));  // plays a TLS backend
  ASSERT_TRUE(tls_backend.ready()) << tls_backend.stderrLog();
  std::string backend_address = "127.0.0.1:" + std::to_string(tls_backend.listenerPort(0));

  nlohmann::json cluster = {{"name", "secure"},
                            {"hosts", {{{"address", backend_address}}}},
                            {"tls", {{"sni", "a.example.com"}, {"ca_file", ca_.caFile()}}}};
  Meshlb front({{"workers", 1},
                {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "secure"}}}}}}},
                {"clusters", {cluster}}});
  ASSERT_TRUE(front.ready()) << front.stderrLog();
  auto response = httpGet(front.listenerPort(0), "/echo");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("x-upstream-name"), "backend");
  EXPECT_NE(response->body.find("X-Forwarded-Proto: https"), std::string::npos)
      << "the request crossed the TLS hop\n"
      << response->body;

  testcerts::TestCertificateAuthority stranger("unknown CA");
  ASSERT_TRUE(stranger.ok());
  cluster["tls"]["ca_file"] = stranger.caFile();
  Meshlb distrustful({{"workers", 1},
                      {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "secure"}}}}}}},
                      {"clusters", {cluster}}});
  ASSERT_TRUE(distrustful.ready()) << distrustful.stderrLog();
  auto refused = httpGet(distrustful.listenerPort(0), "/");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 502);
  EXPECT_EQ(distrustful.stats()["upstream_tls_handshake_errors_total"], 1);
  EXPECT_NE(distrustful.stderrLog().find("certificate verif"), std::string::npos)
      << distrustful.stderrLog();
}

TEST_F(TlsTest, KeyFileReadableByOthersIsWarnedAbout) {
  TestUpstream upstream("backend");
  chmod(a_.key_file.c_str(), 0644);
  Meshlb meshlb(tlsListenerConfig(upstream));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  EXPECT_NE(meshlb.stderrLog().find(a_.key_file), std::string::npos) << meshlb.stderrLog();
}

}  // namespace
}  // namespace meshlb::testing
