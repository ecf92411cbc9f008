#pragma once
// The incident store, the postmortem store, the job queue and the playground's chat on one SQLite
// file. Being one database is what lets a change and the jobs it calls for commit together: closing
// an incident stores its questions and schedules its follow-ups, and the answer that completes a
// postmortem enqueues the draft, each in one transaction.
//
// Durability: WAL journal with synchronous=FULL, so a call that returned survives a power cut, not
// only a crash of Scribe. Foreign keys are on. Other processes may open the same file (a second
// Scribe, `sqlite3`): writers take IMMEDIATE transactions and wait up to the busy timeout.
//
// Thread-safety: calls are serialised on one connection by a mutex; each is a few short
// statements. A commit group (bot/group_commit.hpp) holds the mutex from begin to commit, so the
// calls of other threads never land in another thread's group.

#include "bot/chat_log.hpp"
#include "bot/group_commit.hpp"
#include "bot/incident_store.hpp"
#include "bot/job_queue.hpp"

#include <filesystem>
#include <memory>
#include <mutex>

namespace SQLite {
class Statement;
}  // namespace SQLite

namespace scribe::storage {

class sqlite_connection;

class sqlite_store final : public bot::incident_store,
                           public bot::postmortem_store,
                           public bot::job_queue,
                           public bot::chat_log,
                           public bot::group_commit {
 public:
  // Opens (creating the file and its parent folder if needed) and migrates. Throws
  // SQLite::Exception or std::runtime_error with the path when that is impossible.
  explicit sqlite_store(const std::filesystem::path& file);
  ~sqlite_store() override;
  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  // bot::incident_store: storage/sqlite_incidents.cpp
  bot::result<bot::incident> open_incident(const bot::new_incident& fields,
                                           const bot::entry_draft& opened_entry) override;
  std::optional<bot::incident> find_open_incident(const bot::channel_ref& channel) override;
  std::optional<bot::incident> find_incident_open_at(const bot::channel_ref& channel,
                                                     bot::timestamp at) override;
  std::optional<bot::incident> find_incident(std::int64_t id) override;
  std::optional<bot::incident> find_latest_incident(const bot::channel_ref& channel) override;
  std::vector<bot::incident> find_incidents_by_number(std::int64_t number) override;
  std::vector<bot::incident> list_incidents(const bot::incident_filter& filter) override;
  bot::result<bot::incident> set_severity(std::int64_t id, int severity,
                                          const bot::entry_draft& entry) override;
  bot::result<bot::incident> close_incident(std::int64_t id,
                                            const bot::incident_closure& closure) override;
  bot::result<bot::recorded_entry> add_entry(std::int64_t incident_id,
                                             const bot::entry_draft& entry) override;
  bot::result<bot::recorded_entry> flag_entry(std::int64_t incident_id,
                                              const bot::entry_draft& entry,
                                              const std::string& flagged_by) override;
  std::optional<std::int64_t> add_flag(std::int64_t incident_id, const std::string& message_ref,
                                       const std::string& flagged_by) override;
  bot::result<std::optional<bot::timeline_entry>> unflag_entry(
      const bot::channel_ref& channel, const std::string& message_ref,
      const std::string& flagged_by) override;
  std::optional<std::string> find_flagged_message(const bot::channel_ref& channel,
                                                  const std::string& flagged_by) override;
  std::int64_t update_entry_text(const bot::channel_ref& channel, const std::string& message_ref,
                                 const std::string& text) override;
  std::vector<bot::timeline_entry> remove_entries(const bot::channel_ref& channel,
                                                  const std::string& message_ref) override;
  std::vector<bot::timeline_entry> timeline_page(std::int64_t incident_id,
                                                 const std::optional<bot::page_cursor>& after,
                                                 std::size_t limit) override;
  std::vector<bot::timeline_entry> timeline_tail(std::int64_t incident_id,
                                                 std::size_t limit) override;
  std::int64_t timeline_size(std::int64_t incident_id) override;
  std::vector<std::string> timeline_authors(std::int64_t incident_id) override;
  bot::timeline_shape shape(std::int64_t incident_id, bot::timestamp from, bot::timestamp to,
                            std::size_t columns, std::chrono::microseconds min_quiet,
                            std::size_t max_quiet) override;
  void ping() override;                    // storage/sqlite_store.cpp
  bot::incident_counts counts() override;  // storage/sqlite_incident_stats.cpp

  // bot::postmortem_store: storage/sqlite_postmortems.cpp
  std::vector<bot::asked_question> questions(std::int64_t incident_id) override;
  bot::result<void> set_question_message(std::int64_t incident_id, const std::string& question_id,
                                         const std::string& message_ref) override;
  std::optional<question_ref> find_question_by_message(const bot::channel_ref& channel,
                                                       const std::string& message_ref) override;
  bot::result<bot::recorded_answer> add_answer(
      std::int64_t incident_id, const bot::answer_draft& answer,
      const std::optional<bot::follow_up>& when_complete) override;
  std::int64_t update_answer_text(const bot::channel_ref& channel, const std::string& answer_ref,
                                  const std::string& text) override;
  std::int64_t remove_answers(const bot::channel_ref& channel,
                              const std::string& answer_ref) override;
  std::vector<bot::postmortem_answer> answers(std::int64_t incident_id) override;
  // Throws SQLite::Exception (a foreign key) for an unknown incident: the port has no errc here,
  // and drafts are only written for incidents the caller just loaded.
  bot::result<bot::stored_draft> save_draft(const bot::stored_draft& draft) override;
  std::optional<bot::stored_draft> latest_draft(std::int64_t incident_id) override;
  std::optional<bot::stored_draft> find_draft(std::int64_t incident_id,
                                              const std::string& request_key) override;

  // bot::job_queue: storage/sqlite_jobs.cpp
  bool enqueue(std::string_view queue, std::string_view key, std::string_view payload,
               bot::timestamp now) override;
  std::vector<bot::job> claim_batch(std::string_view queue, bot::timestamp now,
                                    std::chrono::microseconds lease, std::size_t limit) override;
  void complete(std::int64_t id, bot::timestamp now) override;
  void retry_later(std::int64_t id, bot::timestamp run_after, std::string_view error) override;
  void release(std::int64_t id) override;
  void give_up(std::int64_t id, bot::timestamp now, std::string_view error) override;
  std::int64_t pending(std::string_view queue) override;
  std::vector<bot::queue_stats> stats() override;  // storage/sqlite_queue_stats.cpp

  // bot::chat_log: storage/sqlite_chat_log.cpp
  bot::result<bot::chat_message> post(const bot::new_chat_message& message) override;
  std::optional<bot::chat_message> find_message(std::int64_t id) override;
  std::vector<bot::chat_message> recent_messages(const std::string& channel,
                                                 std::size_t limit) override;
  bool add_reaction(std::int64_t message_id, const std::string& emoji,
                    const std::string& by) override;
  bool remove_reaction(std::int64_t message_id, const std::string& emoji,
                       const std::string& by) override;

  // bot::group_commit: storage/sqlite_store.cpp
  void begin_group() override;
  void commit_group() override;
  void rollback_group() noexcept override;
  bool group_open() override;

 private:
  std::optional<bot::incident> load_incident(std::int64_t id);
  bool incident_exists(std::int64_t id);
  // The entries for a chat message in the channel's incidents.
  std::vector<bot::timeline_entry> entries_for_message(const bot::channel_ref& channel,
                                                       const std::string& message_ref);
  void delete_entry(std::int64_t entry_id);
  bot::recorded_entry insert_entry(std::int64_t incident_id, const bot::entry_draft& entry);
  // Runs `update`, a statement that changes incident `id` only while it is open, then records
  // `entry`, inside the caller's transaction, which the caller commits (after adding more changes)
  // only on success. Nothing is recorded when the incident is closed or unknown.
  bot::result<bot::incident> apply_to_open_incident(SQLite::Statement& update, std::int64_t id,
                                                    const bot::entry_draft& entry);
  std::optional<bot::stored_draft> load_draft(std::int64_t incident_id,
                                              const std::string& request_key);

  // Chat messages matching `where` (binding ?1 to `channel` and ?2 to `key` when set), the newest
  // `limit` of them oldest first, with their reactions. The caller holds mutex_.
  std::vector<bot::chat_message> load_messages(const std::string& where, std::int64_t key,
                                               const std::string& channel, std::size_t limit);

  // Recursive: the thread that holds a commit group's lock makes store calls inside it.
  std::recursive_mutex mutex_;
  std::unique_lock<std::recursive_mutex> group_lock_{mutex_, std::defer_lock};
  std::unique_ptr<sqlite_connection> db_;
};

}  // namespace scribe::storage
