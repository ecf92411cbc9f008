#pragma once
// The one SQLite connection behind sqlite_store: its prepared statements, its write transactions,
// and the commit groups that let many callers' writes share one commit (group commit).
//
// Statements are prepared once per SQL text and kept: parsing a statement costs more than running
// the short ones Scribe uses. A statement is reset and its parameters cleared when its handle goes
// out of scope, so an unfinished SELECT never keeps a read transaction open.
//
// Write transactions: a store call that changes several rows opens a write_transaction. Alone it
// is BEGIN IMMEDIATE … COMMIT. Inside a commit group it is a SAVEPOINT, so a call that fails
// still undoes only its own changes, and the group commits the calls that succeeded once, with
// one fsync for all of them.
//
// Not thread-safe: sqlite_store serialises calls with its mutex.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace scribe::storage {

// A prepared statement borrowed from the cache for one use.
class statement_handle {
 public:
  explicit statement_handle(SQLite::Statement& statement) : statement_(&statement) {}
  ~statement_handle();
  statement_handle(const statement_handle&) = delete;
  statement_handle& operator=(const statement_handle&) = delete;

  template <class... Args>
  void bind(Args&&... args) {
    statement_->bind(std::forward<Args>(args)...);
  }
  int exec() { return statement_->exec(); }
  bool executeStep() { return statement_->executeStep(); }
  SQLite::Column getColumn(int index) const { return statement_->getColumn(index); }
  void reset() { statement_->reset(); }
  operator SQLite::Statement&() { return *statement_; }  // NOLINT: read_* helpers take the row

 private:
  SQLite::Statement* statement_;
};

class sqlite_connection {
 public:
  sqlite_connection(const std::filesystem::path& file, int busy_timeout_ms);

  SQLite::Database& db() { return db_; }
  // The statement for `sql`, prepared on first use.
  statement_handle statement(std::string_view sql);
  std::int64_t last_insert_rowid() const { return db_.getLastInsertRowid(); }

  // Commit groups (see the header comment). Throw SQLite::Exception.
  void begin_group();
  void commit_group();
  void rollback_group() noexcept;
  // False when no group is open, or SQLite rolled the group's transaction back on its own, which
  // it does on some errors (a full disk, an I/O error): the group's earlier calls are then lost.
  bool group_open() const;

  // Runs a statement without parameters (BEGIN, SAVEPOINT, …) from the cache.
  void run(std::string_view sql);

 private:
  friend class write_transaction;

  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };

  SQLite::Database db_;
  bool in_group_ = false;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, text_hash, std::equal_to<>>
      statements_;
};

// A store call's own transaction (see the header comment); rolled back unless committed.
class write_transaction {
 public:
  explicit write_transaction(sqlite_connection& connection);
  ~write_transaction();
  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;

  void commit();

 private:
  sqlite_connection& connection_;
  bool savepoint_;
  bool done_ = false;
};

}  // namespace scribe::storage
