#pragma once
// The thread that runs every store call, so network threads never block on storage (or the
// threads, for a store that runs calls at once on a pool of connections).
//
// Work is taken in groups: whatever requests queued while the previous group was committing runs
// next, inside one commit group of the store (bot/group_commit.hpp), and is answered only after
// that group's commit. Under load many requests thus share one durable commit (group commit),
// and when traffic is light a group is a single call, answered as soon as it is committed.
//
// A store without group commit (none given) runs each task alone, on one of `workers` threads.

#include "bot/group_commit.hpp"
#include "bot/store_executor.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace scribe::runtime {

class store_task {
 public:
  virtual ~store_task() = default;
  // Runs the work; must not throw (a task keeps its own exception for finish).
  virtual void run() noexcept = 0;
  // Called once the group is over: `group_failure` is null when the task's changes are committed,
  // otherwise why they are not.
  virtual void finish(std::exception_ptr group_failure) noexcept = 0;
};

// Also the workflows' store executor (bot/store_executor.hpp): run() is offload() (offload.hpp).
class store_thread final : public bot::store_executor {
 public:
  // `group` may be null. At most `max_group` tasks share one commit, which bounds how long the
  // first of them waits for the last. `workers` threads run tasks when there is no group (at
  // most as many as the store has connections); with one, there is one thread.
  explicit store_thread(bot::group_commit* group, std::size_t max_group = 64,
                        std::size_t workers = 1);
  // Runs what is queued, then joins.
  ~store_thread();
  store_thread(const store_thread&) = delete;
  store_thread& operator=(const store_thread&) = delete;

  // Thread-safe.
  void submit(std::unique_ptr<store_task> task);
  // Runs what is queued and stops the thread; later submissions are refused with an exception.
  void join();

  boost::asio::awaitable<void> run(std::function<void()> call) override;

 private:
  void loop();
  // Opens a commit group; false when there is no group commit or the database refuses one.
  bool begin_group();
  void run_grouped(std::vector<std::unique_ptr<store_task>>& tasks);

  bot::group_commit* group_;
  const std::size_t max_group_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<store_task>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace scribe::runtime
