#include "tests/support/tls.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <string_view>

namespace scribe::test_support {

namespace {

struct evp_pkey_ctx_deleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct bignum_deleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct bio_deleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

[[noreturn]] void fail(std::string_view what) {
  const unsigned long code = ERR_get_error();
  std::string message = "test TLS: " + std::string(what);
  if (code != 0) {
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof text);
    message += ": ";
    message += text;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

void check(long ok, std::string_view what) {
  if (ok != 1) fail(what);
}

evp_pkey_ptr make_p256_key() {
  std::unique_ptr<EVP_PKEY_CTX, evp_pkey_ctx_deleter> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx) fail("EVP_PKEY_CTX_new_from_name");
  check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
  check(EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256"), "EVP_PKEY_CTX_set_group_name");
  EVP_PKEY* key = nullptr;
  check(EVP_PKEY_generate(ctx.get(), &key), "EVP_PKEY_generate");
  return evp_pkey_ptr(key);
}

// A random positive serial: verifiers reject two certificates with one issuer and one serial.
void set_random_serial(X509* cert) {
  std::unique_ptr<BIGNUM, bignum_deleter> serial(BN_new());
  if (!serial) fail("BN_new");
  check(BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    fail("BN_to_ASN1_INTEGER");
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("X509V3_EXT_conf_nid " + value);
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(added, "X509_add_ext");
}

// A v3 certificate for `key` named `common_name`, not yet signed. Valid from an hour ago, so that
// it is never "not yet valid" when a test runs within the second it was made, for a day.
x509_ptr new_certificate(EVP_PKEY* key, const std::string& common_name) {
  x509_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  set_random_serial(cert.get());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) == nullptr) {
    fail("X509_gmtime_adj");
  }
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0),
        "X509_NAME_add_entry_by_txt");
  return cert;
}

}  // namespace

test_ca::test_ca() : key_(make_p256_key()) {
  cert_ = new_certificate(key_.get(), "Scribe test CA");
  check(X509_set_issuer_name(cert_.get(), X509_get_subject_name(cert_.get())),
        "X509_set_issuer_name");
  add_extension(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert_.get(), key_.get(), EVP_sha256()) <= 0) fail("X509_sign CA");
}

std::filesystem::path test_ca::write_ca_file(const std::filesystem::path& dir) const {
  const auto path = dir / "ca.pem";
  std::unique_ptr<BIO, bio_deleter> file(BIO_new_file(path.c_str(), "w"));
  if (!file) fail("cannot write " + path.string());
  check(PEM_write_bio_X509(file.get(), cert_.get()), "PEM_write_bio_X509");
  return path;
}

boost::asio::ssl::context test_ca::server_context(const certificate_names& names) const {
  const auto key = make_p256_key();
  const std::string common_name = names.dns.empty() ? names.ip.at(0) : names.dns.front();
  auto cert = new_certificate(key.get(), common_name);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get())),
        "X509_set_issuer_name");
  // Verifiers match names against subjectAltName only (RFC 6125), never the common name.
  std::string alt_names;
  for (const auto& dns : names.dns) alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : names.ip) alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
  add_extension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), cert_.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), cert_.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
  if (!alt_names.empty()) {
    add_extension(cert.get(), cert_.get(), NID_subject_alt_name, alt_names);
  }
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) fail("X509_sign server");

  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
  check(SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION),
        "SSL_CTX_set_min_proto_version");
  check(SSL_CTX_use_certificate(ctx.native_handle(), cert.get()), "SSL_CTX_use_certificate");
  check(SSL_CTX_use_PrivateKey(ctx.native_handle(), key.get()), "SSL_CTX_use_PrivateKey");
  check(SSL_CTX_check_private_key(ctx.native_handle()), "SSL_CTX_check_private_key");
  return ctx;
}

}  // namespace scribe::test_support
