#pragma once
// Group commit: the thread that runs store calls for many requests at once opens a group, runs
// the calls, and commits them together, so a burst of notes costs one durable commit (one fsync)
// instead of one each. A store that commits cheaply need not offer it (no commit_group at all).
//
// Inside a group every call still stands alone: one that fails undoes only its own changes. The
// results of the group's calls must not be given to anyone before commit() returns: until then
// they are not durable, and a failed commit loses all of them. While a group is open, store
// calls from other threads wait for it to end.

namespace scribe::bot {

class group_commit {
 public:
  virtual ~group_commit() = default;

  // Both throw storage_unavailable when the database cannot work for now. A commit that fails
  // has rolled the group back: it is over either way.
  virtual void begin_group() = 0;
  virtual void commit_group() = 0;
  // Never throws; a no-op when no group is open.
  virtual void rollback_group() noexcept = 0;
  // False once the store has lost the open group on its own (a full disk rolls it back): the calls
  // run in it since begin_group() are undone, and those after it would no longer be in the group.
  virtual bool group_open() = 0;
};

}  // namespace scribe::bot
