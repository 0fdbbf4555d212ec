// The jobs API: every asynchronous form answers 202 with the job and its
// URLs; GET /v1/jobs filters by datasource and state and shows only the
// caller's org; synchronous requests are jobs too; finished jobs survive a
// restart as stored results (GET, list, and a WebSocket replay); stopping
// the broker ends event sessions at once.
#include "tests/integration/events/events_fixture.hpp"

#include <boost/json/serialize.hpp>

#include <set>

namespace dsb::test {
namespace {

using JobsApiTest = EventsTest;

std::set<std::string> ids_of(const HttpResult& r) {
  std::set<std::string> out;
  EXPECT_EQ(r.status, 200) << r.body;
  const auto v = r.json();
  if (!v.is_object()) return out;
  for (const auto& item : v.at("items").as_array()) {
    EXPECT_FALSE(item.as_object().contains("events")) << "list items carry no events";
    out.insert(str(item, "id"));
  }
  return out;
}

TEST_F(JobsApiTest, EveryAsynchronousFormAnswers202WithTheJob) {
  auto created = api().post("/v1/datasources?test=false", pg_body("saved"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string ds = str(created.json(), "id");
  struct Form {
    std::string path;
    json::value body;
    std::string kind;
    std::string datasource;
  };
  const std::vector<Form> forms = {
      {"/v1/datasources/test", pg_body("unsaved"), "test", ""},
      {"/v1/datasources/" + ds + "/test", nullptr, "test", ds},
      {"/v1/datasources/" + ds + "/schema/refresh", nullptr, "schema_refresh", ds},
      {"/v1/datasources", pg_body("created"), "create", ""}};
  for (const auto& f : forms) {
    SCOPED_TRACE(f.path);
    const std::string target = f.path + "?async=true";
    auto r = f.body.is_null() ? api().request("POST", target) : api().post(target, f.body);
    ASSERT_EQ(r.status, 202) << r.body;
    const auto v = r.json();
    const auto& job = v.at("job");
    const std::string id = str(job, "id");
    EXPECT_EQ(str(v, "job_url"), "/v1/jobs/" + id);
    EXPECT_EQ(str(v, "events_url"), "/v1/events?job=" + id);
    EXPECT_EQ(r.header("location"), "/v1/jobs/" + id);
    EXPECT_EQ(str(job, "kind"), f.kind);
    EXPECT_TRUE(str(job, "state") == "queued" || str(job, "state") == "running") << r.body;
    if (f.datasource.empty())
      EXPECT_TRUE(job.at("datasource").is_null()) << r.body;
    else
      EXPECT_EQ(str(job, "datasource"), f.datasource);
    EXPECT_FALSE(str(job, "created_at").empty());
    const auto done = wait_job(id);
    EXPECT_EQ(str(done, "state"), "succeeded") << json::serialize(done);
    EXPECT_FALSE(str(done, "finished_at").empty());
    EXPECT_TRUE(is_final(done.at("events").as_array().back()));
  }
  // The asynchronous create stored the datasource.
  auto listed = api().get("/v1/datasources");
  EXPECT_NE(listed.body.find("\"created\""), std::string::npos) << listed.body;
  auto bad = api().post("/v1/datasources/test?async=maybe", pg_body("x"));
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(JobsApiTest, ListFiltersByDatasourceAndStateAndOrg) {
  auto a = api().post("/v1/datasources?test=false", pg_body("a"));
  auto b = api().post("/v1/datasources?test=false", refused_body("b"));
  ASSERT_EQ(a.status, 201) << a.body;
  ASSERT_EQ(b.status, 201) << b.body;
  const std::string a_id = str(a.json(), "id"), b_id = str(b.json(), "id");
  const std::string a1 = start_job("/v1/datasources/" + a_id + "/test");
  const std::string a2 = start_job("/v1/datasources/" + a_id + "/schema/refresh");
  const std::string b1 = start_job("/v1/datasources/" + b_id + "/test");
  const std::string unsaved = start_test(refused_body("u"));
  // A synchronous test is a job too.
  ASSERT_EQ(api().post("/v1/datasources/" + a_id + "/test", json::object{}).status, 200);
  for (const auto& id : {a1, a2, b1, unsaved}) wait_job(id);

  const auto all = ids_of(api().get("/v1/jobs"));
  EXPECT_EQ(all.size(), 5u);
  for (const auto& id : {a1, a2, b1, unsaved}) EXPECT_TRUE(all.contains(id)) << id;
  const auto of_a = ids_of(api().get("/v1/jobs?datasource=" + a_id));
  EXPECT_EQ(of_a.size(), 3u);
  EXPECT_TRUE(of_a.contains(a1) && of_a.contains(a2));
  EXPECT_EQ(ids_of(api().get("/v1/jobs?datasource=" + b_id)), std::set<std::string>{b1});
  EXPECT_EQ(ids_of(api().get("/v1/jobs?state=failed")), (std::set<std::string>{b1, unsaved}));
  EXPECT_EQ(ids_of(api().get("/v1/jobs?state=succeeded&datasource=" + b_id)),
            std::set<std::string>{});
  EXPECT_EQ(ids_of(api().get("/v1/jobs?state=running")), std::set<std::string>{});
  auto bad = api().get("/v1/jobs?state=done");
  EXPECT_EQ(bad.status, 400) << bad.body;

  auto other = client(create_org("other"));
  EXPECT_EQ(ids_of(other->get("/v1/jobs")), std::set<std::string>{});
  EXPECT_EQ(other->get("/v1/jobs/" + a1).status, 404);
  EXPECT_EQ(api().get("/v1/jobs/0190f0c6-0000-7000-8000-000000000000").status, 404);
}

TEST_F(JobsApiTest, FinishedJobsSurviveARestart) {
  const std::string ok = start_test(pg_body("ok"), "?schema=true");
  const std::string failed = start_test(refused_body("no"));
  HangingListener db;
  const std::string cancelled = start_test(pg_body_at("hang", db.port()), "?timeout_ms=60000");
  ASSERT_TRUE(db.wait_accepted(1, 5000));
  ASSERT_EQ(api().del("/v1/jobs/" + cancelled).status, 200);
  std::map<std::string, json::object> before;
  for (const auto& id : {ok, failed, cancelled}) before[id] = wait_job(id);
  EXPECT_EQ(str(before[ok], "state"), "succeeded");
  EXPECT_EQ(str(before[failed], "state"), "failed");
  EXPECT_EQ(str(before[cancelled], "state"), "cancelled");
  const auto listed_before = ids_of(api().get("/v1/jobs"));

  stop();
  start();
  for (const auto& [id, job] : before) {
    SCOPED_TRACE(id);
    auto r = api().get("/v1/jobs/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json(), json::value(job));
  }
  EXPECT_EQ(ids_of(api().get("/v1/jobs")), listed_before);
  EXPECT_EQ(ids_of(api().get("/v1/jobs?state=cancelled")), std::set<std::string>{cancelled});
  // The stored stream replays over WebSocket like a live one.
  auto ws = events("?job=" + ok);
  auto got = ws->read_until(is_final, 5000);
  ASSERT_FALSE(got.empty());
  got.erase(got.begin());  // {"subscribed": ...}
  expect_complete_stream(got, before[ok]);
  // Still another org's business only.
  EXPECT_EQ(client(create_org("other"))->get("/v1/jobs/" + ok).status, 404);
}

TEST_F(JobsApiTest, StoppingTheBrokerClosesEventSessionsAtOnce) {
  auto ws = events();
  ASSERT_FALSE(ws->subscribe({{"org", true}}).is_null());
  const auto start = std::chrono::steady_clock::now();
  stop();
  // Well inside the 10 s shutdown grace an open WebSocket used to hold.
  EXPECT_LT(ms_since(start), 3000);
  EXPECT_TRUE(ws->wait_end(1000)) << "the session did not end";
}

}  // namespace
}  // namespace dsb::test
