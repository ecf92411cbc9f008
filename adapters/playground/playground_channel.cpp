#include "adapters/playground/playground_channel.hpp"

#include "config/log.hpp"
#include "text/text.hpp"

#include <algorithm>

namespace scribe::playground {
namespace {

using bot::errc;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// "@scribe" as a word of its own, in any case.
bool mentions_scribe(std::string_view text) {
  constexpr std::string_view mention = "@scribe";
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    const bool same = text::iequals(text.substr(at, mention.size()), mention);
    const std::size_t end = at + mention.size();
    if (same && (end == text.size() || !is_word_char(text[end]))) return true;
  }
  return false;
}

// The arguments of a `/incident ...` command, or nullopt for any other message.
std::optional<std::string_view> command_arguments(std::string_view text) {
  if (!text.starts_with(command_word)) return std::nullopt;
  const std::string_view rest = text.substr(command_word.size());
  if (!rest.empty() && !is_space(rest.front())) return std::nullopt;  // "/incidents"
  return text::trim(rest);
}

bool has_reaction(const bot::chat_message& message, std::string_view emoji, std::string_view by) {
  return std::any_of(message.reactions.begin(), message.reactions.end(),
                     [&](const bot::chat_reaction& r) { return r.emoji == emoji && r.by == by; });
}

}  // namespace

bot::person scribe_person() {
  return {"scribe", "Scribe"};
}

bot::channel_ref channel() {
  return {std::string(platform), std::string(workspace), std::string(channel_name)};
}

std::string message_ref(std::int64_t message_id) {
  return std::to_string(message_id);
}

std::string message_link(std::int64_t message_id) {
  return "/playground#m" + std::to_string(message_id);
}

bot::result<bot::person> person_named(std::string_view name) {
  name = text::trim(name);
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (name.empty() || name.size() > max_name_bytes || control) return errc::invalid_argument;
  // Anyone may type any name: the playground is for trying Scribe out, not for real incidents.
  return bot::person{std::string(name), std::string(name)};
}

bool asks_question(const bot::chat_message& message) {
  if (!message.from_bot || !message.post_key) return false;
  // "<job key>#<place>" (run_postmortem): the ask job's place 0 is the introduction, the others
  // its questions.
  const std::string_view key = *message.post_key;
  const auto hash = key.rfind('#');
  if (hash == std::string_view::npos || key.substr(hash + 1) == "0") return false;
  const auto job = bot::decode_postmortem_job(key.substr(0, hash));
  return job && job->step == bot::postmortem_step::ask;
}

playground_channel::playground_channel(bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                                       bot::chat_log& chat, const bot::clock& clock)
    : desk_(desk), postmortems_(postmortems), chat_(chat), clock_(clock) {}

bot::result<bot::chat_message> playground_channel::say(const bot::person& author,
                                                       std::string_view text,
                                                       std::optional<std::int64_t> thread) {
  text = text::trim(text);
  if (text.empty() || text.size() > max_text_bytes) return errc::invalid_argument;
  const bot::new_chat_message said{
      std::string(channel_name), thread,       author,      false, "", bot::chat_format::text,
      std::string(text),         clock_.now(), std::nullopt};
  auto posted = chat_.post(said);
  if (posted) act_on(*posted);
  return posted;
}

void playground_channel::act_on(const bot::chat_message& message) {
  if (const auto arguments = command_arguments(message.text)) {
    run_command(message, *arguments);
  } else if (message.thread_id) {
    answer(message);
  }
  if (mentions_scribe(message.text)) flag(message, message.author, bot::entry_source::mention);
}

void playground_channel::run_command(const bot::chat_message& message, std::string_view arguments) {
  const bot::command_request request{channel(),
                                     message.author,
                                     std::string(arguments),
                                     std::string(command_word),
                                     message_ref(message.id),
                                     message.posted_at};
  const auto reply = desk_.run_command(request);
  const bool only_asker = reply.visibility == bot::reply_visibility::author;
  post_as_scribe(reply.text, bot::chat_format::text, only_asker ? message.author.id : "",
                 std::nullopt);
}

