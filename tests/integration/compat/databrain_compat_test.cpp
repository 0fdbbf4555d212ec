// Databrain /api/v2/datasource (issue 9): the document's example replayed
// against the real PostgreSQL and its answer compared with the example;
// tenancySettings; PUT by credentials.name re-caching the schema; pages of
// 10; delete by name; sync; every error code of the document's table
// provoked for real.
#include "store/datasource_record.hpp"
#include "store/store.hpp"
#include "tests/integration/api/sql_admin.hpp"
#include "tests/integration/compat/compat_fixture.hpp"
#include "tests/integration/compat/doc_examples.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace dsb::test {
namespace {

const char* kBase = "/api/v2/datasource";

class DatabrainTest : public CompatTest {
 protected:
  // The document's request pointed at testdb on the test PostgreSQL.
  json::object example(const std::string& name = "production-postgres",
                       const std::string& database = "testdb",
                       const std::string& password = "testpass") {
    json::object o = parse_example(doc::kDatabrainRequest).as_object();
    json::object& c = o["credentials"].as_object();
    c["name"] = name;
    c["host"] = "127.0.0.1";
    c["port"] = services().pg;
    c["username"] = "testuser";
    c["password"] = password;
    c["database"] = database;
    return o;
  }

  // Fails the test unless `r` is Databrain's error `code` with `status`; returns the message.
  static std::string expect_databrain_error(const HttpResult& r, int status,
                                            const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    const json::value v = r.json();
    expect_same_shape(json::object{{"error", json::object{{"code", ""}, {"message", ""}}}}, v);
    if (!v.is_object() || !v.as_object().contains("error")) return {};
    EXPECT_EQ(str(v.at("error"), "code"), code) << r.body;
    EXPECT_FALSE(str(v.at("error"), "message").empty());
    return str(v.at("error"), "message");
  }

