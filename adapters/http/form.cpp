#include "adapters/http/form.hpp"
#include "adapters/http/error.hpp"

#include "text/text.hpp"

namespace scribe::http {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

result<std::string> form_decode(std::string_view in) {
  auto out = percent_decode(in, true);
  if (!out) return http::errc::malformed_request;
  if (!text::is_valid_utf8(*out)) return replace_invalid_utf8(*out);
  return std::move(*out);
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

std::string_view strip_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (in.size() - i < 3) return std::nullopt;
      const int high = hex_digit(in[i + 1]);
      const int low = hex_digit(in[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string percent_encode(std::string_view in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    }
  }
  return out;
}

std::string encode_form(const form_pairs& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    out += percent_encode(key) + '=' + percent_encode(value);
  }
  return out;
}

std::optional<std::string_view> form_fields::get(std::string_view name) const {
  for (const auto& [key, value] : entries) {
    if (key == name) return std::string_view{value};
  }
  return std::nullopt;
}

std::size_t form_fields::count(std::string_view name) const {
  std::size_t n = 0;
  for (const auto& entry : entries) {
    if (entry.first == name) ++n;
  }
  return n;
}

result<form_fields> parse_form(std::string_view body) {
  form_fields form;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = form_decode(pair.substr(0, eq));
    if (!name) return name.error();
    auto value =
        form_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!value) return value.error();
    form.entries.emplace_back(std::move(*name), std::move(*value));
  }
  return form;
}

bool is_media_type(std::string_view content_type_header, std::string_view media_type) {
  const auto semicolon = content_type_header.find(';');
  return text::iequals(strip_ows(content_type_header.substr(0, semicolon)), media_type);
}

result<form_fields> parse_query(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return form_fields{};
  return parse_form(target.substr(question + 1));
}

std::string query_value(std::string_view target, std::string_view name) {
  const auto query = parse_query(target);
  return query ? std::string(query->get(name).value_or("")) : std::string();
}

std::string replace_invalid_utf8(std::string_view text) {
  // The WHATWG Encoding standard's UTF-8 decoder, which replaces each maximal subpart of an
  // ill-formed sequence (Unicode 15, 3.9 "U+FFFD Substitution of Maximal Subparts").
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t needed = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (lead < 0x80) {
      out += text[i++];
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      if (lead == 0xE0) lower = 0xA0;  // overlong
      if (lead == 0xED) upper = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      if (lead == 0xF0) lower = 0x90;  // overlong
      if (lead == 0xF4) upper = 0x8F;  // past U+10FFFF
    } else {
      out += replacement_character;
      ++i;
      continue;
    }
    std::size_t seen = 0;
    while (seen < needed && i + 1 + seen < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1 + seen]);
      if (next < lower || next > upper) break;
      lower = 0x80;
      upper = 0xBF;
      ++seen;
    }
    if (seen == needed) {
      out.append(text.substr(i, needed + 1));
    } else {
      out += replacement_character;  // the byte that broke the sequence is looked at again
    }
    i += seen + 1;
  }
  return out;
}

}  // namespace scribe::http
