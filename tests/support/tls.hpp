#pragma once
// A throwaway certificate authority made at test time, and TLS server contexts with certificates
// it issues, so that TLS tests need no files in the repository and no outside network.
//
// Keys are EC P-256; certificates are valid from an hour ago for a day. Not thread-safe: create
// and use from the test's thread (the contexts it returns may then be used from any thread).

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace scribe::test_support {

struct evp_pkey_deleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct x509_deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

// What a server certificate is issued for.
struct certificate_names {
  std::vector<std::string> dns{"localhost"};
  std::vector<std::string> ip{"127.0.0.1"};
};

class test_ca {
 public:
  // A new CA key and self-signed CA certificate ("Scribe test CA"). Throws std::runtime_error if
  // OpenSSL fails.
  test_ca();

  // Writes the CA certificate as PEM to `dir`/ca.pem (what a client's ca_file names) and returns
  // that path. Throws std::runtime_error if the file cannot be written.
  std::filesystem::path write_ca_file(const std::filesystem::path& dir) const;

  // A TLS server context (TLS 1.2 and up) with a new key and a certificate this CA issued for
  // `names` as subjectAltNames. Throws std::runtime_error if OpenSSL fails.
  boost::asio::ssl::context server_context(const certificate_names& names = {}) const;

 private:
  evp_pkey_ptr key_;
  x509_ptr cert_;
};

}  // namespace scribe::test_support
