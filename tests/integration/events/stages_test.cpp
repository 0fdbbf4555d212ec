// What the event stream of a job says: through TLS verify-full to the real
// PostgreSQL every stage is started then ok (or skipped), in the documented
// order, with elapsed times and RFC 3339 timestamps; a failing test shows the
// failed stage, its stable reason and a message; schema fetches report
// progress; the synchronous answer carries the same stages as the job.
#include "tests/integration/events/events_fixture.hpp"
#include "tests/support/test_env.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::test {
namespace {

const std::vector<std::string> kAllStages = {
    "validate",      "resolve",      "ssh_connect", "ssh_auth",     "tunnel_open",  "tcp_connect",
    "tls_handshake", "authenticate", "probe_query", "fetch_schema", "cache_schema", "done"};

// The stage events (not the final message) of `messages`.
std::vector<json::value> stage_events(const std::vector<json::value>& messages) {
  std::vector<json::value> out;
  for (const auto& m : messages)
    if (!is_final(m)) out.push_back(m);
  return out;
}

// stage -> its statuses in order ("started", "progress", "ok", ...).
std::map<std::string, std::vector<std::string>> statuses(const std::vector<json::value>& events) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& e : events) out[str(e, "stage")].push_back(str(e, "status"));
  return out;
}

// Stage names in order of first appearance.
std::vector<std::string> stage_order(const std::vector<json::value>& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    if (out.empty() || out.back() != str(e, "stage")) out.push_back(str(e, "stage"));
  return out;
}

class StagesTest : public EventsTest {
 protected:
  // Subscribes to the org, runs `path` as a job, returns its stream.
  std::vector<json::value> run(const std::string& path, const json::value& body,
                               std::string* id_out = nullptr) {
    auto ws = events();
    EXPECT_FALSE(ws->subscribe({{"org", true}}).is_null());
    const std::string id = start_job(path, body);
    if (id_out) *id_out = id;
    auto got = ws->read_until(
        [&](const json::value& m) { return is_final(m) && str(m, "job") == id; }, 20000);
    got = of_job(got, id);
    expect_complete_stream(got, wait_job(id));
    return got;
  }
};

