#include "bot/chat_flows.hpp"

#include "config/log.hpp"

#include <type_traits>

namespace scribe::bot {
namespace {

boost::asio::awaitable<void> nothing_to_record(std::size_t, std::string) {
  co_return;
}

// For posts whose messages Scribe need not remember (a reminder, a draft).
std::function<boost::asio::awaitable<void>(std::size_t, std::string)> ignore_posted() {
  return nothing_to_record;
}

// Who a person is called where the platform has no name for them.
std::string named(std::string name, const std::string& id) {
  if (!name.empty()) return name;
  return id.empty() ? "unknown" : id;
}

}  // namespace

chat_flows::chat_flows(chat_platform& platform, incident_desk& desk, postmortem_desk& postmortems,
                       store_executor& store, std::function<void()> postmortem_due)
    : platform_(platform),
      desk_(desk),
      postmortems_(postmortems),
      store_(store),
      postmortem_due_(std::move(postmortem_due)) {}

boost::asio::awaitable<job_outcome> chat_flows::handle(chat_event event) {
  // GCC 12 destroys a temporary passed by value inside a co_await expression twice: each event
  // is a named local, moved in.
  if (auto* e = std::get_if<flag_event>(&event)) {
    flag_event flagged = std::move(*e);
    co_return co_await flag(std::move(flagged));
  }
  if (auto* e = std::get_if<unflag_event>(&event)) {
    unflag_event taken_back = std::move(*e);
    co_return co_await unflag(std::move(taken_back));
  }
  if (auto* e = std::get_if<message_edited_event>(&event)) {
    message_edited_event edit = std::move(*e);
    co_return co_await edited(std::move(edit));
  }
  if (auto* e = std::get_if<message_deleted_event>(&event)) {
    message_deleted_event deletion = std::move(*e);
    co_return co_await deleted(std::move(deletion));
  }
  if (auto* e = std::get_if<thread_reply_event>(&event)) {
    thread_reply_event reply = std::move(*e);
    co_return co_await answer(std::move(reply));
  }
  if (auto* e = std::get_if<command_event>(&event)) {
    command_event typed = std::move(*e);
    co_return co_await command(std::move(typed));
  }
  invited_event invitation = std::get<invited_event>(std::move(event));
  co_return co_await join(std::move(invitation));
}

boost::asio::awaitable<void> chat_flows::tell(const flag_event& event, std::string text) {
  chat_notice notice{chat_notice::kind::tell, event.channel,    event.message_ref,
                     event.person_id,          std::move(text), event.thread_ref,
                     event.route};
  // Once per flag however often its event is processed: the key names the message and the flag.
  std::string key = "tell:" + event.message_ref + ":" + event.flag_id;
  co_await platform_.send(std::move(notice), std::move(key));
}

boost::asio::awaitable<job_outcome> chat_flows::flag(flag_event event) {
  const flag_request request{event.channel, event.message_ref, {event.flag_id, event.person_id},
                             event.flagged_at, event.written_at};
  auto find = [&] { return desk_.flag_again(request); };
  const auto again = co_await on_store(store_, std::move(find));
  if (!again) {
    co_await tell(event, no_incident_for_flag_reply(platform_.command_word()));
    co_return job_outcome::done();
  }
  if (*again) {
    // Recorded already: nothing to read. The confirmation is asked for again, in case the run
    // that recorded the entry died before it could (it goes once per entry).
    chat_notice confirm{chat_notice::kind::confirm, event.channel, event.message_ref, {}, {},
                        event.thread_ref, {}};
    co_await platform_.send(std::move(confirm), "react:" + std::to_string(**again));
    co_return job_outcome::done();
  }

  read_message message;
  if (event.message) {
    message = {event.message->author_id, event.message->from_bot,
               event.written_at.value_or(event.flagged_at), event.message->text};
  } else {
    auto found = co_await platform_.read(event.channel, event.message_ref);
    switch (found.what) {
      case answer_kind::ok: message = std::move(found.value); break;
      case answer_kind::retry: co_return retry_after(found, "reading the message");
      case answer_kind::not_found: co_await tell(event, message_gone_reply()); co_return job_outcome::done();
      case answer_kind::failed:
        log::warn("a flagged message cannot be read",
                  {{"channel", event.channel.channel}, {"error", found.error}});
        co_await tell(event, message_unreadable_reply(found.error));
        co_return job_outcome::done();
    }
  }
  // Bots' messages, Scribe's own included, never reach the timeline: no loops.
  if (message.from_bot) {
    co_await tell(event, bot_message_not_recorded_reply());
    co_return job_outcome::done();
  }

  person author{message.author_id, ""};
  if (!author.id.empty()) {
    auto name = co_await platform_.display_name(event.channel, author.id);
    if (name.what == answer_kind::retry) co_return retry_after(name, "naming the author");
    author.name = std::move(name.value);
  }
  author.name = named(std::move(author.name), author.id);
  auto link = co_await platform_.permalink(event.channel, event.message_ref);
  if (link.what == answer_kind::retry) co_return retry_after(link, "linking the message");
  auto text = co_await platform_.readable(event.channel, std::move(message.text));
  if (text.what == answer_kind::retry) co_return retry_after(text, "reading mentions");

  const flagged_message flagged{event.message_ref,       std::move(link.value), std::move(author),
                                message.written_at,      std::move(text.value), event.source};
  auto record = [&] { return desk_.flag_message(request, flagged); };
  const auto recorded = co_await on_store(store_, std::move(record));
  if (!recorded) {
    co_await tell(event, no_incident_for_flag_reply(platform_.command_word()));
    co_return job_outcome::done();
  }
  chat_notice confirm{chat_notice::kind::confirm, event.channel, event.message_ref, {}, {},
                      event.thread_ref, {}};
  co_await platform_.send(std::move(confirm), "react:" + std::to_string(recorded->entry.id));
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::unflag(unflag_event event) {
  auto take_back = [&] {
    return desk_.unflag_message(event.channel, event.message_ref, {event.person_id, ""});
  };
  const auto removed = co_await on_store(store_, std::move(take_back));
  // The entry went with the last flag: so does its mark.
  if (removed && *removed) {
    chat_notice withdraw{chat_notice::kind::withdraw, event.channel, event.message_ref, {}, {},
                         {}, {}};
    co_await platform_.send(std::move(withdraw), "unreact:" + std::to_string((*removed)->id));
  }
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::edited(message_edited_event event) {
  if (event.editor) {
    // Only the sender of a message may change it; anyone else's edit changes nothing.
    auto original = co_await platform_.read(event.channel, event.message_ref);
    if (original.what == answer_kind::retry) co_return retry_after(original, "reading the original");
    if (original.what != answer_kind::ok || original.value.author_id != *event.editor) {
      co_return job_outcome::done();
    }
  }
  auto text = co_await platform_.readable(event.channel, std::move(event.text));
  if (text.what == answer_kind::retry) co_return retry_after(text, "reading mentions");
  // An edited message may be a timeline entry, an answer, or both.
  auto update = [&] {
    desk_.edit_message(event.channel, event.message_ref, text.value);
    postmortems_.edit_answer(event.channel, event.message_ref, text.value);
  };
  co_await on_store(store_, std::move(update));
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::deleted(message_deleted_event event) {
  // The deleted event may have been a flag, a message (an entry, an answer), or neither.
  auto remove = [&] {
    std::optional<timeline_entry> removed;
    if (event.flag_id) {
      auto unflagged = desk_.unflag_by_id(event.channel, *event.flag_id);
      if (unflagged && *unflagged) removed = **unflagged;
    }
    desk_.delete_message(event.channel, event.message_ref);
    postmortems_.delete_answer(event.channel, event.message_ref);
    return removed;
  };
  const auto taken_back = co_await on_store(store_, std::move(remove));
  if (taken_back && taken_back->message_ref) {
    chat_notice withdraw{chat_notice::kind::withdraw, event.channel, *taken_back->message_ref,
                         {}, {}, {}, {}};
    co_await platform_.send(std::move(withdraw), "unreact:" + std::to_string(taken_back->id));
  }
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::answer(thread_reply_event event) {
  auto name = co_await platform_.display_name(event.channel, event.author_id);
  if (name.what == answer_kind::retry) co_return retry_after(name, "naming the author");
  auto text = co_await platform_.readable(event.channel, std::move(event.text));
  if (text.what == answer_kind::retry) co_return retry_after(text, "reading mentions");
  const thread_reply reply{event.channel,
                           event.thread_ref,
                           event.reply_ref,
                           {event.author_id, named(std::move(name.value), event.author_id)},
                           event.written_at,
                           std::move(text.value)};
  auto record = [&] { return postmortems_.answer_in_thread(reply); };
  const auto recorded = co_await on_store(store_, std::move(record));
  if (!recorded) {
    if (recorded.error() == errc::not_ready_yet) {
      co_return job_outcome::retry("the questions are still being posted", std::chrono::seconds(2));
    }
    co_return job_outcome::done();  // a thread that is not a question's: an ordinary reply
  }
  log::info("postmortem answer", {{"incident", std::to_string(recorded->answer.incident_id)},
                                  {"question", recorded->answer.question_id},
                                  {"new", recorded->inserted ? "yes" : "no"}});
  if (platform_.marks_answers()) {
    chat_notice mark{chat_notice::kind::confirm, event.channel, event.reply_ref, {}, {},
                     event.thread_ref, {}};
    co_await platform_.send(std::move(mark), "answer:" + event.reply_ref);
  }
  // Sent under the answer's key on every run, not only the first: a crash between recording the
  // answer and sending would otherwise lose the reply, and the key keeps it to one.
  if (auto advice = postmortems_.review_reply(recorded->answer)) {
    chat_notice tell{chat_notice::kind::tell, event.channel, event.reply_ref, event.author_id,
                     std::move(*advice), event.thread_ref, {}};
    co_await platform_.send(std::move(tell), "review:" + event.reply_ref);
  }
  if (recorded->completed) postmortem_due_();
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::command(command_event event) {
  auto name = co_await platform_.display_name(event.channel, event.author_id);
  if (name.what == answer_kind::retry) co_return retry_after(name, "naming the author");
  const command_request request{event.channel,
                                {event.author_id, named(std::move(name.value), event.author_id)},
                                event.text,
                                std::string(platform_.command_word()),
                                event.message_ref,
                                event.written_at};
  auto run = [&] { return desk_.run_command(request); };
  const auto reply = co_await on_store(store_, std::move(run));
  postmortem_due_();  // a close or a draft leaves postmortem jobs behind
  chat_notice answer{chat_notice::kind::reply,
                     event.channel,
                     event.message_ref,
                     reply.visibility == reply_visibility::author ? event.author_id : "",
                     reply.text,
                     {},
                     {}};
  co_await platform_.send(std::move(answer), "reply:" + event.message_ref);
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::join(invited_event event) {
  const auto joined = co_await platform_.join(event.channel);
  if (joined.what == answer_kind::retry) co_return retry_after(joined, "joining");
  if (joined.what != answer_kind::ok) co_return job_outcome::give_up("joining: " + joined.error);
  log::info("channel joined",
            {{"channel", event.channel.channel}, {"invited_by", event.inviter_id}});
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::run_postmortem(job queued) {
  const auto step = decode_postmortem_job(queued.payload);
  if (!step) co_return job_outcome::give_up("malformed postmortem job");
  if (step->step == postmortem_step::draft) {
    postmortem_job drafting = *step;
    co_return co_await draft(std::move(queued), std::move(drafting));
  }
  auto find = [&] { return postmortems_.find_incident(step->incident_id); };
  auto inc = co_await on_store(store_, std::move(find));
  if (!inc) co_return job_outcome::give_up("unknown incident");
  incident found = std::move(*inc);
  if (step->step == postmortem_step::ask) co_return co_await ask(std::move(queued), std::move(found));
  co_return co_await remind(std::move(queued), std::move(found));
}

boost::asio::awaitable<job_outcome> chat_flows::ask(job queued, incident inc) {
  auto load = [&] { return postmortems_.questions(inc.id); };
  const auto questions = co_await on_store(store_, std::move(load));
  if (questions.empty()) co_return job_outcome::done();
  std::vector<chat_post> posts;
  for (auto& text : question_messages(inc, questions, platform_.other_ways_to_answer(),
                                      platform_.command_word())) {
    posts.push_back({std::move(text), chat_format::text, std::nullopt, std::nullopt});
  }
  posts.front().answer_form_for = inc.id;
  // Post 0 is the introduction; post i + 1 asks question i. Each question's message is recorded
  // as soon as it is posted: replies in its thread are answers from then on.
  std::function<boost::asio::awaitable<void>(std::size_t, std::string)> record =
      [this, &inc, &questions](std::size_t place, std::string ref) {
        return record_question(inc.id, questions, place, std::move(ref));
      };
  const auto sent =
      co_await platform_.post_once(queued, inc.channel, std::move(posts), std::move(record));
  if (sent.what == answer_kind::retry) co_return retry_after(sent, "posting the questions");
  if (sent.what != answer_kind::ok) co_return job_outcome::give_up("posting the questions: " + sent.error);
  co_return job_outcome::done();
}

boost::asio::awaitable<void> chat_flows::record_question(std::int64_t incident_id,
                                                       const std::vector<asked_question>& questions,
                                                       std::size_t place, std::string ref) {
  if (place == 0 || place > questions.size()) co_return;
  auto record = [&] {
    (void)postmortems_.question_posted(incident_id, questions[place - 1].id, ref);
  };
  co_await on_store(store_, std::move(record));
}

boost::asio::awaitable<job_outcome> chat_flows::remind(job queued, incident inc) {
  auto decide = [&] {
    return postmortems_.reminder(inc.id, platform_.command_word(),
                                 platform_.other_ways_to_answer());
  };
  const auto text = co_await on_store(store_, std::move(decide));
  if (!text) co_return job_outcome::done();  // answered, or drafted already
  std::vector<chat_post> posts{{*text, chat_format::text, inc.id, std::nullopt}};
  const auto sent =
      co_await platform_.post_once(queued, inc.channel, std::move(posts), ignore_posted());
  if (sent.what == answer_kind::retry) co_return retry_after(sent, "posting the reminder");
  if (sent.what != answer_kind::ok) co_return job_outcome::give_up("posting the reminder: " + sent.error);
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> chat_flows::draft(job queued, postmortem_job step) {
  auto compose = [&] { return postmortems_.draft(step); };
  const auto drafted = co_await on_store(store_, std::move(compose));
  if (!drafted) co_return job_outcome::done();  // nothing new since the last draft
  std::vector<chat_post> posts{
      {drafted->draft.markdown, chat_format::markdown, std::nullopt, drafted->inc}};
  const auto sent = co_await platform_.post_once(queued, drafted->inc.channel, std::move(posts),
                                                 ignore_posted());
  if (sent.what == answer_kind::retry) co_return retry_after(sent, "posting the draft");
  if (sent.what != answer_kind::ok) co_return job_outcome::give_up("posting the draft: " + sent.error);
  log::info("postmortem draft posted", {{"incident", incident_label(drafted->inc)},
                                        {"version", std::to_string(drafted->draft.version)}});
  co_return job_outcome::done();
}

}  // namespace scribe::bot
