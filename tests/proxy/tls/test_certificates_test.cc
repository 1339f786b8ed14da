#include "tests/proxy/tls/test_certificates.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace meshlb::testcerts {
namespace {

X509* readCertificate(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return nullptr;
  }
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return certificate;
}

// Verifies `leaf_file` against `ca_file` as a TLS server certificate for `host`.
int verify(const std::string& ca_file, const std::string& leaf_file, const std::string& host) {
  X509* ca = readCertificate(ca_file);
  X509* leaf = readCertificate(leaf_file);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  X509_STORE_CTX_init(context, store, leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  const int result = X509_verify_cert(context) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(context);
  X509_STORE_CTX_free(context);
  X509_STORE_free(store);
  X509_free(leaf);
  X509_free(ca);
  return result;
}

TEST(TestCertificatesTest, WritesCaAndLeafFilesThatVerify) {
  TestCertificateAuthority ca;
  ASSERT_TRUE(ca.ok()) << ca.error();
  std::optional<LeafFiles> leaf = ca.issueLeaf("a", {"a.example.com", "127.0.0.1"});
  ASSERT_TRUE(leaf) << ca.error();
  EXPECT_EQ(ca.caFile(), ca.directory() + "/ca.pem");
  EXPECT_EQ(leaf->cert_file, ca.directory() + "/a.pem");
  EXPECT_EQ(leaf->key_file, ca.directory() + "/a.key");
  EXPECT_EQ(verify(ca.caFile(), leaf->cert_file, "a.example.com"), X509_V_OK);
  EXPECT_EQ(verify(ca.caFile(), leaf->cert_file, "b.example.com"), X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST(TestCertificatesTest, KeyFilesArePrivate) {
  TestCertificateAuthority ca;
  std::optional<LeafFiles> leaf = ca.issueLeaf("a", {"a.example.com"});
  ASSERT_TRUE(leaf) << ca.error();
  struct stat info {};
  ASSERT_EQ(stat(leaf->key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(TestCertificatesTest, LeavesFromAnotherCaDoNotVerify) {
  TestCertificateAuthority ca;
  TestCertificateAuthority other("other CA");
  std::optional<LeafFiles> leaf = other.issueLeaf("a", {"a.example.com"});
  ASSERT_TRUE(leaf) << other.error();
  EXPECT_NE(ca.directory(), other.directory());
  EXPECT_NE(verify(ca.caFile(), leaf->cert_file, "a.example.com"), X509_V_OK);
}

TEST(TestCertificatesTest, ExpiredLeafIsRefused) {
  TestCertificateAuthority ca;
  std::optional<LeafFiles> leaf = ca.issueLeaf("old", {"a.example.com"}, {.expired = true});
  ASSERT_TRUE(leaf) << ca.error();
  EXPECT_EQ(verify(ca.caFile(), leaf->cert_file, "a.example.com"), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(TestCertificatesTest, DirectoryIsRemovedWithTheAuthority) {
  std::string directory;
  {
    TestCertificateAuthority ca;
    ASSERT_TRUE(ca.issueLeaf("a", {"a.example.com"})) << ca.error();
    directory = ca.directory();
    EXPECT_TRUE(std::filesystem::exists(directory));
  }
  EXPECT_FALSE(std::filesystem::exists(directory));
}

}  // namespace
}  // namespace meshlb::testcerts
