#pragma once
// The playground's chat: a channel that Scribe hosts itself on a web page, so that people can
// try the bot without Slack or Matrix. The playground adapter is a chat platform like the other
// two, and this port is that platform's message store: messages, one level of threads, and
// reactions. The contract of incident_store.hpp applies.

#include "bot/error.hpp"
#include "bot/incident.hpp"
#include "bot/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scribe::bot {

enum class chat_format {
  text,      // plain text; `code` spans are shown as code
  markdown,  // the subset bot/markdown.hpp reads (postmortem drafts)
};

struct chat_reaction {
  std::string emoji;
  std::string by;  // the person's id
  friend bool operator==(const chat_reaction&, const chat_reaction&) = default;
};

struct new_chat_message {
  std::string channel;
  // The first message of the thread this one replies in; nullopt: in the channel itself.
  std::optional<std::int64_t> thread_id;
  person author;
  bool from_bot = false;
  // Empty: everyone sees it. Otherwise only the person with this id (a reply meant for the one
  // who asked, as Slack's ephemeral messages).
  std::string visible_to;
  chat_format format = chat_format::text;
  std::string text;
  timestamp posted_at;
  // A bot's post is stored once per key, however often the job that posts it runs.
  std::optional<std::string> post_key;
};

struct chat_message : new_chat_message {
  std::int64_t id = 0;
  std::vector<chat_reaction> reactions;  // in the order they were added
};

class chat_log {
 public:
  virtual ~chat_log() = default;

  // Stores the message, or returns the one stored before under its post_key. errc::entry_not_found
  // when thread_id is not a message of the channel that is itself outside any thread.
  virtual result<chat_message> post(const new_chat_message& message) = 0;

  virtual std::optional<chat_message> find_message(std::int64_t id) = 0;

  // The channel's last `limit` messages, thread replies included, oldest first.
  virtual std::vector<chat_message> recent_messages(const std::string& channel,
                                                    std::size_t limit) = 0;

  // Adds or removes one person's reaction; each returns whether it changed anything.
  virtual bool add_reaction(std::int64_t message_id, const std::string& emoji,
                            const std::string& by) = 0;
  virtual bool remove_reaction(std::int64_t message_id, const std::string& emoji,
                               const std::string& by) = 0;
};

}  // namespace scribe::bot
