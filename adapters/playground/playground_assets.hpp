#pragma once
// The playground page's own stylesheet and script, beside the site's (adapters/site/assets.hpp).

#include "adapters/http/router.hpp"

namespace scribe::playground {

// GET /static/playground.css and /static/playground.js. The script polls /playground/messages
// so that Scribe's replies, questions and drafts (posted by background jobs) appear without a
// reload, and sends the message on Enter (Shift+Enter for a new line). The page works without
// it, by reloading.
void add_playground_assets(http::router& routes);

}  // namespace scribe::playground
