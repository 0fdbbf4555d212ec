#include "tests/integration/events/events_fixture.hpp"

#include "tests/support/test_env.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <boost/json/serialize.hpp>

#include <thread>

namespace dsb::test {

void EventsTest::SetUp() {
  start();
  token_ = create_org("acme");
  api_ = client(token_);
}

void EventsTest::start(std::map<std::string, std::string> env) {
  if (broker_ && broker_->running()) stop();
  BrokerOptions opts;
  opts.data_dir = dir_.path();
  opts.admin_token = admin_token_;
  // Tests poll GET /v1/jobs/{id}; the per-org rate limit is not under test here.
  env.try_emplace("DSB_LIMITS_REQUESTS_PER_WINDOW", "1000000");
  opts.env = std::move(env);
  broker_ = std::make_unique<BrokerProcess>(std::move(opts));
  ASSERT_TRUE(broker_->running()) << broker_->output();
  if (!token_.empty()) api_ = client(token_);
}

void EventsTest::stop() {
  if (!broker_) return;
  EXPECT_EQ(broker_->stop(), 0) << broker_->output();
}

std::string EventsTest::create_org(const std::string& name) {
  auto r = client(admin_token_)->post("/v1/orgs", json::object{{"name", name}});
  EXPECT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  return v.is_object() ? str(v.at("token"), "token") : std::string();
}

std::unique_ptr<HttpClient> EventsTest::client(const std::string& bearer) const {
  auto c = std::make_unique<HttpClient>("127.0.0.1", broker_->port());
  c->set_bearer(bearer);
  return c;
}

std::unique_ptr<WsClient> EventsTest::events(const std::string& query) {
  WsOptions o;
  o.target = "/v1/events" + query;
  o.bearer = token_;
  auto ws = std::make_unique<WsClient>(port(), o);
  EXPECT_TRUE(ws->upgraded()) << ws->error() << " " << ws->refused_body();
  return ws;
}

std::string EventsTest::start_job(const std::string& path, const json::value& body) {
  const std::string target =
      path + (path.find('?') == std::string::npos ? "?" : "&") + "async=true";
  auto r = body.is_null() ? api().request("POST", target) : api().post(target, body);
  EXPECT_EQ(r.status, 202) << target << ": " << r.body;
  const auto v = r.json();
  if (!v.is_object() || !v.as_object().contains("job")) return {};
  const std::string id = str(v.at("job"), "id");
  EXPECT_EQ(str(v, "job_url"), "/v1/jobs/" + id) << r.body;
  EXPECT_EQ(str(v, "events_url"), "/v1/events?job=" + id) << r.body;
  EXPECT_EQ(r.header("location"), "/v1/jobs/" + id) << r.body;
  return id;
}

std::string EventsTest::start_test(const json::object& body, const std::string& query) {
  return start_job("/v1/datasources/test" + query, body);
}

json::object EventsTest::wait_job(const std::string& id, int timeout_ms) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto r = api().get("/v1/jobs/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    const auto v = r.json();
    const std::string state = str(v, "state");
    if (state != "queued" && state != "running") return v.as_object();
    if (ms_since(start) > timeout_ms) {
      ADD_FAILURE() << "job " << id << " still " << state << " after " << timeout_ms << " ms";
      return v.as_object();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

json::object pg_body_at(const std::string& name, std::uint16_t port) {
  return {{"name", name},         {"type", "postgres"},     {"host", "127.0.0.1"},   {"port", port},
          {"database", "testdb"}, {"username", "testuser"}, {"password", "testpass"}};
}

json::object pg_body(const std::string& name) {
  return pg_body_at(name, require_port("DSB_TEST_PG_PORT"));
}

json::object pg_verify_full_body(const std::string& name) {
  json::object body = pg_body(name);
  body["host"] = "localhost";  // the name in the server certificate
  body["tls"] = json::object{{"mode", "verify-full"},
                             {"ca", read_file(require_env("DSB_TEST_TLS_DIR") + "/ca.crt")}};
  return body;
}

json::object refused_body(const std::string& name) {
  return {{"name", name},          {"type", "postgres"},   {"host", "127.0.0.1"},
          {"port", closed_port()}, {"database", "testdb"}, {"username", "nobody"},
          {"password", "x"}};
}

HangingListener::HangingListener() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(listen_fd_, 128), 0);
  EXPECT_EQ(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) continue;
      std::lock_guard lock(mu_);
      held_.push_back(fd);  // never answered
      ++accepted_;
    }
  });
}

HangingListener::~HangingListener() {
  stop_ = true;
  thread_.join();
  for (int fd : held_) ::close(fd);
  ::close(listen_fd_);
}

bool HangingListener::wait_accepted(int n, int timeout_ms) {
  const auto start = std::chrono::steady_clock::now();
  while (accepted_ < n) {
    if (ms_since(start) > timeout_ms) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

bool HangingListener::wait_all_closed(int timeout_ms) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    bool all = true;
    {
      std::lock_guard lock(mu_);
      for (int fd : held_) {
        // Whatever the broker sent (a startup packet) is read and dropped.
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
        }
        const bool closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        all = all && closed;
      }
    }
    if (all) return true;
    if (ms_since(start) > timeout_ms) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string str(const json::value& v, const std::string& key) {
  if (!v.is_object()) return {};
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->as_string()) : std::string();
}

bool is_final(const json::value& m) {
  return m.is_object() && m.as_object().contains("state");
}

std::vector<json::value> of_job(const std::vector<json::value>& messages, const std::string& job) {
  std::vector<json::value> out;
  for (const auto& m : messages)
    if (str(m, "job") == job && m.as_object().contains("seq")) out.push_back(m);
  return out;
}

void expect_complete_stream(const std::vector<json::value>& messages, const json::object& job) {
  const std::string id = str(job, "id");
  ASSERT_FALSE(messages.empty()) << "no message for job " << id;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    EXPECT_EQ(str(m, "job"), id) << json::serialize(m);
    const auto* seq = m.is_object() ? m.as_object().if_contains("seq") : nullptr;
    ASSERT_TRUE(seq && seq->is_int64()) << json::serialize(m);
    EXPECT_EQ(seq->as_int64(), static_cast<std::int64_t>(i + 1))
        << "gap or duplicate at " << json::serialize(m);
    EXPECT_EQ(is_final(m), i + 1 == messages.size()) << json::serialize(m);
  }
  EXPECT_EQ(str(messages.back(), "state"), str(job, "state"));
  const auto* recorded = job.if_contains("events");
  ASSERT_TRUE(recorded && recorded->is_array()) << json::serialize(job);
  json::array got;
  for (const auto& m : messages) got.push_back(m);
  EXPECT_EQ(json::value(got), *recorded) << "the stream differs from GET /v1/jobs/" << id;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace dsb::test
