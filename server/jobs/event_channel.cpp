#include "server/jobs/event_channel.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace dsb::server::jobs {
namespace asio = boost::asio;

EventChannel::EventChannel(asio::any_io_executor ex, std::size_t limit, OnOverflow policy)
    : ready_(std::move(ex), asio::steady_timer::time_point::max()),
      limit_(limit),
      policy_(policy) {}

void EventChannel::wake() {
  ready_.cancel();
}

void EventChannel::push(Payload message, const std::string& job, std::int64_t seq) {
  if (closed_) return;
  if (queue_.size() >= limit_) {
    if (policy_ == OnOverflow::close) {
      auto cut = std::exchange(cut_off_, nullptr);
      close();
      if (cut) cut();
      return;
    }
    if (job.empty()) return;  // a reply to the client, not an event it could fetch again
    const bool known =
        std::any_of(missed_.begin(), missed_.end(), [&](const auto& m) { return m.first == job; });
    if (!known) missed_.emplace_back(job, seq);
    return;
  }
  queue_.push_back(std::move(message));
  wake();
}

asio::awaitable<std::optional<Payload>> EventChannel::pop() {
  while (queue_.empty() && !closed_) {
    boost::system::error_code ec;
    ready_.expires_at(asio::steady_timer::time_point::max());
    co_await ready_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (queue_.empty()) co_return std::nullopt;
  Payload p = std::move(queue_.front());
  queue_.pop_front();
  // Room again: say what was lost, one report per job (the client can GET
  // each job to catch up), never filling more than half the queue.
  std::size_t reported = 0;
  while (reported < missed_.size() && queue_.size() < limit_ / 2) {
    const auto& [job, seq] = missed_[reported++];
    queue_.push_back(std::make_shared<const std::string>(boost::json::serialize(
        boost::json::object{{"overflow", true}, {"job", job}, {"missed_from_seq", seq}})));
  }
  missed_.erase(missed_.begin(), missed_.begin() + static_cast<std::ptrdiff_t>(reported));
  co_return p;
}

void EventChannel::close() {
  closed_ = true;
  cut_off_ = nullptr;
  queue_.clear();
  wake();
}

}  // namespace dsb::server::jobs
