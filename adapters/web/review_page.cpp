#include "adapters/web/review_page.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "adapters/site/html.hpp"
#include "adapters/web/api_json.hpp"
#include "adapters/web/incident_views.hpp"

namespace scribe::web {
namespace {

namespace beast_http = boost::beast::http;
using json = nlohmann::json;
using site::escape_html;
using site::html_response;

std::string finding_kind_text(const bot::wording_finding& f) {
  return std::string(bot::to_string(f.kind));
}

std::string finding_html(const bot::wording_finding& f, std::size_t number) {
  const auto kind = finding_kind_text(f);
  std::string out = "<li class=\"finding finding-" + kind + "\" id=\"finding-" +
                    std::to_string(number) + "\" data-kind=\"" + kind + "\" data-rule=\"" +
                    escape_html(f.rule) + "\"><q class=\"quote\">" + escape_html(f.quote) +
                    "</q> <span class=\"kind\">" + kind + "</span> <span class=\"rule\">" +
                    escape_html(f.rule) + "</span><br><span class=\"suggestion\">" +
                    escape_html(f.suggestion) + "</span>";
  if (f.rewrite) {
    out += "<br><span class=\"rewrite\">Rewrite: " + escape_html(*f.rewrite) + "</span>";
  }
  return out + "</li>\n";
}

// The text as written, each quote marked and each flagged sentence followed by its rewrite.
std::string marked_text(std::string_view text, const std::vector<bot::wording_finding>& findings) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    out += escape_html(text.substr(copied, f.offset - copied));
    const auto kind = finding_kind_text(f);
    out += "<mark class=\"finding-" + kind + "\" data-rule=\"" + escape_html(f.rule) +
           "\"><a href=\"#finding-" + std::to_string(i + 1) + "\">" + escape_html(f.quote) +
           "</a></mark>";
    copied = f.offset + f.quote.size();
    const bool last_of_sentence =
        i + 1 == findings.size() || findings[i + 1].sentence_offset != f.sentence_offset;
    if (last_of_sentence) {
      const auto sentence_end = f.sentence_offset + f.sentence.size();
      out += escape_html(text.substr(copied, sentence_end - copied));
      copied = sentence_end;
      if (f.rewrite) {
        out += " <ins class=\"rewrite-inline\">" + escape_html(*f.rewrite) + "</ins>";
      }
    }
  }
  return out + escape_html(text.substr(copied));
}

}  // namespace

std::vector<std::string> split_people(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto name = list.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!name.empty()) out.emplace_back(name);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

parsed_review_request parse_review_request(std::string_view body) {
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    // nlohmann also refuses strings that are not UTF-8 here.
    return {std::nullopt, "the body is not valid JSON (at byte " + std::to_string(e.byte) +
                              "): send {\"text\": \"...\", \"people\": [...]}"};
  }
  if (!parsed.is_object()) {
    return {std::nullopt, "the body must be a JSON object: {\"text\": \"...\", \"people\": [...]}"};
  }
  const auto text = parsed.find("text");
  if (text == parsed.end()) return {std::nullopt, "\"text\" is missing: the text to review"};
  if (!text->is_string()) return {std::nullopt, "\"text\" must be a string"};
  review_request request{text->get<std::string>(), {}};
  if (const auto people = parsed.find("people"); people != parsed.end() && !people->is_null()) {
    if (!people->is_array()) {
      return {std::nullopt, "\"people\" must be a list of names, such as [\"Dave\", \"@kim\"]"};
    }
    for (const auto& person : *people) {
      if (!person.is_string()) {
        return {std::nullopt, "\"people\" must be a list of names, such as [\"Dave\", \"@kim\"]"};
      }
      request.people.push_back(person.get<std::string>());
    }
  }
  return {std::move(request), ""};
}

json review_json(const std::vector<bot::wording_finding>& findings) {
  json items = json::array();
  for (const auto& f : findings) {
    items.push_back({{"sentence", f.sentence},
                     {"quote", f.quote},
                     {"offset", f.offset},
                     {"rule", f.rule},
                     {"kind", bot::to_string(f.kind)},
                     {"suggestion", f.suggestion},
                     {"rewrite", f.rewrite ? json(*f.rewrite) : json(nullptr)}});
  }
  return json{{"findings", std::move(items)}};
}

