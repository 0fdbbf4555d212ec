// Subscribing to job events at any moment: an org subscription taken before
// a job starts, a job subscription taken while it runs or after it ended, and
// many subscriptions racing a running job each get the job's whole stream,
// ordered by seq, without gap or duplicate, ending with the final state.
// Datasource subscriptions, unsubscribing, and bad messages.
#include "tests/integration/events/events_fixture.hpp"

#include <boost/json/serialize.hpp>

#include <set>

namespace dsb::test {
namespace {

// Reads from `ws` until the final message of `job`; returns that job's messages.
std::vector<json::value> stream_of(WsClient& ws, const std::string& job, int timeout_ms = 15000) {
  auto all = ws.read_until(
      [&](const json::value& m) { return is_final(m) && str(m, "job") == job; }, timeout_ms);
  return of_job(all, job);
}

using ReplayTest = EventsTest;

TEST_F(ReplayTest, OrgSubscriptionTakenBeforeTheJobGetsItAll) {
  auto ws = events();
  ASSERT_EQ(ws->subscribe({{"org", true}}),
            json::value(json::object{{"subscribed", {{"org", true}}}}))
      << ws->error();
  const std::string id = start_test(pg_body("pg"));
  const auto got = stream_of(*ws, id);
  const auto job = wait_job(id);
  EXPECT_EQ(str(job, "state"), "succeeded") << json::serialize(job);
  expect_complete_stream(got, job);
}

TEST_F(ReplayTest, JobSubscriptionWhileRunningReplaysThenStreams) {
  HangingListener db;
  // Hangs in authenticate until its 1.5 s deadline.
  const std::string id = start_test(pg_body_at("hang", db.port()), "?timeout_ms=1500");
  ASSERT_TRUE(db.wait_accepted(1, 5000));
  EXPECT_EQ(str(api().get("/v1/jobs/" + id).json(), "state"), "running");
  auto ws = events();
  ASSERT_EQ(ws->subscribe({{"job", id}}), json::value(json::object{{"subscribed", {{"job", id}}}}));
  const auto got = stream_of(*ws, id);
  const auto job = wait_job(id);
  EXPECT_EQ(str(job, "state"), "failed");
  expect_complete_stream(got, job);
  // The replay reached tcp_connect before the live part began.
  ASSERT_GE(got.size(), 3u);
}

TEST_F(ReplayTest, JobSubscriptionAfterTheEndReplaysEverything) {
  const std::string id = start_test(refused_body("refused"));
  const auto job = wait_job(id);
  EXPECT_EQ(str(job, "state"), "failed");
  // By message, and by ?job= on the upgrade.
  auto by_message = events();
  ASSERT_EQ(by_message->subscribe({{"job", id}}),
            json::value(json::object{{"subscribed", {{"job", id}}}}));
  expect_complete_stream(stream_of(*by_message, id), job);
  auto by_query = events("?job=" + id);
  const auto first = by_query->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, json::value(json::object{{"subscribed", {{"job", id}}}}));
  expect_complete_stream(stream_of(*by_query, id), job);
  // Nothing follows the final message.
  EXPECT_FALSE(by_query->next(300));
}

TEST_F(ReplayTest, SubscriptionsRacingARunningJobEachGetTheWholeStream) {
  // 16 clients (spread over both shards by the kernel) subscribe one after
  // another while each job runs, so some land before, some during and some
  // after its events.
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 16; ++i) clients.push_back(events());
  for (int round = 0; round < 8; ++round) {
    const std::string id = start_test(pg_body("pg"), "?schema=true");
    for (auto& c : clients) ASSERT_FALSE(c->subscribe({{"job", id}}).is_null());
    const auto job = wait_job(id);
    for (auto& c : clients) {
      SCOPED_TRACE("round " + std::to_string(round));
      expect_complete_stream(stream_of(*c, id), job);
    }
  }
}

