#pragma once
// The incident store port: what the domain needs from durable storage. Implementations live in
// storage/ (SQLite now, PostgreSQL later).
//
// Contract for every implementation:
// - Each call is atomic: it either happens completely or not at all, also across processes
//   sharing one database. Invariants are enforced by the database (unique keys, conditional
//   updates), never by a check-then-act in the caller, so several replicas stay correct.
// - A call returns only after its effect is durable: the caller may acknowledge it.
// - Input-dependent failures return errc values; infrastructure failures (I/O, a broken database)
//   throw std::exception subclasses.
// - Calls block and may be made from any thread concurrently. Call them off network threads.

#include "bot/error.hpp"
#include "bot/incident.hpp"
#include "bot/postmortem.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scribe::bot {

struct new_incident {
  channel_ref channel;
  std::string title;
  std::optional<int> severity;
  person opened_by;
  timestamp opened_at;
};

// What closing an incident changes, in one transaction: the incident, its timeline, the questions
// its postmortem asks (copied in order) and the follow-ups that run later (asking, a reminder, an
// automatic draft).
struct incident_closure {
  person closed_by;
  timestamp closed_at;
  std::string summary;
  entry_draft entry;
  std::vector<asked_question> questions;
  std::vector<follow_up> follow_ups;
};

// Which incidents list_incidents returns.
struct incident_filter {
  std::optional<incident_status> status;  // nullopt: open and closed
  std::size_t limit = 100;
  std::optional<page_cursor> before;  // only incidents listed after this one (older)
};

// Totals for monitoring (GET /metrics).
struct incident_counts {
  std::int64_t open = 0;  // incidents open now
  // Timeline entries ever recorded, including ones later removed (their message was deleted): a
  // counter that only grows, so that a monitor can tell the recording rate.
  std::int64_t entries_recorded = 0;
};

struct recorded_entry {
  timeline_entry entry;
  bool inserted = false;  // false: an entry for the same message existed and is returned instead
};

class incident_store {
 public:
  virtual ~incident_store() = default;

  // Creates the incident with the next number of its workspace and records `opened_entry` in its
  // timeline. Fails with errc::incident_already_open when the channel has an open incident.
  virtual result<incident> open_incident(const new_incident& fields,
                                         const entry_draft& opened_entry) = 0;

  virtual std::optional<incident> find_open_incident(const channel_ref& channel) = 0;
  // The channel's incident that was open at `at`: opened at or before it, and still open or
  // closed after it. Incidents of one channel never overlap, so there is at most one.
  virtual std::optional<incident> find_incident_open_at(const channel_ref& channel,
                                                        timestamp at) = 0;
  virtual std::optional<incident> find_incident(std::int64_t id) = 0;
  // The channel's open incident, else the one closed last.
  virtual std::optional<incident> find_latest_incident(const channel_ref& channel) = 0;
  // Every incident numbered INC-<number>, in any workspace, oldest first.
  virtual std::vector<incident> find_incidents_by_number(std::int64_t number) = 0;
  // Incidents of every channel, newest opened first, at most filter.limit of them.
  virtual std::vector<incident> list_incidents(const incident_filter& filter) = 0;

  // Changes the severity of an open incident and records `entry`. errc::incident_not_found, or
  // errc::no_open_incident when it is closed.
  virtual result<incident> set_severity(std::int64_t id, int severity,
                                        const entry_draft& entry) = 0;

  // Closes an open incident as `closure` says. Only one of several concurrent closes succeeds;
  // the others get errc::no_open_incident and change nothing.
  virtual result<incident> close_incident(std::int64_t id, const incident_closure& closure) = 0;

  // Records an entry. An entry whose message_ref the incident already has is not stored again:
  // the existing entry comes back with inserted == false. errc::incident_not_found.
  virtual result<recorded_entry> add_entry(std::int64_t incident_id, const entry_draft& entry) = 0;

  // Records a flagged message (as add_entry) and who flagged it, in one transaction. Flagging a
  // message that is already in the timeline only adds the flagger.
  virtual result<recorded_entry> flag_entry(std::int64_t incident_id, const entry_draft& entry,
                                            const std::string& flagged_by) = 0;

  // Adds `flagged_by`'s flag to the incident's entry for `message_ref`, if there is one, and
  // returns that entry's id: a message flagged again needs nothing fetched.
  virtual std::optional<std::int64_t> add_flag(std::int64_t incident_id,
                                               const std::string& message_ref,
                                               const std::string& flagged_by) = 0;

  // Removes `flagged_by`'s flag from the entry for `message_ref` in the channel's incidents. When
  // no flag is left, the entry is removed too and returned. errc::entry_not_found when there was
  // no such flag.
  virtual result<std::optional<timeline_entry>> unflag_entry(const channel_ref& channel,
                                                             const std::string& message_ref,
                                                             const std::string& flagged_by) = 0;

  // The message that `flagged_by` flagged in the channel's incidents, if any. Where a platform's
  // flags have ids of their own (a Matrix reaction event), flagged_by is that id, and taking the
  // flag back names only it.
  virtual std::optional<std::string> find_flagged_message(const channel_ref& channel,
                                                          const std::string& flagged_by) = 0;

  // The message was edited in chat: its entries in the channel's incidents take the new text.
  // Returns how many entries changed.
  virtual std::int64_t update_entry_text(const channel_ref& channel, const std::string& message_ref,
                                         const std::string& text) = 0;

  // The message was deleted in chat: its entries in the channel's incidents go too, and are
  // returned.
  virtual std::vector<timeline_entry> remove_entries(const channel_ref& channel,
                                                     const std::string& message_ref) = 0;

  // Timelines are read in event order (by occurred_at, then by the order of recording) and in
  // pages: an alert storm can make one of hundreds of thousands of entries, and nothing that
  // serves people holds a whole one in memory.
  //
  // At most `limit` entries after `after`, or from the first when it is nullopt.
  virtual std::vector<timeline_entry> timeline_page(std::int64_t incident_id,
                                                    const std::optional<page_cursor>& after,
                                                    std::size_t limit) = 0;
  // The last `limit` entries, in event order.
  virtual std::vector<timeline_entry> timeline_tail(std::int64_t incident_id,
                                                    std::size_t limit) = 0;
  virtual std::int64_t timeline_size(std::int64_t incident_id) = 0;
  // The ids of the people who wrote the incident's entries (empty ids left out), each once.
  virtual std::vector<std::string> timeline_authors(std::int64_t incident_id) = 0;
  // Where the entries fall in [from, to), cut into `columns` equal slices (entries outside it
  // count in the first or last), and the `max_quiet` longest stretches longer than `min_quiet`
  // between consecutive entries. Reads indexes, not entries; its answer's size does not grow
  // with the timeline.
  virtual timeline_shape shape(std::int64_t incident_id, timestamp from, timestamp to,
                               std::size_t columns, std::chrono::microseconds min_quiet,
                               std::size_t max_quiet) = 0;
  // Every entry, page by page: its size grows with the incident, so it is for tests and tools
  // that need all of it, never for answering people.
  std::vector<timeline_entry> timeline(std::int64_t incident_id);

  // Throws when the store cannot take a small write (for health checks): storage_unavailable for
  // a full disk, a read-only file or a lock held elsewhere.
  virtual void ping() = 0;

  // Cheap: it reads indexes and counters, not the timeline.
  virtual incident_counts counts() = 0;
};

}  // namespace scribe::bot
