// DELETE /v1/jobs/{id}: a test stuck on a database that accepts and never
// answers (with a long deadline) is cancelled at once: the answer is the job
// in state cancelled, the last WebSocket message says cancelled, and the
// database sees its connection closed. A finished job answers 409, another
// org's 404; a synchronous request whose job is cancelled answers 409.
#include "tests/integration/events/events_fixture.hpp"

#include <boost/json/serialize.hpp>

#include <future>

namespace dsb::test {
namespace {

using Clock = std::chrono::steady_clock;
using CancelTest = EventsTest;

TEST_F(CancelTest, CancellingAHungTestEndsItAndClosesItsConnection) {
  HangingListener db;
  auto ws = events();
  ASSERT_FALSE(ws->subscribe({{"org", true}}).is_null());
  const std::string id = start_test(pg_body_at("hang", db.port()), "?timeout_ms=60000");
  ASSERT_TRUE(db.wait_accepted(1, 5000));
  // The job waits in authenticate for a reply that never comes.
  auto before = ws->read_until(
      [](const json::value& m) {
        return str(m, "stage") == "authenticate" && str(m, "status") == "started";
      },
      5000);
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(str(before.back(), "stage"), "authenticate") << json::serialize(before.back());
  EXPECT_EQ(str(api().get("/v1/jobs/" + id).json(), "state"), "running");

  const auto start = Clock::now();
  auto r = api().del("/v1/jobs/" + id);
  const double took = ms_since(start);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_LT(took, 2000) << "cancellation waited " << took << " ms";
  EXPECT_EQ(str(r.json(), "id"), id);
  EXPECT_EQ(str(r.json(), "state"), "cancelled") << r.body;
  EXPECT_EQ(str(r.json().at("result"), "code"), "JOB_CANCELLED") << r.body;

  auto after = ws->read_until(is_final, 5000);
  ASSERT_FALSE(after.empty());
  const auto& last = after.back();
  EXPECT_EQ(str(last, "job"), id);
  EXPECT_EQ(str(last, "state"), "cancelled") << json::serialize(last);
  before.insert(before.end(), after.begin(), after.end());
  expect_complete_stream(of_job(before, id), wait_job(id));

  EXPECT_TRUE(db.wait_all_closed(2000)) << "the broker kept the database connection open";
  EXPECT_EQ(db.accepted(), 1);
  // Nothing more comes for a cancelled job.
  EXPECT_FALSE(ws->next(300));
}

TEST_F(CancelTest, CancellingWhileConnectingToTheDatabaseWorksToo) {
  // Several hung tests at once, cancelled in reverse order.
  HangingListener db;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(
        start_test(pg_body_at("hang" + std::to_string(i), db.port()), "?timeout_ms=60000"));
  ASSERT_TRUE(db.wait_accepted(4, 5000));
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    auto r = api().del("/v1/jobs/" + *it);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(str(r.json(), "state"), "cancelled") << r.body;
  }
  EXPECT_TRUE(db.wait_all_closed(2000));
  auto listed = api().get("/v1/jobs?state=cancelled");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().at("items").as_array().size(), ids.size()) << listed.body;
}

TEST_F(CancelTest, FinishedJobAnswers409AndOtherOrgs404) {
  const std::string id = start_test(refused_body("refused"));
  EXPECT_EQ(str(wait_job(id), "state"), "failed");
  auto r = api().del("/v1/jobs/" + id);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(str(r.json(), "code"), "JOB_FINISHED") << r.body;

  HangingListener db;
  const std::string hung = start_test(pg_body_at("hang", db.port()), "?timeout_ms=60000");
  ASSERT_TRUE(db.wait_accepted(1, 5000));
  auto other = client(create_org("other"));
  auto foreign = other->del("/v1/jobs/" + hung);
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(str(foreign.json(), "code"), "NOT_FOUND") << foreign.body;
  EXPECT_EQ(other->get("/v1/jobs/" + hung).status, 404);
  EXPECT_EQ(str(api().get("/v1/jobs/" + hung).json(), "state"), "running");
  EXPECT_EQ(api().del("/v1/jobs/" + hung).status, 200);
  EXPECT_EQ(api().del("/v1/jobs/" + hung).status, 409);
  EXPECT_EQ(api().del("/v1/jobs/no-such-job").status, 404);
}

TEST_F(CancelTest, SynchronousRequestOfACancelledJobAnswers409) {
  HangingListener db;
  const std::uint16_t broker = port();
  const std::string bearer = token();
  auto pending = std::async(std::launch::async, [&] {
    HttpClient c("127.0.0.1", broker);
    c.set_bearer(bearer);
    return c.post("/v1/datasources/test?timeout_ms=60000", pg_body_at("hang", db.port()));
  });
  ASSERT_TRUE(db.wait_accepted(1, 5000));
  auto running = api().get("/v1/jobs?state=running");
  ASSERT_EQ(running.status, 200) << running.body;
  const auto listed = running.json();
  const auto& items = listed.at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << running.body;
  EXPECT_EQ(api().del("/v1/jobs/" + str(items[0], "id")).status, 200);
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto r = pending.get();
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(str(r.json(), "code"), "JOB_CANCELLED") << r.body;
  EXPECT_TRUE(db.wait_all_closed(2000));
}

}  // namespace
}  // namespace dsb::test
