#include "proxy/tls/tls_context.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>
#include <string>

#include "tests/proxy/tls/test_certificates.h"

namespace meshlb::tls {
namespace {

using testcerts::LeafFiles;
using testcerts::LeafOptions;
using testcerts::TestCertificateAuthority;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ca_.ok()) << ca_.error();
    std::optional<LeafFiles> fallback = ca_.issueLeaf("default", {"default.example.com"});
    std::optional<LeafFiles> a = ca_.issueLeaf("a", {"a.example.com", "A2.Example.COM"});
    std::optional<LeafFiles> b = ca_.issueLeaf("b", {"*.b.example.com"});
    std::optional<LeafFiles> exact = ca_.issueLeaf("exact", {"exact.b.example.com"});
    ASSERT_TRUE(fallback && a && b && exact) << ca_.error();
    default_ = {fallback->cert_file, fallback->key_file};
    a_ = {a->cert_file, a->key_file};
    b_ = {b->cert_file, b->key_file};
    exact_ = {exact->cert_file, exact->key_file};
  }

  std::shared_ptr<TlsContext> makeServer(std::vector<CertificateFiles> certificates) {
    ServerTlsConfig config;
    config.certificates = std::move(certificates);
    Result<std::shared_ptr<TlsContext>> context = TlsContext::makeServer(config);
    EXPECT_TRUE(context.ok()) << context.error().message;
    return context.ok() ? *context : nullptr;
  }

  std::string serverError(const ServerTlsConfig& config) {
    Result<std::shared_ptr<TlsContext>> context = TlsContext::makeServer(config);
    return context.ok() ? std::string("(no error)") : context.error().message;
  }

  std::string clientError(const ClientTlsConfig& config) {
    Result<std::shared_ptr<TlsContext>> context = TlsContext::makeClient(config);
    return context.ok() ? std::string("(no error)") : context.error().message;
  }

  TestCertificateAuthority ca_;
  CertificateFiles default_, a_, b_, exact_;
};

TEST_F(TlsContextTest, ServerBuildsWithDefaults) {
  std::shared_ptr<TlsContext> context = makeServer({default_});
  ASSERT_NE(context, nullptr);
  EXPECT_TRUE(context->isServer());
  EXPECT_EQ(context->certificateCount(), 1u);
  EXPECT_EQ(context->certificateNames(0), std::vector<std::string>{"default.example.com"});
}

TEST_F(TlsContextTest, CertificateNamesComeFromSubjectAltNameInLowerCase) {
  std::shared_ptr<TlsContext> context = makeServer({default_, a_});
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificateNames(1),
            (std::vector<std::string>{"a.example.com", "a2.example.com"}));
}

TEST_F(TlsContextTest, ServerNameSelectsCertificate) {
  std::shared_ptr<TlsContext> context = makeServer({default_, a_, b_, exact_});
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificateIndexFor("a.example.com"), 1u);
  EXPECT_EQ(context->certificateIndexFor("A.EXAMPLE.com"), 1u);
  EXPECT_EQ(context->certificateIndexFor("a.example.com."), 1u);
  EXPECT_EQ(context->certificateIndexFor("a2.example.com"), 1u);
  EXPECT_EQ(context->certificateIndexFor("default.example.com"), 0u);
  EXPECT_EQ(context->certificateIndexFor(""), 0u);
  EXPECT_EQ(context->certificateIndexFor("unknown.example.com"), 0u);
}

TEST_F(TlsContextTest, WildcardMatchesExactlyOneLabel) {
  std::shared_ptr<TlsContext> context = makeServer({default_, a_, b_, exact_});
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificateIndexFor("x.b.example.com"), 2u);
  EXPECT_EQ(context->certificateIndexFor("X.B.Example.Com"), 2u);
  EXPECT_EQ(context->certificateIndexFor("b.example.com"), 0u);
  EXPECT_EQ(context->certificateIndexFor("y.x.b.example.com"), 0u);
  EXPECT_EQ(context->certificateIndexFor(".b.example.com"), 0u);
}

