#include "adapters/web/incident_views.hpp"

#include "adapters/http/form.hpp"
#include "adapters/site/html.hpp"
#include "bot/markdown.hpp"
#include "bot/postmortem_draft.hpp"
#include "text/text.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace scribe::web {
namespace {

using site::escape_html;
using site::html_document;
using site::nav_link;

// The timeline figure's coordinate system: the SVG scales it to the page's width.
constexpr double axis_width = 1000;
constexpr double axis_margin = 12;  // so the markers at either end stay visible

std::string utc_date(bot::timestamp t) {
  return iso_date(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)});
}

// The instant as UTC text, and an empty twin that /static/scribe.js fills with the viewer's local
// time (the server cannot know the viewer's zone).
std::string time_html(bot::timestamp t, bool with_date) {
  const std::string at = bot::format_rfc3339(t);
  return "<time class=\"utc\" datetime=\"" + at + "\">" +
         (with_date ? utc_date(t) + " " : std::string()) + format_utc_time_of_day(t) +
         "</time> <time class=\"local\" datetime=\"" + at + "\"></time>";
}

std::string status_html(bot::incident_status status) {
  const std::string text(bot::to_string(status));
  return "<span class=\"status status-" + text + "\">" + text + "</span>";
}

// "slack · C024BE91L"; a channel named after its platform (the playground's one channel) is
// named once, not "playground · playground".
std::string channel_text(const bot::channel_ref& channel) {
  if (channel.channel == channel.platform) return channel.platform;
  return channel.platform + " · " + channel.channel;
}

std::string number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

// Where instants fall on the timeline figure's x axis.
class time_axis {
 public:
  time_axis(bot::timestamp from, bot::timestamp to) : from_(from), span_((to - from).count()) {
    if (span_ <= 0) span_ = 1;
  }
  double x(bot::timestamp t) const {
    const double share = static_cast<double>((t - from_).count()) / static_cast<double>(span_);
    return axis_margin + share * (axis_width - 2 * axis_margin);
  }

 private:
  bot::timestamp from_;
  std::int64_t span_;
};

std::string vertical_line(std::string_view css_class, double x, std::string_view title) {
  return "<line class=\"" + std::string(css_class) + "\" x1=\"" + number(x) + "\" y1=\"6\" x2=\"" +
         number(x) + "\" y2=\"54\" vector-effect=\"non-scaling-stroke\"><title>" +
         escape_html(title) + "</title></line>\n";
}

