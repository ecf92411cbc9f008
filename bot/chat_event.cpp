#include "bot/chat_event.hpp"

#include <nlohmann/json.hpp>

#include <type_traits>

namespace scribe::bot {
namespace {

using json = nlohmann::json;

// The version written; a reader refuses others, so that a later format is never half-read.
constexpr int format_version = 1;

json channel_json(const channel_ref& c) {
  return json::array({c.platform, c.workspace, c.channel});
}

std::optional<channel_ref> read_channel(const json& j) {
  if (!j.is_array() || j.size() != 3 || !j[0].is_string() || !j[1].is_string() ||
      !j[2].is_string()) {
    return std::nullopt;
  }
  return channel_ref{j[0].get<std::string>(), j[1].get<std::string>(), j[2].get<std::string>()};
}

// A reader of one encoded event that fails softly: every getter records whether the field was
// there with the right type, and ok() says whether all were.
class fields {
 public:
  explicit fields(const json& j) : j_(j) {}
  std::string text(const char* key) {
    const auto it = j_.find(key);
    if (it == j_.end() || !it->is_string()) return fail<std::string>();
    return it->get<std::string>();
  }
  std::optional<std::string> optional_text(const char* key) {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return fail<std::optional<std::string>>();
    return it->get<std::string>();
  }
  std::int64_t integer(const char* key) {
    const auto it = j_.find(key);
    if (it == j_.end() || !it->is_number_integer()) return fail<std::int64_t>();
    return it->get<std::int64_t>();
  }
  timestamp time(const char* key) { return from_unix_micros(integer(key)); }
  std::optional<timestamp> optional_time(const char* key) {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return std::nullopt;
    return time(key);
  }
  channel_ref channel() {
    const auto it = j_.find("channel");
    auto c = it == j_.end() ? std::nullopt : read_channel(*it);
    if (!c) return fail<channel_ref>();
    return *c;
  }
  bool ok() const { return ok_; }

