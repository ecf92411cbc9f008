#pragma once
// The command language responders type after `/incident` (Slack) or `!incident` (Matrix):
//   open <title> | note <text> | sev <1-5> | status | timeline | close [summary] | draft | help
// Parsing never throws: anything it cannot read becomes a `bad_command` with a reply that tells
// the person what to type instead.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace scribe::bot {

inline constexpr std::size_t max_title_length = 200;    // code points; titles show everywhere
inline constexpr std::size_t max_text_length = 40'000;  // code points; Slack's own message limit

struct open_command {
  std::string title;
};
struct note_command {
  std::string text;
};
struct severity_command {
  int severity = 0;
};
struct status_command {};
struct timeline_command {};
struct close_command {
  std::string summary;
};
struct draft_command {};
struct help_command {};
struct bad_command {
  std::string reply;
};

using parsed_command = std::variant<open_command, note_command, severity_command, status_command,
                                    timeline_command, close_command, draft_command, help_command,
                                    bad_command>;

// `invoked_as` is how the person reached Scribe ("/incident", "!incident"); replies quote it so
// that the advice can be pasted back as it is.
parsed_command parse_command(std::string_view text, std::string_view invoked_as);

// The full help text.
std::string help_text(std::string_view invoked_as);

}  // namespace scribe::bot
