// MicroStrategy (issue 9): sessions (login, logout, idle expiry, ERR009),
// the document's three requests replayed and compared with its responses,
// the three-step flow end to end against the real PostgreSQL, PATCH
// operation lists, lists, deletes, and the connect deadline taken from
// maxConnectionAttemptTime.
#include "tests/integration/api/silent_listener.hpp"
#include "tests/integration/compat/compat_fixture.hpp"
#include "tests/integration/compat/doc_examples.hpp"

#include <boost/json/serialize.hpp>

#include <thread>

namespace dsb::test {
namespace {

class MstrTest : public CompatTest {
 protected:
  void SetUp() override {
    CompatTest::SetUp();
    token_ = mstr_login();
    ASSERT_EQ(token_.size(), 64u) << token_;
  }

  HttpResult call(const std::string& method, const std::string& target,
                  const json::value& body = nullptr) {
    return mstr(method, target, token_, body);
  }

  static void expect_mstr_error(const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    const json::value v = r.json();
    expect_same_shape(json::object{{"code", ""}, {"message", ""}, {"ticketId", ""}}, v);
    EXPECT_EQ(str(v, "code"), code) << r.body;
    EXPECT_FALSE(str(v, "message").empty());
    EXPECT_EQ(str(v, "ticketId"), r.header("x-request-id"));
  }

  std::string create_login(const std::string& name, const std::string& username = "testuser",
                           const std::string& password = "testpass") {
    auto r = call(
        "POST", "/api/datasources/logins",
        json::object{
            {"name", name}, {"username", username}, {"password", password}, {"description", ""}});
    EXPECT_EQ(r.status, 201) << r.body;
    return str(r.json(), "id");
  }

  // A connection to testdb on the test PostgreSQL through `login_id`.
  json::object pg_connection(const std::string& name, const std::string& login_id,
                             std::uint16_t port = 0) {
    json::object c = parse_example(doc::kMstrConnectionRequest).as_object();
    c["name"] = name;
    c["connectionString"] = "DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=" +
                            std::to_string(port ? port : services().pg) +
                            ";DATABASE=testdb;SSLMODE=require";
    c["database"] = json::object{{"login", {{"id", login_id}, {"name", "whatever"}}},
                                 {"type", "postgre_sql"},
                                 {"version", "postgre_sql_11"}};
    return c;
  }

  std::string token_;
};

TEST_F(MstrTest, LoginTakesAnOrgIdOrNameAndOneOfItsTokens) {
  const std::string none;
  auto by_id = send("POST", "/api/auth/login",
                    json::serialize(json::object{{"username", org_id()}, {"password", org_token_}}),
                    "application/json", &none);
  ASSERT_EQ(by_id.status, 204) << by_id.body;
  EXPECT_TRUE(by_id.body.empty());
  EXPECT_NE(by_id.header("x-mstr-authtoken"), token_);
  const std::string other = create_org("globex");
  for (const auto& [user, password] : {std::pair<std::string, std::string>{"acme", "dsb_wrong"},
                                       {"acme", other},  // a token of another org
                                       {"nobody", org_token_}}) {
    auto r = send("POST", "/api/auth/login",
                  json::serialize(json::object{{"username", user}, {"password", password}}),
                  "application/json", &none);
    expect_mstr_error(r, 401, "ERR003");
    EXPECT_TRUE(r.header("x-mstr-authtoken").empty());
  }
  expect_mstr_error(
      send("POST", "/api/auth/login", R"({"username":"acme"})", "application/json", &none), 400,
      "ERR005");
}

TEST_F(MstrTest, EveryCallNeedsALiveSession) {
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"GET", "/api/datasources/logins"},
      {"POST", "/api/datasources/logins"},
      {"GET", "/api/datasources/connections"},
      {"POST", "/api/datasources/connections/ABC/test"},
      {"GET", "/api/datasources"},
      {"PATCH", "/api/datasources/ABC"},
      {"POST", "/api/auth/logout"}};
  for (const std::string& token :
       {std::string(), std::string("pisu5dkkutqfblaamdomgr00ch"), std::string(64, 'a'),
        token_.substr(0, 32) + std::string(32, '0')})
    for (const auto& [method, target] : calls)
      expect_mstr_error(mstr(method, target, token), 401, "ERR009");
  // A Bearer API token is not a session.
  expect_mstr_error(send("GET", "/api/datasources/logins", "", ""), 401, "ERR009");
  EXPECT_EQ(call("GET", "/api/datasources/logins").status, 200);
  EXPECT_EQ(call("POST", "/api/auth/logout").status, 204);
  expect_mstr_error(call("GET", "/api/datasources/logins"), 401, "ERR009");
}

