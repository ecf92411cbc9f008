#include "app/export.hpp"

#include "app/cli.hpp"
#include "bot/postmortem_desk.hpp"
#include "storage/open_store.hpp"

namespace scribe::app {

int export_postmortem(const config::options& options, const std::string& label,
                      const std::string& workspace, std::ostream& out, std::ostream& err) {
  storage::opened_store store;
  try {
    // Reading only: a folder without a database gets none created in it.
    store = storage::open_store(options.storage, storage::open_mode::existing);
  } catch (const storage::no_database& e) {
    err << "scribe: " << e.what() << ": nothing to export\n";
    return exit_unavailable;
  } catch (const std::exception& e) {
    err << "scribe: cannot open the store: " << e.what() << '\n';
    return exit_unavailable;
  }
  bot::system_clock clock;
  bot::postmortem_desk desk(*store.incidents, *store.postmortems, clock, options.postmortem);
  const auto found = desk.find_by_label(label, workspace);
  if (found.empty()) {
    err << "scribe: no incident " << label << (workspace.empty() ? "" : " in " + workspace) << '\n';
    return exit_no_input;
  }
  if (found.size() > 1) {
    err << "scribe: " << label << " exists in several workspaces; pick one with --workspace:\n";
    for (const auto& inc : found) {
      err << "  --workspace " << inc.channel.workspace << "   (" << inc.channel.platform << ", "
          << inc.title << ")\n";
    }
    return exit_usage;
  }
  const auto latest = desk.latest_or_preview(found.front().id);
  if (!latest) {  // deleted between the two reads
    err << "scribe: no incident " << label << '\n';
    return exit_no_input;
  }
  if (latest->draft.version == 0) {
    err << "scribe: " << label
        << " has no posted draft yet; this is a preview composed from the data as it is now\n";
  }
  out << latest->draft.markdown;
  return exit_ok;
}

}  // namespace scribe::app
