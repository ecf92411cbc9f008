#pragma once
// The store executor port: where the workflows' blocking store calls run (bot/incident_store.hpp:
// "call them off network threads"). runtime::store_thread implements it, committing calls in
// groups; tests run calls inline.

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace scribe::bot {

class store_executor {
 public:
  virtual ~store_executor() = default;
  // Runs `call` there and resumes the caller once it ran and its changes are durable. What
  // `call` throws is thrown here.
  virtual boost::asio::awaitable<void> run(std::function<void()> call) = 0;
};

// The call's result, from there:
//   auto find = [&] { return store.find_incident(id); };
//   auto inc = co_await on_store(executor, std::move(find));
// (the closure a named local: GCC 12 destroys a closure made inside a co_await expression twice).
template <class Fn>
boost::asio::awaitable<std::invoke_result_t<Fn>> on_store(store_executor& executor, Fn call) {
  using result = std::invoke_result_t<Fn>;
  // Named locals, never closures made inside the co_await expression: GCC 12 destroys those
  // twice.
  if constexpr (std::is_void_v<result>) {
    std::function<void()> run_call = std::move(call);
    co_await executor.run(std::move(run_call));
  } else {
    std::optional<result> out;
    std::function<void()> run_call = [&out, &call] { out.emplace(call()); };
    co_await executor.run(std::move(run_call));
    co_return std::move(*out);
  }
}

}  // namespace scribe::bot
