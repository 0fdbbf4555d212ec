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
#include <memory>
#include <optional>
#include <string>

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

 private:
  void wake();

  boost::asio::steady_timer ready_;
  std::deque<Payload> queue_;
  std::size_t limit_;
  OnOverflow policy_;
  bool closed_ = false;
  // The first message lost since the last overflow report.
  std::optional<std::pair<std::string, std::int64_t>> missed_;
};

}  // namespace dsb::server::jobs