TEST_F(StagesTest, VerifyFullToPostgresShowsEveryStageStartedThenOk) {
  std::string id;
  const auto got = run("/v1/datasources", pg_verify_full_body("tls"), &id);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(str(got.back(), "state"), "succeeded") << json::serialize(got.back());
  const auto events = stage_events(got);
  EXPECT_EQ(stage_order(events), kAllStages);
  const auto by_stage = statuses(events);
  for (const auto& name : kAllStages) {
    SCOPED_TRACE(name);
    const auto& s = by_stage.at(name);
    if (name.starts_with("ssh_") || name == "tunnel_open") {
      EXPECT_EQ(s, std::vector<std::string>{"skipped"});
      continue;
    }
    ASSERT_GE(s.size(), 2u);
    EXPECT_EQ(s.front(), "started");
    EXPECT_EQ(s.back(), "ok");
    for (std::size_t i = 1; i + 1 < s.size(); ++i) EXPECT_EQ(s[i], "progress");
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (const auto& e : events) {
    SCOPED_TRACE(json::serialize(e));
    const auto& o = e.as_object();
    EXPECT_EQ(str(e, "job"), id);
    EXPECT_TRUE(o.at("datasource").is_null());  // a create has no id until it is stored
    EXPECT_GE(o.at("elapsed_ms").to_number<double>(), 0);
    const auto at = parse_rfc3339_ms(str(e, "at"));
    ASSERT_TRUE(at);
    EXPECT_LE(*at, now);
    EXPECT_GT(*at, now - 60000);
    EXPECT_TRUE(o.at("detail").is_object());
    EXPECT_FALSE(o.contains("reason"));
  }
  // The TLS stage says what it negotiated; the final result is the stored datasource.
  EXPECT_EQ(str(got.back().at("result"), "name"), "tls");
  EXPECT_EQ(str(got.back().at("result"), "status"), "ok");
}

TEST_F(StagesTest, SynchronousAnswerHasTheStagesOfItsJob) {
  auto ws = events();
  ASSERT_FALSE(ws->subscribe({{"org", true}}).is_null());
  auto r = api().post("/v1/datasources/test", pg_verify_full_body("sync"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto got = ws->read_until(is_final, 10000);
  ASSERT_FALSE(got.empty());
  const std::string id = str(got.back(), "job");
  expect_complete_stream(got, wait_job(id));
  // Each stage of the answer is the "ok"/"failed"/"skipped" event of the job.
  std::vector<std::string> answered, streamed;
  const auto answer = r.json();
  for (const auto& s : answer.at("stages").as_array())
    answered.push_back(str(s, "stage") + ":" + str(s, "status"));
  for (const auto& e : stage_events(got))
    if (str(e, "status") != "started" && str(e, "status") != "progress")
      streamed.push_back(str(e, "stage") + ":" + str(e, "status"));
  EXPECT_EQ(answered, streamed) << r.body;
}

TEST_F(StagesTest, WrongPasswordFailsInAuthenticateWithReasonAndMessage) {
  json::object body = pg_body("bad");
  body["password"] = "not-the-password-77";
  const auto got = run("/v1/datasources/test", body);
  ASSERT_GE(got.size(), 2u);
  const auto& last_event = got[got.size() - 2];
  EXPECT_EQ(str(last_event, "stage"), "authenticate") << json::serialize(last_event);
  EXPECT_EQ(str(last_event, "status"), "failed");
  EXPECT_EQ(str(last_event, "reason"), "auth_failed");
  EXPECT_FALSE(str(last_event, "message").empty());
  for (const auto& m : got)
    EXPECT_EQ(json::serialize(m).find("not-the-password-77"), std::string::npos);
  const auto& final = got.back();
  EXPECT_EQ(str(final, "state"), "failed");
  EXPECT_EQ(str(final.at("result"), "code"), "CREDENTIAL_TEST_FAILED") << json::serialize(final);
  EXPECT_EQ(str(final.at("result"), "stage"), "authenticate") << json::serialize(final);
  EXPECT_EQ(str(final.at("result"), "reason"), "auth_failed") << json::serialize(final);
}

TEST_F(StagesTest, RefusedPortFailsInTcpConnect) {
  const auto got = run("/v1/datasources/test", refused_body("refused"));
  ASSERT_GE(got.size(), 2u);
  const auto& last_event = got[got.size() - 2];
  EXPECT_EQ(str(last_event, "stage"), "tcp_connect") << json::serialize(last_event);
  EXPECT_EQ(str(last_event, "status"), "failed");
  EXPECT_EQ(str(last_event, "reason"), "connection_refused");
  EXPECT_EQ(str(got.back(), "state"), "failed");
  // Nothing after the failed stage was started.
  for (const auto& e : stage_events(got)) EXPECT_NE(str(e, "stage"), "authenticate");
}

TEST_F(StagesTest, WrongCaFailsInTlsHandshakeWithoutFallback) {
  json::object body = pg_verify_full_body("wrong-ca");
  body["tls"].as_object()["ca"] = read_file(require_env("DSB_TEST_TLS_DIR") + "/other-ca.crt");
  const auto got = run("/v1/datasources/test", body);
  ASSERT_GE(got.size(), 2u);
  const auto& last_event = got[got.size() - 2];
  EXPECT_EQ(str(last_event, "stage"), "tls_handshake") << json::serialize(last_event);
  EXPECT_EQ(str(last_event, "status"), "failed");
  EXPECT_EQ(str(last_event, "reason"), "tls_failed");
  for (const auto& e : stage_events(got)) EXPECT_NE(str(e, "stage"), "authenticate");
}

TEST_F(StagesTest, SchemaRefreshReportsFetchProgress) {
  auto created = api().post("/v1/datasources?test=false", pg_body("refresh"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string ds = str(created.json(), "id");
  std::string id;
  const auto got = run("/v1/datasources/" + ds + "/schema/refresh", nullptr, &id);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(str(got.back(), "state"), "succeeded") << json::serialize(got.back());
  const auto by_stage = statuses(stage_events(got));
  ASSERT_TRUE(by_stage.contains("fetch_schema"));
  EXPECT_EQ(by_stage.at("fetch_schema").front(), "started");
  EXPECT_EQ(by_stage.at("fetch_schema").back(), "ok");
  ASSERT_TRUE(by_stage.contains("cache_schema"));
  for (const auto& e : stage_events(got)) EXPECT_EQ(str(e, "datasource"), ds) << json::serialize(e);
  // The job's result is the datasource with its new schema info.
  EXPECT_EQ(str(got.back().at("result"), "id"), ds);
}

}  // namespace
}  // namespace dsb::test
