// The small thread pool for work that can only block (reading csv files,
// sqlite calls, opening files under the file root). Shards never block: they
// hand such work to the pool and resume, on their own thread, when it is done.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace dsb::drivers {

// Threads in the pool: file work is short and bounded, so two suffice.
inline constexpr int kBlockingThreads = 2;

// Runs `work` on the pool and resumes the calling coroutine on its own
// executor when it returns. An exception thrown by `work` is rethrown in the
// caller. `work` must own (or share) everything it touches: it may still run
// after the caller has gone away.
boost::asio::awaitable<void> run_blocking_erased(std::function<void()> work);

// run_blocking_erased with a result: `work()`'s value is moved back to the
// caller.
//
// Name the lambda before awaiting: `auto job = [..] {..}; co_await
// run_blocking(std::move(job));`. GCC 12 destroys a lambda temporary that is
// part of a co_await expression twice (a heap corruption under ASan), so no
// lambda expression may appear inside one.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(F work) {
  using T = std::invoke_result_t<F&>;
  auto out = std::make_shared<std::optional<T>>();
  std::function<void()> task = [out, fn = std::make_shared<F>(std::move(work))] {
    out->emplace((*fn)());
  };
  co_await run_blocking_erased(std::move(task));
  co_return std::move(**out);
}

// Posts `work` to the pool and returns at once (e.g. closing a file handle
// from a destructor that runs on a shard).
void post_blocking(std::function<void()> work);

}  // namespace dsb::drivers
