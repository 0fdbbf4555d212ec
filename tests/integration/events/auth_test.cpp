// Who may listen: the org's token works in the Authorization header, as a
// Sec-WebSocket-Protocol entry ("bearer.<token>" or the bare "dsb_..." token,
// echoed back as browsers require) and as ?access_token=; a missing, wrong,
// revoked or admin token is refused with 401 before the upgrade. Another
// org's job or datasource answers exactly as one that does not exist, and an
// org subscription never sees another org's events.
#include "tests/integration/events/events_fixture.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::test {
namespace {

using AuthTest = EventsTest;

// The upgrade was accepted and an org subscription is confirmed.
void expect_working_session(WsClient& ws) {
  ASSERT_TRUE(ws.upgraded()) << ws.error() << " " << ws.refused_body();
  ASSERT_EQ(ws.subscribe({{"org", true}}),
            json::value(json::object{{"subscribed", {{"org", true}}}}));
}

TEST_F(AuthTest, TheThreeTokenTransportsWork) {
  WsOptions header;
  header.bearer = token();
  WsOptions bearer_protocol;
  bearer_protocol.subprotocol = "bearer." + token();
  WsOptions bare_protocol;
  bare_protocol.subprotocol = token();
  WsOptions listed_protocol;  // a browser offering several
  listed_protocol.subprotocol = "json, bearer." + token();
  WsOptions query;
  query.target = "/v1/events?access_token=" + token();

  std::vector<std::unique_ptr<WsClient>> clients;
  for (const auto& o : {header, bearer_protocol, bare_protocol, listed_protocol, query}) {
    clients.push_back(std::make_unique<WsClient>(port(), o));
    expect_working_session(*clients.back());
  }
  // A subprotocol that carried the token is echoed (browsers close otherwise).
  EXPECT_EQ(clients[0]->protocol(), "");
  EXPECT_EQ(clients[1]->protocol(), "bearer." + token());
  EXPECT_EQ(clients[2]->protocol(), token());
  EXPECT_EQ(clients[3]->protocol(), "bearer." + token());
  EXPECT_EQ(clients[4]->protocol(), "");

  const std::string id = start_test(refused_body("refused"));
  const auto job = wait_job(id);
  for (auto& c : clients) {
    auto got = c->read_until(
        [&](const json::value& m) { return is_final(m) && str(m, "job") == id; }, 10000);
    expect_complete_stream(of_job(got, id), job);
  }
}

TEST_F(AuthTest, BadTokensAreRefusedWith401BeforeTheUpgrade) {
  auto admin = client(admin_token_);
  // A revoked token of this org.
  auto other = admin->post("/v1/orgs", json::object{{"name", "revoked"}});
  ASSERT_EQ(other.status, 201) << other.body;
  const std::string revoked = str(other.json().at("token"), "token");
  const std::string revoked_id = str(other.json().at("token"), "id");
  auto rv = client(revoked)->del("/v1/tokens/" + revoked_id);
  EXPECT_TRUE(rv.status == 204 || rv.status == 200) << rv.body;

  std::vector<std::pair<std::string, WsOptions>> cases;
  cases.push_back({"no token", {}});
  for (const std::string& bad : {std::string("dsb_wrong0123456789abcdef"), admin_token_, revoked}) {
    WsOptions h;
    h.bearer = bad;
    cases.push_back({"header " + bad, h});
    WsOptions p;
    p.subprotocol = "bearer." + bad;
    cases.push_back({"protocol " + bad, p});
    WsOptions q;
    q.target = "/v1/events?access_token=" + bad;
    cases.push_back({"query " + bad, q});
  }
  for (const auto& [name, opts] : cases) {
    SCOPED_TRACE(name);
    WsClient ws(port(), opts);
    EXPECT_FALSE(ws.upgraded());
    EXPECT_EQ(ws.refused_status(), 401) << ws.error();
    const auto body = json::parse(ws.refused_body());
    EXPECT_EQ(str(body, "code"), "AUTHENTICATION_ERROR") << ws.refused_body();
  }
  // The broker is still fine.
  auto ws = events();
  EXPECT_FALSE(ws->subscribe({{"org", true}}).is_null());
}

TEST_F(AuthTest, PlainGetOfTheEventsUrlAnswers426) {
  auto r = api().get("/v1/events");
  EXPECT_EQ(r.status, 426) << r.body;
  EXPECT_EQ(r.header("upgrade"), "websocket");
}

TEST_F(AuthTest, AnotherOrgsJobAnswersAsIfItDidNotExist) {
  const std::string mine = start_test(refused_body("mine"));
  wait_job(mine);
  auto created = api().post("/v1/datasources?test=false", pg_body("ds"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string ds = str(created.json(), "id");

  const std::string other_token = create_org("other");
  WsOptions o;
  o.bearer = other_token;
  WsClient intruder(port(), o);
  ASSERT_TRUE(intruder.upgraded());
  const std::string missing = "0190f0c6-0000-7000-8000-000000000000";
  auto theirs = intruder.subscribe({{"job", mine}});
  auto none = intruder.subscribe({{"job", missing}});
  ASSERT_TRUE(theirs.is_object() && theirs.as_object().contains("error"))
      << json::serialize(theirs);
  EXPECT_EQ(str(theirs.at("error"), "code"), "NOT_FOUND");
  // Same answer, but for the id itself.
  std::string a = json::serialize(theirs), b = json::serialize(none);
  a.replace(a.find(mine), mine.size(), "ID");
  b.replace(b.find(missing), missing.size(), "ID");
  EXPECT_EQ(a, b);
  auto their_ds = intruder.subscribe({{"datasource", ds}});
  EXPECT_EQ(str(their_ds.at("error"), "code"), "NOT_FOUND") << json::serialize(their_ds);

  // ?job= of another org's job: the same error, and no event.
  WsOptions q = o;
  q.target = "/v1/events?job=" + mine;
  WsClient by_query(port(), q);
  ASSERT_TRUE(by_query.upgraded());
  auto first = by_query.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(str(first->at("error"), "code"), "NOT_FOUND") << json::serialize(*first);
  EXPECT_FALSE(by_query.next(300));

  // An org subscription sees its own org's jobs only.
  ASSERT_FALSE(intruder.subscribe({{"org", true}}).is_null());
  const std::string later = start_test(refused_body("later"));
  wait_job(later);
  EXPECT_FALSE(intruder.next(500)) << "another org's event leaked";
}

}  // namespace
}  // namespace dsb::test
