// Shared set-up for the job and WebSocket event tests: a real dsbroker (port
// 0, temp data dir, 2 shards) with one org, datasource bodies that reach the
// real PostgreSQL of tests/services/start.sh or fail at a chosen stage,
// asynchronous jobs, and checks on the event stream of a job.
#pragma once

#include "tests/support/broker_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/ws_client.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dsb::test {

namespace json = boost::json;

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // (Re)starts the broker on this test's data dir with extra DSB_* variables.
  void start(std::map<std::string, std::string> env = {});
  // SIGTERM and wait.
  void stop();

  std::uint16_t port() const { return broker_->port(); }
  HttpClient& api() { return *api_; }  // the org "acme"'s client
  const std::string& token() const { return token_; }
  // Creates an org; returns its first token.
  std::string create_org(const std::string& name);
  std::unique_ptr<HttpClient> client(const std::string& bearer) const;
  // A WebSocket to /v1/events with the org's token in the Authorization header.
  std::unique_ptr<WsClient> events(const std::string& query = {});

  // POST `path` (with ?async=true added) answering 202; returns the job id.
  std::string start_job(const std::string& path, const json::value& body = nullptr);
  // An asynchronous test of an unsaved body; returns the job id.
  std::string start_test(const json::object& body, const std::string& query = {});
  // GET /v1/jobs/{id} until the job finished (bounded); returns the job.
  json::object wait_job(const std::string& id, int timeout_ms = 30000);

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  std::string token_;
  std::unique_ptr<HttpClient> api_;
  std::string admin_token_ = "events-test-admin-token-5b0e91c3";
};

// A postgres body for a server at 127.0.0.1:`port` (TLS off).
json::object pg_body_at(const std::string& name, std::uint16_t port);
// A body that reaches the test PostgreSQL as testuser/testpass (TLS off).
json::object pg_body(const std::string& name);
// The same through TLS verify-full with the test CA (host "localhost").
json::object pg_verify_full_body(const std::string& name);
// A postgres body whose port nothing listens on: fails at tcp_connect.
json::object refused_body(const std::string& name);

// A TCP listener on 127.0.0.1 that accepts and never answers (a database
// that hangs), and can tell when the broker closed what it accepted.
class HangingListener {
 public:
  HangingListener();  // binds port 0, accepts on a thread
  ~HangingListener();
  HangingListener(const HangingListener&) = delete;
  HangingListener& operator=(const HangingListener&) = delete;

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  // Waits until at least `n` connections were accepted.
  bool wait_accepted(int n, int timeout_ms);
  // Waits until the peer closed every accepted connection (EOF or reset).
  bool wait_all_closed(int timeout_ms);

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<int> held_;
  std::thread thread_;
};

// A port on 127.0.0.1 nothing listens on (bound, then closed).
std::uint16_t closed_port();

// The string at `key` of an object ("" when absent or not a string).
std::string str(const json::value& v, const std::string& key);

// True for a job's final message ({"job", "seq", "state", "result"}).
bool is_final(const json::value& m);

// Checks that `messages` (what one subscriber got for `job`, in order) are
// that job's events seq 1..n without gap or duplicate, ending with the final
// message, and equal to what GET /v1/jobs/{id} recorded.
void expect_complete_stream(const std::vector<json::value>& messages, const json::object& job);

// The messages of `job` in `messages`, in order.
std::vector<json::value> of_job(const std::vector<json::value>& messages, const std::string& job);

// Milliseconds since `start`.
double ms_since(std::chrono::steady_clock::time_point start);

}  // namespace dsb::test
