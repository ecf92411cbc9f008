#include "config/options.hpp"

namespace scribe::config {

// The questions of a blameless review: impact and detection first, then what helped and what
// hindered, luck, learning, the contributing factors (plural on purpose), and actions with owners.
std::vector<postmortem_question> default_postmortem_questions() {
  return {
      {"impact", "What was the impact, on whom, and for how long?"},
      {"detection", "How did we become aware of the problem?"},
      {"went_well", "What went well? What helped us?"},
      {"went_wrong", "What went wrong? What slowed us down?"},
      {"lucky", "Where did we get lucky?"},
      {"learned", "What do we know now that we did not know before?"},
      {"factors",
       "What contributed to this incident? (There is rarely a single root cause: list the "
       "conditions that together made it possible.)"},
      {"actions",
       "What follow-up actions will make this less likely or less harmful? Give each an owner "
       "(an @mention) and, where you can, a due date."},
  };
}

}  // namespace scribe::config