void playground_channel::answer(const bot::chat_message& message) {
  const bot::thread_reply reply{channel(),
                                message_ref(*message.thread_id),
                                message_ref(message.id),
                                message.author,
                                message.posted_at,
                                message.text};
  // A question is posted and recorded in one call on the store thread (run_postmortem), so a
  // reply never lands between the two: one look is enough.
  if (postmortems_.answer_in_thread(reply)) {
    chat_.add_reaction(message.id, recorded_emoji, scribe_person().id);
  }
}

bot::result<void> playground_channel::toggle_flag(std::int64_t message_id, const bot::person& by) {
  const auto message = chat_.find_message(message_id);
  if (!message || message->from_bot || message->channel != channel_name) {
    return errc::entry_not_found;
  }
  if (has_reaction(*message, flag_emoji, by.id)) {
    chat_.remove_reaction(message_id, flag_emoji, by.id);
    const auto unflagged = desk_.unflag_message(channel(), message_ref(message_id), by);
    // The entry went with the last flag: the confirmation goes too.
    if (unflagged && *unflagged) {
      chat_.remove_reaction(message_id, recorded_emoji, scribe_person().id);
    }
    return {};
  }
  chat_.add_reaction(message_id, flag_emoji, by.id);
  flag(*message, by, bot::entry_source::reaction);
  return {};
}

void playground_channel::flag(const bot::chat_message& message, const bot::person& by,
                              bot::entry_source source) {
  const bot::flagged_message flagged{message_ref(message.id),
                                     message_link(message.id),
                                     message.author,
                                     message.posted_at,
                                     message.text,
                                     source};
  const bot::flag_request request{channel(), flagged.message_ref, by, clock_.now(),
                                  message.posted_at};
  const auto recorded = desk_.flag_message(request, flagged);
  if (recorded) {
    chat_.add_reaction(message.id, recorded_emoji, scribe_person().id);
  } else if (recorded.error() == errc::no_incident_for_flag) {
    post_as_scribe(bot::no_incident_for_flag_reply(command_word), bot::chat_format::text, by.id,
                   std::nullopt);
  }
}

void playground_channel::run_postmortem(const bot::postmortem_job& job,
                                        const std::string& job_key) {
  auto key = [&job_key](std::size_t place) { return job_key + "#" + std::to_string(place); };
  if (job.step == bot::postmortem_step::draft) {
    if (const auto drafted = postmortems_.draft(job)) {
      post_as_scribe(drafted->draft.markdown, bot::chat_format::markdown, "", key(0));
    }
    return;
  }
  const auto inc = postmortems_.find_incident(job.incident_id);
  if (!inc) {
    log::warn("postmortem job for an unknown incident", {{"job", job_key}});
    return;
  }
  if (job.step == bot::postmortem_step::remind) {
    if (const auto text = postmortems_.reminder(inc->id, std::string(command_word))) {
      post_as_scribe(*text, bot::chat_format::text, "", key(0));
    }
    return;
  }
  const auto questions = postmortems_.questions(inc->id);
  if (questions.empty()) return;
  const auto texts = bot::question_messages(*inc, questions, "", command_word);
  for (std::size_t place = 0; place < texts.size(); ++place) {
    const auto posted = post_as_scribe(texts[place], bot::chat_format::text, "", key(place));
    // texts[0] is the introduction; texts[i + 1] asks question i.
    if (place > 0) {
      (void)postmortems_.question_posted(inc->id, questions[place - 1].id, message_ref(posted.id));
    }
  }
}

std::vector<bot::chat_message> playground_channel::recent(std::size_t limit) {
  return chat_.recent_messages(std::string(channel_name), limit);
}

std::optional<bot::chat_message> playground_channel::thread_root(std::int64_t id) {
  auto message = chat_.find_message(id);
  if (!message || message->channel != channel_name || message->thread_id) return std::nullopt;
  return message;
}

bot::chat_message playground_channel::post_as_scribe(std::string text, bot::chat_format format,
                                                     std::string visible_to,
                                                     std::optional<std::string> post_key) {
  const bot::new_chat_message message{
      std::string(channel_name), std::nullopt, scribe_person(), true,
      std::move(visible_to),     format,       std::move(text), clock_.now(),
      std::move(post_key)};
  // Outside any thread, the post cannot be refused.
  return chat_.post(message).value();
}

}  // namespace scribe::playground
