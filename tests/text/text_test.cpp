// Text from chat: UTF-8 that may be invalid, whitespace, words.
#include "text/text.hpp"

#include <catch2/catch.hpp>

using namespace scribe;

TEST_CASE("UTF-8 validation", "[unit][text]") {
  CHECK(text::is_valid_utf8(""));
  CHECK(text::is_valid_utf8("plain"));
  CHECK(text::is_valid_utf8("Ümlaut — 💳"));
  CHECK_FALSE(text::is_valid_utf8("\x80"));
  CHECK_FALSE(text::is_valid_utf8("\xC0\x80"));          // overlong NUL
  CHECK_FALSE(text::is_valid_utf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  CHECK_FALSE(text::is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(text::is_valid_utf8("\xE2\x82"));          // cut short
}

TEST_CASE("trimming and splitting words", "[unit][text]") {
  CHECK(text::trim("  a b \n") == "a b");
  CHECK(text::trim("\xC2\xA0x\xC2\xA0") == "x");
  CHECK(text::trim("") == "");
  std::string_view rest;
  CHECK(text::first_word("  open  the title ", rest) == "open");
  CHECK(rest == "the title");
  CHECK(text::single_line(" a \n\n b\tc ") == "a b c");
  CHECK(text::utf8_prefix("aü", 2) == "a");
  CHECK(text::code_point_count("aü💳") == 3);
}
