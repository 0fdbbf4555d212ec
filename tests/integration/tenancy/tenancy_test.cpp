// Tenancy against the real PostgreSQL: DATABASE tenancy (one database per
// client), TABLE tenancy (a mapping table, NUMBER and STRING ids), the
// tenancy check of a test, injection through client ids, and per-org limits.
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/api/silent_listener.hpp"
#include "tests/integration/api/sql_admin.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace dsb::test {
namespace {

class TenancyTest : public ApiTest {};

json::value tenancy_database(const std::string& pattern) {
  return json::object{{"level", "DATABASE"}, {"database_pattern", pattern}};
}

json::value tenancy_table(const std::string& type, const std::string& table = "clients",
                          const std::string& id_column = "id") {
  return json::object{{"level", "TABLE"},
                      {"client_column_type", type},
                      {"schema_name", "public"},
                      {"table_name", table},
                      {"client_name_column", "name"},
                      {"primary_key_column", id_column},
                      {"client_column", "client_id"}};
}

std::vector<std::string> ids(const json::value& page) {
  std::vector<std::string> out;
  for (const auto& item : page.as_object().at("items").as_array()) out.push_back(str(item, "id"));
  return out;
}

std::vector<std::string> table_names(const json::value& schema) {
  std::vector<std::string> out;
  for (const auto& s : schema.as_object().at("schemas").as_array())
    for (const auto& t : s.as_object().at("tables").as_array()) out.push_back(str(t, "name"));
  std::sort(out.begin(), out.end());
  return out;
}

// Three client databases with different tables, named <prefix>_a/_b/_c.
struct ClientDatabases {
  std::string prefix = unique_name("tn");
  ClientDatabases() {
    PgSuperuser admin;
    for (const char* c : {"a", "b", "c"})
      admin.exec("CREATE DATABASE " + prefix + "_" + c + " OWNER testuser");
    PgSuperuser("" + prefix + "_a")
        .exec("CREATE TABLE public.orders_a (id int primary key, total numeric)");
    PgSuperuser("" + prefix + "_b").exec("CREATE TABLE public.invoices_b (id int primary key)");
    PgSuperuser("" + prefix + "_c")
        .exec("CREATE TABLE public.users_c (id int primary key, email text)");
  }
  ~ClientDatabases() {
    PgSuperuser admin;
    for (const char* c : {"a", "b", "c"})
      admin.exec("DROP DATABASE IF EXISTS " + prefix + "_" + c + " WITH (FORCE)");
  }
};

TEST_F(TenancyTest, DatabaseTenancyListsClientsAndServesTheirOwnSchemas) {
  ClientDatabases dbs;
  json::object body = pg_datasource("per-db");
  body["tenancy"] = tenancy_database(dbs.prefix + "_{client}");
  auto created = api().post("/v1/datasources", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = str(created.json(), "id");

  auto clients = api().get("/v1/datasources/" + id + "/clients");
  ASSERT_EQ(clients.status, 200) << clients.body;
  EXPECT_EQ(ids(clients.json()), (std::vector<std::string>{"a", "b", "c"}));

  auto a = api().get("/v1/datasources/" + id + "/clients/a/schema");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(table_names(a.json()), std::vector<std::string>{"orders_a"});
  auto c = api().get("/v1/datasources/" + id + "/clients/c/schema");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(table_names(c.json()), std::vector<std::string>{"users_c"});
  // Cached per client: the same answer again, with its ETag.
  auto again = api().get("/v1/datasources/" + id + "/clients/a/schema");
  EXPECT_EQ(again.header("etag"), a.header("etag"));

  expect_error(api().get("/v1/datasources/" + id + "/clients/zz/schema"), 404, "CLIENT_NOT_FOUND");
  auto test_b = api().post_empty("/v1/datasources/" + id + "/clients/b/test");
  EXPECT_EQ(test_b.status, 200) << test_b.body;
  expect_error(api().post_empty("/v1/datasources/" + id + "/clients/nope/test"), 404,
               "CLIENT_NOT_FOUND");
}

TEST_F(TenancyTest, DatabaseClientIdsCannotInject) {
  ClientDatabases dbs;
  json::object body = pg_datasource("per-db-inject");
  json::object tenancy = tenancy_database(dbs.prefix + "_{client}").as_object();
  tenancy["client_allow_pattern"] = "[a-z]+";
  body["tenancy"] = tenancy;
  auto created = api().post("/v1/datasources", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = str(created.json(), "id");
  // Outside the allow-list: refused before any connection.
  for (const std::string attempt :
       {"a%22%3B%20DROP%20DATABASE%20x%3B--", "a%27%20OR%20%271", "..%2F..%2Fpostgres"})
    expect_error(api().get("/v1/datasources/" + id + "/clients/" + attempt + "/schema"), 404,
                 "CLIENT_NOT_FOUND");
  PgSuperuser admin;  // every database is still there
  admin.exec("SELECT 1 FROM pg_database WHERE datname = '" + dbs.prefix + "_a'");
}

// A shared database: clients(id, name), orders(client_id, ...), audit (no client column).
struct SharedDatabase {
  PgScratchDatabase db{"tshared"};
  explicit SharedDatabase(const std::string& id_type) {
    PgSuperuser s(db.name());
    s.exec("CREATE TABLE public.clients (id " + id_type +
           " primary key, name text not null);"
           "CREATE TABLE public.orders (id int primary key, client_id " +
           id_type +
           ", total numeric);"
           "CREATE TABLE public.audit (id int primary key, note text);"
           "GRANT ALL ON ALL TABLES IN SCHEMA public TO testuser;");
    if (id_type == "int")
      s.exec("INSERT INTO public.clients VALUES (1, 'Acme'), (2, 'Globex'), (3, 'Initech')");
    else
      s.exec("INSERT INTO public.clients VALUES ('acme', 'Acme'), ('globex', 'Globex')");
  }
};

TEST_F(TenancyTest, TableTenancyWithNumberIds) {
  SharedDatabase shared("int");
  json::object body = pg_datasource("shared-num", shared.db.name());
  body["tenancy"] = tenancy_table("NUMBER");
  auto created = api().post("/v1/datasources", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_NE(created.body.find("tenancy_check"), std::string::npos);
  const std::string id = str(created.json(), "id");

  auto clients = api().get("/v1/datasources/" + id + "/clients");
  ASSERT_EQ(clients.status, 200) << clients.body;
  EXPECT_EQ(ids(clients.json()), (std::vector<std::string>{"1", "2", "3"}));
  auto page = api().get("/v1/datasources/" + id + "/clients?limit=2");
  EXPECT_EQ(ids(page.json()), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(page.json().as_object().at("next_offset").as_int64(), 2);

  auto schema = api().get("/v1/datasources/" + id + "/clients/2/schema");
  ASSERT_EQ(schema.status, 200) << schema.body;
  EXPECT_EQ(table_names(schema.json()), std::vector<std::string>{"orders"});
  expect_error(api().get("/v1/datasources/" + id + "/clients/99/schema"), 404, "CLIENT_NOT_FOUND");
  // A NUMBER id must be an integer: no SQL ever sees these.
  for (const std::string attempt : {"1%20OR%201%3D1", "1%3B%20DROP%20TABLE%20clients", "abc"})
    expect_error(api().get("/v1/datasources/" + id + "/clients/" + attempt + "/schema"), 404,
                 "CLIENT_NOT_FOUND");
  EXPECT_EQ(ids(api().get("/v1/datasources/" + id + "/clients?limit=5&offset=0").json()).size(),
            3u);
}

TEST_F(TenancyTest, TableTenancyWithStringIdsBindsThemAsParameters) {
  SharedDatabase shared("text");
  json::object body = pg_datasource("shared-str", shared.db.name());
  body["tenancy"] = tenancy_table("STRING");
  auto created = api().post("/v1/datasources", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = str(created.json(), "id");
  EXPECT_EQ(ids(api().get("/v1/datasources/" + id + "/clients").json()),
            (std::vector<std::string>{"acme", "globex"}));
  EXPECT_EQ(api().get("/v1/datasources/" + id + "/clients/acme/schema").status, 200);
  // Quotes and SQL in a STRING id are just an id that does not exist.
  expect_error(api().get("/v1/datasources/" + id + "/clients/x%27%20OR%20%271%27%3D%271/schema"),
               404, "CLIENT_NOT_FOUND");
  expect_error(api().get("/v1/datasources/" + id +
                         "/clients/acme%27%3B%20DROP%20TABLE%20clients%3B--/schema"),
               404, "CLIENT_NOT_FOUND");
  EXPECT_EQ(ids(api().get("/v1/datasources/" + id + "/clients").json()).size(),
            2u);  // table intact
}

TEST_F(TenancyTest, MappingTableMissingAColumnFailsTheTenancyCheck) {
  SharedDatabase shared("int");
  json::object body = pg_datasource("bad-mapping", shared.db.name());
  body["tenancy"] = tenancy_table("NUMBER", "clients", "client_key");  // no such column
  auto r = api().post("/v1/datasources", body);
  expect_error(r, 400, "CREDENTIAL_TEST_FAILED");
  EXPECT_EQ(str(r.json(), "stage"), "tenancy_check");
  EXPECT_EQ(str(r.json(), "reason"), "tenancy_invalid");
  json::object wrong_type = pg_datasource("bad-type", shared.db.name());
  wrong_type["tenancy"] = tenancy_table("STRING");  // id is an int
  auto t = api().post("/v1/datasources", wrong_type);
  EXPECT_EQ(str(t.json(), "reason"), "tenancy_invalid") << t.body;
  EXPECT_TRUE(api().get("/v1/datasources").json().as_object().at("items").as_array().empty());
}

TEST_F(TenancyTest, TenancySettingsAreValidated) {
  json::object body = pg_datasource("half-table");
  body["tenancy"] = json::object{{"level", "TABLE"}, {"schema_name", "public"}};
  auto r = api().post("/v1/datasources?test=false", body);
  expect_error(r, 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(r.body.find("tenancy.table_name"), std::string::npos);
  body["tenancy"] = json::object{{"level", "DATABASE"}, {"table_name", "clients"}};
  auto d = api().post("/v1/datasources?test=false", body);
  expect_error(d, 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(d.body.find("tenancy.table_name"), std::string::npos);
}

TEST_F(TenancyTest, RateLimitAnswers429WithHeadersAndSparesOtherOrgs) {
  const std::string other = create_org("bystander");
  auto admin = client(admin_token_);
  const json::value orgs = admin->get("/v1/orgs").json();
  ASSERT_TRUE(orgs.is_object());
  std::string org_id;
  for (const auto& o : orgs.as_object().at("items").as_array())
    if (str(o, "name") != "bystander") org_id = str(o, "id");
  ASSERT_FALSE(org_id.empty());
  json::object limits{{"requests_per_window", 5}, {"window_s", 60}};
  auto set = admin->patch("/v1/orgs/" + org_id, json::object{{"limits", limits}});
  ASSERT_EQ(set.status, 200) << set.body;
  json::object bad{{"window_s", 0}};
  expect_error(admin->patch("/v1/orgs/" + org_id, json::object{{"limits", bad}}), 400,
               "INVALID_REQUEST_BODY");

  int allowed = 0;
  HttpResult refused;
  for (int i = 0; i < 8; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = api().get("/v1/datasources");
    if (r.status == 200) {
      ++allowed;
      EXPECT_FALSE(r.header("ratelimit-remaining").empty());
    } else {
      refused = r;
      // Refusals are held (limits.refusal_hold_ms, 250 by default) so a
      // client ignoring Retry-After cannot flood the shard with them.
      EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));
    }
  }
  EXPECT_EQ(allowed, 5);
  expect_error(refused, 429, "RATE_LIMITED");
  EXPECT_EQ(refused.header("ratelimit-limit"), "5");
  EXPECT_EQ(refused.header("ratelimit-remaining"), "0");
  EXPECT_GE(std::atoi(refused.header("retry-after").c_str()), 1);
  // Another org is untouched.
  auto bystander = client(other);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bystander->get("/v1/datasources").status, 200);
}

// The org id of the org whose token is `token` (the admin lists them by name).
std::string org_id_named(ApiClient& admin, const std::string& name) {
  const json::value orgs = admin.get("/v1/orgs").json();
  if (!orgs.is_object()) return {};
  for (const auto& o : orgs.as_object().at("items").as_array())
    if (str(o, "name") == name) return str(o, "id");
  return {};
}

// GET latencies of `n` sequential requests, in milliseconds, sorted; -1 for
// an answer that was not 200.
std::vector<double> timed_gets(HttpClient& c, const std::string& target, int n) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = c.get(target);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - t0;
    ms.push_back(r.status == 200 ? took.count() : -1);
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

// One org driven past its limit by four keep-alive clients while another
// org's GETs are timed. What a user sees is asserted: the noisy org is held at
// its limit (429s, each after the refusal hold), the quiet org is never
// refused and every request of it is answered. The latencies are recorded
// (not asserted: this machine's timing is not a test's business);
// bench/neighbour_run.sh reports them under load.
TEST_F(TenancyTest, OneOrgAtItsLimitDoesNotStarveAnother) {
  const std::string noisy_token = create_org("noisy");
  const std::string quiet_token = create_org("quiet");
  auto admin = client(admin_token_);
  const std::string noisy_id = org_id_named(*admin, "noisy");
  ASSERT_FALSE(noisy_id.empty());
  json::object limits{{"requests_per_window", 100}, {"window_s", 86400}};  // no refill to speak of
  ASSERT_EQ(admin->patch("/v1/orgs/" + noisy_id, json::object{{"limits", limits}}).status, 200);

  HttpClient quiet("127.0.0.1", port());
  quiet.set_bearer(quiet_token);
  const auto baseline = timed_gets(quiet, "/v1/datasources", 50);

  std::atomic<bool> stop{false};
  std::atomic<int> noisy_ok{0}, noisy_limited{0}, noisy_other{0};
  std::vector<std::thread> hammers;
  for (int t = 0; t < 4; ++t)
    hammers.emplace_back([&] {
      HttpClient c("127.0.0.1", port());
      c.set_bearer(noisy_token);
      while (!stop) {
        const int status = c.get("/v1/datasources").status;
        (status == 200 ? noisy_ok : status == 429 ? noisy_limited : noisy_other)++;
      }
    });
  // Wait (bounded) until the noisy org is refused, so the timing below runs
  // while it is at its limit.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (noisy_limited == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto loaded = timed_gets(quiet, "/v1/datasources", 200);
  stop = true;
  for (auto& h : hammers) h.join();

  EXPECT_EQ(noisy_ok.load(), 100) << "the noisy org got more (or fewer) than its limit";
  EXPECT_GE(noisy_limited.load(), 4);
  EXPECT_EQ(noisy_other.load(), 0);
  ASSERT_EQ(loaded.size(), 200u);
  EXPECT_EQ(std::count(loaded.begin(), loaded.end(), -1.0), 0) << "the quiet org was refused";
  RecordProperty("quiet_p50_ms_alone", std::to_string(baseline[baseline.size() / 2]));
  RecordProperty("quiet_p50_ms_neighbour_at_limit", std::to_string(loaded[loaded.size() / 2]));
  RecordProperty("quiet_p99_ms_neighbour_at_limit",
                 std::to_string(loaded[loaded.size() * 99 / 100]));
  RecordProperty("noisy_requests_refused", std::to_string(noisy_limited.load()));
}

TEST_F(TenancyTest, TestBudgetQueuesThenRefusesWhenTheQueueIsFull) {
  start({{"DSB_LIMITS_CONCURRENT_TESTS", "1"}, {"DSB_LIMITS_QUEUED_TESTS", "1"}});
  SilentListener silent;
  json::object body = pg_datasource("slow");
  body["port"] = silent.port();
  auto first = api().post("/v1/datasources/test?async=true&timeout_ms=5000", body);
  ASSERT_EQ(first.status, 202) << first.body;
  auto second = api().post("/v1/datasources/test?async=true&timeout_ms=5000", body);
  ASSERT_EQ(second.status, 202) << second.body;
  const json::value second_body = second.json();
  const std::string second_job = str(second_body.as_object().at("job"), "id");
  EXPECT_EQ(str(api().get("/v1/jobs/" + second_job).json(), "state"), "queued");
  expect_error(api().post("/v1/datasources/test?async=true&timeout_ms=5000", body), 429,
               "TOO_MANY_TESTS");
  // The queued job runs once the first finishes.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string state;
  while (std::chrono::steady_clock::now() < until) {
    state = str(api().get("/v1/jobs/" + second_job).json(), "state");
    if (state == "failed" || state == "succeeded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, "failed");  // it timed out against the silent listener, after running
}

}  // namespace
}  // namespace dsb::test