TEST_F(TlsContextTest, ExactNameWinsOverWildcard) {
  std::shared_ptr<TlsContext> context = makeServer({default_, b_, exact_});
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificateIndexFor("exact.b.example.com"), 2u);
  EXPECT_EQ(context->certificateIndexFor("other.b.example.com"), 1u);
}

TEST_F(TlsContextTest, FirstCertificateWinsForTheSameName) {
  std::optional<LeafFiles> again = ca_.issueLeaf("a-again", {"a.example.com"});
  ASSERT_TRUE(again) << ca_.error();
  std::shared_ptr<TlsContext> context =
      makeServer({default_, a_, {again->cert_file, again->key_file}});
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificateIndexFor("a.example.com"), 1u);
}

TEST_F(TlsContextTest, CommonNameIsUsedWithoutSubjectAltName) {
  std::optional<LeafFiles> cn_only =
      ca_.issueLeaf("cn", {"CN.example.com"}, LeafOptions{.subject_alt_name = false});
  ASSERT_TRUE(cn_only) << ca_.error();
  std::shared_ptr<TlsContext> context =
      makeServer({default_, {cn_only->cert_file, cn_only->key_file}});
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->certificateNames(1), std::vector<std::string>{"cn.example.com"});
  EXPECT_EQ(context->certificateIndexFor("cn.example.com"), 1u);
}

TEST_F(TlsContextTest, KeyCertificateMismatchNamesBothFilesAndTheReason) {
  ServerTlsConfig config;
  config.certificates = {{a_.cert_file, b_.key_file}};
  const std::string error = serverError(config);
  EXPECT_NE(error.find(b_.key_file), std::string::npos) << error;
  EXPECT_NE(error.find(a_.cert_file), std::string::npos) << error;
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
}

TEST_F(TlsContextTest, MismatchInALaterCertificateIsReported) {
  ServerTlsConfig config;
  config.certificates = {default_, {a_.cert_file, b_.key_file}};
  const std::string error = serverError(config);
  EXPECT_NE(error.find(b_.key_file), std::string::npos) << error;
}

TEST_F(TlsContextTest, MissingCertificateFileIsNamed) {
  ServerTlsConfig config;
  config.certificates = {{ca_.directory() + "/missing.pem", a_.key_file}};
  const std::string error = serverError(config);
  EXPECT_NE(error.find(ca_.directory() + "/missing.pem"), std::string::npos) << error;
  EXPECT_NE(error.find("certificate"), std::string::npos) << error;
}

TEST_F(TlsContextTest, MissingKeyFileIsNamed) {
  ServerTlsConfig config;
  config.certificates = {{a_.cert_file, ca_.directory() + "/missing.key"}};
  const std::string error = serverError(config);
  EXPECT_NE(error.find(ca_.directory() + "/missing.key"), std::string::npos) << error;
  EXPECT_NE(error.find("private key"), std::string::npos) << error;
}

TEST_F(TlsContextTest, GarbageCertificateFileIsNamed) {
  const std::string garbage = ca_.writeFile("garbage.pem", "not a certificate\n", 0644);
  ASSERT_FALSE(garbage.empty()) << ca_.error();
  ServerTlsConfig config;
  config.certificates = {{garbage, a_.key_file}};
  const std::string error = serverError(config);
  EXPECT_NE(error.find(garbage), std::string::npos) << error;
}

TEST_F(TlsContextTest, ServerNeedsACertificate) {
  EXPECT_NE(serverError(ServerTlsConfig{}).find("at least one certificate"), std::string::npos);
}

TEST_F(TlsContextTest, InvalidVersionsAreRefused) {
  ServerTlsConfig server;
  server.certificates = {default_};
  server.min_version = "1.1";
  EXPECT_NE(serverError(server).find("'1.1'"), std::string::npos) << serverError(server);
  server.min_version = "1.3";
  server.max_version = "1.2";
  EXPECT_NE(serverError(server).find("below"), std::string::npos) << serverError(server);
  ClientTlsConfig client;
  client.verify = false;
  client.min_version = "TLSv1.0";
  EXPECT_NE(clientError(client).find("'TLSv1.0'"), std::string::npos) << clientError(client);
}