std::string review_page_body(std::string_view text, std::string_view people,
                             const std::vector<bot::wording_finding>* findings) {
  std::string body =
      "<h1>Review a text</h1>\n<p class=\"note\">Paste a postmortem written elsewhere, an answer "
      "or a summary. Scribe points at wording that blames people or does not help, and proposes "
      "a rewrite about the system. Nothing is stored.</p>\n"
      "<form id=\"review-form\" method=\"post\" action=\"/review\">\n"
      "<label for=\"review-text\">Text</label>\n"
      "<textarea id=\"review-text\" name=\"text\" rows=\"12\" required>" +
      escape_html(text) +
      "</textarea>\n<label for=\"review-people\">People of the incident (optional, "
      "comma-separated names and handles)</label>\n"
      "<input id=\"review-people\" name=\"people\" value=\"" +
      escape_html(people) +
      "\" placeholder=\"Dave, @kim\">\n<button type=\"submit\">Review</button>\n</form>\n";
  if (findings == nullptr) return body;
  body += "<section id=\"review-result\">\n<h2>Findings</h2>\n";
  if (findings->empty()) {
    return body +
           "<p class=\"empty\" id=\"no-findings\">Nothing to reword: the text reads "
           "blamelessly.</p>\n</section>\n";
  }
  std::size_t blame = 0;
  for (const auto& f : *findings) blame += f.kind == bot::finding_kind::blame ? 1 : 0;
  body += "<p id=\"review-summary\">" + std::to_string(findings->size()) +
          (findings->size() == 1 ? " finding" : " findings") + ": " + std::to_string(blame) +
          " blame, " + std::to_string(findings->size() - blame) + " advice.</p>\n";
  body += "<div class=\"marked\" id=\"review-marked\">" + marked_text(text, *findings) + "</div>\n";
  body += "<ol class=\"findings\" id=\"review-findings\">\n";
  for (std::size_t i = 0; i < findings->size(); ++i) {
    body += finding_html((*findings)[i], i + 1);
  }
  return body + "</ol>\n</section>\n";
}

review_page::review_page(const site::access_policy& access, bool playground)
    : access_(access), playground_(playground) {}

void review_page::add_routes(http::router& routes) {
  routes.add(beast_http::verb::post, "/api/review",
             [this](http::request_context ctx) { return handle_api(std::move(ctx)); });
  routes.add(beast_http::verb::get, "/review",
             [this](http::request_context ctx) { return handle_form(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/review",
             [this](http::request_context ctx) { return handle_post(std::move(ctx)); });
}

boost::asio::awaitable<http::response> review_page::handle_api(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse(req)) co_return json_refusal(req, std::move(*refused));
  // Only JSON: a browser must then ask first (a CORS preflight) before another site's page could
  // send it, and Scribe answers no preflight.
  if (!http::is_media_type(req[beast_http::field::content_type], "application/json")) {
    co_return json_error(req, beast_http::status::unsupported_media_type,
                         "send the text as application/json: {\"text\": \"...\"}");
  }
  const auto parsed = parse_review_request(req.body());
  if (!parsed.request) co_return json_error(req, beast_http::status::bad_request, parsed.error);
  co_return json_response(
      req, beast_http::status::ok,
      review_json(bot::review_wording(parsed.request->text, parsed.request->people)));
}

boost::asio::awaitable<http::response> review_page::handle_form(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse_page(req)) co_return std::move(*refused);
  co_return html_response(
      req, beast_http::status::ok,
      site_page(access_, playground_, "Review a text", review_page_body("", "", nullptr)));
}

boost::asio::awaitable<http::response> review_page::handle_post(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse_write(req)) co_return std::move(*refused);
  if (!http::is_media_type(req[beast_http::field::content_type],
                           "application/x-www-form-urlencoded")) {
    co_return http::make_error(req, beast_http::status::unsupported_media_type,
                               "send the form as application/x-www-form-urlencoded");
  }
  const auto form = http::parse_form(req.body());
  if (!form) {
    co_return http::make_error(req, beast_http::status::bad_request, "the form is malformed");
  }
  const std::string text(form->get("text").value_or(""));
  const std::string people(form->get("people").value_or(""));
  const auto findings = bot::review_wording(text, split_people(people));
  co_return html_response(
      req, beast_http::status::ok,
      site_page(access_, playground_, "Review a text", review_page_body(text, people, &findings)));
}

}  // namespace scribe::web
