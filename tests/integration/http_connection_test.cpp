// HTTP/1.1 connection behaviour: keep-alive, pipelining, Connection: close,
// and graceful shutdown (SIGTERM exits 0 and the request in flight completes).
#include "tests/integration/broker_fixture.hpp"

#include <signal.h>

#include <set>
#include <thread>

namespace dsb::test {
namespace {

using HttpConnectionTest = BrokerTest;

std::string get_request(const std::string& path, const std::string& extra = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

TEST_F(HttpConnectionTest, KeepAliveServesManyRequestsOnOneConnection) {
  const auto org = create_org("acme");
  auto c = client(org.token);
  const std::string id = str(create_datasource(*c, pg_body("ka")), "id");
  for (int i = 0; i < 300; ++i) {
    auto r = i % 3 == 0 ? c->get("/v1/datasources/" + id)
                        : c->patch(ds_path(id), json::object{{"host", "h" + std::to_string(i)}});
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
    EXPECT_NE(r.header("connection"), "close");
  }
  EXPECT_EQ(c->connections_opened(), 1);

  // The same by hand: one socket, request after request.
  RawConnection raw(port());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(raw.send(get_request("/healthz")));
    auto r = raw.read_response();
    ASSERT_EQ(r.status, 200) << "request " << i;
  }
}

TEST_F(HttpConnectionTest, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection raw(port());
  std::string batch;
  for (int i = 0; i < 8; ++i) batch += get_request(i % 2 == 0 ? "/healthz" : "/nope");
  ASSERT_TRUE(raw.send(batch));
  std::set<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    auto r = raw.read_response();
    EXPECT_EQ(r.status, i % 2 == 0 ? 200 : 404) << "response " << i;
    ids.insert(r.header("x-request-id"));
  }
  EXPECT_EQ(ids.size(), 8u);
}

TEST_F(HttpConnectionTest, ConnectionCloseAndHttp10AreHonoured) {
  RawConnection closing(port());
  ASSERT_TRUE(closing.send(get_request("/healthz", "Connection: close\r\n")));
  auto r = closing.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(closing.closed_by_peer());

  RawConnection old(port());
  ASSERT_TRUE(old.send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r10 = old.read_response();
  EXPECT_EQ(r10.status, 200);
  EXPECT_TRUE(old.closed_by_peer());
}

TEST_F(HttpConnectionTest, SigtermLetsTheRequestInFlightFinishThenExitsZero) {
  const auto org = create_org("acme");
  const std::string body = json::serialize(pg_body("in-flight"));
  const std::string head =
      "POST /v1/datasources?test=false HTTP/1.1\r\nHost: t\r\n"
      "Authorization: Bearer " +
      org.token +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  // An idle keep-alive connection must not hold shutdown up.
  auto idle = client();
  ASSERT_EQ(idle->get("/healthz").status, 200);

  // The request has started to arrive when SIGTERM comes.
  RawConnection raw(port());
  ASSERT_TRUE(raw.send(head + body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto signalled = std::chrono::steady_clock::now();
  broker_->send_signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // No new connections are taken while draining.
  EXPECT_ANY_THROW(raw_exchange(port(), get_request("/healthz"), 500));

  ASSERT_TRUE(raw.send(body.substr(body.size() / 2)));
  auto r = raw.read_response();
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(raw.closed_by_peer());

  EXPECT_EQ(broker_->wait_for_exit(std::chrono::seconds(15)), 0) << broker_->output();
  // Well inside the 10 s grace: nothing was left to wait for.
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(5));
  const std::string out = broker_->output();
  EXPECT_NE(out.find("\"event\":\"shutdown\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"event\":\"stopped\""), std::string::npos) << out;

  // What was acknowledged during the drain is stored.
  start();
  auto list = client(org.token)->get("/v1/datasources");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("items").as_array().size(), 1u) << list.body;
  EXPECT_EQ(str(list.json().at("items").as_array()[0], "name"), "in-flight");
}

TEST_F(HttpConnectionTest, SigintAlsoStopsCleanly) {
  broker_->send_signal(SIGINT);
  EXPECT_EQ(broker_->wait_for_exit(std::chrono::seconds(15)), 0) << broker_->output();
  EXPECT_NE(broker_->output().find("SIGINT"), std::string::npos);
}

TEST_F(HttpConnectionTest, ShutdownGraceBoundsAStalledRequest) {
  // A client that stops mid-body cannot hold the process past the grace.
  broker_->stop();
  BrokerOptions opts;
  opts.env["DSB_SERVER_SHUTDOWN_GRACE_MS"] = "500";
  start(opts);
  RawConnection raw(port());
  ASSERT_TRUE(raw.send("POST /v1/tokens HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto signalled = std::chrono::steady_clock::now();
  broker_->send_signal(SIGTERM);
  EXPECT_EQ(broker_->wait_for_exit(std::chrono::seconds(15)), 0) << broker_->output();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(5));
}

}  // namespace
}  // namespace dsb::test