TEST_F(MstrTest, SessionsExpireAfterTheConfiguredIdleTime) {
  start({{"DSB_COMPAT_MSTR_SESSION_IDLE_S", "10"}});
  token_ = mstr_login();
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_EQ(call("GET", "/api/datasources/logins").status, 200);  // use keeps it alive
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_EQ(call("GET", "/api/datasources/logins").status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(11));
  expect_mstr_error(call("GET", "/api/datasources/logins"), 401, "ERR009");
}

TEST_F(MstrTest, TheDocumentsThreeRequestsAnswerTheDocumentsShapes) {
  // The login's password is "mstr", its username too: the body must simply not say "password".
  auto login = call("POST", "/api/datasources/logins", parse_example(doc::kMstrLoginRequest));
  ASSERT_EQ(login.status, 201) << login.body;
  expect_same_shape(parse_example(doc::kMstrLoginResponse), login.json());
  const json::value l = login.json();
  EXPECT_TRUE(upper_hex(str(l, "id"))) << str(l, "id");
  EXPECT_TRUE(mstr_time_format(str(l, "dateCreated"))) << str(l, "dateCreated");
  EXPECT_TRUE(mstr_time_format(str(l, "dateModified")));
  EXPECT_EQ(l.at("acg"), 255);
  EXPECT_EQ(str(l, "name"), "Test_Snow_Login");
  EXPECT_EQ(str(l, "username"), "mstr");
  EXPECT_EQ(login.body.find("password"), std::string::npos);

  json::object conn = parse_example(doc::kMstrConnectionRequest).as_object();
  conn["database"].as_object()["login"].as_object()["id"] = str(l, "id");
  auto connection = call("POST", "/api/datasources/connections", conn);
  ASSERT_EQ(connection.status, 201) << connection.body;
  expect_same_shape(parse_example(doc::kMstrConnectionResponse), connection.json());
  json::value expected = parse_example(doc::kMstrConnectionResponse);
  const json::value c = connection.json();
  EXPECT_TRUE(upper_hex(str(c, "id")));
  expected.as_object()["id"] = str(c, "id");
  expected.as_object()["database"].as_object()["login"].as_object()["id"] = str(l, "id");
  EXPECT_EQ(c, expected);  // every value echoed; the login's real name, acg 0

  json::object source = parse_example(doc::kMstrDatasourceRequest).as_object();
  source["database"].as_object()["connection"].as_object()["id"] = str(c, "id");
  auto made = call("POST", "/api/datasources", source);
  ASSERT_EQ(made.status, 201) << made.body;
  expect_same_shape(parse_example(doc::kMstrDatasourceResponse), made.json());
  const json::value d = made.json();
  EXPECT_TRUE(upper_hex(str(d, "id")));
  EXPECT_EQ(str(d.at("database"), "type"), "snow_flake");
  EXPECT_EQ(str(d.at("database"), "version"), "snowflake_1x");
  EXPECT_EQ(d.at("database").at("connection"),
            (json::object{
                {"name", "Test_Snow_Connection"}, {"id", str(c, "id")}, {"isEmbedded", false}}));
  EXPECT_EQ(d.at("dbms"),
            (json::object{{"name", "Snowflake"}, {"id", "86AC7FD44D2B4B0FB65AE948EF19BDD0"}}));
  EXPECT_EQ(str(d.at("owner"), "name"), "acme");
  EXPECT_TRUE(upper_hex(str(d.at("owner"), "id")));
  EXPECT_TRUE(mstr_time_format(str(d, "dateCreated")));

  // A bare DSN is stored, and reported as not connectable.
  auto test = call("POST", "/api/datasources/connections/" + str(c, "id") + "/test");
  expect_mstr_error(test, 400, "ERR001");
  EXPECT_NE(str(test.json(), "message").find("SNOWFLAKE_DSN"), std::string::npos) << test.body;
}

