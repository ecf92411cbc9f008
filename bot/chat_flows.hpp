#pragma once
// Scribe's workflows in chat, written once for every platform against the chat platform port
// (bot/chat_platform.hpp): flagging a message and taking the flag back, following edits and
// deletions into the timeline and the answers, recording answers, running a command typed as a
// message, joining a channel after an invitation, and posting a postmortem's questions, reminder
// and drafts.
//
// Each workflow takes one event (bot/chat_event.hpp) or one postmortem job and says what came of
// it: done, retry later (the platform asked to, or something is still under way), or give up.
// Each is idempotent, because a worker may run it again (a retry, a crash before the job was
// marked done): the store's keys record nothing twice, notices go once per key, and a
// postmortem's posts once per job (chat_platform::post_once).
//
// Store calls run on the store executor, never on the calling thread. The object holds no state
// of its own: one instance serves every worker of its platform. Everything passed to the
// constructor must outlive it.

#include "bot/chat_event.hpp"
#include "bot/chat_platform.hpp"
#include "bot/incident_desk.hpp"
#include "bot/job_queue.hpp"
#include "bot/postmortem_desk.hpp"
#include "bot/store_executor.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace scribe::bot {

class chat_flows {
 public:
  // `postmortem_due` is called when work for the postmortem queue may have appeared (a close, a
  // draft asked for, the last answer), so that its worker looks at once.
  chat_flows(chat_platform& platform, incident_desk& desk, postmortem_desk& postmortems,
             store_executor& store, std::function<void()> postmortem_due);

  // Runs the workflow of one event of the platform's inbox.
  boost::asio::awaitable<job_outcome> handle(chat_event event);
  // Runs one job of the platform's postmortem queue (bot/postmortem.hpp).
  boost::asio::awaitable<job_outcome> run_postmortem(job queued);

  chat_platform& platform() { return platform_; }

 private:
  boost::asio::awaitable<job_outcome> flag(flag_event event);
  boost::asio::awaitable<job_outcome> unflag(unflag_event event);
  boost::asio::awaitable<job_outcome> edited(message_edited_event event);
  boost::asio::awaitable<job_outcome> deleted(message_deleted_event event);
  boost::asio::awaitable<job_outcome> answer(thread_reply_event event);
  boost::asio::awaitable<job_outcome> command(command_event event);
  boost::asio::awaitable<job_outcome> join(invited_event event);
  boost::asio::awaitable<job_outcome> ask(job queued, incident inc);
  // Remembers that post `place` of the questions' posts (0 the introduction, i + 1 question i)
  // is the message `ref`: replies in its thread are answers from then on.
  boost::asio::awaitable<void> record_question(std::int64_t incident_id,
                                               const std::vector<asked_question>& questions,
                                               std::size_t place, std::string ref);
  boost::asio::awaitable<job_outcome> remind(job queued, incident inc);
  boost::asio::awaitable<job_outcome> draft(job queued, postmortem_job step);
  // Tells the flagger why their flag was not recorded.
  boost::asio::awaitable<void> tell(const flag_event& event, std::string text);

  chat_platform& platform_;
  incident_desk& desk_;
  postmortem_desk& postmortems_;
  store_executor& store_;
  std::function<void()> postmortem_due_;
};

// The outcome of a job whose platform call could not be made now: a retry after the delay the
// platform asked for, naming the call.
template <class T>
job_outcome retry_after(const platform_answer<T>& answer, std::string_view what) {
  return job_outcome::retry(std::string(what) + ": " + answer.error, answer.retry_after);
}

}  // namespace scribe::bot
