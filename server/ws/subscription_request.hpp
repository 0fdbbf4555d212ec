// What one WebSocket client subscribed to, and the handling of its
// {"subscribe": {...}} / {"unsubscribe": {...}} messages. Lives on the
// client's shard; subscriptions are registered on the org's shard.
#pragma once

#include "server/app.hpp"
#include "server/jobs/event_channel.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace dsb::server::ws {

class SubscriptionBook {
 public:
  SubscriptionBook(App& app, std::string org_id, std::shared_ptr<jobs::EventChannel> channel);
  SubscriptionBook(const SubscriptionBook&) = delete;
  SubscriptionBook& operator=(const SubscriptionBook&) = delete;

  // Handles one client message; replies (and errors) go to the channel.
  boost::asio::awaitable<void> handle(const std::string& text);
  boost::asio::awaitable<void> subscribe_job(const std::string& id);
  // Unregisters everywhere; call once, when the session ends.
  boost::asio::awaitable<void> close();

 private:
  boost::asio::awaitable<void> change(bool subscribe, jobs::Topic topic, const std::string& value);
  void reply(const boost::json::object& message);
  void error(std::string_view code, std::string_view message);

  App& app_;
  std::string org_id_;
  std::shared_ptr<jobs::EventChannel> channel_;
  std::size_t shard_;
  std::size_t owner_;
  std::uint64_t session_;
};

}  // namespace dsb::server::ws
