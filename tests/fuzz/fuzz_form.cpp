// application/x-www-form-urlencoded bodies, query strings and Content-Type values
// (adapters/http/form.hpp): everything a Slack slash command or interactivity request and every
// ?query sends through parse_form() before Scribe reads a field.

#include "adapters/http/form.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "text/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace fuzz = scribe::fuzz;
namespace http = scribe::http;

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void check_form(std::string_view body) {
  const auto form = http::parse_form(body);
  if (!form) return;
  for (const auto& [name, value] : form->entries) {
    // parse_form promises text that can go into JSON and the timeline.
    SCRIBE_FUZZ_CHECK(scribe::text::is_valid_utf8(name));
    SCRIBE_FUZZ_CHECK(scribe::text::is_valid_utf8(value));
    SCRIBE_FUZZ_CHECK(form->count(name) >= 1);
  }
  if (!form->entries.empty()) {
    const auto& [name, value] = form->entries.front();
    SCRIBE_FUZZ_CHECK(form->get(name) == std::string_view(value));
  }
}

void check_percent_coding(std::string_view text) {
  const std::string encoded = http::percent_encode(text);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      i += 2;
    } else {
      SCRIBE_FUZZ_CHECK(is_unreserved(encoded[i]));
    }
  }
  // Encoding then decoding gives the bytes back, whichever meaning '+' has.
  SCRIBE_FUZZ_CHECK(http::percent_decode(encoded, true) == std::string(text));
  SCRIBE_FUZZ_CHECK(http::percent_decode(encoded, false) == std::string(text));
  // Only a '%' can make decoding fail.
  if (text.find('%') == std::string_view::npos) {
    SCRIBE_FUZZ_CHECK(http::percent_decode(text, false) == std::string(text));
  }
}

void check_utf8_repair(std::string_view text) {
  const std::string repaired = http::replace_invalid_utf8(text);
  SCRIBE_FUZZ_CHECK(scribe::text::is_valid_utf8(repaired));
  SCRIBE_FUZZ_CHECK(http::replace_invalid_utf8(repaired) == repaired);
  if (scribe::text::is_valid_utf8(text)) SCRIBE_FUZZ_CHECK(repaired == text);
}

// What Scribe sends must read back as sent (after the UTF-8 repair parse_form applies).
void check_encode_form(std::string_view text) {
  const auto newline = text.find('\n');
  const std::string name(text.substr(0, newline));
  const std::string value(newline == std::string_view::npos ? "" : text.substr(newline + 1));
  const auto form = http::parse_form(http::encode_form({{name, value}}));
  SCRIBE_FUZZ_CHECK(form.has_value());
  SCRIBE_FUZZ_CHECK(form->entries.size() == 1);
  SCRIBE_FUZZ_CHECK(form->entries.front().first == http::replace_invalid_utf8(name));
  SCRIBE_FUZZ_CHECK(form->entries.front().second == http::replace_invalid_utf8(value));
}

void check_query(std::string_view target) {
  const auto query = http::parse_query(target);
  if (target.find('?') == std::string_view::npos) {
    SCRIBE_FUZZ_CHECK(query.has_value() && query->entries.empty());
  }
  const std::string token = http::query_value(target, "access_token");
  if (query) {
    SCRIBE_FUZZ_CHECK(token == query->get("access_token").value_or(""));
  } else {
    SCRIBE_FUZZ_CHECK(token.empty());
  }
}

void check_media_type(std::string_view header) {
  const bool form_type = http::is_media_type(header, "application/x-www-form-urlencoded");
  const bool json_type = http::is_media_type(header, "application/json");
  SCRIBE_FUZZ_CHECK(!(form_type && json_type));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  check_form(text);
  check_percent_coding(text);
  check_utf8_repair(text);
  check_encode_form(text);
  check_query(text);
  check_media_type(text);
  return 0;
}
