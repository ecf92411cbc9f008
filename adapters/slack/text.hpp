#pragma once
// Slack's message text format ("mrkdwn"), in both directions (DOC:"Formatting text for app
// surfaces"). Text arriving in events has '&', '<' and '>' escaped as &amp; &lt; &gt;, and
// references in angle brackets: <@U123> or <@U123|name> (users), <#C123|name> (channels),
// <!here> and <!subteam^S123|@team> (special mentions), <https://x|label> (links).
// Pure functions, safe from any thread; they never throw for any input.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::slack {

// Slack text made readable for the timeline, where it is stored and shown as plain text:
// - <@U123|name> -> "@name", <@U123> -> "@U123" (no name lookup here);
// - <#C123|name> -> "#name", <#C123> -> "#C123";
// - <!here>, <!channel>, <!everyone> (with or without a label) -> "@here"...;
//   <!subteam^S1|@team> -> "@team";
//   <!date^...|fallback> -> "fallback"; any other <!x|label> -> label, <!x> -> "@x";
// - <https://x|label> -> "label (https://x)", or just the label when it only repeats the URL
//   (Slack's own auto-links look like <http://example.com|example.com>); <https://x> ->
//   "https://x";
// - then &lt; &gt; &amp; are unescaped (only those three: Slack escapes nothing else).
// A '<' with no '>' after it before the next '<' is kept as it is. Invalid UTF-8 is passed through.
std::string plain_text(std::string_view slack_text);

// The user ids of mentions without a label (<@U123>) in Slack text, each once, in order: what
// Slack sends when someone types @name, to be named with users.info.
std::vector<std::string> unlabelled_mentions(std::string_view slack_text);

// `slack_text` with each <@U123> whose id `names` knows written as <@U123|name>, so that
// plain_text() shows "@name" rather than "@U123".
std::string label_mentions(std::string_view slack_text,
                           const std::map<std::string, std::string>& names);

// Escapes '&', '<' and '>' as &amp; &lt; &gt; so that text Scribe sends is shown as written and
// cannot form mentions or links ("you shouldn't HTML-escape the entire text, only these three").
// Other mrkdwn (*bold*, `code`, newlines) keeps its meaning.
std::string escape_text(std::string_view text);

// `text` of an app_mention without the leading mention of the bot and the whitespace around it:
// "<@U0BOT> status" -> "status". With `bot_user_id` empty, any leading user mention is dropped;
// otherwise only <@bot_user_id> or <@bot_user_id|label>. Text that does not start with such a
// mention comes back with only its surrounding whitespace trimmed. The result points into `text`.
std::string_view strip_leading_mention(std::string_view text, std::string_view bot_user_id = {});

}  // namespace scribe::slack