TEST_F(ReplayTest, DatasourceSubscriptionGetsThatDatasourcesJobsOnly) {
  auto a = api().post("/v1/datasources?test=false", pg_body("a"));
  auto b = api().post("/v1/datasources?test=false", pg_body("b"));
  ASSERT_EQ(a.status, 201) << a.body;
  ASSERT_EQ(b.status, 201) << b.body;
  const std::string a_id = str(a.json(), "id"), b_id = str(b.json(), "id");
  auto ws = events();
  ASSERT_EQ(ws->subscribe({{"datasource", a_id}}),
            json::value(json::object{{"subscribed", {{"datasource", a_id}}}}));
  const std::string other = start_job("/v1/datasources/" + b_id + "/test");
  wait_job(other);
  const std::string mine = start_job("/v1/datasources/" + a_id + "/test");
  const auto got = ws->read_until(
      [&](const json::value& m) { return is_final(m) && str(m, "job") == mine; }, 15000);
  EXPECT_TRUE(of_job(got, other).empty()) << "got another datasource's job";
  expect_complete_stream(of_job(got, mine), wait_job(mine));
  for (const auto& m : got) EXPECT_EQ(str(m, "datasource"), a_id) << json::serialize(m);

  // After unsubscribing, nothing more comes.
  ASSERT_EQ(ws->unsubscribe({{"datasource", a_id}}),
            json::value(json::object{{"unsubscribed", {{"datasource", a_id}}}}));
  wait_job(start_job("/v1/datasources/" + a_id + "/test"));
  EXPECT_FALSE(ws->next(500));
}

TEST_F(ReplayTest, OrgSubscriptionSeesEveryKindOfJob) {
  auto ws = events();
  ASSERT_FALSE(ws->subscribe({{"org", true}}).is_null());
  const std::string create = start_job("/v1/datasources", pg_body("created"));
  const auto created = wait_job(create);
  ASSERT_EQ(str(created, "state"), "succeeded") << json::serialize(created);
  EXPECT_EQ(str(created, "kind"), "create");
  const std::string ds = str(created.at("result"), "id");
  ASSERT_FALSE(ds.empty()) << json::serialize(created);
  const std::string refresh = start_job("/v1/datasources/" + ds + "/schema/refresh");
  const std::string test = start_job("/v1/datasources/" + ds + "/test");
  const std::string unsaved = start_test(refused_body("unsaved"));
  std::set<std::string> open = {create, refresh, test, unsaved};
  std::vector<json::value> got;
  while (!open.empty()) {
    auto m = ws->next(15000);
    ASSERT_TRUE(m) << "still waiting for " << open.size() << " jobs";
    if (is_final(*m)) open.erase(str(*m, "job"));
    got.push_back(std::move(*m));
  }
  for (const auto& id : {create, refresh, test, unsaved}) {
    SCOPED_TRACE(id);
    const auto job = wait_job(id);
    expect_complete_stream(of_job(got, id), job);
  }
  EXPECT_EQ(str(wait_job(refresh), "kind"), "schema_refresh");
  EXPECT_EQ(str(wait_job(test), "kind"), "test");
  EXPECT_TRUE(wait_job(unsaved).at("datasource").is_null());
}

TEST_F(ReplayTest, UnknownTopicsAndBadMessagesAnswerErrors) {
  auto ws = events();
  const auto unknown = ws->subscribe({{"job", "0190f0c6-0000-7000-8000-000000000000"}});
  EXPECT_EQ(str(unknown.at("error"), "code"), "NOT_FOUND") << json::serialize(unknown);
  const auto no_ds = ws->subscribe({{"datasource", "nope"}});
  EXPECT_EQ(str(no_ds.at("error"), "code"), "NOT_FOUND") << json::serialize(no_ds);
  for (const json::value& bad :
       {json::value("hello"), json::value(json::object{{"subscribe", json::object{}}}),
        json::value(json::object{{"subscribe", {{"org", false}}}}),
        json::value(json::object{{"subscribe", {{"job", 7}}}}),
        json::value(json::object{{"watch", {{"org", true}}}})}) {
    ASSERT_TRUE(ws->send(bad));
    const auto reply = ws->next();
    ASSERT_TRUE(reply) << json::serialize(bad);
    EXPECT_EQ(str(reply->at("error"), "code"), "INVALID_MESSAGE") << json::serialize(*reply);
  }
  // The session still works.
  EXPECT_EQ(ws->subscribe({{"org", true}}),
            json::value(json::object{{"subscribed", {{"org", true}}}}));
}

}  // namespace
}  // namespace dsb::test