std::string timeline_figure(const incident_details& details, std::chrono::microseconds gap_marker) {
  const auto& inc = details.inc;
  const auto& counts = details.shape.counts;
  const time_axis axis(details.from, details.to);
  std::int64_t total = 0;
  for (const auto count : counts) total += count;
  std::string svg =
      "<svg viewBox=\"0 0 1000 60\" preserveAspectRatio=\"none\" role=\"img\" "
      "aria-label=\"Timeline of " +
      escape_html(bot::incident_label(inc)) + ": " + std::to_string(total) +
      " entries\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  for (const auto& quiet : details.shape.quiet) {
    svg += "<rect class=\"gap\" x=\"" + number(axis.x(quiet.from)) + "\" y=\"10\" width=\"" +
           number(axis.x(quiet.to) - axis.x(quiet.from)) + "\" height=\"40\"><title>" +
           bot::format_duration(quiet.to - quiet.from) + " without entries</title></rect>\n";
  }
  svg += "<line class=\"axis\" x1=\"" + number(axis.x(details.from)) + "\" y1=\"30\" x2=\"" +
         number(axis.x(details.to)) + "\" y2=\"30\" vector-effect=\"non-scaling-stroke\"/>\n";
  svg += vertical_line(
      "opened", axis.x(inc.opened_at),
      "opened " + utc_date(inc.opened_at) + " " + format_utc_time_of_day(inc.opened_at));
  if (inc.closed_at) {
    svg += vertical_line(
        "closed", axis.x(*inc.closed_at),
        "closed " + utc_date(*inc.closed_at) + " " + format_utc_time_of_day(*inc.closed_at));
  } else {
    svg += vertical_line("now", axis.x(details.now), "now (still open)");
  }
  // One mark per column with entries, never one per entry: a column that holds one entry shown
  // on the page is titled with it, any other with how many it holds.
  const auto span = std::max<std::int64_t>((details.to - details.from).count(), 1);
  const auto column_of = [&](bot::timestamp t) {
    const auto c = static_cast<std::int64_t>(
        (static_cast<double>((t - details.from).count()) / static_cast<double>(span)) *
        static_cast<double>(counts.size()));
    return static_cast<std::size_t>(
        std::clamp<std::int64_t>(c, 0, static_cast<std::int64_t>(counts.size()) - 1));
  };
  std::vector<const bot::timeline_entry*> alone(counts.size(), nullptr);
  for (const auto* part : {&details.timeline.head, &details.timeline.tail}) {
    for (const auto& e : *part) {
      if (counts.empty()) break;
      const auto c = column_of(e.occurred_at);
      if (counts[c] == 1) alone[c] = &e;
    }
  }
  const auto column_time = [&](std::size_t c) {
    return details.from + bot::timestamp::duration(static_cast<std::int64_t>(
                              static_cast<double>(span) * (static_cast<double>(c) + 0.5) /
                              static_cast<double>(counts.size())));
  };
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] == 0) continue;
    std::string title;
    double x = axis.x(column_time(c));
    if (const auto* e = alone[c]) {
      title = format_utc_time_of_day(e->occurred_at) + " · " + e->author.name + ": " +
              text::utf8_prefix(text::single_line(e->text), 120);
      x = axis.x(e->occurred_at);
    } else {
      title = std::to_string(counts[c]) + (counts[c] == 1 ? " entry" : " entries") + " around " +
              format_utc_time_of_day(column_time(c));
    }
    svg += "<rect class=\"mark\" data-count=\"" + std::to_string(counts[c]) + "\" x=\"" +
           number(x - 3) + "\" y=\"18\" width=\"6\" height=\"24\"><title>" + escape_html(title) +
           "</title></rect>\n";
  }
  svg += "</svg>\n";
  return "<figure id=\"timeline-axis\">\n" + svg + "<figcaption>" + time_html(details.from, true) +
         " to " + time_html(details.to, true) + (inc.closed_at ? "" : " (now)") +
         (gap_marker > std::chrono::microseconds::zero()
              ? "; shaded: more than " + bot::format_duration(gap_marker) + " without entries"
              : std::string()) +
         "</figcaption>\n</figure>\n";
}

std::string entry_html(const bot::timeline_entry& e, const std::string& opened_day) {
  std::string out = "<li class=\"entry\" id=\"entry-" + std::to_string(e.id) + "\" data-source=\"" +
                    std::string(bot::to_string(e.source)) + "\">";
  out += "<div class=\"when\">" + time_html(e.occurred_at, utc_date(e.occurred_at) != opened_day) +
         "</div>";
  out += "<span class=\"text\">" + escape_html(e.text) + "</span>";
  out += "<div class=\"meta\"><span class=\"author\">" + escape_html(e.author.name) +
         "</span><span class=\"source\">" + std::string(bot::to_string(e.source)) + "</span>";
  if (const auto link = safe_link(e.link); !link.empty()) {
    out += "<a class=\"link\" href=\"" + escape_html(link) +
           "\" rel=\"noopener noreferrer\">in chat</a>";
  }
  return out + "</div></li>\n";
}

