#include "adapters/playground/playground_assets.hpp"

#include "adapters/site/assets.hpp"

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
/* The composer stays in view at the bottom, and small: on a phone it is one row to write in and a
   line of small print, so the messages (and their 📌 buttons) keep the screen. */
#composer, #name-form { max-width: 60rem; position: sticky; bottom: 0; background: var(--bg); padding: 0.4rem 0; border-top: 1px solid var(--line); }
#composer .row, #name-form .row { display: flex; gap: 0.5rem; align-items: flex-end; }
#composer textarea { flex: 1; min-width: 0; resize: none; max-height: 8.5em; font: inherit; padding: 0.35rem; box-sizing: border-box; }
#name-form .row { align-items: center; }
#name-form input { flex: 1; min-width: 0; font: inherit; padding: 0.35rem; box-sizing: border-box; }
#composer button, #name-form button { flex: none; font: inherit; padding: 0.35rem 1rem; }
#composer p, #name-form p { margin: 0.2rem 0 0; font-size: 0.8rem; color: var(--muted); }
#composer p.error, #name-form p.error { margin: 0 0 0.2rem; font-size: 0.9rem; }
#replying-to { margin: 0 0 0.3rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
)css";

constexpr std::string_view playground_js = R"js((function () {
  "use strict";
  var list = document.getElementById("messages");
  var composer = document.getElementById("composer");
  var text = document.getElementById("text");
  var nameInput = document.getElementById("author");
  if (!list) return;

  // A chat opens at its newest message, as after a send; a link to one message (a 📌, a thread)
  // opens at that message instead, where the browser puts it. Not the browser's memory of where
  // a reload was: the newest is what someone back on the page wants to see.
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  function atBottom() {
    var page = document.scrollingElement || document.documentElement;
    return page.scrollHeight - page.scrollTop - page.clientHeight < 48;
  }
  function toBottom() {
    var page = document.scrollingElement || document.documentElement;
    page.scrollTop = page.scrollHeight;
  }
  var target = /^#m\d+$/.test(location.hash) ? document.getElementById(location.hash.slice(1)) : null;
  if (!target) toBottom();
  // Opened at one message (a reply just sent in its thread, a 📌), the view stays with it until
  // the reader scrolls away: a draft posted at the bottom must not carry it off.
  ["wheel", "touchmove"].forEach(function (name) {
    window.addEventListener(name, function () { target = null; }, { passive: true });
  });

  // New posts without a jump: messages that did not change keep their elements, so what is on
  // screen stays where it is (the browser anchors the view to it); someone at the bottom stays at
  // the bottom and sees what arrives.
  function update(html) {
    var following = !target && atBottom();
    var fresh = document.createElement("ol");
    fresh.innerHTML = html;
    var previous = null;
    var keep = {};
    Array.prototype.slice.call(fresh.children).forEach(function (item) {
      var old = item.id ? document.getElementById(item.id) : null;
      var node = old && old.parentNode === list && old.isEqualNode(item) ? old : item;
      if (old && old !== node && old.parentNode === list) list.removeChild(old);
      var place = previous ? previous.nextSibling : list.firstChild;
      if (node !== place) list.insertBefore(node, place);
      keep[node.id] = true;
      previous = node;
    });
    Array.prototype.slice.call(list.children).forEach(function (item) {
      if (!keep[item.id]) list.removeChild(item);
    });
    if (following) toBottom();
  }
  var shown = null;
  function refresh() {
    fetch("/playground/messages", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== shown) {
          shown = html;
          update(html);
        }
      })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 1000); });
  }
  refresh();

  if (text && composer) {
    // The box grows with what is written, up to the CSS max-height, then scrolls.
    var grow = function () {
      text.style.height = "auto";
      text.style.height = text.scrollHeight + 2 + "px";
    };
    text.addEventListener("input", grow);
    grow();
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        composer.requestSubmit();
      }
    });
    text.focus({ preventScroll: true });
  } else if (nameInput) {
    nameInput.focus({ preventScroll: true });
  }
})();
)js";

}  // namespace

void add_playground_assets(http::router& routes) {
  site::add_asset_route(routes, "/static/playground.css", playground_css,
                        "text/css; charset=utf-8");
  site::add_asset_route(routes, "/static/playground.js", playground_js,
                        "text/javascript; charset=utf-8");
}

}  // namespace scribe::playground
