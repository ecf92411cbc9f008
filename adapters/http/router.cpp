#include "adapters/http/router.hpp"

#include "adapters/http/form.hpp"

#include "adapters/http/responses.hpp"
#include "bot/error.hpp"
#include "config/log.hpp"
#include "metrics/catalog.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <random>
#include <stdexcept>

namespace scribe::http {
namespace {

// How long a client should wait before trying again when storage is unavailable.
constexpr std::chrono::seconds retry_after_storage{5};

// RFC 3986 `pchar` without pct-encoded: what a literal pattern segment may contain. Percent signs
// are left out on purpose: literal segments are compared with the raw request path, so a pattern
// "%41" would silently never match a client that sends "A".
bool is_literal_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
}

bool is_param_name(std::string_view name) {
  if (name.empty()) return false;
  const char first = name.front();
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Splits "/a/b" into {"a", "b"}; "/" gives one empty segment. `path` starts with '/'.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

std::string method_name(beast_http::verb method) {
  return std::string(beast_http::to_string(method));
}

// The method as a metric label: Beast's name for a known verb; anything else is one label, as a
// client may send any token as a method and each would otherwise become a series of its own.
std::string_view method_label(beast_http::verb method) {
  if (method == beast_http::verb::unknown) return "other";
  const auto name = beast_http::to_string(method);
  return {name.data(), name.size()};
}

// The route label of requests that no pattern matched (404, 405, a fallback's answer, 501).
constexpr std::string_view unmatched_route = "unmatched";

boost::asio::awaitable<response> answer(const router& routes, request_context ctx,
                                        std::string& route);

}  // namespace

std::string_view request_context::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > max_request_id_size) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_.:+/=").find(c) != std::string_view::npos;
  });
}

std::string new_request_id() {
  // One generator per thread: no lock on the request path. Seeded once from the OS.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  auto bits = generator();
  std::string id(16, '0');
  for (auto& digit : id) {
    digit = hex[bits & 0xFU];
    bits >>= 4U;
  }
  return id;
}

std::string request_id_for(const request& req) {
  const auto it = req.find(request_id_header);
  if (it != req.end() && is_valid_request_id(it->value())) return std::string(it->value());
  return new_request_id();
}

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

std::string loggable_path(std::string_view target) {
  constexpr std::size_t max_logged = 256;
  return std::string(target_path(target).substr(0, max_logged));
}

void router::add(beast_http::verb method, std::string pattern, handler h) {
  const auto fail = [&pattern](std::string_view why) {
    throw std::invalid_argument("route \"" + pattern + "\": " + std::string(why));
  };
  if (method == beast_http::verb::unknown) fail("unknown method");
  if (!h) fail("empty handler");
  if (pattern.empty() || pattern.front() != '/') fail("a pattern starts with '/'");

  route_entry entry{method, pattern, {}, std::move(h)};
  const auto parts = split_path(pattern);
  for (const auto part : parts) {
    if (part.empty()) {
      if (parts.size() == 1) break;  // "/" itself
      fail("empty segment");
    }
    if (part.front() == '{' && part.back() == '}') {
      const auto name = part.substr(1, part.size() - 2);
      if (!is_param_name(name)) fail("a parameter name is [A-Za-z_][A-Za-z0-9_]*");
      for (const auto& existing : entry.segments) {
        if (existing.is_param && existing.text == name) fail("repeated parameter name");
      }
      entry.segments.push_back({std::string(name), true});
      continue;
    }
    if (!std::all_of(part.begin(), part.end(), is_literal_char)) {
      fail("a literal segment holds only RFC 3986 path characters, no '%', '{' or '}'");
    }
    entry.segments.push_back({std::string(part), false});
  }
  if (parts.size() == 1 && parts.front().empty()) entry.segments.push_back({std::string(), false});

  for (const auto& existing : routes_) {
    if (existing.method != method || existing.segments.size() != entry.segments.size()) continue;
    const bool same_shape =
        std::equal(existing.segments.begin(), existing.segments.end(), entry.segments.begin(),
                   [](const segment& a, const segment& b) {
                     return a.is_param == b.is_param && (a.is_param || a.text == b.text);
                   });
    if (same_shape) {
      fail("duplicate of " + method_name(method) + " \"" + existing.pattern + "\"");
    }
  }

  routes_.push_back(std::move(entry));
  // Literal before parameter at the first position where two patterns differ, so "/incidents/open"
  // wins over "/incidents/{id}" whatever the registration order.
  std::stable_sort(routes_.begin(), routes_.end(), [](const route_entry& a, const route_entry& b) {
    return std::lexicographical_compare(
        a.segments.begin(), a.segments.end(), b.segments.begin(), b.segments.end(),
        [](const segment& x, const segment& y) { return !x.is_param && y.is_param; });
  });
}

void router::add_fallback(std::string prefix, handler h) {
  if (prefix.empty() || prefix.front() != '/' || !h) {
    throw std::invalid_argument("a fallback needs a path prefix starting with '/' and a handler");
  }
  fallbacks_.emplace_back(std::move(prefix), std::move(h));
}

