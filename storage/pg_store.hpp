#pragma once
// The incident store, the postmortem store, the job queue and the playground's chat on PostgreSQL,
// for several Scribe replicas sharing one database. Same ports, same contract as sqlite_store; what
// SQLite got from its single writer, this gets from the database:
// - unique keys and ON CONFLICT de-duplicate what two replicas store at once;
// - jobs are claimed with FOR UPDATE SKIP LOCKED, so each goes to one replica, and a dead
//   replica's lease runs out like any other;
// - calls that read before they write (the answer that completes a postmortem, the next draft
//   version, the last flag of an entry) first lock the row they depend on, so that under READ
//   COMMITTED concurrent calls take turns instead of each missing the other's change;
// - incident numbers come from a per-workspace counter row, updated in the open's transaction.
//
// Durability: a call returns after its COMMIT, which PostgreSQL makes durable with its own WAL
// flush (synchronous_commit on, the default; the operator's setting is respected).
//
// Thread-safety: every call borrows a connection from a pool of `connections`, so that many calls
// run at once; each call is one transaction on one connection.

#include "bot/chat_log.hpp"
#include "bot/incident_store.hpp"
#include "bot/job_queue.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace scribe::storage {

class pg_connection;
class pg_pool;

class pg_store final : public bot::incident_store,
                       public bot::postmortem_store,
                       public bot::job_queue,
                       public bot::chat_log {
 public:
  // Connects and migrates. Throws bot::storage_unavailable when the server cannot be reached, and
  // std::runtime_error or pg_error when migrating fails; messages never hold the password.
  pg_store(const std::string& url, std::size_t connections);
  ~pg_store() override;
  pg_store(const pg_store&) = delete;
  pg_store& operator=(const pg_store&) = delete;

  // bot::incident_store: storage/pg_incidents.cpp
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
  void ping() override;                    // storage/pg_store.cpp
  bot::incident_counts counts() override;  // storage/pg_stats.cpp

  // bot::postmortem_store: storage/pg_postmortems.cpp
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
  // Throws std::logic_error for an unknown incident: the port has no errc here, and
  // drafts are only written for incidents the caller just loaded.
  bot::result<bot::stored_draft> save_draft(const bot::stored_draft& draft) override;
  std::optional<bot::stored_draft> latest_draft(std::int64_t incident_id) override;
  std::optional<bot::stored_draft> find_draft(std::int64_t incident_id,
                                              const std::string& request_key) override;

  // bot::job_queue: storage/pg_jobs.cpp
  bool enqueue(std::string_view queue, std::string_view key, std::string_view payload,
               bot::timestamp now) override;
  std::vector<bot::job> claim_batch(std::string_view queue, bot::timestamp now,
                                    std::chrono::microseconds lease, std::size_t limit) override;
  void complete(std::int64_t id, bot::timestamp now) override;
  void retry_later(std::int64_t id, bot::timestamp run_after, std::string_view error) override;
  void release(std::int64_t id) override;
  void give_up(std::int64_t id, bot::timestamp now, std::string_view error) override;
  std::int64_t pending(std::string_view queue) override;
  std::vector<bot::queue_stats> stats() override;  // storage/pg_stats.cpp

  // bot::chat_log: storage/pg_chat_log.cpp
  bot::result<bot::chat_message> post(const bot::new_chat_message& message) override;
  std::optional<bot::chat_message> find_message(std::int64_t id) override;
  std::vector<bot::chat_message> recent_messages(const std::string& channel,
                                                 std::size_t limit) override;
  bool add_reaction(std::int64_t message_id, const std::string& emoji,
                    const std::string& by) override;
  bool remove_reaction(std::int64_t message_id, const std::string& emoji,
                       const std::string& by) override;

 private:
  std::unique_ptr<pg_pool> pool_;
};

}  // namespace scribe::storage