 private:
  template <class T>
  T fail() {
    ok_ = false;
    return T{};
  }
  const json& j_;
  bool ok_ = true;
};

json optional_time_json(const std::optional<timestamp>& t) {
  return t ? json(to_unix_micros(*t)) : json(nullptr);
}

json optional_text_json(const std::optional<std::string>& t) {
  return t ? json(*t) : json(nullptr);
}

}  // namespace

const channel_ref& channel_of(const chat_event& event) {
  return std::visit([](const auto& e) -> const channel_ref& { return e.channel; }, event);
}

namespace {

constexpr const char* notice_kinds[] = {"confirm", "withdraw", "tell", "reply"};

}  // namespace

std::string encode_chat_notice(const chat_notice& notice) {
  const json out{{"v", format_version},
                 {"t", notice_kinds[static_cast<int>(notice.what)]},
                 {"channel", channel_json(notice.channel)},
                 {"ref", notice.message_ref},
                 {"person", notice.person_id},
                 {"text", notice.text},
                 {"thread", notice.thread_ref},
                 {"route", notice.route}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<chat_notice> decode_chat_notice(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto version = j.find("v");
  const auto type = j.find("t");
  if (version == j.end() || *version != format_version || type == j.end() || !type->is_string()) {
    return std::nullopt;
  }
  std::optional<chat_notice::kind> what;
  for (int k = 0; k < 4; ++k) {
    if (*type == notice_kinds[k]) what = static_cast<chat_notice::kind>(k);
  }
  if (!what) return std::nullopt;
  fields f(j);
  chat_notice out{*what,          f.channel(),      f.text("ref"),  f.text("person"),
                  f.text("text"), f.text("thread"), f.text("route")};
  if (!f.ok()) return std::nullopt;
  return out;
}

std::string encode_chat_event(const chat_event& event) {
  json out{{"v", format_version}, {"channel", channel_json(channel_of(event))}};
  std::visit(
      [&out](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, flag_event>) {
          out["t"] = "flag";
          out["ref"] = e.message_ref;
          out["person"] = e.person_id;
          out["flag_id"] = e.flag_id;
          out["flagged_at"] = to_unix_micros(e.flagged_at);
          out["written_at"] = optional_time_json(e.written_at);
          out["source"] = to_string(e.source);
          if (e.message) {
            out["message"] = {{"author", e.message->author_id},
                              {"from_bot", e.message->from_bot},
                              {"text", e.message->text}};
          }
          out["thread"] = e.thread_ref;
          out["route"] = e.route;
        } else if constexpr (std::is_same_v<T, unflag_event>) {
          out["t"] = "unflag";
          out["ref"] = e.message_ref;
          out["person"] = e.person_id;
        } else if constexpr (std::is_same_v<T, message_edited_event>) {
          out["t"] = "edited";
          out["ref"] = e.message_ref;
          out["text"] = e.text;
          out["editor"] = optional_text_json(e.editor);
        } else if constexpr (std::is_same_v<T, message_deleted_event>) {
          out["t"] = "deleted";
          out["ref"] = e.message_ref;
          out["flag_id"] = optional_text_json(e.flag_id);
        } else if constexpr (std::is_same_v<T, thread_reply_event>) {
          out["t"] = "reply";
          out["thread"] = e.thread_ref;
          out["ref"] = e.reply_ref;
          out["author"] = e.author_id;
          out["written_at"] = to_unix_micros(e.written_at);
          out["text"] = e.text;
        } else if constexpr (std::is_same_v<T, command_event>) {
          out["t"] = "command";
          out["author"] = e.author_id;
          out["text"] = e.text;
          out["ref"] = e.message_ref;
          out["written_at"] = to_unix_micros(e.written_at);
        } else {
          static_assert(std::is_same_v<T, invited_event>);
          out["t"] = "invited";
          out["inviter"] = e.inviter_id;
        }
      },
      event);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<chat_event> decode_chat_event(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto version = j.find("v");
  const auto type = j.find("t");
  if (version == j.end() || *version != format_version || type == j.end() || !type->is_string()) {
    return std::nullopt;
  }
  fields f(j);
  const auto t = type->get<std::string>();
  std::optional<chat_event> out;
  if (t == "flag") {
    flag_event e{f.channel(),
                 f.text("ref"),
                 f.text("person"),
                 f.text("flag_id"),
                 f.time("flagged_at"),
                 f.optional_time("written_at"),
                 entry_source::reaction,
                 std::nullopt,
                 f.text("thread"),
                 f.text("route")};
    const auto source = parse_entry_source(f.text("source"));
    if (!source) return std::nullopt;
    e.source = *source;
    if (const auto m = j.find("message"); m != j.end()) {
      if (!m->is_object()) return std::nullopt;
      fields mf(*m);
      const auto from_bot = m->find("from_bot");
      if (from_bot == m->end() || !from_bot->is_boolean()) return std::nullopt;
      e.message = carried_message{mf.text("author"), from_bot->get<bool>(), mf.text("text")};
      if (!mf.ok()) return std::nullopt;
    }
    out = std::move(e);
  } else if (t == "unflag") {
    out = unflag_event{f.channel(), f.text("ref"), f.text("person")};
  } else if (t == "edited") {
    out =
        message_edited_event{f.channel(), f.text("ref"), f.text("text"), f.optional_text("editor")};
  } else if (t == "deleted") {
    out = message_deleted_event{f.channel(), f.text("ref"), f.optional_text("flag_id")};
  } else if (t == "reply") {
    out = thread_reply_event{f.channel(),      f.text("thread"),     f.text("ref"),
                             f.text("author"), f.time("written_at"), f.text("text")};
  } else if (t == "command") {
    out = command_event{f.channel(), f.text("author"), f.text("text"), f.text("ref"),
                        f.time("written_at")};
  } else if (t == "invited") {
    out = invited_event{f.channel(), f.text("inviter")};
  }
  if (!out || !f.ok()) return std::nullopt;
  return out;
}

}  // namespace scribe::bot
