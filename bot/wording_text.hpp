#pragma once
// The wording review's reading of text: sentences and their tokens, with byte offsets into the
// text as written. Chat and Markdown are taken as they come: code spans, URLs, Slack and Matrix
// mentions and `handle@` stay single tokens; bullet lines are sentences of their own.
//
// Pure; linear in the length of the text; never throws on bad UTF-8 (a bad byte is a letter of
// its own, so nothing starts or ends inside a multi-byte sequence).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot::wording {

enum class token_kind {
  word,     // letters and digits, with inner ' - . ("didn't", "on-call", "v2.3")
  number,   // starts with a digit ("14:05", "40%", "502s")
  mention,  // @kim, <@U024BE7LH>, <@U1|kim>, @kim:example.org, kim@
  code,     // `code`, ```blocks```, URLs, e-mail addresses, #channels: never read as words
  punct,    // anything else, one character (or a run of . ! ?)
};

struct token {
  token_kind kind = token_kind::word;
  std::size_t begin = 0;  // byte offsets in the text
  std::size_t end = 0;
  // Words: lower-case ASCII with ’ folded to ' and a possessive 's dropped. Mentions: the
  // person's name or id, lower-case, without @ or server. Punctuation: the character.
  std::string norm;
  bool capitalised = false;   // starts with an ASCII capital letter
  bool all_capitals = false;  // two or more letters, none of them lower case: "API", "DBA"
  bool possessive = false;    // "Kim's", "<@U1>'s"
  bool glued = false;         // no space before it
};

struct sentence {
  std::size_t begin = 0;  // byte offsets in the text: no surrounding space, no bullet marker
  std::size_t end = 0;
  std::vector<token> tokens;
};

std::vector<sentence> split_sentences(std::string_view text);

}  // namespace scribe::bot::wording