  json::value native_by_name(const std::string& name) {
    auto list = api().get("/v1/datasources?limit=500");
    const json::value all = list.json();
    for (const auto& item : all.at("items").as_array())
      if (str(item, "name") == name) return item;
    ADD_FAILURE() << name << " is not a native datasource";
    return nullptr;
  }
};

TEST_F(DatabrainTest, DocumentExampleValidatesTestsCachesAndStores) {
  auto r = send_json("POST", kBase, example());
  ASSERT_EQ(r.status, 200) << r.body;
  expect_same_shape(parse_example(doc::kDatabrainResponse), r.json());
  EXPECT_EQ(r.json(), parse_example(doc::kDatabrainResponse));
  const json::value n = native_by_name("production-postgres");
  EXPECT_EQ(str(n, "status"), "ok");
  EXPECT_EQ(str(n, "schema"), "public");
  EXPECT_TRUE(n.at("schema_info").is_object());
  EXPECT_EQ(api().get("/v1/datasources/" + str(n, "id") + "/schema").status, 200);
}

TEST_F(DatabrainTest, TenancySettingsBecomeTheNativeTenancy) {
  PgScratchDatabase db("dbrain_tenancy");
  PgSuperuser(db.name()).exec(
      "CREATE TABLE public.clients (id integer PRIMARY KEY, client_name text);"
      "ALTER TABLE public.clients OWNER TO testuser");
  json::object body = example("tenanted", db.name());
  body["tenancySettings"] = json::object{{"tenancyLevel", "TABLE"},
                                         {"clientColumnType", "NUMBER"},
                                         {"schemaName", "public"},
                                         {"tableName", "clients"},
                                         {"tableClientNameColumn", "client_name"},
                                         {"tablePrimaryKeyColumn", "id"}};
  auto r = send_json("POST", kBase, body);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value t = native_by_name("tenanted").at("tenancy");
  EXPECT_EQ(str(t, "level"), "TABLE");
  EXPECT_EQ(str(t, "client_column_type"), "NUMBER");
  EXPECT_EQ(str(t, "schema_name"), "public");
  EXPECT_EQ(str(t, "table_name"), "clients");
  EXPECT_EQ(str(t, "client_name_column"), "client_name");
  EXPECT_EQ(str(t, "primary_key_column"), "id");
  body["tenancySettings"].as_object().erase("tableName");
  body["credentials"].as_object()["name"] = "tenanted-2";
  auto bad = send_json("POST", kBase, body);
  const std::string message = expect_databrain_error(bad, 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(message.find("tenancySettings.tableName"), std::string::npos) << message;
}

TEST_F(DatabrainTest, PutFindsByNameReplacesTheCredentialsAndRecachesTheSchema) {
  PgScratchDatabase db("dbrain_put");
  ASSERT_EQ(send_json("POST", kBase, example()).status, 200);
  const json::value before = native_by_name("production-postgres");
  PgSuperuser(db.name()).exec("CREATE TABLE public.orders (id integer PRIMARY KEY)");
  auto r = send_json("PUT", kBase, example("production-postgres", db.name()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), parse_example(doc::kDatabrainResponse));
  const json::value after = native_by_name("production-postgres");
  EXPECT_EQ(str(after, "database"), db.name());
  EXPECT_EQ(str(after, "id"), str(before, "id"));
  EXPECT_NE(str(after.at("schema_info"), "hash"), str(before.at("schema_info"), "hash"));
  auto schema = api().get("/v1/datasources/" + str(after, "id") + "/schema");
  EXPECT_NE(schema.body.find("\"orders\""), std::string::npos) << schema.body;

  json::object retyped = example();
  retyped["datasourceType"] = "mysql";
  expect_databrain_error(send_json("PUT", kBase, retyped), 400, "INVALID_REQUEST_BODY");
  expect_databrain_error(send_json("PUT", kBase, example("no-such-datasource")), 404,
                         "DATASOURCE_NOT_FOUND");
  const std::string m = expect_databrain_error(
      send_json("PUT", kBase, example("production-postgres", "testdb", "Wrong-Pw-77")), 400,
      "CREDENTIAL_TEST_FAILED");
  secrets_.insert("Wrong-Pw-77");
  EXPECT_NE(m.find("authenticate"), std::string::npos) << m;
  EXPECT_EQ(str(native_by_name("production-postgres"), "database"), db.name());  // unchanged
}

TEST_F(DatabrainTest, ListPagesOfTen) {
  ASSERT_EQ(send_json("POST", kBase, example("ds-00")).status, 200);
  for (int i = 1; i < 12; ++i) {  // the rest through the native API: one domain
    auto body = pg_datasource((i < 10 ? "ds-0" : "ds-") + std::to_string(i));
    ASSERT_EQ(api().post("/v1/datasources?test=false", body).status, 201);
  }
  auto names = [&](const std::string& query) {
    auto r = send("GET", std::string(kBase) + query, "", "");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const json::value page = r.json();
    for (const auto& item : page.at("data").as_array()) {
      expect_same_shape(json::object{{"name", ""}}, item);
      out.push_back(str(item, "name"));
    }
    return out;
  };
  // Pages follow creation order (UUIDv7 ids; two made in one millisecond may swap).
  auto page1 = names("?isPagination=true&pageNumber=1");
  auto page2 = names("?isPagination=true&pageNumber=2");
  ASSERT_EQ(page1.size(), 10u);
  ASSERT_EQ(page2.size(), 2u);
  EXPECT_EQ(page1.front(), "ds-00");
  std::vector<std::string> both = page1;
  both.insert(both.end(), page2.begin(), page2.end());
  EXPECT_EQ(both, names(""));
  std::sort(both.begin(), both.end());
  EXPECT_EQ(std::unique(both.begin(), both.end()), both.end());
  EXPECT_EQ(both.back(), "ds-11");
  EXPECT_TRUE(names("?isPagination=true&pageNumber=3").empty());
  EXPECT_EQ(names("").size(), 12u);
  EXPECT_EQ(names("?isPagination=true").size(), 10u);
  expect_databrain_error(
      send("GET", std::string(kBase) + "?isPagination=true&pageNumber=0", "", ""), 400,
      "INVALID_REQUEST_BODY");
}

TEST_F(DatabrainTest, DeleteByName) {
  ASSERT_EQ(send_json("POST", kBase, example()).status, 200);
  const std::string id = str(native_by_name("production-postgres"), "id");
  auto r = send("DELETE", std::string(kBase) + "?datasourceName=production-postgres", "", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json::object{{"id", id}, {"message", "Datasource deleted successfully"}}));
  EXPECT_EQ(api().get("/v1/datasources/" + id).status, 404);
  expect_databrain_error(
      send("DELETE", std::string(kBase) + "?datasourceName=production-postgres", "", ""), 404,
      "DATASOURCE_NOT_FOUND");
  expect_databrain_error(send("DELETE", kBase, "", ""), 400, "INVALID_REQUEST_BODY");
}

TEST_F(DatabrainTest, SyncRefreshesTheCachedSchema) {
  PgScratchDatabase db("dbrain_sync");
  ASSERT_EQ(send_json("POST", kBase, example("synced", db.name())).status, 200);
  const std::string id = str(native_by_name("synced"), "id");
  EXPECT_EQ(native_by_name("synced").at("schema_info").at("tables"), 0);
  PgSuperuser(db.name()).exec("CREATE TABLE public.invoices (id integer PRIMARY KEY)");
  auto r = send_json("POST", std::string(kBase) + "/sync",
                     json::object{{"input", {{"datasourceId", id}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json::object{{"data", {{"message", "Sync completed"}}}}));
  EXPECT_EQ(native_by_name("synced").at("schema_info").at("tables"), 1);
  auto by_name = send_json("POST", std::string(kBase) + "/sync",
                           json::object{{"input", {{"datasourceId", "synced"}}}});
  EXPECT_EQ(by_name.status, 200) << by_name.body;
  expect_databrain_error(send_json("POST", std::string(kBase) + "/sync",
                                   json::object{{"input", {{"datasourceId", "nope"}}}}),
                         404, "DATASOURCE_NOT_FOUND");
  expect_databrain_error(
      send_json("POST", std::string(kBase) + "/sync", json::object{{"input", json::object{}}}), 400,
      "INVALID_REQUEST_BODY");
}

TEST_F(DatabrainTest, InvalidRequestBody) {
  auto not_json = send("POST", kBase, "{\"datasourceType\":", "application/json");
  expect_databrain_error(not_json, 400, "INVALID_REQUEST_BODY");
  expect_databrain_error(send_json("POST", kBase, json::object{{"datasourceType", "postgres"}}),
                         400, "INVALID_REQUEST_BODY");
  json::object unknown_type = example();
  unknown_type["datasourceType"] = "oracle";
  EXPECT_NE(
      expect_databrain_error(send_json("POST", kBase, unknown_type), 400, "INVALID_REQUEST_BODY")
          .find("datasourceType"),
      std::string::npos);
  json::object no_name = example();
  no_name["credentials"].as_object().erase("name");
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, no_name), 400, "INVALID_REQUEST_BODY")
                .find("credentials.name: is required"),
            std::string::npos);
  json::object stray = example();
  stray["credentials"].as_object()["hostname"] = "x";
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, stray), 400, "INVALID_REQUEST_BODY")
                .find("credentials.hostname"),
            std::string::npos);
  json::object text_port = example();
  text_port["credentials"].as_object()["port"] =
      std::to_string(services().pg);  // a string port is fine
  EXPECT_EQ(send_json("POST", kBase, text_port).status, 200);
}

