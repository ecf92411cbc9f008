// pg_store's part that stores the playground's chat (bot/chat_log.hpp), in its own file because
// it shares nothing with the incident tables but the connections.

#include "storage/pg_connection.hpp"
#include "storage/pg_store.hpp"
#include "storage/shared_sql.hpp"

namespace scribe::storage {
namespace {

// The newest `$3` messages matching the condition, oldest first.
std::string recent_where(const char* condition) {
  return std::string("SELECT * FROM (SELECT ") + shared_sql::message_columns +
         " FROM chat_messages WHERE " + condition +
         " ORDER BY id DESC LIMIT $2) newest ORDER BY id";
}

std::vector<bot::chat_message> load_messages(pg_connection& db, const std::string& sql,
                                             const pg_params& params) {
  auto rows = db.exec(sql, params);
  std::vector<bot::chat_message> found;
  for (int r = 0; r < rows.size(); ++r) {
    bot::chat_message m;
    m.id = rows.int64(r, 0);
    m.channel = rows.text(r, 1);
    if (!rows.is_null(r, 2)) m.thread_id = rows.int64(r, 2);
    m.author = {rows.text(r, 3), rows.text(r, 4)};
    m.from_bot = rows.int64(r, 5) != 0;
    m.visible_to = rows.text(r, 6);
    m.format = rows.text(r, 7) == "markdown" ? bot::chat_format::markdown : bot::chat_format::text;
    m.text = rows.text(r, 8);
    m.posted_at = bot::from_unix_micros(rows.int64(r, 9));
    m.post_key = rows.optional_text(r, 10);
    found.push_back(std::move(m));
  }
  if (found.empty()) return found;
  auto reactions = db.exec(
      "SELECT message_id, emoji, by_id FROM chat_reactions WHERE message_id BETWEEN $1 AND $2 "
      "ORDER BY added",
      pg_params().add(found.front().id).add(found.back().id));
  for (int r = 0; r < reactions.size(); ++r) {
    const std::int64_t id = reactions.int64(r, 0);
    for (auto& m : found) {
      if (m.id == id) {
        m.reactions.push_back({reactions.text(r, 1), reactions.text(r, 2)});
        break;
      }
    }
  }
  return found;
}

std::vector<bot::chat_message> message_by_id(pg_connection& db, std::int64_t id) {
  static const std::string sql = recent_where("id = $1");
  return load_messages(db, sql, pg_params().add(id).add(1));
}

}  // namespace

bot::result<bot::chat_message> pg_store::post(const bot::new_chat_message& message) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  if (message.thread_id &&
      db->exec("SELECT 1 FROM chat_messages WHERE id = $1 AND channel = $2 AND thread_id IS NULL",
               pg_params().add(*message.thread_id).add(message.channel))
          .empty()) {
    return bot::errc::entry_not_found;  // threads are one level deep, within one channel
  }
  // ON CONFLICT on post_key: a job posting the same message from two replicas stores it once.
  auto inserted = db->exec(
      "INSERT INTO chat_messages (channel, thread_id, author_id, author_name, from_bot, "
      "visible_to, format, text, posted_at, post_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9, $10) ON CONFLICT (post_key) DO NOTHING RETURNING id",
      pg_params()
          .add(message.channel)
          .add(message.thread_id)
          .add(message.author.id)
          .add(message.author.name)
          .add(message.from_bot ? 1 : 0)
          .add(message.visible_to)
          .add(message.format == bot::chat_format::markdown ? "markdown" : "text")
          .add(message.text)
          .add(bot::to_unix_micros(message.posted_at))
          .add(message.post_key));
  if (inserted.empty()) {
    auto known = db->exec("SELECT id FROM chat_messages WHERE post_key = $1",
                          pg_params().add(message.post_key));
    auto found = message_by_id(*db, known.int64(0, 0));
    tx.commit();
    return std::move(found.front());
  }
  bot::chat_message stored{message, inserted.int64(0, 0), {}};
  tx.commit();
  return stored;
}

std::optional<bot::chat_message> pg_store::find_message(std::int64_t id) {
  auto db = pool_->acquire();
  auto found = message_by_id(*db, id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<bot::chat_message> pg_store::recent_messages(const std::string& channel,
                                                         std::size_t limit) {
  static const std::string sql = recent_where("channel = $1");
  auto db = pool_->acquire();
  return load_messages(*db, sql, pg_params().add(channel).add(static_cast<std::int64_t>(limit)));
}

bool pg_store::add_reaction(std::int64_t message_id, const std::string& emoji,
                            const std::string& by) {
  return pool_->acquire()
             ->exec(
                 "INSERT INTO chat_reactions (message_id, emoji, by_id) VALUES ($1, $2, $3) "
                 "ON CONFLICT DO NOTHING",
                 pg_params().add(message_id).add(emoji).add(by))
             .affected() == 1;
}

bool pg_store::remove_reaction(std::int64_t message_id, const std::string& emoji,
                               const std::string& by) {
  return pool_->acquire()
             ->exec(
                 "DELETE FROM chat_reactions WHERE message_id = $1 AND emoji = $2 AND by_id = $3",
                 pg_params().add(message_id).add(emoji).add(by))
             .affected() == 1;
}

}  // namespace scribe::storage
