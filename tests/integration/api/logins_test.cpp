// Reusable logins (/v1/logins, issue 3): CRUD and name conflicts, datasources
// that connect to a real PostgreSQL through login_id, rotation of the login's
// password reaching every datasource that uses it, LOGIN_IN_USE, logins of
// other orgs, and the login password never shown.
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/api/sql_admin.hpp"

#include <algorithm>

namespace dsb::test {
namespace {

constexpr const char* kLoginPassword = "Login-Pw-5f3a91-NEVER-SHOWN";
constexpr const char* kRotated = "Login-Pw-rotated-8c2d07";

const json::value kSet = json::object{{"set", true}};

class LoginsTest : public ApiTest {
 protected:
  // Creates a login; fails the test unless 201; returns its id.
  std::string create_login(const std::string& name, const std::string& username,
                           const std::string& password = kLoginPassword) {
    auto r = api().post("/v1/logins", json::object{{"name", name},
                                                   {"username", username},
                                                   {"password", password},
                                                   {"description", "reporting user"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return str(r.json(), "id");
  }

  // A postgres datasource on testdb that takes its credentials from `login_id`.
  static json::object login_datasource(const std::string& name, const std::string& login_id) {
    auto body = pg_datasource(name);
    body.erase("username");
    body.erase("password");
    body["login_id"] = login_id;
    return body;
  }

  void TearDown() override {
    for (const auto& response : transcript()) {
      EXPECT_EQ(response.find(kLoginPassword), std::string::npos) << response;
      EXPECT_EQ(response.find(kRotated), std::string::npos) << response;
    }
    EXPECT_EQ(output().find(kLoginPassword), std::string::npos);
  }
};

TEST_F(LoginsTest, CreateReadUpdateDelete) {
  auto made = api().post("/v1/logins", json::object{{"name", "reporting"},
                                                    {"username", "report"},
                                                    {"password", kLoginPassword},
                                                    {"description", "read-only"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto v = made.json();
  const std::string id = str(v, "id");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(str(v, "name"), "reporting");
  EXPECT_EQ(str(v, "username"), "report");
  EXPECT_EQ(str(v, "description"), "read-only");
  EXPECT_EQ(v.at("password"), kSet);
  EXPECT_EQ(v.at("version"), json::value(1));

  EXPECT_EQ(api().get("/v1/logins/" + id).json(), v);
  auto list = api().get("/v1/logins").json();
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(list.at("items").as_array()[0], v);

  // PUT replaces; a password left out is kept.
  auto put =
      api().put("/v1/logins/" + id, json::object{{"name", "reporting-2"}, {"username", "report2"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(str(put.json(), "name"), "reporting-2");
  EXPECT_EQ(str(put.json(), "description"), "");
  EXPECT_EQ(put.json().at("password"), kSet);
  EXPECT_EQ(put.json().at("version"), json::value(2));

  auto patch = api().patch("/v1/logins/" + id, json::object{{"description", "rotated monthly"}});
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(str(patch.json(), "username"), "report2");
  EXPECT_EQ(str(patch.json(), "description"), "rotated monthly");

  auto cleared = api().patch("/v1/logins/" + id, json::object{{"password", nullptr}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json().at("password"), json::value(json::object{{"set", false}}));

  expect_error(
      api().post("/v1/logins", json::object{{"name", "x"}, {"username", "u"}, {"pw", "p"}}), 400,
      "INVALID_REQUEST_BODY");
  EXPECT_EQ(api().del("/v1/logins/" + id).status, 204);
  expect_error(api().get("/v1/logins/" + id), 404, "NOT_FOUND");
  expect_error(api().del("/v1/logins/" + id), 404, "NOT_FOUND");
  EXPECT_TRUE(api().get("/v1/logins").json().at("items").as_array().empty());
}

TEST_F(LoginsTest, NamesAreUniqueInAnOrg) {
  const std::string first = create_login("shared", "a");
  auto dup = api().post("/v1/logins", json::object{{"name", "shared"}, {"username", "b"}});
  expect_error(dup, 409, "LOGIN_NAME_ERROR");
  const std::string second = create_login("other", "b");
  expect_error(api().patch("/v1/logins/" + second, json::object{{"name", "shared"}}), 409,
               "LOGIN_NAME_ERROR");
  // After a rename the old name is free again.
  ASSERT_EQ(api().patch("/v1/logins/" + first, json::object{{"name", "renamed"}}).status, 200);
  create_login("shared", "c");
  // Another org has its own names.
  auto other = client(create_org("globex"));
  EXPECT_EQ(other->post("/v1/logins", json::object{{"name", "shared"}, {"username", "d"}}).status,
            201);
}

TEST_F(LoginsTest, DatasourceConnectsWithItsLogin) {
  PgScratchRole role("api_login", kLoginPassword);
  const std::string login = create_login("pg-login", role.name());
  auto made = api().post("/v1/datasources", login_datasource("via-login", login));
  ASSERT_EQ(made.status, 201) << made.body;
  const auto v = made.json();
  EXPECT_EQ(str(v, "status"), "ok");
  EXPECT_EQ(str(v, "login_id"), login);
  EXPECT_FALSE(v.as_object().contains("username"));
  EXPECT_FALSE(v.as_object().contains("password"));
  EXPECT_EQ(stage_names(v.at("test").at("stages")).back(), "done");

  // username or password beside login_id is refused.
  auto both = login_datasource("both", login);
  both["password"] = "x";
  auto r = api().post("/v1/datasources?test=false", both);
  expect_error(r, 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(r.body.find("login_id"), std::string::npos) << r.body;
}

TEST_F(LoginsTest, RotatingTheLoginRotatesItsDatasources) {
  PgScratchRole role("api_rotate", kLoginPassword);
  const std::string login = create_login("pg-login", role.name());
  std::vector<std::string> ids;
  for (const char* name : {"first", "second"}) {
    auto made = api().post("/v1/datasources", login_datasource(name, login));
    ASSERT_EQ(made.status, 201) << made.body;
    ids.push_back(str(made.json(), "id"));
  }
  // The login now carries a password the server does not accept...
  ASSERT_EQ(api().patch("/v1/logins/" + login, json::object{{"password", kRotated}}).status, 200);
  for (const auto& id : ids) {
    auto r = api().post_empty("/v1/datasources/" + id + "/test");
    expect_error(r, 400, "CREDENTIAL_TEST_FAILED");
    EXPECT_EQ(str(r.json(), "reason"), "auth_failed") << r.body;
    EXPECT_EQ(str(api().get("/v1/datasources/" + id).json(), "status"), "failed");
  }
  // ...until the database is rotated too: the same datasources connect again.
  role.set_password(kRotated);
  for (const auto& id : ids) {
    auto r = api().post_empty("/v1/datasources/" + id + "/test");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(str(api().get("/v1/datasources/" + id).json(), "status"), "ok");
  }
  // A new username in the login is used as well.
  PgScratchRole next("api_rotate_next", kRotated);
  ASSERT_EQ(api().patch("/v1/logins/" + login, json::object{{"username", next.name()}}).status,
            200);
  role.set_password("no-longer-" + std::string(kRotated));
  EXPECT_EQ(api().post_empty("/v1/datasources/" + ids[0] + "/test").status, 200);
}

TEST_F(LoginsTest, LoginInUseNamesItsDatasources) {
  const std::string login = create_login("pg-login", "report");
  auto body = login_datasource("orders-db", login);
  auto made = api().post("/v1/datasources?test=false", body);
  ASSERT_EQ(made.status, 201) << made.body;
  ASSERT_EQ(api().post("/v1/datasources?test=false", login_datasource("sales-db", login)).status,
            201);

  auto r = api().del("/v1/logins/" + login);
  expect_error(r, 409, "LOGIN_IN_USE");
  EXPECT_NE(str(r.json(), "message").find("orders-db"), std::string::npos) << r.body;
  std::vector<std::string> named;
  const auto error = r.json();
  for (const auto& d : error.at("details").as_array()) named.push_back(str(d, "problem"));
  std::sort(named.begin(), named.end());
  EXPECT_EQ(named, (std::vector<std::string>{"orders-db", "sales-db"})) << r.body;
  EXPECT_EQ(api().get("/v1/logins/" + login).status, 200);  // still there

  ASSERT_EQ(api().del("/v1/datasources/" + str(made.json(), "id")).status, 204);
  expect_error(api().del("/v1/logins/" + login), 409, "LOGIN_IN_USE");
  auto list = api().get("/v1/datasources").json();
  for (const auto& d : list.at("items").as_array())
    ASSERT_EQ(api().del("/v1/datasources/" + str(d, "id")).status, 204);
  EXPECT_EQ(api().del("/v1/logins/" + login).status, 204);
}

TEST_F(LoginsTest, LoginOfAnotherOrgIsRefused) {
  auto other = client(create_org("globex"));
  auto foreign = other->post(
      "/v1/logins",
      json::object{{"name", "theirs"}, {"username", "testuser"}, {"password", kLoginPassword}});
  ASSERT_EQ(foreign.status, 201) << foreign.body;
  const std::string foreign_id = str(foreign.json(), "id");

  expect_error(api().get("/v1/logins/" + foreign_id), 404, "NOT_FOUND");
  for (const char* path :
       {"/v1/datasources", "/v1/datasources?test=false", "/v1/datasources/test"}) {
    auto r = api().post(path, login_datasource("borrowed", foreign_id));
    expect_error(r, 400, "INVALID_REQUEST_BODY");
    ASSERT_TRUE(r.json().at("details").is_array()) << r.body;
    ASSERT_FALSE(r.json().at("details").as_array().empty()) << r.body;
    EXPECT_EQ(str(r.json().at("details").as_array()[0], "field"), "login_id") << r.body;
  }
  EXPECT_TRUE(api().get("/v1/datasources").json().at("items").as_array().empty());
  // Nor can an update point at it.
  auto mine = api().post("/v1/datasources?test=false", pg_datasource("mine"));
  ASSERT_EQ(mine.status, 201);
  auto patch = api().patch(
      "/v1/datasources/" + str(mine.json(), "id") + "?test=false",
      json::object{{"username", nullptr}, {"password", nullptr}, {"login_id", foreign_id}});
  expect_error(patch, 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(patch.body.find("login_id"), std::string::npos) << patch.body;
}

}  // namespace
}  // namespace dsb::test
