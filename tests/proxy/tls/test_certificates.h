#pragma once

// Certificates made at test time, so that no key is ever committed. Depends on OpenSSL and the
// standard library only, for use by any test binary (unit and integration tests alike).

#include <openssl/types.h>

#include <optional>
#include <string>
#include <vector>

namespace meshlb::testcerts {

// Paths of a PEM certificate and its PEM private key (mode 0600).
struct LeafFiles {
  std::string cert_file;
  std::string key_file;
};

struct LeafOptions {
  // Put the names in subjectAltName (DNS, or IP for address literals). Off: the first name is
  // only the subject's CN, for testing the CN fallback.
  bool subject_alt_name = true;
  // Valid from two days ago until yesterday.
  bool expired = false;
};

// A test certificate authority: an EC P-256 key and self-signed certificate, written as
// `ca.pem` into a fresh temporary directory that it removes (with everything it wrote) when
// destroyed. Leaves it issues are usable as server and as client certificates. Not thread-safe;
// owned by the test that made it. Failures are reported by ok()/error(), never by exceptions:
//   TestCertificateAuthority ca("test CA");
//   ASSERT_TRUE(ca.ok()) << ca.error();
//   std::optional<LeafFiles> leaf = ca.issueLeaf("a", {"a.example.com", "127.0.0.1"});
//   ASSERT_TRUE(leaf) << ca.error();
class TestCertificateAuthority {
 public:
  explicit TestCertificateAuthority(const std::string& common_name = "meshlb test CA");
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&) = delete;
  TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& directory() const { return directory_; }
  // The CA certificate, to trust in clients (`ca_file`).
  const std::string& caFile() const { return ca_file_; }

  // Issues a leaf certificate for `names` (DNS names or IP literals; the first is also the
  // subject CN), signed by this CA, written to `<stem>.pem` and `<stem>.key` in directory().
  // nullopt on failure, with the reason in error().
  std::optional<LeafFiles> issueLeaf(const std::string& stem, const std::vector<std::string>& names,
                                     const LeafOptions& options = {});

  // Writes `contents` to `name` in directory() with `mode`, returning the path ("" on failure).
  std::string writeFile(const std::string& name, const std::string& contents, unsigned mode);

 private:
  X509* makeCertificate(EVP_PKEY* key, const std::string& common_name, bool is_ca,
                        const std::vector<std::string>& names, const LeafOptions& options);

  std::string directory_;
  std::string ca_file_;
  std::string error_;
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_cert_ = nullptr;
  long next_serial_ = 1;
};

}  // namespace meshlb::testcerts
