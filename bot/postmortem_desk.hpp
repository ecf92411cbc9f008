#pragma once
// The postmortem desk: what Scribe does after an incident closes. It records answers (from a
// question's thread or from a form), decides whether a reminder is due, and writes, stores and
// returns drafts. Chat adapters run the postmortem jobs (bot/postmortem.hpp) and post what the
// desk returns; the desk knows nothing of any platform.
//
// Every call blocks on the store (see incident_store.hpp): call it off network threads. The desk
// holds no state of its own, so one instance serves all threads.

#include "bot/error.hpp"
#include "bot/incident_store.hpp"
#include "bot/postmortem.hpp"
#include "bot/postmortem_draft.hpp"
#include "bot/time.hpp"
#include "config/options.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scribe::bot {

// A reply in a chat thread that may answer a question.
struct thread_reply {
  channel_ref channel;
  std::string thread_ref;  // the platform's reference to the thread's first message
  std::string reply_ref;   // the reply's own reference
  person author;
  timestamp written_at;
  std::string text;
};

// A draft ready to post.
struct drafted {
  incident inc;
  stored_draft draft;
};

// Everything a draft (version `version`, drafted at `now`) of `inc` needs, read from the stores:
// at most draft_timeline_entries of its timeline. Blocks on them.
draft_input read_draft_input(incident_store& incidents, postmortem_store& postmortems,
                             const incident& inc, int version, timestamp now,
                             const config::postmortem_options& options);

class postmortem_desk {
 public:
  // Every reference must outlive the desk.
  postmortem_desk(incident_store& incidents, postmortem_store& postmortems, const clock& clock,
                  const config::postmortem_options& options);

  std::optional<incident> find_incident(std::int64_t id);
  // The incidents labelled `label` ("INC-7"), in `workspace` unless it is empty. Incidents are
  // numbered per workspace, so several may match when it is empty; none for a malformed label.
  std::vector<incident> find_by_label(std::string_view label, std::string_view workspace);
  std::vector<asked_question> questions(std::int64_t incident_id);
  // The question was posted as the message `message_ref`: replies in its thread are answers.
  result<void> question_posted(std::int64_t incident_id, const std::string& question_id,
                               const std::string& message_ref);

  // Stores the reply as an answer to the question whose thread it is in.
  // errc::not_a_question for any other thread; errc::not_ready_yet while the channel's latest
  // incident is still having its questions posted (the reply may belong to one of them).
  result<recorded_answer> answer_in_thread(const thread_reply& reply);

  // Stores the non-blank fields of a submitted form (question id -> text) as `author`'s answers,
  // at the time of submission. `form_ref` identifies the submission: submitting the same form
  // again stores nothing new. errc::incident_not_found unless the incident exists in `workspace`
  // of `platform` and is closed; errc::invalid_argument when every field is blank or names a
  // question that was not asked.
  result<std::vector<recorded_answer>> answer_in_form(
      std::int64_t incident_id, const std::string& platform, const std::string& workspace,
      const person& author, const std::string& form_ref,
      const std::map<std::string, std::string>& texts);

  // A thread reply was edited or deleted in chat; answers stored from it follow.
  std::int64_t edit_answer(const channel_ref& channel, const std::string& reply_ref,
                           const std::string& text);
  std::int64_t delete_answer(const channel_ref& channel, const std::string& reply_ref);

  // What Scribe says, once, to the author of an answer whose wording blames someone
  // (postmortem.review_replies): each blameful sentence, why it reads as blame, and a blameless
  // rewrite where one can be made. nullopt when the answer blames no one or the replies are off.
  // Reads no store.
  std::optional<std::string> review_reply(const postmortem_answer& answer) const;

  // The reminder to post for the incident, if one is due: some question has no answer and no
  // draft was posted. `invoked_as` ("/incident") is quoted in the advice; `other_ways` (a
  // sentence, may be empty) says how else the platform takes answers.
  std::optional<std::string> reminder(std::int64_t incident_id, std::string_view invoked_as,
                                      std::string_view other_ways);

  // Runs a draft job: composes the draft, stores it as the next version and returns it. A job
  // run again returns the version it stored before. An automatic draft (job.automatic()) is
  // skipped, returning nullopt, when the latest draft already says the same; so is a draft of an
  // unknown incident.
  std::optional<drafted> draft(const postmortem_job& job);

  // The latest stored draft, or a draft composed now and not stored (version 0) when there is
  // none yet. nullopt for an unknown incident.
  std::optional<drafted> latest_or_preview(std::int64_t incident_id);

 private:
  incident_store& incidents_;
  postmortem_store& postmortems_;
  const clock& clock_;
  const config::postmortem_options& options_;
};

}  // namespace scribe::bot
