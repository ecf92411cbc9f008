#pragma once
// The static files every page loads: one stylesheet and one script, compiled into the binary so
// that Scribe stays one file to install. The Content-Security-Policy of the pages (html.hpp)
// allows scripts and styles only from here, never inline.

#include "adapters/http/router.hpp"

#include <string>
#include <string_view>

namespace scribe::site {

// /static/scribe.css: layout for wide screens and phones (tables scroll sideways), the timeline
// figure, light and dark colour schemes.
extern const std::string_view scribe_css;

// /static/scribe.js: shows each <time class="local" datetime="..."> in the viewer's own time
// zone. Pages work without it: UTC times are always there.
extern const std::string_view scribe_js;

// Registers GET `path` answering `content` as `content_type`, cacheable for an hour, to anyone
// (static files hold no incident data). `content` must live as long as the routes (a constant).
void add_asset_route(http::router& routes, std::string path, std::string_view content,
                     std::string_view content_type);

// Registers GET /static/scribe.css and GET /static/scribe.js. They hold no incident data, so
// they are served to anyone (the sign-in page needs its stylesheet), cacheable for an hour.
void add_asset_routes(http::router& routes);

}  // namespace scribe::site
