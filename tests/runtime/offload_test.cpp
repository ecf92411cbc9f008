// offload(): blocking work runs on the store thread and the coroutine resumes on its own strand.

#include "runtime/offload.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace scribe::runtime {
namespace {

namespace net = boost::asio;

struct observed {
  std::thread::id work_thread;
  bool resumed_on_strand = false;
  std::thread::id resumed_thread;
  int value = 0;
};

net::awaitable<observed> offload_a_value(store_thread& store_thread) {
  observed seen;
  seen.value = co_await offload(store_thread, [&seen] {
    seen.work_thread = std::this_thread::get_id();
    return 42;
  });
  seen.resumed_thread = std::this_thread::get_id();
  const auto ex = co_await net::this_coro::executor;
  seen.resumed_on_strand =
      ex.target<net::strand<net::io_context::executor_type>>()->running_in_this_thread();
  co_return seen;
}

net::awaitable<std::string> offload_a_throw(store_thread& store_thread) {
  try {
    co_await offload(store_thread, []() -> int { throw std::runtime_error("disk I/O error"); });
  } catch (const std::runtime_error& e) {
    co_return std::string("caught: ") + e.what();
  }
  co_return "not thrown";
}

net::awaitable<int> offload_void_and_move_only(store_thread& store_thread) {
  int counter = 0;
  co_await offload(store_thread, [&counter] { counter = 5; });
  auto owned = co_await offload(store_thread, [] { return std::make_unique<int>(37); });
  co_return counter + *owned;
}

// Runs `work` on a strand of an io_context served by two threads other than the store thread.
template <class T>
T run_on_strand(net::awaitable<T> work, std::vector<std::thread::id>* io_threads = nullptr) {
  net::io_context ioc;
  auto result = net::co_spawn(net::make_strand(ioc), std::move(work), net::use_future);
  std::thread first([&ioc] { ioc.run(); });
  std::thread second([&ioc] { ioc.run(); });
  if (io_threads != nullptr) *io_threads = {first.get_id(), second.get_id()};
  first.join();
  second.join();
  return result.get();
}

}  // namespace

TEST_CASE("offload runs on the store thread and resumes on the caller's strand", "[unit]") {
  store_thread pool(nullptr);
  std::vector<std::thread::id> io_threads;
  const auto seen = run_on_strand(offload_a_value(pool), &io_threads);
  pool.join();

  REQUIRE(seen.value == 42);
  REQUIRE(seen.work_thread != std::thread::id{});
  REQUIRE(seen.work_thread != io_threads.at(0));
  REQUIRE(seen.work_thread != io_threads.at(1));
  REQUIRE(seen.resumed_thread != seen.work_thread);
  REQUIRE(seen.resumed_on_strand);
}

TEST_CASE("offload rethrows the callable's exception in the awaiting coroutine", "[unit]") {
  store_thread pool(nullptr);
  REQUIRE(run_on_strand(offload_a_throw(pool)) == "caught: disk I/O error");
  pool.join();
}

TEST_CASE("offload handles void and move-only results", "[unit]") {
  store_thread pool(nullptr);
  REQUIRE(run_on_strand(offload_void_and_move_only(pool)) == 42);
  pool.join();
}

}  // namespace scribe::runtime
