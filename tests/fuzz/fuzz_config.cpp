// The configuration file and the SCRIBE_* environment (config/loader.hpp). Bad configuration must
// stop start-up with a config_error naming the key, never crash or throw anything else: so only
// config_error is caught here, and any other exception reaches libFuzzer as a crash.
// The input is the YAML text, then optionally a NUL byte and environment lines "NAME=value".

#include "config/loader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace config = scribe::config;
namespace fuzz = scribe::fuzz;

config::environment environment_of(std::string_view lines) {
  config::environment env;
  for (const auto line : fuzz::split(lines, '\n')) {
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    env.insert_or_assign(std::string(line.substr(0, equals)), std::string(line.substr(equals + 1)));
  }
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto nul = text.find('\0');
  const auto yaml = text.substr(0, nul);
  const auto env =
      nul == std::string_view::npos ? config::environment{} : environment_of(text.substr(nul + 1));
  try {
    const auto options = config::load_from_string(yaml, env, config::key_table(), "fuzz.yaml");
    // What `scribe check-config` and the start-up log print from an accepted configuration.
    for (const auto& [key, value] : config::describe(options)) SCRIBE_FUZZ_CHECK(!key.empty());
  } catch (const config::config_error& e) {
    SCRIBE_FUZZ_CHECK(std::string_view(e.what()).size() > 0);
  }
  return 0;
}
