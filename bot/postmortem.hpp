#pragma once
// The postmortem of a closed incident: the questions Scribe asked, the answers people gave (in a
// question's chat thread or in a form), the drafts Scribe wrote, and the timed follow-ups
// (reminder, automatic draft) that run as jobs.

#include "bot/error.hpp"
#include "bot/incident.hpp"
#include "bot/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

// A question as asked for one incident: the configured questions are copied when the incident
// closes, so a later change of the configuration does not change what was asked.
struct asked_question {
  std::string id;    // "impact"
  std::string text;  // "What was the impact, on whom, and for how long?"
  // The chat message that asked it, once posted: replies in its thread are answers.
  std::optional<std::string> message_ref;
  friend bool operator==(const asked_question&, const asked_question&) = default;
};

enum class answer_source { thread, form };
std::string_view to_string(answer_source source);
std::optional<answer_source> parse_answer_source(std::string_view text);

struct answer_draft {
  std::string question_id;
  person author;
  timestamp answered_at;  // when it was written
  std::string text;
  answer_source source = answer_source::thread;
  // The de-duplication key within the incident: a thread reply's message reference (so edits
  // and deletions in chat find it), or "form:<view>:<question>" for a form's field.
  std::string answer_ref;
};

struct postmortem_answer : answer_draft {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
};

struct recorded_answer {
  postmortem_answer answer;
  bool inserted = false;  // false: the same answer_ref was stored before, returned unchanged
  // This answer gave the last unanswered question its first answer.
  bool completed = false;
};

// Work to do later, stored in the job queue in the same transaction as the change that calls for
// it, so that neither happens without the other.
struct follow_up {
  std::string queue;
  std::string key;  // the job queue's de-duplication key
  std::string payload;
  timestamp run_after;
};

// One version of a postmortem draft, as posted.
struct stored_draft {
  std::int64_t incident_id = 0;
  int version = 0;  // 1, 2, ...: each draft of an incident gets the next
  timestamp drafted_at;
  // What asked for it (a job key): the same request stores one version however often it runs.
  std::string request_key;
  std::string markdown;
  // Identifies the content apart from the version and time: equal digests mean nothing changed.
  std::string content_digest;
};

// The postmortem part of the store port. The contract of incident_store.hpp applies.
class postmortem_store {
 public:
  virtual ~postmortem_store() = default;

  // The questions asked when the incident closed, in order; empty for an open incident.
  virtual std::vector<asked_question> questions(std::int64_t incident_id) = 0;

  // Remembers which message asked a question. errc::entry_not_found for an unknown question.
  virtual result<void> set_question_message(std::int64_t incident_id,
                                            const std::string& question_id,
                                            const std::string& message_ref) = 0;

  // The incident and question asked by the message `message_ref` in `channel`, if any.
  struct question_ref {
    std::int64_t incident_id = 0;
    std::string question_id;
  };
  virtual std::optional<question_ref> find_question_by_message(const channel_ref& channel,
                                                               const std::string& message_ref) = 0;

  // Stores an answer unless one with the same answer_ref exists. When this answer makes every
  // question answered, `when_complete` (if given) is enqueued in the same transaction.
  // errc::incident_not_found; errc::entry_not_found when the question was not asked.
  virtual result<recorded_answer> add_answer(std::int64_t incident_id, const answer_draft& answer,
                                             const std::optional<follow_up>& when_complete) = 0;

  // A thread reply was edited or deleted in chat: the answers stored from it in the channel's
  // incidents follow. Returns how many changed.
  virtual std::int64_t update_answer_text(const channel_ref& channel, const std::string& answer_ref,
                                          const std::string& text) = 0;
  virtual std::int64_t remove_answers(const channel_ref& channel,
                                      const std::string& answer_ref) = 0;

  // All answers of the incident, by answered_at, then in the order they were stored.
  virtual std::vector<postmortem_answer> answers(std::int64_t incident_id) = 0;

  // Stores the draft, whose version must be the incident's next, unless `request_key` stored one
  // already: then that one is returned unchanged. errc::not_ready_yet when another draft took
  // that version first: the caller composes again (the version is written in the Markdown).
  virtual result<stored_draft> save_draft(const stored_draft& draft) = 0;
  virtual std::optional<stored_draft> latest_draft(std::int64_t incident_id) = 0;
  virtual std::optional<stored_draft> find_draft(std::int64_t incident_id,
                                                 const std::string& request_key) = 0;
};

// ---------------------------------------------------------------------------------------------
// The postmortem's jobs. Each platform adapter runs the queue of its platform, because each step
// ends in posting to that platform's chat.

enum class postmortem_step {
  ask,     // post the questions
  remind,  // once, if some question has no answer and no draft was posted
  draft,   // compose, store and post a draft
};

struct postmortem_job {
  postmortem_step step = postmortem_step::ask;
  std::int64_t incident_id = 0;
  // For drafts: why ("complete", "timer") or who asked ("command:<time>:<user id>").
  std::string reason;

  // Automatic drafts are skipped when a draft exists that already says the same.
  bool automatic() const;
};

// "slack.postmortem": the queue of a platform's postmortem jobs.
std::string postmortem_queue(std::string_view platform);

// The job's key and payload (one line, "draft 42 complete"), and back. decode gives nullopt for
// anything encode did not write.
std::string encode(const postmortem_job& job);
std::optional<postmortem_job> decode_postmortem_job(std::string_view payload);

// The job as a follow-up of `inc`, due at `run_after`.
follow_up schedule(const incident& inc, const postmortem_job& job, timestamp run_after);

// What the "ask" step posts, one message each: an introduction, then every question, numbered.
// The introduction is the one place that explains the review (the reply to `close` only states
// the close). `other_ways` is a sentence for it naming how else a platform takes answers ("Or
// answer them all in a form."), or empty; `invoked_as` is how the platform's users type commands
// ("/incident", "!incident"), for the draft command it names.
std::vector<std::string> question_messages(const incident& inc,
                                           const std::vector<asked_question>& questions,
                                           std::string_view other_ways,
                                           std::string_view invoked_as);

}  // namespace scribe::bot