// The entries shown, and where some are left out between them a link to the next ones: a plain
// link, so that it works without JavaScript.
std::string entries_html(const incident_details& details) {
  const auto& excerpt = details.timeline;
  if (excerpt.head.empty()) return "<p class=\"empty\">No entries.</p>\n";
  const std::string opened_day = utc_date(details.inc.opened_at);
  std::string out = "<ol id=\"entries\">\n";
  for (const auto& e : excerpt.head) out += entry_html(e, opened_day);
  if (excerpt.gap_after) {
    const std::string next = incident_path(details.inc) + "&after=" +
                             http::percent_encode(bot::format_cursor(*excerpt.gap_after)) + "#more";
    out += "<li class=\"more\" id=\"more\"><span>" + std::to_string(excerpt.total) +
           " entries in all; some between these are not shown."
           "</span> <a id=\"show-more\" href=\"" +
           escape_html(next) + "\">Show the next " + std::to_string(more_entries) +
           "</a> · <a href=\"" + escape_html(incident_path(details.inc)) +
           "#entries\">Back to the start</a></li>\n";
  }
  for (const auto& e : excerpt.tail) out += entry_html(e, opened_day);
  return out + "</ol>\n";
}

std::string download_path(const bot::incident& inc) {
  return "/incidents/" + bot::incident_label(inc) +
         "/postmortem.md?workspace=" + http::percent_encode(inc.channel.workspace);
}

// The draft as the page shows it, below the page's own headings (h1 the incident, h2 "Postmortem
// draft"): without its title, which would say both again, and without its wording review, which
// the page shows as a section of its own, of the answers as they are now.
std::vector<bot::markdown::block> draft_blocks(std::string_view markdown) {
  using bot::markdown::block_kind;
  auto blocks = bot::markdown::parse(markdown);
  if (!blocks.empty() && blocks.front().kind == block_kind::heading && blocks.front().level == 1) {
    blocks.erase(blocks.begin());
  }
  const auto review = std::find_if(blocks.begin(), blocks.end(), [](const auto& b) {
    return b.kind == block_kind::heading && b.level == 2 &&
           bot::markdown::plain_text(b.spans) == bot::review_heading;
  });
  const auto after =
      std::find_if(review == blocks.end() ? review : std::next(review), blocks.end(),
                   [](const auto& b) { return b.kind == block_kind::heading && b.level <= 2; });
  blocks.erase(review, after);
  // Its sections ("## Summary") become the h3s of the page's h2.
  for (auto& b : blocks) {
    if (b.kind == block_kind::heading) b.level = std::min(b.level + 1, 6);
  }
  return blocks;
}

