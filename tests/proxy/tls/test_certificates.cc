#include "tests/proxy/tls/test_certificates.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace meshlb::testcerts {

namespace {

std::string openSslReason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "unknown OpenSSL error";
  }
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  return buffer;
}

bool isIpLiteral(const std::string& name) {
  in6_addr address{};
  return inet_pton(AF_INET, name.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, name.c_str(), &address) == 1;
}

bool addExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) {
    return false;
  }
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

template <typename WriteFn>
std::string toPem(WriteFn write) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) {
    return {};
  }
  std::string pem;
  if (write(bio) == 1) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(length));
  }
  BIO_free(bio);
  return pem;
}

std::string certificatePem(X509* certificate) {
  return toPem([certificate](BIO* bio) { return PEM_write_bio_X509(bio, certificate); });
}

std::string keyPem(EVP_PKEY* key) {
  return toPem([key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority(const std::string& common_name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/meshlb-certs-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    error_ = "mkdtemp " + pattern + ": " + std::strerror(errno);
    return;
  }
  directory_ = pattern;
  ca_key_ = EVP_EC_gen("P-256");
  if (ca_key_ == nullptr) {
    error_ = "cannot generate the CA key: " + openSslReason();
    return;
  }
  ca_cert_ = makeCertificate(ca_key_, common_name, true, {}, {});
  if (ca_cert_ == nullptr) {
    return;
  }
  ca_file_ = writeFile("ca.pem", certificatePem(ca_cert_), 0644);
}

TestCertificateAuthority::~TestCertificateAuthority() {
  X509_free(ca_cert_);
  EVP_PKEY_free(ca_key_);
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

std::optional<LeafFiles> TestCertificateAuthority::issueLeaf(const std::string& stem,
                                                             const std::vector<std::string>& names,
                                                             const LeafOptions& options) {
  if (!ok()) {
    return std::nullopt;
  }
  if (names.empty()) {
    error_ = "issueLeaf needs at least one name";
    return std::nullopt;
  }
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) {
    error_ = "cannot generate a leaf key: " + openSslReason();
    return std::nullopt;
  }
  X509* certificate = makeCertificate(key, names.front(), false, names, options);
  std::optional<LeafFiles> files;
  if (certificate != nullptr) {
    LeafFiles written{writeFile(stem + ".pem", certificatePem(certificate), 0644),
                      writeFile(stem + ".key", keyPem(key), 0600)};
    if (ok()) {
      files = std::move(written);
    }
  }
  X509_free(certificate);
  EVP_PKEY_free(key);
  return files;
}

std::string TestCertificateAuthority::writeFile(const std::string& name,
                                                const std::string& contents, unsigned mode) {
  if (contents.empty()) {
    error_ = "nothing to write to " + name + ": " + openSslReason();
    return {};
  }
  const std::string path = directory_ + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    error_ = "open " + path + ": " + std::strerror(errno);
    return {};
  }
  // The umask may have removed bits the caller asked for, or open() kept an old file's mode.
  bool written = ::fchmod(fd, mode) == 0;
  for (size_t offset = 0; written && offset < contents.size();) {
    const ssize_t n = ::write(fd, contents.data() + offset, contents.size() - offset);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    written = n > 0;
    offset += written ? static_cast<size_t>(n) : 0;
  }
  if (!written) {
    error_ = "write " + path + ": " + std::strerror(errno);
  }
  ::close(fd);
  return written ? path : std::string();
}

X509* TestCertificateAuthority::makeCertificate(EVP_PKEY* key, const std::string& common_name,
                                                bool is_ca, const std::vector<std::string>& names,
                                                const LeafOptions& options) {
  X509* certificate = X509_new();
  bool built = certificate != nullptr && X509_set_version(certificate, X509_VERSION_3) == 1;
  // A random positive 64-bit serial: certificates from different runs never collide.
  unsigned char serial[8];
  BIGNUM* serial_number = nullptr;
  if (built && RAND_bytes(serial, sizeof(serial)) == 1) {
    serial[0] &= 0x7f;
    serial_number = BN_bin2bn(serial, sizeof(serial), nullptr);
  }
  built = built && serial_number != nullptr &&
          BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(certificate)) != nullptr;
  BN_free(serial_number);
  const long day = 24 * 60 * 60;
  const long not_before = options.expired ? -2 * day : -60 * 60;
  const long not_after = options.expired ? -day : 30 * day;
  built = built && X509_gmtime_adj(X509_getm_notBefore(certificate), not_before) != nullptr &&
          X509_gmtime_adj(X509_getm_notAfter(certificate), not_after) != nullptr &&
          X509_set_pubkey(certificate, key) == 1;
  X509_NAME* subject = built ? X509_get_subject_name(certificate) : nullptr;
  built = built &&
          X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("meshlb tests"), -1, -1,
                                     0) == 1 &&
          X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0) == 1;
  X509* issuer = is_ca ? certificate : ca_cert_;
  built = built && X509_set_issuer_name(certificate, X509_get_subject_name(issuer)) == 1;
  if (is_ca) {
    built = built && addExtension(certificate, issuer, NID_basic_constraints, "critical,CA:TRUE") &&
            addExtension(certificate, issuer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
            addExtension(certificate, issuer, NID_subject_key_identifier, "hash");
  } else {
    std::string alt_names;
    for (const std::string& name : names) {
      alt_names += alt_names.empty() ? "" : ",";
      alt_names += (isIpLiteral(name) ? "IP:" : "DNS:") + name;
    }
    built = built && addExtension(certificate, issuer, NID_basic_constraints, "CA:FALSE") &&
            addExtension(certificate, issuer, NID_key_usage, "critical,digitalSignature") &&
            addExtension(certificate, issuer, NID_ext_key_usage, "serverAuth,clientAuth") &&
            addExtension(certificate, issuer, NID_subject_key_identifier, "hash") &&
            addExtension(certificate, issuer, NID_authority_key_identifier, "keyid:always") &&
            (!options.subject_alt_name ||
             addExtension(certificate, issuer, NID_subject_alt_name, alt_names));
  }
  EVP_PKEY* signer = is_ca ? key : ca_key_;
  built = built && X509_sign(certificate, signer, EVP_sha256()) > 0;
  if (!built) {
    error_ = "cannot build the certificate for '" + common_name + "': " + openSslReason();
    X509_free(certificate);
    return nullptr;
  }
  return certificate;
}

}  // namespace meshlb::testcerts
