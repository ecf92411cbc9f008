#pragma once
// Scribe's logging facade: code raises records, the application chooses the sink.
//
// A record is one line: `<RFC 3339 time> level=<level> msg="<message>" key=value ...`. Values with
// spaces, quotes, '=' or control characters are quoted and escaped, so a record never spans lines
// whatever a chat message contained. Never pass a secret as a field: nothing here can tell one.
//
// Thread-safety: all functions may be called from any thread; the sink is called under a mutex.

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace scribe::log {

enum class level { debug, info, warn, error };

// Parses "debug", "info", "warn" or "error"; returns false for anything else.
bool parse_level(std::string_view text, level& out);
std::string_view to_string(level lvl);

struct field {
  std::string_view key;
  std::string value;
};

// Receives a fully formatted line without its trailing newline.
using sink = std::function<void(level, std::string_view line)>;

// Records below `lvl` are dropped before formatting.
void set_level(level lvl);
level current_level();
// Replaces the sink (default: stderr). Passing an empty function restores stderr.
void set_sink(sink s);

void write(level lvl, std::string_view message, std::span<const field> fields);
inline void write(level lvl, std::string_view message, std::initializer_list<field> fields = {}) {
  write(lvl, message, std::span<const field>(fields.begin(), fields.size()));
}
inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::error, m, f);
}

// The formatting alone, exposed for tests and for sinks that add their own prefix.
std::string format_record(level lvl, std::string_view message, std::span<const field> fields);

}  // namespace scribe::log
