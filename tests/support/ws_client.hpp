// WebSocket clients (Beast) for the event tests and the event benchmark: one
// blocking client for conversations with /v1/events, and a crowd of many
// asynchronous subscribers on a few threads for fan-out. Neither uses
// GoogleTest, so the benchmark can use them too. Tests may block; the broker
// may not.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::test {

struct WsOptions {
  std::string target = "/v1/events";  // with its query (?job=, ?access_token=)
  std::string bearer;                 // sent as Authorization: Bearer, when set
  std::string subprotocol;            // sent as Sec-WebSocket-Protocol, when set
  int receive_buffer = 0;             // SO_RCVBUF before connecting (0 = the default)
  int timeout_ms = 5000;              // connect + upgrade
};

class WsClient {
 public:
  // Connects to 127.0.0.1:`port` and asks for the upgrade; upgraded() says
  // whether it was accepted.
  WsClient(std::uint16_t port, WsOptions opts);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  bool upgraded() const;
  // The HTTP status and body of a refused upgrade (0 and "" otherwise).
  int refused_status() const;
  const std::string& refused_body() const;
  // The Sec-WebSocket-Protocol the server answered with ("" if none).
  const std::string& protocol() const;
  // Why connecting, upgrading or the last read failed.
  const std::string& error() const;

  // Sends one text message; false when the connection is gone.
  bool send(const boost::json::value& message, int timeout_ms = 5000);
  // The next message; nullopt after `timeout_ms` or once the connection ended.
  std::optional<boost::json::value> next(int timeout_ms = 5000);
  // Messages until one satisfies `last` (included), the time is up or the
  // connection ends.
  std::vector<boost::json::value> read_until(
      const std::function<bool(const boost::json::value&)>& last, int timeout_ms);
  // Sends {"subscribe": topic} and returns the reply ({"subscribed": ...} or
  // {"error": ...}; null on timeout). Events read meanwhile stay queued for next().
  boost::json::value subscribe(const boost::json::object& topic, int timeout_ms = 5000);
  boost::json::value unsubscribe(const boost::json::object& topic, int timeout_ms = 5000);

  // True once the server closed the connection (close frame, EOF or reset)
  // and every message before that was taken with next().
  bool ended() const;
  // Waits up to `timeout_ms` for the end, discarding messages; true if it came.
  bool wait_end(int timeout_ms);
  // Closes from this side (a close frame, then the socket).
  void close();

 private:
  struct Impl;
  boost::json::value exchange(const char* verb, const boost::json::object& topic, int timeout_ms);
  std::unique_ptr<Impl> impl_;
};

// Many subscribers at once: `connections` WebSockets spread over `threads`
// threads (one io_context each), each sending `subscribe` after the upgrade.
struct CrowdOptions {
  std::uint16_t port = 0;
  std::string token;            // Authorization: Bearer
  std::size_t connections = 0;  // how many subscribers
  std::size_t threads = 2;      // client threads
  std::string subscribe = R"({"subscribe":{"org":true}})";
};

// Called for every message but the subscription's reply, on the thread that
// owns subscriber `index` (one subscriber's calls never run concurrently).
using CrowdHandler = std::function<void(std::size_t index, std::string_view text,
                                        std::chrono::steady_clock::time_point received)>;

class WsCrowd {
 public:
  WsCrowd(CrowdOptions opts, CrowdHandler handler);
  ~WsCrowd();  // stops the threads; every connection closes
  WsCrowd(const WsCrowd&) = delete;
  WsCrowd& operator=(const WsCrowd&) = delete;

  // Connects every subscriber and waits until each has its subscription
  // confirmed; false (see error()) when one failed or the time ran out.
  bool start(std::chrono::milliseconds deadline);
  std::size_t subscribed() const;
  std::size_t failed() const;
  // Subscribers whose connection ended after they subscribed.
  std::size_t ended() const;
  std::string error() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Milliseconds since the Unix epoch of an RFC 3339 UTC time with
// milliseconds ("2026-11-23T17:16:03.123Z"); nullopt when it is not one.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace dsb::test
