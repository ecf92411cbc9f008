#pragma once
// Follow-up actions from the answers to the postmortem question "What follow-up actions will make
// this less likely or less harmful? Give each an owner (an @mention) and, where you can, a due
// date." People answer in chat, often with several actions in one message; this turns such an
// answer into items the draft can list and the bot can remind owners about.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

// One follow-up action.
struct action_item {
  // The action as written, without list marker, owner phrase or due-date phrase; trimmed.
  std::string text;
  // The first @mention in the item as written ("@alice", "@U024BE7LH", "@alice:example.org").
  // Empty if the item mentions nobody.
  std::string owner;
  // The due date, when one is given.
  std::optional<std::chrono::year_month_day> due;
};

// Parses an answer into action items, in the order written.
//
// Answers are plain text: each platform's markup is made plain before it reaches bot/ (Slack's
// `<@U024BE7LH>` is "@alice" or "@U024BE7LH" by then, its "&amp;" an "&").
//
// Items: one per non-empty line, and one per ';'-separated part of a line. List markers are dropped: "- ", "* ",
// "+ ", "• ", "– ", "— ", "1. ", "1) ", "[ ] ", "[x] " (and a bullet followed by a check box).
// A part that ends in ':' and has neither owner nor date is a heading ("Actions:") and is skipped;
// so is a part whose text is empty once owner and date are taken out.
//
// Owner: the first mention (`@name` of letters, digits, '.', '_', '-'; a Matrix id
// `@alice:example.org`). An '@' glued to a word is
// an email address, not a mention. The mention is taken out of the text when it is detachable: in
// an owner phrase ("owner: @x", "owner @x", "owners: @x"), in parentheses ("(@x)"), at the start
// ("@x: do y", "@x to do y", "@x will do y" leave "do y") or at the end ("do y - @x"). A mention
// inside a sentence ("Ask @bob to review the runbook") stays in the text, because taking it out
// would break the sentence; it is still the owner. Later mentions stay in the text.
//
// Due date: the first "by|due|due by|due on|due date:|until|till|before|deadline <date>"
// phrase, or failing that the first bare ISO date. <date> is ISO `YYYY-MM-DD`, or a month name
// (full or abbreviated, "Sept" too) with a day: "Dec 5", "Dec. 5th", "December 5, 2026",
// "5 Dec", "5th of December 2026". Numeric forms other than ISO ("12/05", "05.12.") are not
// read, because half the world reads them day-first and half month-first, and a wrong due date is
// worse than none. Weekdays and relative phrases ("next Friday", "EOW") are not read either.
// Without a year, the date is the next such date on or after `today` (so on 2026-12-20 "Jan 5"
// is 2027-01-05, and "Feb 29" is the next leap day). Impossible dates ("2026-02-30", "Feb 30")
// are not dates: the text keeps them and `due` stays empty. The phrase is taken out of the text
// with its parentheses ("(due Dec 5)") and the separator that introduced it (",", ":", "-", "–",
// "—").
//
// Pure and thread-safe; linear in the length of the answer. Never throws on odd input (empty,
// whitespace, invalid UTF-8, very long lines; it can throw std::bad_alloc). Only ASCII bytes and
// whole UTF-8 sequences are removed, so the text stays valid UTF-8 if the answer was.
std::vector<action_item> parse_action_items(std::string_view answer,
                                            std::chrono::year_month_day today);

}  // namespace scribe::bot
