// How long drafting the postmortem of a large incident takes: a closed incident with N timeline
// entries (default 10,000) and every question answered, on a real SQLite store in a temporary
// folder, through the same desks the bot uses.
//
//   scribe_draft_bench [entries] [runs]
//
// Times, over `runs` runs each (default 20):
//   preview  postmortem_desk::latest_or_preview before any draft is stored: reads the incident,
//            its timeline, questions and answers, and composes the Markdown (what `scribe export`
//            and the web page do before the first draft);
//   draft    postmortem_desk::draft for a new request each run: the same, plus storing the next
//            version (what `/incident draft` does before posting);
//   stored   latest_or_preview once drafts exist: reading the latest stored version.
// Prints one "BENCH_DRAFT" line per kind for bench/run, after a line of set-up figures.

#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "storage/sqlite_store.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace scribe;
using namespace std::chrono_literals;
using stopwatch = std::chrono::steady_clock;

// Concatenation by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) about
// "literal" + std::string, and this file must build warning-clean at any optimisation level.
std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto part : parts) out.append(part);
  return out;
}

// The store's file lives here; removed with the folder when the bench ends, also on an error.
class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "scribe-draft-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The incident's own time: it was opened, written and closed in the past, as a real one was.
class story_clock final : public bot::clock {
 public:
  bot::timestamp now() const override { return now_; }
  void set(bot::timestamp t) { now_ = t; }

 private:
  bot::timestamp now_ = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
};

long parse_count(const char* text, const char* what) {
  long value = 0;
  const std::string_view s(text);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || value < 1) {
    throw std::invalid_argument(join({what, " must be a whole number >= 1, not '", text, "'"}));
  }
  return value;
}

double ms_since(stopwatch::time_point start) {
  return std::chrono::duration<double, std::milli>(stopwatch::now() - start).count();
}

struct timing {
  double median_ms = 0;
  double max_ms = 0;
};

timing time_runs(long runs, const std::function<std::size_t()>& once, std::size_t& bytes) {
  std::vector<double> ms;
  for (long i = 0; i < runs; ++i) {
    const auto start = stopwatch::now();
    bytes = once();
    ms.push_back(ms_since(start));
  }
  std::sort(ms.begin(), ms.end());
  const std::size_t n = ms.size();
  const double median = n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  return {median, ms.back()};
}

