#include "adapters/site/html.hpp"

#include "adapters/http/responses.hpp"
#include "bot/markdown.hpp"

namespace scribe::site {
namespace {

namespace beast_http = boost::beast::http;

void set_security_headers(http::response& response) {
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  // Not no-referrer: under it Chromium sends "Origin: null" on the pages' own form posts, which
  // the cross-site check (access.hpp) has to treat with suspicion.
  response.set("Referrer-Policy", "same-origin");
  response.set(beast_http::field::cache_control, "no-store");
}

}  // namespace

std::string escape_html(std::string_view text) {
  return bot::markdown::escape_html(text);
}

std::string html_document(const page_parts& page) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += escape_html(page.title);
  out += " · Scribe</title>\n";
  // No favicon: without this the browser asks for /favicon.ico and logs the 404 as an error.
  out += "<link rel=\"icon\" href=\"data:,\">\n";
  for (const auto& sheet : page.stylesheets) {
    out += "<link rel=\"stylesheet\" href=\"" + escape_html(sheet) + "\">\n";
  }
  for (const auto& script : page.scripts) {
    out += "<script defer src=\"" + escape_html(script) + "\"></script>\n";
  }
  out += "</head>\n<body>\n<header class=\"site\"><a class=\"brand\" href=\"/\">Scribe</a>";
  if (!page.nav.empty()) {
    out += "<nav>";
    for (const auto& link : page.nav) {
      out += "<a href=\"" + escape_html(link.href) + "\">" + escape_html(link.label) + "</a>";
    }
    out += "</nav>";
  }
  out += "</header>\n<main>\n";
  out += page.body;
  out += "\n</main>\n</body>\n</html>\n";
  return out;
}

http::response html_response(const http::request& req, beast_http::status status,
                             std::string document) {
  auto response = http::make_response(req, status, std::move(document), "text/html; charset=utf-8");
  set_security_headers(response);
  return response;
}

http::response redirect(const http::request& req, std::string_view location) {
  auto response = http::make_response(req, beast_http::status::see_other, "");
  response.set(beast_http::field::location, location);
  set_security_headers(response);
  return response;
}

}  // namespace scribe::site
