#include "server/ws/subscription_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace dsb::server::ws {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

const char* topic_name(jobs::Topic t) {
  switch (t) {
    case jobs::Topic::job:
      return "job";
    case jobs::Topic::datasource:
      return "datasource";
    case jobs::Topic::org:
      return "org";
  }
  return "";
}

}  // namespace

SubscriptionBook::SubscriptionBook(App& app, std::string org_id,
                                   std::shared_ptr<jobs::EventChannel> channel)
    : app_(app),
      org_id_(std::move(org_id)),
      channel_(std::move(channel)),
      shard_(Shard::current().value()),
      owner_(app.shards->owner_of(org_id_)),
      session_(app.event_sessions->local().add(channel_)) {}

void SubscriptionBook::reply(const json::object& message) {
  channel_->push(std::make_shared<const std::string>(json::serialize(message)), "", 0);
}

void SubscriptionBook::error(std::string_view code, std::string_view message) {
  reply({{"error", json::object{{"code", code}, {"message", message}}}});
}

asio::awaitable<void> SubscriptionBook::handle(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) co_return error("INVALID_MESSAGE", "messages are JSON objects");
  const auto& o = v.as_object();
  const bool subscribe = o.contains("subscribe");
  const json::value* what = subscribe ? o.if_contains("subscribe") : o.if_contains("unsubscribe");
  if (what == nullptr || !what->is_object() || what->as_object().size() != 1)
    co_return error("INVALID_MESSAGE",
                    "send {\"subscribe\": {\"job\": ID}} (or datasource: ID, org: true), or "
                    "unsubscribe likewise");
  const auto& [key, value] = *what->as_object().begin();
  // Named strings, not temporaries inside co_await (see change()).
  if (key == "org" && value.is_bool() && value.as_bool()) {
    const std::string none;
    co_return co_await change(subscribe, jobs::Topic::org, none);
  }
  if ((key == "job" || key == "datasource") && value.is_string()) {
    const std::string id(value.as_string());
    co_return co_await change(subscribe, key == "job" ? jobs::Topic::job : jobs::Topic::datasource,
                              id);
  }
  error("INVALID_MESSAGE", "subscribe to {\"job\": ID}, {\"datasource\": ID} or {\"org\": true}");
}

asio::awaitable<void> SubscriptionBook::subscribe_job(const std::string& id) {
  co_await change(true, jobs::Topic::job, id);
}

asio::awaitable<void> SubscriptionBook::change(bool subscribe, jobs::Topic topic,
                                               const std::string& value) {
  const jobs::Subscriber who{shard_, session_};
  json::object echo{
      {topic_name(topic), topic == jobs::Topic::org ? json::value(true) : json::value(value)}};
  // The lambdas capture pointers to locals that outlive the call (this
  // coroutine waits for it), so no string is copied across shards.
  const std::string* org = &org_id_;
  const std::string* id = &value;
  if (!subscribe) {
    auto drop = [org, topic, id, who](jobs::JobTable& t) {
      t.unsubscribe(*org, topic, *id, who);
      return true;
    };
    co_await app_.jobs->invoke_on(owner_, drop);
    reply({{"unsubscribed", std::move(echo)}});
    co_return;
  }
  if (topic == jobs::Topic::datasource) {
    // Another org's datasource answers exactly as one that does not exist.
    auto r = app_.datasources->get(org_id_, value);
    if (!r || !*r) co_return error("NOT_FOUND", "datasource '" + value + "' does not exist");
  }
  // The confirmation and the replay come from the owner's shard, ahead of
  // any live event (see JobTable::subscribe).
  const jobs::Payload confirmation = std::make_shared<const std::string>(
      json::serialize(json::object{{"subscribed", std::move(echo)}}));
  const jobs::Payload* confirm = &confirmation;
  auto add = [org, topic, id, who, confirm](jobs::JobTable& t) {
    return t.subscribe(*org, topic, *id, who, *confirm);
  };
  if (!co_await app_.jobs->invoke_on(owner_, add))
    co_return error("NOT_FOUND", "job '" + value + "' does not exist");
}

asio::awaitable<void> SubscriptionBook::close() {
  const jobs::Subscriber who{shard_, session_};
  auto drop = [who](jobs::JobTable& t) {
    t.drop(who);
    return true;
  };
  co_await app_.jobs->invoke_on(owner_, drop);
  app_.event_sessions->local().remove(session_);
  channel_->close();
}

}  // namespace dsb::server::ws
