#include "drivers/blocking_pool.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace dsb::drivers {

namespace asio = boost::asio;

namespace {

// Made on first use and never destroyed: a pool thread may still be
// finishing a file read while static destructors run at exit.
asio::thread_pool& pool() {
  static auto* p = new asio::thread_pool(kBlockingThreads);
  return *p;
}

}  // namespace

// Not a coroutine: the work is handed to the pool at once, and the
// awaitable's completion handler (which resumes the caller) is dispatched
// back to the caller's executor when the work is done.
asio::awaitable<void> run_blocking_erased(std::function<void()> work) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
      [](auto handler, std::function<void()> task) {
        asio::post(pool(), [task = std::move(task), handler = std::move(handler)]() mutable {
          std::exception_ptr error;
          try {
            task();
          } catch (...) {
            error = std::current_exception();
          }
          task = nullptr;  // what the work holds is released on the pool thread
          const auto ex = asio::get_associated_executor(handler);
          asio::dispatch(
              ex, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
        });
      },
      asio::use_awaitable, std::move(work));
}

void post_blocking(std::function<void()> work) {
  asio::post(pool(), std::move(work));
}

}  // namespace dsb::drivers
