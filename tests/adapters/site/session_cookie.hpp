#pragma once
// The sign-in cookie that web.token "s3cret-token" gives, for the tests of the access policy
// (tests/adapters/site) and of signing in through the pages (tests/adapters/web).

#include <string_view>

namespace scribe::test_support {

// HMAC-SHA256("s3cret-token", "scribe web session"), from `openssl dgst -sha256 -hmac`.
inline constexpr std::string_view session_for_token =
    "3bf25dc705223cc749e6120e4305d5bf73e4134798af4592cda61b0ba09949d8";

}  // namespace scribe::test_support
