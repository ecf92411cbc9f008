#include "runtime/store_thread.hpp"

#include "runtime/offload.hpp"

#include "bot/error.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace scribe::runtime {

store_thread::store_thread(bot::group_commit* group, std::size_t max_group, std::size_t workers)
    : group_(group), max_group_(group == nullptr ? 1 : std::max<std::size_t>(max_group, 1)) {
  // A commit group belongs to the thread that opened it: grouped work has one thread.
  const std::size_t count = group == nullptr ? std::max<std::size_t>(workers, 1) : 1;
  threads_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) threads_.emplace_back([this] { loop(); });
}

store_thread::~store_thread() {
  join();
}

void store_thread::submit(std::unique_ptr<store_task> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::logic_error("store thread stopped");
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void store_thread::join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void store_thread::loop() {
  std::vector<std::unique_ptr<store_task>> tasks;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      while (!queue_.empty() && tasks.size() < max_group_) {
        tasks.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_grouped(tasks);
    tasks.clear();
  }
}

bool store_thread::begin_group() {
  if (group_ == nullptr) return false;
  try {
    group_->begin_group();
    return true;
  } catch (...) {
    // The database refuses a write transaction for now (a lock held elsewhere, a full disk):
    // each task runs alone and meets the same trouble in its own calls, where it is reported.
    return false;
  }
}

void store_thread::run_grouped(std::vector<std::unique_ptr<store_task>>& tasks) {
  std::size_t next = 0;
  while (next < tasks.size()) {
    if (!begin_group()) {
      for (; next < tasks.size(); ++next) {
        tasks[next]->run();
        tasks[next]->finish(nullptr);
      }
      return;
    }
    const std::size_t first = next;
    bool lost = false;
    while (next < tasks.size() && !lost) {
      tasks[next++]->run();
      lost = !group_->group_open();
    }
    std::exception_ptr failure;
    if (lost) {
      group_->rollback_group();
      failure = std::make_exception_ptr(
          bot::storage_unavailable("the database undid a commit group after an error"));
    } else {
      try {
        group_->commit_group();
      } catch (...) {
        failure = std::current_exception();
      }
    }
    for (std::size_t i = first; i < next; ++i) tasks[i]->finish(failure);
  }
}

boost::asio::awaitable<void> store_thread::run(std::function<void()> call) {
  co_await offload(*this, std::move(call));
}

}  // namespace scribe::runtime
