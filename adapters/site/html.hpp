#pragma once
// What every HTML page Scribe serves shares: the document around a page's body, and the response
// headers that keep chat text inert in a browser.
//
// Pages are rendered on the server. Everything that came from chat goes through escape_html
// before it is placed in a page; the Content-Security-Policy allows scripts and styles only from
// Scribe's own /static/ files, so even a missed escape could not run a script.

#include "adapters/http/router.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace scribe::site {

// A link in the navigation bar at the top of every page.
struct nav_link {
  std::string href;
  std::string label;
};

struct page_parts {
  std::string title;  // plain text; escaped here
  std::string body;   // HTML, already escaped by the caller where it holds outside text
  std::vector<nav_link> nav;
  std::vector<std::string> stylesheets{"/static/scribe.css"};
  std::vector<std::string> scripts{"/static/scribe.js"};  // loaded with `defer`
};

// The whole HTML document.
std::string html_document(const page_parts& page);

// A text/html response with the security headers (CSP, nosniff, referrers only to Scribe itself, no
// caching: the pages hold incident data).
http::response html_response(const http::request& req, boost::beast::http::status status,
                             std::string document);

// 303 See Other to `location` (after a form's POST, and to the sign-in page).
http::response redirect(const http::request& req, std::string_view location);

// `text` with & < > " replaced by character references: safe in element content and in
// double-quoted attribute values (the only kind Scribe writes).
std::string escape_html(std::string_view text);

}  // namespace scribe::site