std::string postmortem_html(const incident_details& details) {
  const auto& inc = details.inc;
  std::string out = "<section id=\"postmortem\">\n<h2>Postmortem draft</h2>\n";
  if (!details.postmortem) {
    out += std::string("<p class=\"empty\" id=\"no-draft\">No draft yet. ") +
           (inc.status == bot::incident_status::open
                ? "Scribe drafts the postmortem after the incident is closed"
                : "Scribe drafts the postmortem once the questions are answered or time runs out") +
           "; the <code>draft</code> command makes one at any time.</p>\n</section>\n";
    return out;
  }
  const auto& view = *details.postmortem;
  out += "<p class=\"draft-meta\">Version <span id=\"draft-version\">" +
         std::to_string(view.latest.version) + "</span>, drafted " +
         time_html(view.latest.drafted_at, true) + " · <a id=\"download\" href=\"" +
         escape_html(download_path(inc)) + "\">Download as Markdown</a></p>\n";
  out += "<div class=\"draft\">\n" + bot::markdown::to_html(draft_blocks(view.latest.markdown)) +
         "\n</div>\n</section>\n";
  out +=
      "<section id=\"review\">\n<h2>Wording review</h2>\n"
      "<p class=\"note\">Of the summary and the answers as they are now (the draft above is "
      "version " +
      std::to_string(view.latest.version) + " as posted).</p>\n";
  if (view.review.empty()) {
    out += "<p class=\"empty\">Nothing to reword: the summary and answers read blamelessly.</p>\n";
  } else {
    out += "<ul class=\"findings\">\n";
    for (const auto& r : view.review) {
      const std::string kind(bot::to_string(r.finding.kind));
      out += "<li class=\"finding finding-" + kind + "\" data-kind=\"" + kind +
             "\"><q class=\"quote\">" + escape_html(r.finding.quote) +
             "</q> <span class=\"where\">in " + escape_html(r.where) +
             "</span> <span class=\"kind\">" + kind + "</span> <span class=\"rule\">" +
             escape_html(r.finding.rule) + "</span><br><span class=\"suggestion\">" +
             escape_html(r.finding.suggestion) + "</span>";
      if (r.finding.rewrite) {
        out +=
            "<br><span class=\"rewrite\">Rewrite: " + escape_html(*r.finding.rewrite) + "</span>";
      }
      out += "</li>\n";
    }
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

}  // namespace

std::string iso_date(std::chrono::year_month_day date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

std::string format_utc_time_of_day(bot::timestamp t) {
  const std::chrono::hh_mm_ss clock{
      std::chrono::floor<std::chrono::seconds>(t - std::chrono::floor<std::chrono::days>(t))};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d UTC", static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buf;
}

std::string incident_duration(const bot::incident& inc, bot::timestamp now) {
  if (inc.closed_at) return bot::format_duration(*inc.closed_at - inc.opened_at);
  return "open for " + bot::format_duration(now - inc.opened_at);
}

std::string incident_path(const bot::incident& inc) {
  return "/incidents/" + bot::incident_label(inc) +
         "?workspace=" + http::percent_encode(inc.channel.workspace);
}

std::string safe_link(std::string_view link) {
  const auto starts_with = [&](std::string_view prefix) {
    return link.size() >= prefix.size() && text::iequals(link.substr(0, prefix.size()), prefix);
  };
  for (const char c : link) {
    // Browsers strip these from URLs, which could turn "java\tscript:" into a scheme.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return {};
  }
  if (starts_with("https://") || starts_with("http://") || starts_with("/")) {
    return std::string(link);
  }
  return {};
}

std::string incident_list_body(const std::vector<bot::incident>& incidents,
                               std::optional<bot::incident_status> shown,
                               const std::optional<bot::page_cursor>& older, bot::timestamp now) {
  const auto filter_link = [&](std::string_view href, std::string_view label,
                               std::optional<bot::incident_status> status) {
    return "<a href=\"" + std::string(href) + "\"" +
           (status == shown ? " aria-current=\"page\"" : "") + ">" + std::string(label) + "</a>";
  };
  std::string body =
      "<h1>Incidents</h1>\n<p class=\"note\" id=\"review-link\"><a href=\"/review\">Review a "
      "text</a> for blameless wording: a postmortem written elsewhere, an answer, a summary.</p>\n"
      "<nav class=\"filters\" id=\"filters\">" +
      filter_link("/", "All", std::nullopt) +
      filter_link("/?status=open", "Open", bot::incident_status::open) +
      filter_link("/?status=closed", "Closed", bot::incident_status::closed) + "</nav>\n";
  if (incidents.empty()) {
    const std::string which = shown ? std::string(bot::to_string(*shown)) + " " : "";
    return body + "<p class=\"empty\" id=\"no-incidents\">No " + which +
           "incidents yet. Open one in chat with <code>/incident open &lt;title&gt;</code>.</p>\n";
  }
  body +=
      "<div class=\"table-scroll\">\n<table id=\"incidents\">\n<thead><tr><th>Incident</th>"
      "<th>Title</th><th>Severity</th><th>Status</th><th>Channel</th><th>Opened</th>"
      "<th>Duration</th></tr></thead>\n<tbody>\n";
  for (const auto& inc : incidents) {
    const std::string status(bot::to_string(inc.status));
    body += "<tr class=\"incident\" data-status=\"" + status + "\" data-id=\"" +
            bot::incident_label(inc) + "\">";
    body += "<td class=\"id\"><a href=\"" + escape_html(incident_path(inc)) + "\">" +
            bot::incident_label(inc) + "</a></td>";
    body += "<td class=\"title\">" + escape_html(inc.title) + "</td>";
    body += "<td class=\"severity\">" + bot::severity_label(inc.severity) + "</td>";
    body += "<td class=\"status\">" + status_html(inc.status) + "</td>";
    body += "<td class=\"channel\">" + escape_html(channel_text(inc.channel)) + "</td>";
    body += "<td class=\"opened\">" + time_html(inc.opened_at, true) + "</td>";
    body += "<td class=\"duration\">" + incident_duration(inc, now) + "</td>";
    body += "</tr>\n";
  }
  body += "</tbody>\n</table>\n</div>\n";
  if (older) {
    const std::string href =
        "/?" + (shown ? "status=" + std::string(bot::to_string(*shown)) + "&" : std::string()) +
        "cursor=" + http::percent_encode(bot::format_cursor(*older));
    body += "<p class=\"note\" id=\"older\"><a href=\"" + escape_html(href) +
            "\">Older incidents</a></p>\n";
  }
  return body;
}

std::string incident_page_body(const incident_details& details,
                               std::chrono::microseconds gap_marker) {
  const auto& inc = details.inc;
  std::string body = "<h1 id=\"incident-title\"><span class=\"label\">" + bot::incident_label(inc) +
                     "</span> " + escape_html(inc.title) + "</h1>\n";
  body += "<dl class=\"facts\" id=\"facts\">\n";
  body += "<dt>Status</dt><dd>" + status_html(inc.status) + "</dd>\n";
  body +=
      "<dt>Severity</dt><dd class=\"severity\">" + bot::severity_label(inc.severity) + "</dd>\n";
  body += "<dt>Channel</dt><dd class=\"channel\">" + escape_html(channel_text(inc.channel)) +
          " <span class=\"muted\">(workspace " + escape_html(inc.channel.workspace) +
          ")</span></dd>\n";
  body += "<dt>Opened</dt><dd class=\"opened\"><span class=\"author\">" +
          escape_html(inc.opened_by.name) + "</span>, " + time_html(inc.opened_at, true) +
          "</dd>\n";
  body += "<dt>Closed</dt><dd class=\"closed\">";
  if (inc.closed_at) {
    body += "<span class=\"author\">" + escape_html(inc.closed_by ? inc.closed_by->name : "") +
            "</span>, " + time_html(*inc.closed_at, true);
  } else {
    body += "still open";
  }
  body += "</dd>\n<dt>Duration</dt><dd class=\"duration\">" + incident_duration(inc, details.now) +
          "</dd>\n";
  if (!inc.summary.empty()) {
    body += "<dt>Summary</dt><dd class=\"summary\">" + escape_html(inc.summary) + "</dd>\n";
  }
  body += "</dl>\n<h2>Timeline</h2>\n";
  body += timeline_figure(details, gap_marker);
  body += entries_html(details);
  body += postmortem_html(details);
  return body;
}

std::string error_body(std::string_view heading, std::string_view reason) {
  return "<h1>" + escape_html(heading) + "</h1>\n<p class=\"error\">" + escape_html(reason) +
         "</p>\n<p><a href=\"/\">All incidents</a></p>\n";
}

std::string ambiguous_body(std::string_view label, const std::vector<bot::incident>& found) {
  std::string body = "<h1>" + escape_html(label) + " is in several workspaces</h1>\n<ul>\n";
  for (const auto& inc : found) {
    body += "<li><a href=\"" + escape_html(incident_path(inc)) + "\">" +
            escape_html(bot::incident_label(inc) + " in " + inc.channel.platform + ":" +
                        inc.channel.workspace + " · " + inc.title) +
            "</a></li>\n";
  }
  return body + "</ul>\n";
}

std::string site_page(const site::access_policy& access, bool playground, std::string title,
                      std::string body) {
  std::vector<nav_link> nav{{"/", "Incidents"}, {"/review", "Review a text"}};
  if (playground) nav.push_back({"/playground", "Playground"});
  if (access.token_required()) {
    body +=
        "<form id=\"signout\" method=\"post\" action=\"/signout\"><button "
        "type=\"submit\">Sign out</button></form>\n";
  }
  return html_document({std::move(title),
                        std::move(body),
                        std::move(nav),
                        {"/static/scribe.css"},
                        {"/static/scribe.js"}});
}

}  // namespace scribe::web
