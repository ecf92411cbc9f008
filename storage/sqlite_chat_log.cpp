// sqlite_store's part that stores the playground's chat (bot/chat_log.hpp), in its own file
// because it shares nothing with the incident tables but the connection.
#include "storage/sqlite_store.hpp"

#include "storage/shared_sql.hpp"
#include "storage/sqlite_connection.hpp"

#include "storage/sqlite_errors.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace scribe::storage {
namespace {

using shared_sql::message_columns;

bot::chat_message read_message(SQLite::Statement& row) {
  bot::chat_message m;
  m.id = row.getColumn(0).getInt64();
  m.channel = row.getColumn(1).getString();
  if (!row.getColumn(2).isNull()) m.thread_id = row.getColumn(2).getInt64();
  m.author = {row.getColumn(3).getString(), row.getColumn(4).getString()};
  m.from_bot = row.getColumn(5).getInt() != 0;
  m.visible_to = row.getColumn(6).getString();
  m.format = row.getColumn(7).getString() == "markdown" ? bot::chat_format::markdown
                                                        : bot::chat_format::text;
  m.text = row.getColumn(8).getString();
  m.posted_at = bot::from_unix_micros(row.getColumn(9).getInt64());
  if (!row.getColumn(10).isNull()) m.post_key = row.getColumn(10).getString();
  return m;
}

}  // namespace

std::vector<bot::chat_message> sqlite_store::load_messages(const std::string& where,
                                                           std::int64_t key,
                                                           const std::string& channel,
                                                           std::size_t limit) {
  // The newest `limit`, returned oldest first.
  auto query = db_->statement(std::string("SELECT * FROM (SELECT ") + message_columns +
                              " FROM chat_messages WHERE " + where +
                              " ORDER BY id DESC LIMIT ?3) ORDER BY id");
  if (!channel.empty()) query.bind(1, channel);
  if (key != 0) query.bind(2, key);
  query.bind(3, static_cast<std::int64_t>(limit));
  std::vector<bot::chat_message> found;
  while (query.executeStep()) found.push_back(read_message(query));
  if (found.empty()) return found;
  auto reactions = db_->statement(
      "SELECT message_id, emoji, by_id FROM chat_reactions WHERE "
      "message_id BETWEEN ?1 AND ?2 ORDER BY added");
  reactions.bind(1, found.front().id);
  reactions.bind(2, found.back().id);
  while (reactions.executeStep()) {
    const std::int64_t id = reactions.getColumn(0).getInt64();
    for (auto& m : found) {
      if (m.id == id) {
        m.reactions.push_back(
            {reactions.getColumn(1).getString(), reactions.getColumn(2).getString()});
        break;
      }
    }
  }
  return found;
}

bot::result<bot::chat_message> sqlite_store::post(const bot::new_chat_message& message) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  if (message.post_key) {
    auto known = db_->statement("SELECT id FROM chat_messages WHERE post_key = ?");
    known.bind(1, *message.post_key);
    if (known.executeStep()) {
      auto found = load_messages("id = ?2", known.getColumn(0).getInt64(), {}, 1);
      return std::move(found.front());
    }
  }
  if (message.thread_id) {
    // Threads are one level deep, within one channel, as in Slack.
    auto root = db_->statement(
        "SELECT 1 FROM chat_messages WHERE id = ? AND channel = ? AND "
        "thread_id IS NULL");
    root.bind(1, *message.thread_id);
    root.bind(2, message.channel);
    if (!root.executeStep()) return bot::errc::entry_not_found;
  }
  auto insert = db_->statement(
      "INSERT INTO chat_messages (channel, thread_id, author_id, author_name, "
      "from_bot, visible_to, format, text, posted_at, post_key) VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, message.channel);
  if (message.thread_id) insert.bind(2, *message.thread_id);
  insert.bind(3, message.author.id);
  insert.bind(4, message.author.name);
  insert.bind(5, message.from_bot ? 1 : 0);
  insert.bind(6, message.visible_to);
  insert.bind(7, message.format == bot::chat_format::markdown ? "markdown" : "text");
  insert.bind(8, message.text);
  insert.bind(9, bot::to_unix_micros(message.posted_at));
  if (message.post_key) insert.bind(10, *message.post_key);
  insert.exec();
  bot::chat_message stored{message, db_->last_insert_rowid(), {}};
  tx.commit();
  return stored;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::chat_message> sqlite_store::find_message(std::int64_t id) try {
  std::lock_guard lock(mutex_);
  auto found = load_messages("id = ?2", id, {}, 1);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::chat_message> sqlite_store::recent_messages(const std::string& channel,
                                                             std::size_t limit) try {
  std::lock_guard lock(mutex_);
  return load_messages("channel = ?1", 0, channel, limit);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bool sqlite_store::add_reaction(std::int64_t message_id, const std::string& emoji,
                                const std::string& by) try {
  std::lock_guard lock(mutex_);
  auto insert = db_->statement(
      "INSERT INTO chat_reactions (message_id, emoji, by_id) VALUES (?, ?, ?) "
      "ON CONFLICT DO NOTHING");
  insert.bind(1, message_id);
  insert.bind(2, emoji);
  insert.bind(3, by);
  return insert.exec() == 1;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bool sqlite_store::remove_reaction(std::int64_t message_id, const std::string& emoji,
                                   const std::string& by) try {
  std::lock_guard lock(mutex_);
  auto remove = db_->statement(
      "DELETE FROM chat_reactions WHERE message_id = ? AND emoji = ? AND "
      "by_id = ?");
  remove.bind(1, message_id);
  remove.bind(2, emoji);
  remove.bind(3, by);
  return remove.exec() == 1;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

}  // namespace scribe::storage