route_result router::route(beast_http::verb method, std::string_view target) const {
  route_result result;
  const auto path = target_path(target);
  if (path.empty() || path.front() != '/') return result;
  const auto parts = split_path(path);

  const auto matches = [&parts](const route_entry& r) {
    if (r.segments.size() != parts.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = r.segments[i];
      if (seg.is_param) {
        if (parts[i].empty() || !percent_decode(parts[i], false)) return false;
      } else if (seg.text != parts[i]) {
        return false;
      }
    }
    return true;
  };

  const route_entry* chosen = nullptr;
  const route_entry* get_for_head = nullptr;
  std::vector<beast_http::verb> allowed;
  for (const auto& r : routes_) {
    if (!matches(r)) continue;
    if (r.method == method && chosen == nullptr) chosen = &r;
    if (method == beast_http::verb::head && r.method == beast_http::verb::get &&
        get_for_head == nullptr) {
      get_for_head = &r;
    }
    allowed.push_back(r.method);
  }
  if (chosen == nullptr) chosen = get_for_head;

  if (chosen != nullptr) {
    result.status = route_result::outcome::matched;
    result.target = &chosen->target;
    result.pattern = chosen->pattern;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (chosen->segments[i].is_param) {
        // Parameters are percent-decoded (a Matrix txnId may be escaped); "+" stays "+" in paths.
        result.params.emplace_back(chosen->segments[i].text, *percent_decode(parts[i], false));
      }
    }
    return result;
  }
  // Unmatched: a protocol with its own error format answers under its prefix.
  for (const auto& [prefix, fallback] : fallbacks_) {
    if (target_path(target).starts_with(prefix)) result.target = &fallback;
  }
  if (allowed.empty()) return result;

  if (std::find(allowed.begin(), allowed.end(), beast_http::verb::get) != allowed.end()) {
    allowed.push_back(beast_http::verb::head);
  }
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  result.status = route_result::outcome::method_not_allowed;
  for (const auto verb : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += beast_http::to_string(verb);
  }
  return result;
}

boost::asio::awaitable<response> dispatch(const router& routes, request_context ctx) {
  if (ctx.request_id.empty()) ctx.request_id = new_request_id();
  const std::string request_id = ctx.request_id;
  const std::string method(method_label(ctx.req.method()));
  const auto started = std::chrono::steady_clock::now();
  std::string route(unmatched_route);

  auto res = co_await answer(routes, std::move(ctx), route);

  res.set(request_id_header, request_id);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  const std::string status = std::to_string(res.result_int());
  metrics::http_requests().with({route, method, status}).inc();
  metrics::http_request_duration().with({route}).observe(took.count());
  co_return res;
}

namespace {

// dispatch()'s routing and error handling; sets `route` to the matched pattern. `route` lives in
// dispatch()'s frame, which awaits this coroutine to completion.
boost::asio::awaitable<response> answer(const router& routes, request_context ctx,
                                        std::string& route) {
  if (ctx.req.method() == beast_http::verb::unknown) {
    co_return make_error(ctx.req, beast_http::status::not_implemented, "unknown method");
  }
  auto found = routes.route(ctx.req.method(), ctx.req.target());
  if (found.status != route_result::outcome::matched && found.target != nullptr) {
    found.params = {{"unmatched", found.status == route_result::outcome::not_found ? "404" : "405"},
                    {"allow", found.allow}};
    found.status = route_result::outcome::matched;
  }
  switch (found.status) {
    case route_result::outcome::not_found:
      co_return make_error(ctx.req, beast_http::status::not_found, "not found: no such path");
    case route_result::outcome::method_not_allowed: {
      auto res = make_error(ctx.req, beast_http::status::method_not_allowed,
                            "method not allowed: see the Allow header");
      res.set(beast_http::field::allow, found.allow);
      co_return res;
    }
    case route_result::outcome::matched: break;
  }
  if (!found.pattern.empty()) route = found.pattern;

  // The context moves into the handler; keep what the 500 reply and the log line need.
  request head_only;
  head_only.version(ctx.req.version());
  head_only.keep_alive(ctx.req.keep_alive());
  const std::string method(ctx.req.method_string());
  const std::string path = loggable_path(ctx.req.target());
  const std::string request_id = ctx.request_id;
  ctx.params = std::move(found.params);

  std::string failure;
  bool storage_trouble = false;
  try {
    co_return co_await (*found.target)(std::move(ctx));
  } catch (const bot::storage_unavailable& e) {
    failure = e.what();
    storage_trouble = true;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "exception of unknown type";
  }
  if (storage_trouble) {
    // Nothing was stored, so nothing may be acknowledged: a 503 makes Slack and Matrix homeservers
    // send the request again later.
    log::error(
        "storage unavailable",
        {{"method", method}, {"path", path}, {"error", failure}, {"request_id", request_id}});
    auto res = make_error(head_only, beast_http::status::service_unavailable,
                          "storage unavailable, nothing was stored: try again later");
    res.set(beast_http::field::retry_after, std::to_string(retry_after_storage.count()));
    co_return res;
  }
  log::error("http handler failed",
             {{"method", method}, {"path", path}, {"error", failure}, {"request_id", request_id}});
  co_return make_error(head_only, beast_http::status::internal_server_error, "internal error");
}

}  // namespace

}  // namespace scribe::http