TEST_F(TlsContextTest, InvalidAlpnIsRefused) {
  ServerTlsConfig server;
  server.certificates = {default_};
  server.alpn = {"http/1.1", ""};
  EXPECT_NE(serverError(server).find("ALPN"), std::string::npos) << serverError(server);
  ClientTlsConfig client;
  client.verify = false;
  client.alpn = {std::string(256, 'x')};
  EXPECT_NE(clientError(client).find("ALPN"), std::string::npos) << clientError(client);
}

TEST_F(TlsContextTest, ClientBuildsWithCaFileOrSystemStore) {
  ClientTlsConfig config;
  config.sni = "a.example.com";
  config.ca_file = ca_.caFile();
  Result<std::shared_ptr<TlsContext>> with_ca = TlsContext::makeClient(config);
  ASSERT_TRUE(with_ca.ok()) << with_ca.error().message;
  EXPECT_FALSE((*with_ca)->isServer());
  EXPECT_TRUE((*with_ca)->verifiesPeer());
  EXPECT_EQ((*with_ca)->clientServerName(), "a.example.com");
  config.ca_file.clear();
  Result<std::shared_ptr<TlsContext>> system = TlsContext::makeClient(config);
  EXPECT_TRUE(system.ok()) << system.error().message;
}

TEST_F(TlsContextTest, MissingCaFileIsNamed) {
  ClientTlsConfig config;
  config.ca_file = ca_.directory() + "/missing-ca.pem";
  const std::string error = clientError(config);
  EXPECT_NE(error.find(config.ca_file), std::string::npos) << error;
}

TEST_F(TlsContextTest, ClientCertificateIsLoadedAndChecked) {
  ClientTlsConfig config;
  config.ca_file = ca_.caFile();
  config.cert_file = a_.cert_file;
  config.key_file = a_.key_file;
  EXPECT_EQ(clientError(config), "(no error)");
  config.key_file = b_.key_file;
  const std::string mismatch = clientError(config);
  EXPECT_NE(mismatch.find(b_.key_file), std::string::npos) << mismatch;
  config.key_file.clear();
  EXPECT_NE(clientError(config).find("both"), std::string::npos) << clientError(config);
}

TEST_F(TlsContextTest, KeyFilePermissionWarning) {
  ASSERT_EQ(chmod(a_.key_file.c_str(), 0600), 0);
  EXPECT_EQ(TlsContext::keyFilePermissionWarning(a_.key_file), std::nullopt);
  ASSERT_EQ(chmod(a_.key_file.c_str(), 0400), 0);
  EXPECT_EQ(TlsContext::keyFilePermissionWarning(a_.key_file), std::nullopt);

  ASSERT_EQ(chmod(a_.key_file.c_str(), 0644), 0);
  std::optional<std::string> readable = TlsContext::keyFilePermissionWarning(a_.key_file);
  ASSERT_TRUE(readable);
  EXPECT_NE(readable->find(a_.key_file), std::string::npos) << *readable;
  EXPECT_NE(readable->find("0644"), std::string::npos) << *readable;

  ASSERT_EQ(chmod(a_.key_file.c_str(), 0620), 0);
  EXPECT_TRUE(TlsContext::keyFilePermissionWarning(a_.key_file));
  ASSERT_EQ(chmod(a_.key_file.c_str(), 0602), 0);
  EXPECT_TRUE(TlsContext::keyFilePermissionWarning(a_.key_file));
  // Missing files are reported by loading, not here.
  EXPECT_EQ(TlsContext::keyFilePermissionWarning(ca_.directory() + "/missing.key"), std::nullopt);
}

}  // namespace
}  // namespace meshlb::tls
