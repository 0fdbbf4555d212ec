#include "server/jobs/event_channel.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace dsb::server::jobs {
namespace asio = boost::asio;

EventChannel::EventChannel(asio::any_io_executor ex, std::size_t limit, OnOverflow policy)
    : ready_(std::move(ex), asio::steady_timer::time_point::max()), limit_(limit), policy_(policy) {}

void EventChannel::wake() { ready_.cancel(); }

void EventChannel::push(Payload message, const std::string& job, std::int64_t seq) {
  if (closed_) return;
  if (queue_.size() >= limit_) {
    if (policy_ == OnOverflow::close) return close();
    if (!missed_) missed_.emplace(job, seq);
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
  if (missed_ && queue_.size() < limit_ / 2) {
    // Room again: say what was lost (the client can GET the job to catch up).
    queue_.push_back(std::make_shared<const std::string>(boost::json::serialize(boost::json::object{
        {"overflow", true}, {"job", missed_->first}, {"missed_from_seq", missed_->second}})));
    missed_.reset();
  }
  co_return p;
}

void EventChannel::close() {
  closed_ = true;
  queue_.clear();
  wake();
}

}  // namespace dsb::server::jobs
