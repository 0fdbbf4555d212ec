// Organizations (admin API) and org API tokens: lifecycle, token format,
// revocation taking effect at once, and who may call what.
#include "tests/integration/broker_fixture.hpp"

#include <regex>
#include <set>

namespace dsb::test {
namespace {

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kToken("dsb_[0-9A-Za-z]{40}");
const std::regex kTime("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z");

using OrgsTokensTest = BrokerTest;

TEST_F(OrgsTokensTest, CreateOrgReturnsTheOrgAndItsFirstToken) {
  auto a = admin();
  auto r = a->post("/v1/orgs", json::object{{"name", "acme"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  const auto& org = v.at("org");
  EXPECT_TRUE(std::regex_match(str(org, "id"), kUuid)) << r.body;
  EXPECT_EQ(str(org, "name"), "acme");
  EXPECT_TRUE(std::regex_match(str(org, "created_at"), kTime)) << r.body;
  EXPECT_TRUE(org.at("limits").is_object());
  const auto& token = v.at("token");
  EXPECT_TRUE(std::regex_match(str(token, "id"), kUuid)) << r.body;
  EXPECT_TRUE(std::regex_match(str(token, "token"), kToken)) << r.body;
  EXPECT_FALSE(str(token, "name").empty());
  EXPECT_TRUE(std::regex_match(str(token, "created_at"), kTime)) << r.body;

  // The token works at once for org routes.
  auto c = client(str(token, "token"));
  EXPECT_EQ(c->get("/v1/datasources").status, 200);
}

TEST_F(OrgsTokensTest, OrgNamesAreUniqueAndValidated) {
  auto a = admin();
  ASSERT_EQ(a->post("/v1/orgs", json::object{{"name", "acme"}}).status, 201);
  auto dup = a->post("/v1/orgs", json::object{{"name", "acme"}});
  expect_error(dup, 409, "ORG_NAME_ERROR");
  EXPECT_TRUE(has_detail(dup, "name"));

  for (const json::value& body :
       {json::value(json::object{}), json::value(json::object{{"name", ""}}),
        json::value(json::object{{"name", 7}}), json::value(json::object{{"name", nullptr}}),
        json::value(json::object{{"name", std::string(201, 'x')}})}) {
    auto r = a->post("/v1/orgs", body);
    expect_error(r, 400, "INVALID_REQUEST_BODY");
    EXPECT_TRUE(has_detail(r, "name")) << json::serialize(body) << " -> " << r.body;
  }
  auto unknown = a->post("/v1/orgs", json::object{{"name", "x"}, {"plan", "gold"}});
  expect_error(unknown, 400, "INVALID_REQUEST_BODY");
  EXPECT_TRUE(has_detail(unknown, "plan"));
}

TEST_F(OrgsTokensTest, ListGetDelete) {
  const auto acme = create_org("acme");
  const auto globex = create_org("globex");
  auto a = admin();

  auto list = a->get("/v1/orgs");
  ASSERT_EQ(list.status, 200) << list.body;
  std::set<std::string> names;
  const auto listed = list.json();
  for (const auto& o : listed.at("items").as_array()) names.insert(str(o, "name"));
  EXPECT_EQ(names, (std::set<std::string>{"acme", "globex"}));

  auto one = a->get("/v1/orgs/" + acme.id);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(str(one.json(), "id"), acme.id);
  EXPECT_EQ(str(one.json(), "name"), "acme");

  expect_error(a->get("/v1/orgs/01890000-0000-7000-8000-000000000000"), 404, "NOT_FOUND");
  expect_error(a->get("/v1/orgs/not-an-id"), 404, "NOT_FOUND");

  // A datasource of acme, to see deletion take everything with it.
  auto acme_client = client(acme.token);
  create_datasource(*acme_client, pg_body("warehouse"));

  auto del = a->del("/v1/orgs/" + acme.id);
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_TRUE(del.body.empty());
  expect_error(a->get("/v1/orgs/" + acme.id), 404, "NOT_FOUND");
  expect_error(a->del("/v1/orgs/" + acme.id), 404, "NOT_FOUND");
  expect_error(acme_client->get("/v1/datasources"), 401, "AUTHENTICATION_ERROR");

  // The name is free again, and the new org starts empty.
  const auto again = create_org("acme");
  EXPECT_NE(again.id, acme.id);
  auto fresh = client(again.token)->get("/v1/datasources");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_TRUE(fresh.json().at("items").as_array().empty()) << fresh.body;

  // The other org is untouched.
  EXPECT_EQ(a->get("/v1/orgs/" + globex.id).status, 200);
  EXPECT_EQ(client(globex.token)->get("/v1/datasources").status, 200);
}

TEST_F(OrgsTokensTest, TokenLifecycle) {
  const auto org = create_org("acme");
  auto c = client(org.token);

  auto made = c->post("/v1/tokens", json::object{{"name", "ci"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string secret = str(made.json(), "token");
  const std::string id = str(made.json(), "id");
  EXPECT_TRUE(std::regex_match(secret, kToken)) << made.body;
  EXPECT_TRUE(std::regex_match(id, kUuid)) << made.body;
  EXPECT_EQ(str(made.json(), "name"), "ci");
  EXPECT_TRUE(std::regex_match(str(made.json(), "created_at"), kTime)) << made.body;
  EXPECT_NE(secret, org.token);

  // Listed by id and name, never with the secret or its hash.
  auto list = c->get("/v1/tokens");
  ASSERT_EQ(list.status, 200) << list.body;
  std::set<std::string> ids;
  const auto listed = list.json();
  for (const auto& t : listed.at("items").as_array()) {
    ids.insert(str(t, "id"));
    EXPECT_FALSE(t.as_object().contains("token")) << list.body;
    EXPECT_FALSE(t.as_object().contains("hash")) << list.body;
  }
  EXPECT_EQ(ids, (std::set<std::string>{org.token_id, id}));
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.body.find(org.token), std::string::npos);

  // The new token works; created_by of a datasource names it.
  auto ci = client(secret);
  const auto ds = create_datasource(*ci, pg_body("by-ci"));
  EXPECT_EQ(str(ds, "created_by"), id);

  // Revoked: 204, then 401 at once, on the connection that used it before.
  EXPECT_EQ(c->del("/v1/tokens/" + id).status, 204);
  expect_error(ci->get("/v1/datasources"), 401, "AUTHENTICATION_ERROR");
  EXPECT_EQ(ci->connections_opened(), 1);
  expect_error(c->del("/v1/tokens/" + id), 404, "NOT_FOUND");
  expect_error(c->del("/v1/tokens/01890000-0000-7000-8000-000000000000"), 404, "NOT_FOUND");

  // The first token still works, and can revoke itself.
  EXPECT_EQ(c->get("/v1/tokens").status, 200);
  EXPECT_EQ(c->del("/v1/tokens/" + org.token_id).status, 204);
  expect_error(c->get("/v1/tokens"), 401, "AUTHENTICATION_ERROR");
}

TEST_F(OrgsTokensTest, RevocationReachesEveryShardAtOnce) {
  const auto org = create_org("acme");
  auto owner = client(org.token);
  auto made = owner->post("/v1/tokens", json::object{{"name", "spread"}});
  ASSERT_EQ(made.status, 201);
  const std::string secret = str(made.json(), "token");
  // Many connections: the kernel spreads them over both shards' acceptors.
  std::vector<std::unique_ptr<HttpClient>> users;
  for (int i = 0; i < 16; ++i) {
    users.push_back(client(secret));
    ASSERT_EQ(users.back()->get("/v1/datasources").status, 200);
  }
  ASSERT_EQ(owner->del("/v1/tokens/" + str(made.json(), "id")).status, 204);
  for (auto& u : users) expect_error(u->get("/v1/datasources"), 401, "AUTHENTICATION_ERROR");
}

TEST_F(OrgsTokensTest, TokenNamesAreValidated) {
  const auto org = create_org("acme");
  auto c = client(org.token);
  auto bad_type = c->post("/v1/tokens", json::object{{"name", 5}});
  expect_error(bad_type, 400, "INVALID_REQUEST_BODY");
  EXPECT_TRUE(has_detail(bad_type, "name"));
  auto unknown = c->post("/v1/tokens", json::object{{"scope", "all"}});
  expect_error(unknown, 400, "INVALID_REQUEST_BODY");
  EXPECT_TRUE(has_detail(unknown, "scope"));
  expect_error(c->request("POST", "/v1/tokens", "[1]"), 400, "INVALID_REQUEST_BODY");
  // No body at all: a token with a default name.
  auto unnamed = c->request("POST", "/v1/tokens");
  EXPECT_EQ(unnamed.status, 201) << unnamed.body;
  EXPECT_TRUE(std::regex_match(str(unnamed.json(), "token"), kToken));
}

TEST_F(OrgsTokensTest, AdminAndOrgRoutesRefuseTheOtherKindOfToken) {
  const auto org = create_org("acme");
  auto as_org = client(org.token);
  const std::string some_id = "01890000-0000-7000-8000-000000000000";
  expect_error(as_org->post("/v1/orgs", json::object{{"name", "evil"}}), 401,
               "AUTHENTICATION_ERROR");
  expect_error(as_org->get("/v1/orgs"), 401, "AUTHENTICATION_ERROR");
  expect_error(as_org->get("/v1/orgs/" + org.id), 401, "AUTHENTICATION_ERROR");
  expect_error(as_org->del("/v1/orgs/" + org.id), 401, "AUTHENTICATION_ERROR");
  EXPECT_EQ(admin()->get("/v1/orgs/" + org.id).status, 200);  // still there

  auto as_admin = admin();
  expect_error(as_admin->get("/v1/datasources"), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->post("/v1/datasources?test=false", pg_body("x")), 401,
               "AUTHENTICATION_ERROR");
  expect_error(as_admin->get("/v1/datasources/" + some_id), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->put(ds_path(some_id), pg_body("x")), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->patch(ds_path(some_id), json::object{}), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->del("/v1/datasources/" + some_id), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->get("/v1/tokens"), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->post("/v1/tokens", json::object{{"name", "x"}}), 401,
               "AUTHENTICATION_ERROR");
  expect_error(as_admin->del("/v1/tokens/" + org.token_id), 401, "AUTHENTICATION_ERROR");
  expect_error(as_admin->get("/v1/types"), 401, "AUTHENTICATION_ERROR");
  EXPECT_EQ(as_org->get("/v1/tokens").status, 200);  // the token was not revoked
}

TEST_F(OrgsTokensTest, MissingOrMalformedCredentialsGet401) {
  const auto org = create_org("acme");
  auto anon = client();
  expect_error(anon->get("/v1/orgs"), 401, "AUTHENTICATION_ERROR");
  expect_error(anon->get("/v1/datasources"), 401, "AUTHENTICATION_ERROR");
  const std::vector<std::string> bad = {"Basic " + org.token,
                                        "Bearer",
                                        "Bearer ",
                                        "Bearer dsb_" + std::string(40, 'A'),
                                        "Bearer " + org.token + "x",
                                        "Bearer " + org.token.substr(0, 20),
                                        "Bearer " + broker_->admin_token() + "x"};
  for (const auto& h : bad) {
    auto r = anon->request("GET", "/v1/datasources", {}, {{"Authorization", h}});
    expect_error(r, 401, "AUTHENTICATION_ERROR");
    EXPECT_EQ(r.body.find(org.token), std::string::npos) << "the error echoes the token";
    auto o = anon->request("GET", "/v1/orgs", {}, {{"Authorization", h}});
    expect_error(o, 401, "AUTHENTICATION_ERROR");
  }
  // Public routes need nothing.
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/openapi.json"})
    EXPECT_EQ(anon->get(path).status, 200) << path;
}

}  // namespace
}  // namespace dsb::test
