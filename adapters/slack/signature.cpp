#include "adapters/slack/signature.hpp"
#include "adapters/http/error.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>

namespace scribe::slack {
namespace {

constexpr std::string_view version_prefix = "v0=";
constexpr std::size_t digest_size = 32;  // SHA-256
constexpr std::size_t signature_size = version_prefix.size() + 2 * digest_size;
// 18 digits always fit in std::int64_t; a real timestamp has 10.
constexpr std::size_t max_timestamp_digits = 18;

struct mac_deleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// Fetched once: an EVP_MAC is immutable and may be shared between threads (OpenSSL 3
// "Threads" man page); each call gets its own context.
EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, mac_deleter> mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  if (!mac) throw std::runtime_error("OpenSSL has no HMAC");
  return mac.get();
}

void update(EVP_MAC_CTX* ctx, std::string_view bytes) {
  if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) !=
      1) {
    throw std::runtime_error("HMAC update failed");
  }
}

// HMAC-SHA256 over the base string "v0:" + ts + ":" + body, fed in pieces so the body (which can
// be large) is never copied.
std::array<unsigned char, digest_size> base_string_hmac(std::string_view secret,
                                                        std::string_view timestamp,
                                                        std::string_view body) {
  const std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx{EVP_MAC_CTX_new(hmac_algorithm())};
  if (!ctx) throw std::runtime_error("HMAC context allocation failed");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  // A non-null key pointer even for an empty secret: OpenSSL reads a null key as "keep the old".
  static constexpr unsigned char no_key = 0;
  const auto* key =
      secret.empty() ? &no_key : reinterpret_cast<const unsigned char*>(secret.data());
  if (EVP_MAC_init(ctx.get(), key, secret.size(), params) != 1) {
    throw std::runtime_error("HMAC init failed");
  }
  update(ctx.get(), "v0:");
  update(ctx.get(), timestamp);
  update(ctx.get(), ":");
  update(ctx.get(), body);
  std::array<unsigned char, digest_size> digest{};
  std::size_t written = 0;
  if (EVP_MAC_final(ctx.get(), digest.data(), &written, digest.size()) != 1 ||
      written != digest.size()) {
    throw std::runtime_error("HMAC final failed");
  }
  return digest;
}

std::string signature_string(const std::array<unsigned char, digest_size>& digest) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out{version_prefix};
  out.reserve(signature_size);
  for (unsigned char byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 0x0F];
  }
  return out;
}

// Seconds since the epoch, or nullopt for anything but 1 to 18 ASCII digits (std::from_chars
// alone would accept a leading '-').
std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  if (text.empty() || text.size() > max_timestamp_digits) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool within_window(std::int64_t ts, std::chrono::system_clock::time_point now) {
  const std::int64_t now_s =
      std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  // |ts - now_s| computed in unsigned arithmetic: the true distance of two int64 values always
  // fits in uint64, and modular subtraction gives it exactly, with no signed overflow.
  const auto uts = static_cast<std::uint64_t>(ts);
  const auto unow = static_cast<std::uint64_t>(now_s);
  const std::uint64_t distance = ts >= now_s ? uts - unow : unow - uts;
  return distance <= static_cast<std::uint64_t>(signature_max_skew.count());
}

}  // namespace

bot::result<void> verify_signature(std::string_view signing_secret,
                                   std::string_view timestamp_header,
                                   std::string_view signature_header, std::string_view raw_body,
                                   std::chrono::system_clock::time_point now) {
  if (timestamp_header.empty() || signature_header.empty()) return http::errc::unsigned_request;
  const auto ts = parse_timestamp(timestamp_header);
  if (!ts || !within_window(*ts, now)) return http::errc::stale_request;
  if (signing_secret.empty()) return http::errc::bad_signature;
  if (signature_header.size() != signature_size || !signature_header.starts_with(version_prefix)) {
    return http::errc::bad_signature;
  }
  const std::string expected =
      signature_string(base_string_hmac(signing_secret, timestamp_header, raw_body));
  // Equal lengths were checked above, so CRYPTO_memcmp reads within both buffers.
  if (CRYPTO_memcmp(expected.data(), signature_header.data(), expected.size()) != 0) {
    return http::errc::bad_signature;
  }
  return {};
}

std::string sign(std::string_view signing_secret, std::string_view timestamp,
                 std::string_view body) {
  return signature_string(base_string_hmac(signing_secret, timestamp, body));
}

}  // namespace scribe::slack
