#include "adapters/site/assets.hpp"

#include "adapters/http/responses.hpp"

namespace scribe::site {
namespace {

namespace beast_http = boost::beast::http;

boost::asio::awaitable<http::response> serve_asset(http::request_context ctx,
                                                   std::string_view content,
                                                   std::string_view content_type) {
  auto response =
      http::make_response(ctx.req, beast_http::status::ok, std::string(content), content_type);
  response.set("X-Content-Type-Options", "nosniff");
  // An hour: a new release's pages pick up its files soon enough without a versioned URL.
  response.set(beast_http::field::cache_control, "public, max-age=3600");
  co_return response;
}

}  // namespace

const std::string_view scribe_css = R"css(:root {
  color-scheme: light dark;
  --fg: #1d2330;
  --muted: #5b6475;
  --bg: #ffffff;
  --panel: #f4f6f9;
  --line: #d5dae3;
  --accent: #2457c5;
  --open: #b3261e;
  --closed: #1e7b34;
  --gap: #f2c94c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6e9ef;
    --muted: #a3abbb;
    --bg: #14171d;
    --panel: #1e232c;
    --line: #394151;
    --accent: #7aa2ff;
    --open: #ff8a80;
    --closed: #7bd88f;
    --gap: #8a6d12;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg);
  background: var(--bg);
}
a { color: var(--accent); }
header.site {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.5rem 1.25rem;
  padding: 0.75rem 1rem;
  border-bottom: 1px solid var(--line);
  background: var(--panel);
}
header.site .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
header.site nav { display: flex; gap: 1rem; flex-wrap: wrap; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
.muted, .empty, .note { color: var(--muted); }
.error { color: var(--open); font-weight: 600; }
nav.filters { display: flex; gap: 0.75rem; margin-bottom: 1rem; }
nav.filters a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); }
.table-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; min-width: 40rem; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
th { font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
td.title { min-width: 12rem; overflow-wrap: break-word; }
td.id, td.severity, td.status, td.duration { white-space: nowrap; }
.status { font-weight: 600; }
.status-open { color: var(--open); }
.status-closed { color: var(--closed); }
dl.facts {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 0.25rem 1rem;
  margin: 0 0 1rem;
}
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
figure#timeline-axis { margin: 1rem 0; }
figure#timeline-axis svg { display: block; width: 100%; height: 4rem; }
figure#timeline-axis figcaption { font-size: 0.85rem; color: var(--muted); }
svg .axis { stroke: var(--muted); stroke-width: 2; }
svg .mark { fill: var(--accent); }
svg .gap { fill: var(--gap); opacity: 0.45; }
svg .opened, svg .closed, svg .now { stroke-width: 3; }
svg .opened { stroke: var(--open); }
svg .closed { stroke: var(--closed); }
svg .now { stroke: var(--muted); stroke-dasharray: 4 3; }
ol#entries { list-style: none; padding: 0; margin: 0; }
li.entry {
  padding: 0.6rem 0;
  border-bottom: 1px solid var(--line);
  display: grid;
  grid-template-columns: 11rem 1fr;
  gap: 0.1rem 1rem;
}
li.entry .when { grid-row: span 2; font-variant-numeric: tabular-nums; }
li.entry .when time { display: block; }
li.entry time.local { color: var(--muted); font-size: 0.85rem; }
time.local:not(:empty)::before { content: "("; }
time.local:not(:empty)::after { content: ", your time)"; }
li.entry .text { white-space: pre-wrap; overflow-wrap: anywhere; }
li.entry .meta { font-size: 0.85rem; color: var(--muted); }
li.entry .meta > * + * { margin-left: 0.6rem; }
li.gap-note { color: var(--muted); font-style: italic; padding: 0.4rem 0; }
section#postmortem, section#review {
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.5rem 1rem 1rem;
  margin-top: 1.5rem;
  overflow-wrap: anywhere;
}
li.finding q { font-weight: 600; }
li.finding .rule { font-family: ui-monospace, monospace; font-size: 0.85rem; color: var(--muted); }
li.finding .kind { font-size: 0.85rem; font-weight: 600; }
li.finding-blame .kind { color: var(--open); }
li.finding .rewrite { color: var(--closed); }
form#signin { display: grid; gap: 0.5rem; max-width: 22rem; }
form#review-form { display: grid; gap: 0.5rem; }
textarea { font: inherit; padding: 0.4rem 0.6rem; width: 100%; }
div.marked {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.5rem 1rem;
}
mark { color: inherit; border-radius: 3px; padding: 0 0.15rem; }
mark a { color: inherit; text-decoration: none; }
mark.finding-blame { background: color-mix(in srgb, var(--open) 25%, transparent); }
mark.finding-advice { background: color-mix(in srgb, var(--gap) 45%, transparent); }
ins.rewrite-inline { color: var(--closed); text-decoration: none; font-style: italic; }
ins.rewrite-inline::before { content: "→ "; }
input, button { font: inherit; padding: 0.4rem 0.6rem; }
form#signout { margin-top: 2rem; }
@media (max-width: 40rem) {
  main { padding: 0.75rem; }
  /* On a phone each incident becomes a card instead of a row. */
  table#incidents, table#incidents tbody, table#incidents tr, table#incidents td { display: block; }
  table#incidents { min-width: 0; }
  table#incidents thead { display: none; }
  tr.incident { padding: 0.6rem 0; border-bottom: 1px solid var(--line); }
  table#incidents td { border: 0; padding: 0.1rem 0; min-width: 0; }
  table#incidents td.id, table#incidents td.severity, table#incidents td.status {
    display: inline-block;
    margin-right: 0.75rem;
  }
  table#incidents td.title { font-weight: 600; }
  table#incidents td.opened, table#incidents td.channel, table#incidents td.duration {
    font-size: 0.9rem;
    color: var(--muted);
  }
  li.entry { grid-template-columns: 1fr; }
  li.entry .when { grid-row: auto; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 0.4rem; }
}
)css";

const std::string_view scribe_js =
    R"js(// Scribe's pages: local times beside the UTC ones the server wrote.
"use strict";
(function () {
  function showLocalTimes() {
    var times = document.querySelectorAll("time.local[datetime]");
    for (var i = 0; i < times.length; i++) {
      var when = new Date(times[i].getAttribute("datetime"));
      if (isNaN(when.getTime())) continue;
      times[i].textContent = when.toLocaleString();
      times[i].title = "your local time";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showLocalTimes);
  } else {
    showLocalTimes();
  }
})();
)js";

void add_asset_route(http::router& routes, std::string path, std::string_view content,
                     std::string_view content_type) {
  routes.add(beast_http::verb::get, std::move(path),
             [content, content_type](http::request_context ctx) {
               return serve_asset(std::move(ctx), content, content_type);
             });
}

void add_asset_routes(http::router& routes) {
  add_asset_route(routes, "/static/scribe.css", scribe_css, "text/css; charset=utf-8");
  add_asset_route(routes, "/static/scribe.js", scribe_js, "text/javascript; charset=utf-8");
}

}  // namespace scribe::site
