// Shard-per-core: each Shard is one thread running one io_context. State that
// belongs to one shard is held in a Sharded<T>, one T per shard, touched only
// on that shard's thread; other shards reach it with invoke_on (a post, never
// a lock).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace dsb::server {

namespace asio = boost::asio;

class Shard {
 public:
  explicit Shard(std::size_t index) : index_(index), io_(1) {}
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::size_t index() const { return index_; }
  asio::io_context& io() { return io_; }
  asio::io_context::executor_type executor() { return io_.get_executor(); }

  // The shard whose thread is running the caller, if any.
  static std::optional<std::size_t> current();

  void start();
  void stop() { io_.stop(); }
  void join();

  // Requests handed to this shard by others and not started yet.
  std::atomic<std::int64_t>& pending() { return pending_; }

 private:
  std::size_t index_;
  asio::io_context io_;
  std::thread thread_;
  std::atomic<std::int64_t> pending_{0};
};

class ShardSet {
 public:
  explicit ShardSet(std::size_t count);
  std::size_t size() const { return shards_.size(); }
  Shard& at(std::size_t i) { return *shards_[i]; }
  // Every organization is owned by exactly one shard.
  std::size_t owner_of(std::string_view org_id) const;
  void start_all();
  void stop_all();
  void join_all();

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
};

// One T per shard. Use local() on a shard thread, invoke_on() from anywhere
// else; T must never be touched from a foreign thread.
template <class T>
class Sharded {
 public:
  template <class Make>
  Sharded(ShardSet& shards, Make make) : shards_(shards) {
    for (std::size_t i = 0; i < shards.size(); ++i) items_.push_back(make(i));
  }

  T& local() { return *items_[Shard::current().value()]; }
  // Shard i's instance: only from shard i's thread, or before the shards start.
  T& on(std::size_t i) { return *items_[i]; }

  // Runs fn(T&) on shard i and resumes the caller on its own executor.
  template <class F>
  auto invoke_on(std::size_t i, F fn) -> asio::awaitable<decltype(fn(std::declval<T&>()))> {
    using R = decltype(fn(std::declval<T&>()));
    T* item = items_[i].get();
    if (Shard::current() == i) co_return fn(*item);
    // The task and the awaitable are named, not temporaries of the co_await
    // expression: GCC 12 destroys such temporaries twice, which freed the
    // captures of every caller's lambda twice.
    auto task = [item, fn]() -> asio::awaitable<R> { co_return fn(*item); };
    auto on_shard = asio::co_spawn(shards_.at(i).executor(), std::move(task), asio::use_awaitable);
    co_return co_await std::move(on_shard);
  }

  std::size_t size() const { return items_.size(); }

 private:
  ShardSet& shards_;
  std::vector<std::unique_ptr<T>> items_;
};

}  // namespace dsb::server