// Entry texts of the lengths and kinds a real timeline has: short notes, pasted log lines, long
// explanations; a few flagged chat messages with a reference and a link.
bot::entry_draft entry_at(long i, bot::timestamp at) {
  static const std::vector<std::string> people = {"alice", "bob", "carol", "dave", "erin",
                                                  "frank", "grace", "heidi"};
  static const std::vector<std::string> texts = {
      "database failover started",
      "replica lag on db-2 is 45 s and rising; pausing the batch importer",
      "ERROR 2026-11-21T09:58:12Z pool=orders conn refused (max_connections=500) retry=3/5",
      "Rolled back deploy 4711 of checkout-api: error rate went from 0.2% to 7% within two "
      "minutes of the rollout, and the only change touching the connection pool was in it. "
      "Watching p99 and the pool saturation graphs for the next ten minutes before we call it.",
      "customer support reports login failures in EU",
      "paged the storage on-call, joined the bridge",
  };
  const auto& who = people[static_cast<std::size_t>(i) % people.size()];
  bot::entry_draft entry;
  entry.occurred_at = at;
  entry.recorded_at = at;
  entry.author = {join({"U", std::to_string(1000 + i % 8)}), who};
  entry.text = join({texts[static_cast<std::size_t>(i) % texts.size()], " (#", std::to_string(i), ")"});
  if (i % 10 == 0) {
    const std::string message_ts = std::to_string(1'795'255'200 + i);
    entry.source = bot::entry_source::reaction;
    entry.message_ref = join({"C123/", message_ts, ".000100"});
    entry.link = join({"https://example.slack.com/archives/C123/p", message_ts, "000100"});
  }
  return entry;
}

int run(long entries, long runs) {
  scratch_dir dir;
  storage::sqlite_store store(dir.path() / "scribe.db");
  story_clock clock;
  const config::postmortem_options options;
  bot::incident_desk desk(store, store, clock, options);
  bot::postmortem_desk postmortems(store, store, clock, options);
  const bot::channel_ref channel{"slack", "T123", "C123"};
  const bot::person alice{"U1000", "alice"};

  auto command = [&](std::string text) {
    return desk.run_command({channel, alice, std::move(text), "/incident", std::nullopt, std::nullopt});
  };
  // One entry every 10 seconds (10,000: about 28 hours) with a quiet stretch of 2 hours halfway
  // for a gap marker; the first ones an hour before the incident was opened (flagged messages keep
  // the time they were written). Everything lies in the past, ending with the drafting now.
  const auto span = std::chrono::seconds(10 * entries) + 2h;
  const bot::timestamp first = clock.now() - span - 4h;
  clock.set(first + 1h);
  command("open checkout errors after database failover");
  const auto inc = store.find_open_incident(channel);
  if (!inc) throw std::runtime_error("opening the incident failed");

  const auto setup_start = stopwatch::now();
  for (long i = 0; i < entries; ++i) {
    auto at = first + std::chrono::seconds(10 * i);
    if (i >= entries / 2) at += 2h;
    if (!store.add_entry(inc->id, entry_at(i, at))) throw std::runtime_error("add_entry failed");
  }
  const double insert_ms = ms_since(setup_start);

  clock.set(first + span + 10min);
  command("close failover finished; the pool limit was raised and the importer throttled");
  std::map<std::string, std::string> answers;
  for (const auto& q : postmortems.questions(inc->id)) {
    answers[q.id] = "From the timeline: the pool limit was reached after the failover because the "
                    "importer reconnected all at once. We should have throttled it.";
  }
  answers["actions"] =
      "- @bob throttle the importer's reconnects, due 2026-12-01\n"
      "- @carol alert on pool saturation above 80%, due 2026-12-05\n"
      "- @dave document the failover runbook";
  if (!postmortems.answer_in_form(inc->id, "slack", "T123", alice, "bench-form", answers)) {
    throw std::runtime_error("answering the questions failed");
  }
  clock.set(first + span + 1h);
  const bot::person bob{"U1001", "bob"};
  if (!postmortems.answer_in_form(inc->id, "slack", "T123", bob, "bench-form-2",
                                  {{"went_well", "The rollback took two minutes."}})) {
    throw std::runtime_error("answering the questions failed");
  }
  clock.set(first + span + 2h);
  std::printf("setup entries=%ld insert_ms=%.0f (%.0f us per add_entry)\n", entries, insert_ms,
              1000 * insert_ms / static_cast<double>(entries));

  auto report = [&](const char* kind, timing measured, std::size_t markdown_bytes) {
    std::printf(
        "BENCH_DRAFT kind=%s entries=%ld runs=%ld median_ms=%.2f max_ms=%.2f markdown_bytes=%zu\n",
        kind, entries, runs, measured.median_ms, measured.max_ms, markdown_bytes);
  };
  std::size_t bytes = 0;
  timing t;
  auto preview = [&]() -> std::size_t {
    const auto d = postmortems.latest_or_preview(inc->id);
    if (!d || d->draft.version != 0) throw std::runtime_error("expected a preview");
    return d->draft.markdown.size();
  };
  t = time_runs(runs, preview, bytes);
  report("preview", t, bytes);

  long request = 0;
  auto draft = [&]() -> std::size_t {
    const bot::postmortem_job job{bot::postmortem_step::draft, inc->id,
                                  join({"command:", std::to_string(++request), ":U1000"})};
    const auto d = postmortems.draft(job);
    if (!d || d->draft.version != request) throw std::runtime_error("expected a new version");
    return d->draft.markdown.size();
  };
  t = time_runs(runs, draft, bytes);
  report("draft", t, bytes);

  auto stored = [&]() -> std::size_t {
    const auto d = postmortems.latest_or_preview(inc->id);
    if (!d || d->draft.version != request) throw std::runtime_error("expected the stored draft");
    return d->draft.markdown.size();
  };
  t = time_runs(runs, stored, bytes);
  report("stored", t, bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 3) throw std::invalid_argument("usage: scribe_draft_bench [entries] [runs]");
    const long entries = argc > 1 ? parse_count(argv[1], "entries") : 10'000;
    const long runs = argc > 2 ? parse_count(argv[2], "runs") : 20;
    return run(entries, runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scribe_draft_bench: %s\n", e.what());
    return 1;
  }
}
