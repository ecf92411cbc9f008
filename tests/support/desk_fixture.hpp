#pragma once
// The bot's desks on the real SQLite store in a temporary folder, with a clock the test moves:
// what most adapter tests stand on. Derive from it and add the adapter.

#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

namespace scribe::test_support {

struct desk_fixture {
  temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  manual_clock clock;
  config::postmortem_options postmortem;
  bot::incident_desk desk{store, store, clock, postmortem};
  bot::postmortem_desk postmortems{store, store, clock, postmortem};
};

}  // namespace scribe::test_support
