// store_thread: tasks queued while a group commits share the next group, and none is answered
// before its group's commit.

#include "runtime/store_thread.hpp"

#include "bot/error.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace scribe::runtime {
namespace {

// What happened, in order, on the store thread.
struct journal {
  std::mutex mutex;
  std::vector<std::string> events;
  void add(std::string event) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(event));
  }
  std::vector<std::string> read() {
    std::lock_guard lock(mutex);
    return events;
  }
};

class recording_group final : public bot::group_commit {
 public:
  explicit recording_group(journal& log) : log_(log) {}
  bool refuse_begin = false;
  bool fail_commit = false;
  std::string lose_after;  // the task after whose run the store drops the group

  void begin_group() override {
    if (refuse_begin) throw bot::storage_unavailable("locked elsewhere");
    open_ = true;
    log_.add("begin");
  }
  void commit_group() override {
    open_ = false;
    if (fail_commit) throw bot::storage_unavailable("disk full");
    log_.add("commit");
  }
  void rollback_group() noexcept override {
    open_ = false;
    log_.add("rollback");
  }
  bool group_open() override {
    const auto events = log_.read();
    if (!lose_after.empty() && events.back() == "run " + lose_after) open_ = false;
    return open_;
  }

 private:
  journal& log_;
  bool open_ = false;
};

// Holds the store thread until released, so that tasks queue up behind it.
struct gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool entered = false;
  bool open = false;
  void wait_until_entered() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return entered; });
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    changed.notify_all();
  }
  void pass() {
    std::unique_lock lock(mutex);
    entered = true;
    changed.notify_all();
    changed.wait(lock, [this] { return open; });
  }
};

class named_task final : public store_task {
 public:
  named_task(journal& log, std::string name, gate* hold = nullptr)
      : log_(log), name_(std::move(name)), hold_(hold) {}
  void run() noexcept override {
    if (hold_ != nullptr) hold_->pass();
    log_.add("run " + name_);
  }
  void finish(std::exception_ptr failure) noexcept override {
    std::string how = "ok";
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        how = e.what();
      }
    }
    log_.add("finish " + name_ + ": " + how);
  }

 private:
  journal& log_;
  std::string name_;
  gate* hold_;
};

// Submits a task that holds the thread, then `names` behind it, and lets them all run.
std::vector<std::string> run_queued(bot::group_commit* group, journal& log,
                                    const std::vector<std::string>& names,
                                    std::size_t max_group = 64) {
  gate hold;
  {
    store_thread thread(group, max_group);
    thread.submit(std::make_unique<named_task>(log, "first", &hold));
    hold.wait_until_entered();
    for (const auto& name : names) thread.submit(std::make_unique<named_task>(log, name));
    hold.release();
  }  // joins after everything queued ran
  return log.read();
}

using events = std::vector<std::string>;

}  // namespace

TEST_CASE("tasks that queue while a group runs share the next group, answered after its commit",
          "[unit]") {
  journal log;
  recording_group group(log);
  CHECK(run_queued(&group, log, {"a", "b", "c"}) ==
        events{"begin", "run first", "commit", "finish first: ok", "begin", "run a", "run b",
               "run c", "commit", "finish a: ok", "finish b: ok", "finish c: ok"});
}

TEST_CASE("a group holds at most max_group tasks", "[unit]") {
  journal log;
  recording_group group(log);
  const auto seen = run_queued(&group, log, {"a", "b", "c", "d", "e"}, 2);
  CHECK(seen == events{"begin",        "run first", "commit", "finish first: ok", "begin",
                       "run a",        "run b",     "commit", "finish a: ok",     "finish b: ok",
                       "begin",        "run c",     "run d",  "commit",           "finish c: ok",
                       "finish d: ok", "begin",     "run e",  "commit",           "finish e: ok"});
}

TEST_CASE("a failed commit fails every task of its group", "[unit]") {
  journal log;
  recording_group group(log);
  group.fail_commit = true;
  const auto seen = run_queued(&group, log, {"a", "b"});
  CHECK(seen == events{"begin", "run first", "finish first: disk full", "begin", "run a", "run b",
                       "finish a: disk full", "finish b: disk full"});
}

TEST_CASE("a group the store dropped fails the tasks run in it, and the rest go in a new group",
          "[unit]") {
  journal log;
  recording_group group(log);
  group.lose_after = "b";
  const auto seen = run_queued(&group, log, {"a", "b", "c"});
  const std::string undone = "the database undid a commit group after an error";
  CHECK(seen == events{"begin", "run first", "commit", "finish first: ok", "begin", "run a",
                       "run b", "rollback", "finish a: " + undone, "finish b: " + undone, "begin",
                       "run c", "commit", "finish c: ok"});
}

TEST_CASE("when the store refuses a group, each task runs alone", "[unit]") {
  journal log;
  recording_group group(log);
  group.refuse_begin = true;
  CHECK(run_queued(&group, log, {"a"}) ==
        events{"run first", "finish first: ok", "run a", "finish a: ok"});
}

TEST_CASE("without group commit every task runs and finishes alone", "[unit]") {
  journal log;
  CHECK(run_queued(nullptr, log, {"a", "b"}) ==
        events{"run first", "finish first: ok", "run a", "finish a: ok", "run b", "finish b: ok"});
}

// A task that waits (up to `patience`) until `expected` tasks run at the same time.
class meeting_task final : public store_task {
 public:
  struct room {
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t present = 0;
    std::size_t met = 0;  // tasks that saw everyone present
    std::size_t finished = 0;
  };
  meeting_task(room& r, std::size_t expected,
               std::chrono::milliseconds patience = std::chrono::seconds(5))
      : room_(r), expected_(expected), patience_(patience) {}
  void run() noexcept override {
    std::unique_lock lock(room_.mutex);
    ++room_.present;
    room_.changed.notify_all();
    if (room_.changed.wait_for(lock, patience_, [&] { return room_.present >= expected_; })) {
      ++room_.met;
    }
  }
  void finish(std::exception_ptr) noexcept override {
    std::lock_guard lock(room_.mutex);
    ++room_.finished;
    room_.changed.notify_all();
  }

 private:
  room& room_;
  std::size_t expected_;
  std::chrono::milliseconds patience_;
};

TEST_CASE("without group commit, workers run that many tasks at once", "[unit]") {
  meeting_task::room room;
  {
    store_thread workers(nullptr, 64, 3);
    for (int i = 0; i < 3; ++i) workers.submit(std::make_unique<meeting_task>(room, 3));
  }  // joins
  CHECK(room.finished == 3);
  CHECK(room.met == 3);  // one thread would have run them one after another, each timing out
}

TEST_CASE("with group commit there is one thread whatever the workers asked", "[unit]") {
  journal log;
  recording_group group(log);
  meeting_task::room room;
  {
    store_thread thread(&group, 64, 3);
    for (int i = 0; i < 2; ++i) {
      thread.submit(std::make_unique<meeting_task>(room, 2, std::chrono::milliseconds(200)));
    }
  }
  CHECK(room.finished == 2);
  // Only the second finds the first "present", after the first gave up waiting for it.
  CHECK(room.met == 1);
}

TEST_CASE("a stopped store thread refuses new work", "[unit]") {
  journal log;
  store_thread thread(nullptr);
  thread.join();
  CHECK_THROWS_AS(thread.submit(std::make_unique<named_task>(log, "late")), std::logic_error);
}

}  // namespace scribe::runtime
