#include "adapters/playground/playground_adapter.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "adapters/playground/playground_assets.hpp"
#include "adapters/site/html.hpp"
#include "config/log.hpp"
#include "runtime/offload.hpp"

#include <charconv>
#include <variant>

namespace scribe::playground {
namespace {

namespace beast_http = boost::beast::http;

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// The name this browser last wrote with, or "".
std::string remembered_name(const http::request& req) {
  const auto decoded = http::percent_decode(site::cookie_value(req, name_cookie), false);
  return decoded ? *decoded : "";
}

std::string name_cookie_header(std::string_view name) {
  // Lax, not Strict: the name should still be there when someone follows a link to the page.
  return std::string(name_cookie) + "=" + http::percent_encode(name) +
         "; Path=/playground; Max-Age=31536000; HttpOnly; SameSite=Lax";
}

// The fields of a form post that changes something, or the response refusing it: the access
// rules (cross-site posts included), then the media type and the encoding.
std::variant<http::form_fields, http::response> posted_form(const site::access_policy& access,
                                                            const http::request& req) {
  if (auto refused = access.refuse_write(req)) return std::move(*refused);
  if (!http::is_media_type(req[beast_http::field::content_type],
                           "application/x-www-form-urlencoded")) {
    return http::make_error(req, beast_http::status::unsupported_media_type,
                            "send the form as application/x-www-form-urlencoded");
  }
  auto form = http::parse_form(req.body());
  if (!form) return http::make_error(req, beast_http::status::bad_request, "the form is malformed");
  return std::move(*form);
}

// Where a thread's page opens: at its first message, with the composer replying there.
std::string thread_page(std::int64_t thread_id, std::int64_t message_id) {
  return "/playground?thread=" + std::to_string(thread_id) + "#m" + std::to_string(message_id);
}

std::string page_document(std::string body) {
  return site::html_document({"Playground",
                              std::move(body),
                              {{"/", "Incidents"}, {"/playground", "Playground"}},
                              {"/static/scribe.css", "/static/playground.css"},
                              {"/static/scribe.js", "/static/playground.js"}});
}

}  // namespace

playground_adapter::playground_adapter(boost::asio::io_context& ioc,
                                       runtime::store_thread& store_thread,
                                       bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                                       bot::chat_log& chat, bot::job_queue& jobs,
                                       const bot::clock& clock, const site::access_policy& access,
                                       const config::jobs_options& limits)
    : store_thread_(store_thread),
      channel_(desk, postmortems, chat, store_thread, clock,
               [this] { postmortem_worker_.notify(); }),
      access_(access),
      postmortem_worker_(
          ioc, store_thread, jobs, clock, bot::postmortem_queue(platform),
          [this](bot::job job) { return channel_.run_postmortem(std::move(job)); },
          jobs::worker_options{.lease = limits.lease}) {}

void playground_adapter::add_routes(http::router& routes) {
  routes.add(beast_http::verb::get, "/playground",
             [this](http::request_context ctx) { return handle_page(std::move(ctx)); });
  routes.add(beast_http::verb::get, "/playground/messages",
             [this](http::request_context ctx) { return handle_messages(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/playground/messages",
             [this](http::request_context ctx) { return handle_post(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/playground/messages/{id}/pin",
             [this](http::request_context ctx) { return handle_pin(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/playground/name",
             [this](http::request_context ctx) { return handle_name(std::move(ctx)); });
  add_playground_assets(routes);
}

void playground_adapter::start() {
  postmortem_worker_.start();
}

void playground_adapter::stop() {
  postmortem_worker_.stop();
}

boost::asio::awaitable<http::response> playground_adapter::page(http::request_context ctx,
                                                                page_state state,
                                                                beast_http::status status) {
  auto load = [this, &state] {
    auto messages = channel_.recent(page_messages);
    return render_page(messages, state);
  };
  std::string body = co_await runtime::offload(store_thread_, std::move(load));
  co_return site::html_response(ctx.req, status, page_document(std::move(body)));
}

boost::asio::awaitable<http::response> playground_adapter::handle_page(http::request_context ctx) {
  if (auto refused = access_.refuse_page(ctx.req)) co_return std::move(*refused);
  page_state state{remembered_name(ctx.req), std::nullopt, "", ""};
  const auto query = http::parse_query(ctx.req.target());
  state.changing_name = query && query->get("rename");
  if (query && query->get("thread")) {
    const auto id = parse_id(*query->get("thread"));
    auto find = [this, id] { return id ? channel_.thread_root(*id) : std::nullopt; };
    state.thread = co_await runtime::offload(store_thread_, std::move(find));
    if (!state.thread) state.error = "That thread is not in the channel any more.";
  }
  co_return co_await page(std::move(ctx), std::move(state), beast_http::status::ok);
}

boost::asio::awaitable<http::response> playground_adapter::handle_messages(
    http::request_context ctx) {
  if (auto refused = access_.refuse(ctx.req)) co_return std::move(*refused);
  auto load = [this, viewer = remembered_name(ctx.req)] {
    return render_messages(channel_.recent(page_messages), viewer);
  };
  std::string fragment = co_await runtime::offload(store_thread_, std::move(load));
  co_return site::html_response(ctx.req, beast_http::status::ok, std::move(fragment));
}

boost::asio::awaitable<http::response> playground_adapter::handle_post(http::request_context ctx) {
  const auto& req = ctx.req;
  auto read = posted_form(access_, req);
  if (auto* refused = std::get_if<http::response>(&read)) co_return std::move(*refused);
  const auto& form = std::get<http::form_fields>(read);
  page_state state{std::string(form.get("author").value_or("")), std::nullopt, "",
                   std::string(form.get("text").value_or(""))};
  std::optional<std::int64_t> thread;
  if (const auto thread_field = form.get("thread"); thread_field && !thread_field->empty()) {
    thread = parse_id(*thread_field);
    if (!thread) state.error = "The thread to reply in is not a message number.";
  }
  const auto author = person_named(state.viewer);
  if (!author) state.error = "Write your name (at most 40 bytes) before sending.";
  if (!state.error.empty()) {
    co_return co_await page(std::move(ctx), std::move(state), beast_http::status::bad_request);
  }
  const auto said = co_await channel_.say(*author, state.draft_text, thread);
  if (!said) {
    state.error = said.error() == bot::errc::entry_not_found
                      ? "That thread is not in the channel."
                      : "Write a message of at most 4000 bytes before sending.";
    co_return co_await page(std::move(ctx), std::move(state), beast_http::status::bad_request);
  }
  // Back where the message went: the channel opens at its newest message (the page's script),
  // a thread at the reply just sent, with the composer still answering there.
  auto back = site::redirect(req, thread ? thread_page(*thread, said->id) : "/playground");
  back.set(beast_http::field::set_cookie, name_cookie_header(author->name));
  co_return back;
}

boost::asio::awaitable<http::response> playground_adapter::handle_pin(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse_write(req)) co_return std::move(*refused);
  const auto id = parse_id(ctx.param("id"));
  const auto who = person_named(remembered_name(req));
  if (!who) {
    // The page asks for the name before it offers 📌, so this is a browser that lost its cookie.
    page_state state{"", std::nullopt, "Say who you are first (📌 flags as you), then 📌 again.", ""};
    co_return co_await page(std::move(ctx), std::move(state), beast_http::status::bad_request);
  }
  const auto toggled =
      id ? co_await channel_.toggle_flag(*id, *who) : bot::result<void>(bot::errc::entry_not_found);
  if (!toggled) {
    co_return http::make_error(
        req, beast_http::status::not_found,
        "no message with that number to flag (Scribe's own cannot be flagged)");
  }
  co_return site::redirect(req, "/playground#m" + std::to_string(*id));
}

boost::asio::awaitable<http::response> playground_adapter::handle_name(http::request_context ctx) {
  const auto& req = ctx.req;
  auto read = posted_form(access_, req);
  if (auto* refused = std::get_if<http::response>(&read)) co_return std::move(*refused);
  const auto& form = std::get<http::form_fields>(read);
  const auto thread = parse_id(form.get("thread").value_or(""));
  const auto who = person_named(form.get("author").value_or(""));
  if (!who) {
    page_state state{std::string(form.get("author").value_or("")), std::nullopt,
                     "Write a name of 1 to 40 bytes, without line breaks.", "", true};
    co_return co_await page(std::move(ctx), std::move(state), beast_http::status::bad_request);
  }
  auto back = site::redirect(req, thread ? thread_page(*thread, *thread) : "/playground");
  back.set(beast_http::field::set_cookie, name_cookie_header(who->name));
  co_return back;
}

}  // namespace scribe::playground