TEST_F(MstrTest, LoginConnectionDatasourceTestAgainstPostgres) {
  const std::string login = create_login("pg_login");
  auto conn = call("POST", "/api/datasources/connections", pg_connection("pg_conn", login));
  ASSERT_EQ(conn.status, 201) << conn.body;
  const std::string conn_id = str(conn.json(), "id");
  EXPECT_EQ(str(conn.json().at("database").at("login"), "name"), "pg_login");
  auto source = call("POST", "/api/datasources",
                     json::object{{"name", "pg_source"},
                                  {"database", {{"connection", {{"id", conn_id}}}}},
                                  {"dbms", {{"id", "DE2F2D0E8E594C3FA8B7A5C3C4C6D6E1"}}}});
  ASSERT_EQ(source.status, 201) << source.body;
  EXPECT_EQ(str(source.json().at("dbms"), "name"), "PostgreSQL");
  EXPECT_EQ(str(source.json().at("database"), "type"), "postgre_sql");

  auto tested = call("POST", "/api/datasources/connections/" + conn_id + "/test");
  ASSERT_EQ(tested.status, 204) << tested.body;
  // The connection is the native datasource: TLS required, credentials from the login.
  const std::string uuid = str(api().get("/v1/datasources").json().at("items").as_array()[0], "id");
  auto native = api().get("/v1/datasources/" + uuid);
  ASSERT_EQ(native.status, 200);
  EXPECT_EQ(str(native.json(), "status"), "ok") << native.body;
  EXPECT_EQ(str(native.json(), "login_id"), login);
  EXPECT_EQ(str(native.json().at("tls"), "mode"), "require");
  EXPECT_EQ(native.json().at("port"), services().pg);

  // Rotating the login's password breaks it; the test names the stage.
  secrets_.insert("Rotated-Wrong-4e1");
  auto patched =
      call("PATCH", "/api/datasources/logins/" + login,
           json::object{{"operationList", json::array{{{"op", "replace"},
                                                       {"path", "/password"},
                                                       {"value", "Rotated-Wrong-4e1"}}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto failed = call("POST", "/api/datasources/connections/" + conn_id + "/test");
  expect_mstr_error(failed, 400, "ERR001");
  EXPECT_NE(str(failed.json(), "message").find("authenticate"), std::string::npos) << failed.body;
  EXPECT_EQ(str(api().get("/v1/datasources/" + uuid).json(), "status"), "failed");
}

TEST_F(MstrTest, MaxConnectionAttemptTimeIsTheConnectDeadline) {
  SilentListener silent;
  const std::string login = create_login("l");
  json::object body = pg_connection("hangs", login, silent.port());
  body["maxConnectionAttemptTime"] = 1;
  auto conn = call("POST", "/api/datasources/connections", body);
  ASSERT_EQ(conn.status, 201) << conn.body;
  const auto start = std::chrono::steady_clock::now();
  auto r = call("POST", "/api/datasources/connections/" + str(conn.json(), "id") + "/test");
  expect_mstr_error(r, 400, "ERR001");
  EXPECT_LT(ms_since(start), 5000.0) << r.body;  // the configured connect deadline is 10 s
}

TEST_F(MstrTest, PatchListGetAndDeleteAllThree) {
  const std::string login = create_login("lg");
  const std::string conn =
      str(call("POST", "/api/datasources/connections", pg_connection("cn", login)).json(), "id");
  auto src = call("POST", "/api/datasources",
                  json::object{{"name", "sr"}, {"database", {{"connection", {{"id", conn}}}}}});
  ASSERT_EQ(src.status, 201) << src.body;
  const std::string source = str(src.json(), "id");
  auto describe = [](const std::string& text) {
    return json::object{
        {"operationList",
         json::array{{{"op", "replace"}, {"path", "/description"}, {"value", text}}}}};
  };
  const std::vector<std::pair<std::string, std::string>> objects = {
      {"logins", login}, {"connections", conn}, {"", source}};
  for (const auto& [kind, id] : objects) {
    const std::string base = "/api/datasources" + (kind.empty() ? std::string() : "/" + kind);
    auto p = call("PATCH", base + "/" + id, describe("about " + kind));
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(str(p.json(), "description"), "about " + kind);
    EXPECT_EQ(str(call("GET", base + "/" + id).json(), "description"), "about " + kind);
    auto bad = call(
        "PATCH", base + "/" + id,
        json::object{{"operationList", json::array{{{"op", "remove"}, {"path", "/description"}}}}});
    expect_mstr_error(bad, 400, "ERR006");
    auto list = call("GET", base);
    ASSERT_EQ(list.status, 200) << list.body;
    const std::string key = kind.empty() ? "datasources" : kind;
    ASSERT_EQ(list.json().at(key).as_array().size(), 1u) << list.body;
    EXPECT_EQ(str(list.json().at(key).as_array()[0], "id"), id);
  }
  // Renaming a connection renames its datasource; the MicroStrategy datasource shows it.
  auto renamed =
      call("PATCH", "/api/datasources/connections/" + conn,
           json::object{{"operationList",
                         json::array{{{"op", "replace"}, {"path", "/name"}, {"value", "cn2"}}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(
      str(call("GET", "/api/datasources/" + source).json().at("database").at("connection"), "name"),
      "cn2");
  EXPECT_EQ(str(api().get("/v1/datasources").json().at("items").as_array()[0], "name"), "cn2");

  expect_mstr_error(call("DELETE", "/api/datasources/connections/" + conn), 409,
                    "ERR001");  // used by sr
  expect_mstr_error(call("DELETE", "/api/datasources/logins/" + login), 409,
                    "ERR001");  // used by cn2
  EXPECT_EQ(call("DELETE", "/api/datasources/" + source).status, 204);
  EXPECT_EQ(call("DELETE", "/api/datasources/connections/" + conn).status, 204);
  EXPECT_EQ(call("DELETE", "/api/datasources/logins/" + login).status, 204);
  for (const auto& target : {"/api/datasources/" + source, "/api/datasources/connections/" + conn,
                             "/api/datasources/logins/" + login})
    expect_mstr_error(call("GET", target), 404, "ERR004");
  EXPECT_TRUE(api().get("/v1/datasources").json().at("items").as_array().empty());
}

TEST_F(MstrTest, InvalidInputNamesTheMicroStrategyFields) {
  const std::string login = create_login("lg");
  json::object no_type = pg_connection("c", login);
  no_type["database"].as_object().erase("type");
  expect_mstr_error(call("POST", "/api/datasources/connections", no_type), 400, "ERR005");
  json::object creds = pg_connection("c", login);
  creds["connectionString"] = "SERVER=127.0.0.1;UID=testuser;PWD=testpass";
  auto r = call("POST", "/api/datasources/connections", creds);
  expect_mstr_error(r, 400, "ERR006");
  EXPECT_NE(str(r.json(), "message").find("database.login"), std::string::npos) << r.body;
  json::object unknown_login = pg_connection("c", "0123456789ABCDEF0123456789ABCDEF");
  expect_mstr_error(call("POST", "/api/datasources/connections", unknown_login), 400, "ERR006");
  json::object no_server = pg_connection("c", login);
  no_server["connectionString"] = "PORT=5432;DATABASE=testdb";
  auto missing_host = call("POST", "/api/datasources/connections", no_server);
  expect_mstr_error(missing_host, 400, "ERR005");
  EXPECT_NE(str(missing_host.json(), "message").find("connectionString (host)"), std::string::npos);
  expect_mstr_error(
      call("POST", "/api/datasources",
           json::object{{"name", "s"}, {"database", {{"connection", {{"id", "NOPE"}}}}}}),
      400, "ERR006");
  ASSERT_EQ(call("POST", "/api/datasources/connections", pg_connection("dup", login)).status, 201);
  expect_mstr_error(call("POST", "/api/datasources/connections", pg_connection("dup", login)), 409,
                    "ERR001");
}

}  // namespace
}  // namespace dsb::test
