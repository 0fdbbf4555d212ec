// The outgoing queue of one WebSocket subscriber. Producers (deliveries from
// any job's shard, posted here) push without waiting; the session's writer
// pops. Bounded: a client that does not read loses messages, is told so
// once it catches up, or is closed, and never slows anyone else.
// Lives on the shard of its WebSocket session and is touched only there.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dsb::server::jobs {

using Payload = std::shared_ptr<const std::string>;

class EventChannel {
 public:
  enum class OnOverflow { notify, close };

  EventChannel(boost::asio::any_io_executor ex, std::size_t limit, OnOverflow policy);

  // Queues a message (`job`/`seq` say what it is, for overflow reports).
  void push(Payload message, const std::string& job, std::int64_t seq);

  // The next message, or nullopt once the channel is closed.
  boost::asio::awaitable<std::optional<Payload>> pop();

  void close();
  bool closed() const { return closed_; }
  // Messages waiting to be written.
  std::size_t pending() const { return queue_.size(); }

  // Called once, on this shard, when the `close` policy closes the channel
  // because the client fell behind: the session cuts the connection then,
  // since its writer may be stuck on a client that stopped reading.
  void on_cut_off(std::function<void()> cut) { cut_off_ = std::move(cut); }

 private:
  void wake();

  boost::asio::steady_timer ready_;
  std::deque<Payload> queue_;
  std::size_t limit_;
  OnOverflow policy_;
  bool closed_ = false;
  std::function<void()> cut_off_;
  // Per job that lost messages since it was last reported, the first lost
  // seq, in order of loss. Each gets its own overflow report.
  std::vector<std::pair<std::string, std::int64_t>> missed_;
};

}  // namespace dsb::server::jobs
