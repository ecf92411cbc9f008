#include "adapters/playground/playground_assets.hpp"

#include "adapters/web/assets.hpp"

#include <string_view>

namespace scribe::playground {
namespace {

// Colours come from the site's variables (scribe.css), so dark mode follows.
constexpr std::string_view playground_css = R"css(#messages {
  list-style: none;
  margin: 1rem 0;
  padding: 0;
  max-width: 60rem;
}
.message {
  padding: 0.5rem 0.75rem;
  border-bottom: 1px solid var(--line);
  overflow-wrap: anywhere;
}
.message.bot { background: var(--panel); }
.message .meta { font-size: 0.85rem; color: var(--muted); }
.message .author { font-weight: 700; color: var(--fg); }
.message .only-you { font-style: italic; }
.message .body p { margin: 0.25rem 0; }
.message .body h1, .message .body h2, .message .body h3 { font-size: 1.05rem; margin: 0.6rem 0 0.3rem; }
.message .actions { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; font-size: 0.85rem; }
.message .reactions { display: inline-flex; gap: 0.3rem; }
.message .reactions:empty { display: none; }
.message .reaction { border: 1px solid var(--line); border-radius: 1rem; padding: 0 0.45rem; }
form.pin { display: inline; margin: 0; }
button.pin { border: 1px solid var(--line); border-radius: 1rem; background: transparent; cursor: pointer; padding: 0.1rem 0.5rem; }
button.pin.pinned { border-color: var(--accent); background: var(--panel); }
ol.thread { list-style: none; margin: 0.4rem 0 0 1.2rem; padding: 0 0 0 0.6rem; border-left: 3px solid var(--line); }
#composer { display: grid; gap: 0.4rem; max-width: 60rem; position: sticky; bottom: 0; background: var(--bg); padding: 0.6rem 0; }
#composer textarea, #composer input { font: inherit; padding: 0.4rem; width: 100%; box-sizing: border-box; }
#composer button { justify-self: start; font: inherit; padding: 0.35rem 1.2rem; }
#replying-to { margin: 0; }
)css";

constexpr std::string_view playground_js = R"js((function () {
  "use strict";
  var list = document.getElementById("messages");
  var composer = document.getElementById("composer");
  var text = document.getElementById("text");
  if (!list) return;
  var shown = null;
  function refresh() {
    fetch("/playground/messages", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== shown) {
          shown = html;
          list.innerHTML = html;
        }
      })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 1000); });
  }
  refresh();
  if (text && composer) {
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        composer.requestSubmit();
      }
    });
    if (location.hash === "#composer" || location.hash === "") text.focus();
  }
})();
)js";

}  // namespace

void add_playground_assets(http::router& routes) {
  web::add_asset_route(routes, "/static/playground.css", playground_css, "text/css; charset=utf-8");
  web::add_asset_route(routes, "/static/playground.js", playground_js,
                       "text/javascript; charset=utf-8");
}

}  // namespace scribe::playground
