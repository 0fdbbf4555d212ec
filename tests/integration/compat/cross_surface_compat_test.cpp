// One domain, four wire shapes (issue 9): a datasource created through any
// surface is read back through the other three and the native API.
#include "tests/integration/compat/compat_fixture.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::test {
namespace {

class CrossSurfaceTest : public CompatTest {
 protected:
  void SetUp() override {
    CompatTest::SetUp();
    token_ = mstr_login();
  }

  // The MicroStrategy id of a datasource UUID.
  static std::string hex_id(std::string uuid) {
    std::string out;
    for (char c : uuid)
      if (c != '-') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  json::value native(const std::string& id) {
    auto r = api().get("/v1/datasources/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  json::value maiascore(const std::string& id) {
    auto r = send("GET", "/datasources/" + id, "", "");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  std::vector<std::string> databrain_names() {
    std::vector<std::string> out;
    const json::value page = send("GET", "/api/v2/datasource", "", "").json();
    for (const auto& item : page.at("data").as_array()) out.push_back(str(item, "name"));
    return out;
  }
  json::value connection(const std::string& id) {
    auto r = mstr("GET", "/api/datasources/connections/" + hex_id(id), token_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Every surface shows datasource `id` named `name` on testdb at `port`.
  void expect_everywhere(const std::string& id, const std::string& name, std::uint16_t port) {
    const json::value n = native(id);
    EXPECT_EQ(str(n, "name"), name);
    EXPECT_EQ(str(n, "type"), "postgres");
    const json::value m = maiascore(id);
    EXPECT_EQ(str(m, "driver"), "postgres");
    EXPECT_EQ(str(m, "port"), std::to_string(port));
    EXPECT_EQ(str(m, "database"), "testdb");
    EXPECT_EQ(str(m, "username"), "testuser");
    const auto names = databrain_names();
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end());
    const json::value c = connection(id);
    EXPECT_EQ(str(c, "name"), name);
    EXPECT_EQ(str(c.at("database"), "type"), "postgre_sql");
    EXPECT_EQ(str(c, "connectionString"),
              "SERVER=127.0.0.1;PORT=" + std::to_string(port) + ";DATABASE=testdb");
    EXPECT_EQ(c.at("acg"), 0);
  }

  std::string token_;
};

TEST_F(CrossSurfaceTest, CreatedThroughMaiascore) {
  auto r = send("POST", "/datasources",
                "driver=postgres&host=127.0.0.1&port=" + std::to_string(services().pg) +
                    "&username=testuser&password=testpass&database=testdb",
                "application/x-www-form-urlencoded");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string id = str(r.json(), "id");
  expect_everywhere(id, str(native(id), "name"), services().pg);
  // And Databrain can sync it, MicroStrategy test it, by what each knows.
  auto sync =
      send_json("POST", "/api/v2/datasource/sync", json::object{{"input", {{"datasourceId", id}}}});
  EXPECT_EQ(sync.status, 200) << sync.body;
  EXPECT_EQ(mstr("POST", "/api/datasources/connections/" + hex_id(id) + "/test", token_).status,
            204);
}

TEST_F(CrossSurfaceTest, CreatedThroughDatabrain) {
  json::object body{{"datasourceType", "postgres"},
                    {"credentials",
                     {{"name", "from-databrain"},
                      {"host", "127.0.0.1"},
                      {"port", services().pg},
                      {"username", "testuser"},
                      {"password", "testpass"},
                      {"database", "testdb"},
                      {"schema", "public"}}}};
  ASSERT_EQ(send_json("POST", "/api/v2/datasource", body).status, 200);
  const std::string id = str(api().get("/v1/datasources").json().at("items").as_array()[0], "id");
  expect_everywhere(id, "from-databrain", services().pg);
  // maiascore's update keeps what Databrain set that maiascore has no word for.
  auto put = send("PUT", "/datasources/" + id, "<item><ssl>false</ssl></item>", "application/xml");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(str(native(id), "schema"), "public");
  EXPECT_EQ(native(id).at("version"), 2);
}

TEST_F(CrossSurfaceTest, CreatedThroughMicroStrategy) {
  auto login =
      mstr("POST", "/api/datasources/logins", token_,
           json::object{{"name", "l"}, {"username", "testuser"}, {"password", "testpass"}});
  ASSERT_EQ(login.status, 201) << login.body;
  json::object conn{
      {"name", "from-mstr"},
      {"connectionString",
       "SERVER=127.0.0.1;PORT=" + std::to_string(services().pg) + ";DATABASE=testdb"},
      {"database", {{"type", "postgre_sql"}, {"login", {{"id", str(login.json(), "id")}}}}}};
  auto made = mstr("POST", "/api/datasources/connections", token_, conn);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = str(api().get("/v1/datasources").json().at("items").as_array()[0], "id");
  EXPECT_EQ(hex_id(id), str(made.json(), "id"));
  expect_everywhere(id, "from-mstr", services().pg);
  // Tested through Databrain's sync, then deleted by name there: gone from MicroStrategy too.
  auto sync = send_json("POST", "/api/v2/datasource/sync",
                        json::object{{"input", {{"datasourceId", "from-mstr"}}}});
  EXPECT_EQ(sync.status, 200) << sync.body;
  EXPECT_EQ(str(native(id), "status"), "ok");
  EXPECT_EQ(send("DELETE", "/api/v2/datasource?datasourceName=from-mstr", "", "").status, 200);
  EXPECT_EQ(mstr("GET", "/api/datasources/connections/" + str(made.json(), "id"), token_).status,
            404);
  EXPECT_TRUE(mstr("GET", "/api/datasources/connections", token_)
                  .json()
                  .at("connections")
                  .as_array()
                  .empty());
}

TEST_F(CrossSurfaceTest, CreatedThroughTheNativeApi) {
  auto r = api().post("/v1/datasources", pg_datasource("from-native"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = str(r.json(), "id");
  expect_everywhere(id, "from-native", services().pg);
  // A MicroStrategy PATCH of a datasource made elsewhere keeps its credentials.
  auto patched = mstr(
      "PATCH", "/api/datasources/connections/" + hex_id(id), token_,
      json::object{
          {"operationList",
           json::array{{{"op", "replace"}, {"path", "/description"}, {"value", "seen by MSTR"}}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(str(patched.json(), "description"), "seen by MSTR");
  EXPECT_EQ(mstr("POST", "/api/datasources/connections/" + hex_id(id) + "/test", token_).status,
            204);
}

}  // namespace
}  // namespace dsb::test
