// What the broker acknowledged survives: a clean restart, and kill -9 in the
// middle of a stream of creates.
#include "tests/integration/broker_fixture.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace dsb::test {
namespace {

// Bulk writes exceed one org's default request budget; these tests are about
// durability, so every (re)start lifts it.
class DurabilityTest : public BrokerTest {
 protected:
  void SetUp() override { restart(); }
  void restart() { start(without_rate_limit()); }
};

// Every datasource of the org, by id, following the cursor.
std::map<std::string, json::value> list_all(HttpClient& c) {
  std::map<std::string, json::value> out;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto r = c.get("/v1/datasources?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    const auto v = r.json();
    for (const auto& it : v.at("items").as_array()) out[str(it, "id")] = it;
    if (v.at("next_cursor").is_null()) break;
    cursor = std::string(v.at("next_cursor").as_string());
  }
  return out;
}

TEST_F(DurabilityTest, EverythingSurvivesACleanRestart) {
  const auto acme = create_org("acme");
  const auto globex = create_org("globex");
  auto c = client(acme.token);
  auto extra = c->post("/v1/tokens", json::object{{"name", "kept"}});
  auto gone = c->post("/v1/tokens", json::object{{"name", "revoked"}});
  ASSERT_EQ(extra.status, 201);
  ASSERT_EQ(gone.status, 201);
  ASSERT_EQ(c->del("/v1/tokens/" + str(gone.json(), "id")).status, 204);

  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(str(create_datasource(*c, pg_body("ds-" + std::to_string(i))), "id"));
  ASSERT_EQ(c->patch(ds_path(ids[1]), json::object{{"host", "moved"}, {"schema", nullptr}}).status,
            200);
  ASSERT_EQ(c->patch(ds_path(ids[1]), json::object{{"name", "renamed"}}).status, 200);
  ASSERT_EQ(c->del("/v1/datasources/" + ids[4]).status, 204);
  const auto before = list_all(*c);
  ASSERT_EQ(before.size(), 4u);
  const auto orgs_before = admin()->get("/v1/orgs").json();

  EXPECT_EQ(broker_->stop(), 0) << broker_->output();
  restart();

  auto c2 = client(acme.token);
  EXPECT_EQ(list_all(*c2), before);
  auto one = c2->get("/v1/datasources/" + ids[1]);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.header("etag"), "\"v3\"");
  EXPECT_EQ(str(one.json(), "name"), "renamed");
  EXPECT_EQ(one.json().at("password"), json::value(json::object{{"set", true}}));
  expect_error(c2->get("/v1/datasources/" + ids[4]), 404, "NOT_FOUND");
  // The name index came back with the records: old names free, new ones taken.
  expect_error(c2->post("/v1/datasources?test=false", pg_body("renamed")), 409,
               "DATASOURCE_NAME_ERROR");
  EXPECT_EQ(c2->post("/v1/datasources?test=false", pg_body("ds-1")).status, 201);
  EXPECT_EQ(c2->post("/v1/datasources?test=false", pg_body("ds-4")).status, 201);
  // Orgs and tokens too; the revoked token stays revoked.
  EXPECT_EQ(admin()->get("/v1/orgs").json(), orgs_before);
  EXPECT_EQ(client(str(extra.json(), "token"))->get("/v1/tokens").status, 200);
  expect_error(client(str(gone.json(), "token"))->get("/v1/tokens"), 401, "AUTHENTICATION_ERROR");
  EXPECT_EQ(client(globex.token)->get("/v1/datasources").status, 200);
  // The secret still decrypts under the same (generated) master key: a PATCH
  // that keeps it round-trips.
  EXPECT_EQ(c2->patch(ds_path(ids[0]), json::object{{"host", "after-restart"}}).status, 200);
}

TEST_F(DurabilityTest, Kill9DuringCreatesLosesNoAcknowledgedWrite) {
  const auto org = create_org("acme");
  constexpr int kWriters = 4;
  constexpr int kKillAfter = 1000;  // acknowledged creates before the kill
  std::mutex mu;
  std::map<std::string, std::string> acked;  // id -> name
  std::atomic<int> acked_count{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto c = client(org.token);
      for (int i = 0; !stop; ++i) {
        const std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
        HttpResult r;
        try {
          r = c->post("/v1/datasources?test=false", pg_body(name));
        } catch (const std::exception&) {
          return;  // the server is gone
        }
        if (r.status != 201) return;
        std::lock_guard lock(mu);
        acked[str(r.json(), "id")] = name;
        ++acked_count;
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (acked_count < kKillAfter && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  broker_->kill9();  // the writers are still sending
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GE(acked.size(), static_cast<std::size_t>(kKillAfter)) << "too slow to reach the kill";

  restart();
  auto c = client(org.token);
  const auto stored = list_all(*c);
  std::size_t missing = 0;
  for (const auto& [id, name] : acked) {
    auto it = stored.find(id);
    if (it == stored.end()) {
      ++missing;
      continue;
    }
    EXPECT_EQ(str(it->second, "name"), name);
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged creates";
  // At most the in-flight ones were stored beyond those acknowledged.
  EXPECT_LE(stored.size(), acked.size() + kWriters);
  // Each acknowledged record reads back whole, and its name is still taken.
  int checked = 0;
  for (const auto& [id, name] : acked) {
    if (++checked % 10 != 0) continue;  // a tenth of them by id: enough to see whole records
    auto r = c->get("/v1/datasources/" + id);
    ASSERT_EQ(r.status, 200) << id;
    EXPECT_EQ(str(r.json(), "host"), "db.internal");
    EXPECT_EQ(r.json().at("password"), json::value(json::object{{"set", true}}));
  }
  expect_error(c->post("/v1/datasources?test=false", pg_body(acked.begin()->second)), 409,
               "DATASOURCE_NAME_ERROR");
}

TEST_F(DurabilityTest, Kill9KeepsAcknowledgedUpdatesAndDeletes) {
  const auto org = create_org("acme");
  auto c = client(org.token);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i)
    ids.push_back(str(create_datasource(*c, pg_body("d" + std::to_string(i))), "id"));
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(
        c->patch(ds_path(ids[i]), json::object{{"host", "patched-" + std::to_string(i)}}).status,
        200);
  for (int i = 30; i < 40; ++i) ASSERT_EQ(c->del("/v1/datasources/" + ids[i]).status, 204);
  auto revoked = c->post("/v1/tokens", json::object{{"name", "short-lived"}});
  ASSERT_EQ(revoked.status, 201);
  ASSERT_EQ(c->del("/v1/tokens/" + str(revoked.json(), "id")).status, 204);
  broker_->kill9();

  restart();
  auto c2 = client(org.token);
  const auto stored = list_all(*c2);
  EXPECT_EQ(stored.size(), 30u);
  for (int i = 0; i < 30; ++i) {
    const auto it = stored.find(ids[i]);
    ASSERT_NE(it, stored.end()) << i;
    EXPECT_EQ(str(it->second, "host"), i < 20 ? "patched-" + std::to_string(i) : "db.internal");
    EXPECT_EQ(it->second.at("version"), json::value(i < 20 ? 2 : 1));
  }
  expect_error(client(str(revoked.json(), "token"))->get("/v1/tokens"), 401,
               "AUTHENTICATION_ERROR");
}

}  // namespace
}  // namespace dsb::test