TEST_F(DatabrainTest, DatasourceNameErrorIs400) {
  ASSERT_EQ(send_json("POST", kBase, example()).status, 200);
  expect_databrain_error(send_json("POST", kBase, example()), 400, "DATASOURCE_NAME_ERROR");
}

TEST_F(DatabrainTest, CredentialTestFailedNamesTheStage) {
  secrets_.insert("Wrong-Pw-31");
  auto wrong = send_json("POST", kBase, example("x", "testdb", "Wrong-Pw-31"));
  EXPECT_NE(expect_databrain_error(wrong, 400, "CREDENTIAL_TEST_FAILED").find("authenticate"),
            std::string::npos);
  json::object closed = example("y");
  closed["credentials"].as_object()["port"] = closed_port();
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, closed), 400, "CREDENTIAL_TEST_FAILED")
                .find("tcp_connect"),
            std::string::npos);
  // Databrain's ssl switch: "enable" against a server without TLS fails at the handshake.
  json::object ssl = example("z");
  ssl["credentials"].as_object()["port"] = services().pg_plain;
  ssl["credentials"].as_object()["ssl"] = "enable";
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, ssl), 400, "CREDENTIAL_TEST_FAILED")
                .find("tls_handshake"),
            std::string::npos);
  ssl["credentials"].as_object()["port"] = services().pg;
  EXPECT_EQ(send_json("POST", kBase, ssl).status, 200);
  EXPECT_EQ(str(native_by_name("z").at("options"), "ssl"), "enable");
  EXPECT_EQ(send("GET", kBase, "", "").json().at("data").as_array().size(),
            1u);  // failures store nothing
}

