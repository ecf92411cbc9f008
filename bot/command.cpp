#include "bot/command.hpp"

#include "bot/incident.hpp"
#include "text/text.hpp"

namespace scribe::bot {
namespace {

std::string usage(std::string_view invoked_as, std::string_view rest) {
  std::string out{invoked_as};
  out += ' ';
  out += rest;
  return out;
}

bad_command too_long(std::string_view what, std::size_t limit, std::size_t length) {
  return {std::string{what} + " can be at most " + std::to_string(limit) +
          " characters; this one has " + std::to_string(length) + "."};
}

parsed_command parse_open(std::string_view args, std::string_view invoked_as) {
  std::string title = text::single_line(args);
  if (title.empty()) {
    return bad_command{"An incident needs a title, for example `" +
                       usage(invoked_as, "open Checkout returns 502 for EU users") + "`."};
  }
  if (auto n = text::code_point_count(title); n > max_title_length) {
    return too_long("A title", max_title_length, n);
  }
  return open_command{std::move(title)};
}

parsed_command parse_note(std::string_view args, std::string_view invoked_as) {
  if (args.empty()) {
    return bad_command{"A note needs text, for example `" +
                       usage(invoked_as, "note rolled back deploy 4812") + "`."};
  }
  if (auto n = text::code_point_count(args); n > max_text_length) {
    return too_long("A note", max_text_length, n);
  }
  return note_command{std::string{args}};
}

// Accepts "2", "sev2", "SEV-2" and "sev 2": people type all of them.
parsed_command parse_severity(std::string_view args, std::string_view invoked_as) {
  std::string_view value = args;
  if (value.size() >= 3 && text::iequals(value.substr(0, 3), "sev")) {
    value = text::trim(value.substr(3));
    if (!value.empty() && value.front() == '-') value.remove_prefix(1);
  }
  if (value.size() == 1 && value[0] >= '0' + min_severity && value[0] <= '0' + max_severity) {
    return severity_command{value[0] - '0'};
  }
  return bad_command{"Severity is a number from 1 (most severe) to 5, for example `" +
                     usage(invoked_as, "sev 2") + "`."};
}

}  // namespace

std::string help_text(std::string_view invoked_as) {
  const std::string p{invoked_as};
  return "Scribe keeps the timeline of an incident and drafts its postmortem.\n"
         "`" +
         p +
         " open <title>` start an incident in this channel\n"
         "`" +
         p +
         " note <text>` add a note to the timeline\n"
         "`" +
         p +
         " sev <1-5>` set the severity (1 is the most severe)\n"
         "`" +
         p +
         " status` show the open incident\n"
         "`" +
         p +
         " timeline` show the timeline so far\n"
         "`" +
         p +
         " close [summary]` close the incident and ask the postmortem questions\n"
         "`" +
         p +
         " draft` post the postmortem draft now (again after changes: a new version)\n"
         "`" +
         p + " help` show this help";
}

parsed_command parse_command(std::string_view text, std::string_view invoked_as) {
  if (!text::is_valid_utf8(text)) {
    return bad_command{
        "That text is not valid UTF-8, so I could not read it. Please type it again."};
  }
  std::string_view args;
  const std::string_view word = text::first_word(text, args);
  if (word.empty() || text::iequals(word, "help") || word == "?") return help_command{};
  if (text::iequals(word, "open")) return parse_open(args, invoked_as);
  if (text::iequals(word, "note")) return parse_note(args, invoked_as);
  if (text::iequals(word, "sev") || text::iequals(word, "severity"))
    return parse_severity(args, invoked_as);
  // Trailing words are ignored: "status INC-4" in the incident's channel means "status".
  if (text::iequals(word, "status")) return status_command{};
  if (text::iequals(word, "timeline")) return timeline_command{};
  if (text::iequals(word, "draft")) return draft_command{};
  if (text::iequals(word, "close")) {
    const std::string summary{args};
    if (auto n = text::code_point_count(summary); n > max_text_length) {
      return too_long("A summary", max_text_length, n);
    }
    return close_command{summary};
  }
  return bad_command{"I don't know `" + text::utf8_prefix(word, 40) + "`. Try `" +
                     usage(invoked_as, "help") + "` for the list, or `" +
                     usage(invoked_as, "note <text>") + "` to add a note."};
}

}  // namespace scribe::bot
