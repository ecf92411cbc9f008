#pragma once
// The wording review for any text (bot/wording_review.hpp), over HTTP:
//
//   POST /api/review  {"text": "...", "people": ["Dave", "@kim"]} ->
//                     {"findings": [{"sentence", "quote", "offset", "rule", "kind", "suggestion",
//                     "rewrite"}]}; 400 with a reason for a body that is not such JSON, 415
//                     for another Content-Type. Behind access_policy::refuse, as /api/incidents.
//   GET  /review      "Review a text": a form to paste a text (and the incident's people) into.
//   POST /review      the form sent (application/x-www-form-urlencoded): the same page with the
//                     text, its findings highlighted inline and each flagged sentence's rewrite.
//                     Works without JavaScript. Behind access_policy::refuse_write (sign-in and
//                     the same-origin check of every form).
//
// Nothing is stored: the text is reviewed and answered. The review runs on the connection's
// strand: it is pure and linear, and server.body_limit bounds the text (64 KiB by default, about
// 10,000 words, a few milliseconds).

#include "adapters/http/router.hpp"
#include "adapters/site/access.hpp"
#include "bot/wording_review.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::web {

class review_page {
 public:
  // `access` must outlive the routes. `playground` adds its link to the navigation bar.
  review_page(const site::access_policy& access, bool playground);

  // Registers the three routes above.
  void add_routes(http::router& routes);

  boost::asio::awaitable<http::response> handle_api(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_form(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_post(http::request_context ctx);

 private:
  const site::access_policy& access_;
  bool playground_;
};

// What POST /api/review asks for.
struct review_request {
  std::string text;
  std::vector<std::string> people;
};

// The API's JSON body read: the request, or why it is refused (the 400's reason: not JSON, with
// the byte where it broke; not an object; "text" missing or not a string; "people" not a list of
// strings).
struct parsed_review_request {
  std::optional<review_request> request;
  std::string error;
};
parsed_review_request parse_review_request(std::string_view body);

// {"findings": [...]}: the answer of POST /api/review and of `scribe review --json`.
nlohmann::json review_json(const std::vector<bot::wording_finding>& findings);

// The <main> content of the review page: the form (holding `text` and `people` as sent), then,
// when `findings` is given, section#review-result: the text with each quote in a
// <mark class="finding-blame|finding-advice"> and each flagged sentence followed by its rewrite,
// then ol.findings with one li.finding per finding.
std::string review_page_body(std::string_view text, std::string_view people,
                             const std::vector<bot::wording_finding>* findings);

// "Dave, @kim" -> {"Dave", "@kim"}: the people field of the form and of `scribe review --people`.
std::vector<std::string> split_people(std::string_view list);

}  // namespace scribe::web