TEST_F(DatabrainTest, PerTypeCredentialKeysFollowTheCatalogue) {
  // mssql says server and user; host is not one of its keys.
  json::object mssql{{"datasourceType", "mssql"},
                     {"credentials",
                      {{"name", "sql"},
                       {"host", "127.0.0.1"},
                       {"username", "sa"},
                       {"password", "testpass"},
                       {"database", "master"}}}};
  const std::string m =
      expect_databrain_error(send_json("POST", kBase, mssql), 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(m.find("credentials.host"), std::string::npos) << m;
  mssql["credentials"] = json::object{{"name", "sql"},
                                      {"server", "127.0.0.1"},
                                      {"user", "sa"},
                                      {"password", "testpass"},
                                      {"database", "master"}};
  // Accepted as mssql's credentials; this build cannot connect to SQL Server, so its test fails.
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, mssql), 400, "CREDENTIAL_TEST_FAILED")
                .find("mssql"),
            std::string::npos);
  mssql["credentials"].as_object().erase("server");
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, mssql), 400, "INVALID_REQUEST_BODY")
                .find("credentials.server: is required"),
            std::string::npos);
  json::object es{{"datasourceType", "elasticsearch"},
                  {"credentials",
                   {{"name", "search"},
                    {"server_type", "self-managed"},
                    {"host", "127.0.0.1"},
                    {"disableAuth", "maybe"}}}};
  EXPECT_NE(expect_databrain_error(send_json("POST", kBase, es), 400, "INVALID_REQUEST_BODY")
                .find("disableAuth"),
            std::string::npos);
  es["credentials"].as_object()["disableAuth"] = true;
  expect_databrain_error(send_json("POST", kBase, es), 400, "CREDENTIAL_TEST_FAILED");
}

TEST_F(DatabrainTest, AuthenticationErrorWithoutAValidToken) {
  const std::string none;
  const std::string bad = "dbn_live_abc123";
  for (const std::string* token : {&none, &bad}) {
    for (auto [method, target] :
         {std::pair{"POST", kBase}, std::pair{"PUT", kBase}, std::pair{"GET", kBase},
          std::pair{"DELETE", kBase}, std::pair{"POST", "/api/v2/datasource/sync"}}) {
      auto r = send(method, target, json::serialize(example()), "application/json", token);
      expect_databrain_error(r, 401, "AUTHENTICATION_ERROR");
    }
  }
}

// A datasource whose schema cannot be read: the connection and the probe
// work, but the catalog query is refused (pg_constraint revoked from PUBLIC
// in that one database by the superuser).
TEST_F(DatabrainTest, SchemaCacheFailedWhenTheCatalogCannotBeRead) {
  PgScratchDatabase db("dbrain_nocatalog");
  PgSuperuser(db.name()).exec("REVOKE SELECT ON pg_catalog.pg_constraint FROM PUBLIC");
  const std::string m = expect_databrain_error(
      send_json("POST", kBase, example("uncacheable", db.name())), 500, "SCHEMA_CACHE_FAILED");
  EXPECT_NE(m.find("fetch_schema"), std::string::npos) << m;
  EXPECT_TRUE(send("GET", kBase, "", "").json().at("data").as_array().empty());
}

// A stored record that no longer decodes (tampered with in the stopped
// broker's RocksDB) makes reading the list fail inside the server.
TEST_F(DatabrainTest, InternalServerErrorOnACorruptStore) {
  ASSERT_EQ(send_json("POST", kBase, example()).status, 200);
  const std::string id = str(native_by_name("production-postgres"), "id");
  const std::string org = org_id();
  stop();
  {
    auto db = store::open_rocks_store(data_dir() + "/db");
    ASSERT_TRUE(db) << db.error().message;
    store::Batch batch;
    batch.put(store::Family::datasources, org + "/" + id, "\x01not a record");
    ASSERT_TRUE((*db)->write(batch));
  }
  start();
  expect_databrain_error(send("GET", kBase, "", ""), 500, "INTERNAL_SERVER_ERROR");
}

// CREATE_DATASOURCE_FAILED: the test passed, then the store refused the
// write. Provoked for real: restarted with a free-space floor larger than
// its disk (storage.min_free_mb), the broker refuses every write that adds
// data, as it does when its disk runs low.
TEST_F(DatabrainTest, CreateDatasourceFailedWhenTheStoreRefusesTheWrite) {
  ASSERT_EQ(send_json("POST", kBase, example("kept")).status, 200);
  start({{"DSB_STORAGE_MIN_FREE_MB", "1000000000"}});
  const std::string m = expect_databrain_error(send_json("POST", kBase, example("refused")), 500,
                                               "CREATE_DATASOURCE_FAILED");
  EXPECT_NE(m.find("storage.min_free_mb"), std::string::npos) << m;
  EXPECT_EQ(m.find("testpass"), std::string::npos) << m;
  // Nothing of it was kept, and reads still answer.
  const json::value list = send("GET", kBase, "", "").json();
  ASSERT_TRUE(list.is_object()) << json::serialize(list);
  std::vector<std::string> names;
  for (const auto& d : list.at("data").as_array()) names.push_back(str(d, "name"));
  EXPECT_EQ(names, std::vector<std::string>{"kept"});
  // The native API names the cause.
  expect_error(api().post("/v1/logins", json::object{{"name", "ro"}, {"username", "reader"}}), 507,
               "STORAGE_FULL");
}

}  // namespace
}  // namespace dsb::test
