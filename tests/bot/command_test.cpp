#include "bot/command.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace scribe::bot;

namespace {

parsed_command parse(std::string_view text) {
  return parse_command(text, "/incident");
}

template <class T>
T as(const parsed_command& c) {
  REQUIRE(std::holds_alternative<T>(c));
  return std::get<T>(c);
}

}  // namespace

TEST_CASE("open takes the rest of the line as the title", "[unit][command]") {
  CHECK(as<open_command>(parse("open Checkout returns 502")).title == "Checkout returns 502");
  CHECK(as<open_command>(parse("OPEN   db   failover  ")).title == "db failover");
  CHECK(as<open_command>(parse("open line one\nline two")).title == "line one line two");
}

TEST_CASE("open without a title explains what to type", "[unit][command]") {
  const auto bad = as<bad_command>(parse("open"));
  CHECK_THAT(bad.reply, Catch::Contains("/incident open "));
  CHECK(std::holds_alternative<bad_command>(parse("open    \t ")));
}

TEST_CASE("note keeps the text as typed, newlines included", "[unit][command]") {
  CHECK(as<note_command>(parse("note rolled back\n  deploy 4812")).text ==
        "rolled back\n  deploy 4812");
  CHECK_THAT(as<bad_command>(parse("note")).reply, Catch::Contains("/incident note"));
}

TEST_CASE("severity accepts the ways people write it", "[unit][command]") {
  for (auto text : {"sev 2", "sev sev2", "sev SEV-2", "sev sev 2", "SEV 2", "severity 2"}) {
    INFO(text);
    CHECK(as<severity_command>(parse(text)).severity == 2);
  }
  CHECK(as<severity_command>(parse("sev 1")).severity == 1);
  CHECK(as<severity_command>(parse("sev 5")).severity == 5);
}

TEST_CASE("severity outside 1-5 or not a number gets advice", "[unit][command]") {
  for (auto text : {"sev", "sev 0", "sev 6", "sev 12", "sev two", "sev -1", "sev 2.5", "sev ２"}) {
    INFO(text);
    CHECK_THAT(as<bad_command>(parse(text)).reply, Catch::Contains("from 1 (most severe) to 5"));
  }
}

TEST_CASE("status, timeline, close and help", "[unit][command]") {
  CHECK(std::holds_alternative<status_command>(parse("status")));
  CHECK(std::holds_alternative<status_command>(parse("Status INC-4")));
  CHECK(std::holds_alternative<timeline_command>(parse("timeline")));
  CHECK(as<close_command>(parse("close")).summary.empty());
  CHECK(as<close_command>(parse("close  rolled back, error rate normal ")).summary ==
        "rolled back, error rate normal");
  CHECK(std::holds_alternative<help_command>(parse("help")));
  CHECK(std::holds_alternative<help_command>(parse("?")));
}

TEST_CASE("empty input shows the help", "[unit][command]") {
  CHECK(std::holds_alternative<help_command>(parse("")));
  CHECK(std::holds_alternative<help_command>(parse("   \n\t ")));
  CHECK(std::holds_alternative<help_command>(parse("\xC2\xA0")));  // a lone no-break space
}

TEST_CASE("an unknown word names itself and points to help", "[unit][command]") {
  const auto bad = as<bad_command>(parse("reopen INC-3"));
  CHECK_THAT(bad.reply, Catch::Contains("`reopen`"));
  CHECK_THAT(bad.reply, Catch::Contains("/incident help"));
  CHECK_THAT(as<bad_command>(parse_command("frobnicate", "!incident")).reply,
             Catch::Contains("!incident help"));
}

TEST_CASE("unicode passes through untouched", "[unit][command]") {
  CHECK(as<open_command>(parse("open Zahlungen schlagen fehl 💳 — Ümlaut")).title ==
        "Zahlungen schlagen fehl 💳 — Ümlaut");
  // A no-break space after the command word separates like a space.
  CHECK(as<note_command>(parse("note\xC2\xA0"
                               "日本語のメモ"))
            .text == "日本語のメモ");
}

TEST_CASE("invalid UTF-8 is refused with a reply, not an exception", "[unit][command]") {
  for (auto text : {std::string("note \xff\xfe"), std::string("open \xC0\xAF"),
                    std::string("note \xED\xA0\x80"), std::string("open abc\xE2\x82")}) {
    CHECK_THAT(as<bad_command>(parse(text)).reply, Catch::Contains("UTF-8"));
  }
}

TEST_CASE("very long input", "[unit][command]") {
  SECTION("a title over the limit is refused with both numbers") {
    const std::string title(max_title_length + 1, 'x');
    const auto bad = as<bad_command>(parse("open " + title));
    CHECK_THAT(bad.reply, Catch::Contains(std::to_string(max_title_length)));
    CHECK_THAT(bad.reply, Catch::Contains(std::to_string(max_title_length + 1)));
  }
  SECTION("the title limit counts characters, not bytes") {
    std::string title;
    for (std::size_t i = 0; i < max_title_length; ++i) title += "é";
    CHECK(as<open_command>(parse("open " + title)).title == title);
  }
  SECTION("a long note is kept whole") {
    const std::string text(max_text_length, 'n');
    CHECK(as<note_command>(parse("note " + text)).text.size() == max_text_length);
    CHECK(std::holds_alternative<bad_command>(parse("note " + text + "n")));
  }
  SECTION("a very long unknown word is cut in the reply without breaking a character") {
    std::string word;
    for (int i = 0; i < 100; ++i) word += "ü";
    const auto bad = as<bad_command>(parse(word));
    CHECK(bad.reply.size() < 300);
    CHECK_THAT(bad.reply, Catch::Contains("üüü`"));
  }
}

TEST_CASE("help lists every command with the prefix used", "[unit][command]") {
  const std::string help = help_text("!incident");
  for (auto word : {"open", "note", "sev", "status", "timeline", "close", "help"}) {
    CHECK_THAT(help, Catch::Contains(std::string("!incident ") + word));
  }
}
