// The schema cache against a real PostgreSQL fixture database: the exact
// cached content (types, nullability, keys, views, ordinals, several
// schemas), ETag and 304, the ?schema= filter, options.schemas include and
// exclude, refresh after a change, deletion with its datasource, and a
// database of 2,000 tables.
#include "store/store.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/api/sql_admin.hpp"

#include <boost/json/serialize.hpp>

namespace dsb::test {
namespace {

constexpr const char* kFixture = R"sql(
CREATE SCHEMA sales AUTHORIZATION testuser;
CREATE SCHEMA inventory AUTHORIZATION testuser;
CREATE SCHEMA audit AUTHORIZATION testuser;
CREATE TABLE sales.customers (
  id integer PRIMARY KEY,
  name varchar(80) NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE sales.order_lines (
  order_id bigint NOT NULL,
  line_no smallint NOT NULL,
  sku char(8),
  amount numeric(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no));
CREATE VIEW sales.big_orders AS
  SELECT order_id, sum(amount) AS total FROM sales.order_lines GROUP BY order_id;
CREATE MATERIALIZED VIEW sales.customer_count AS SELECT count(*) AS n FROM sales.customers;
CREATE TABLE inventory.stock (sku char(8) NOT NULL, warehouse text, qty integer, note jsonb);
CREATE TABLE audit.events (id bigserial PRIMARY KEY, at timestamp, payload bytea);
CREATE TABLE public.settings (key text PRIMARY KEY, value boolean);
)sql";

json::object col(const char* name, const char* type, bool nullable, bool pk, int ordinal) {
  return {{"name", name},
          {"type", type},
          {"nullable", nullable},
          {"primary_key", pk},
          {"ordinal", ordinal}};
}

json::object table(const char* name, const char* kind, json::array columns) {
  return {{"name", name}, {"kind", kind}, {"columns", std::move(columns)}};
}

json::object schema(const char* name, json::array tables) {
  return {{"name", name}, {"tables", std::move(tables)}};
}

// What the cache must hold for kFixture: schemas and tables sorted by name.
json::array expected_schemas() {
  return {
      schema("audit", {table("events", "table",
                             {col("id", "bigint", false, true, 1),
                              col("at", "timestamp without time zone", true, false, 2),
                              col("payload", "bytea", true, false, 3)})}),
      schema("inventory", {table("stock", "table",
                                 {col("sku", "character(8)", false, false, 1),
                                  col("warehouse", "text", true, false, 2),
                                  col("qty", "integer", true, false, 3),
                                  col("note", "jsonb", true, false, 4)})}),
      schema("public", {table("settings", "table",
                              {col("key", "text", false, true, 1),
                               col("value", "boolean", true, false, 2)})}),
      schema("sales", {table("big_orders", "view",
                             {col("order_id", "bigint", true, false, 1),
                              col("total", "numeric", true, false, 2)}),
                       table("customer_count", "view", {col("n", "bigint", true, false, 1)}),
                       table("customers", "table",
                             {col("id", "integer", false, true, 1),
                              col("name", "character varying(80)", false, false, 2),
                              col("email", "text", true, false, 3),
                              col("created_at", "timestamp with time zone", false, false, 4)}),
                       table("order_lines", "table",
                             {col("order_id", "bigint", false, true, 1),
                              col("line_no", "smallint", false, true, 2),
                              col("sku", "character(8)", true, false, 3),
                              col("amount", "numeric(10,2)", false, false, 4)})}),
  };
}

std::vector<std::string> schema_names(const HttpResult& r) {
  std::vector<std::string> out;
  const auto v = r.json();
  if (!v.is_object()) return out;
  for (const auto& s : v.at("schemas").as_array()) out.push_back(str(s, "name"));
  return out;
}

class SchemaCacheTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    db_ = std::make_unique<PgScratchDatabase>("api_schema");
    PgSuperuser(db_->name()).exec(kFixture);
  }

  // Creates (and tests) a datasource on the fixture; returns its id.
  std::string create(const std::string& name, const std::string& schemas = {}) {
    auto body = pg_datasource(name, db_->name());
    if (!schemas.empty()) body["options"] = json::object{{"schemas", schemas}};
    auto r = api().post("/v1/datasources", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return str(r.json(), "id");
  }

  std::unique_ptr<PgScratchDatabase> db_;
};

TEST_F(SchemaCacheTest, ServesTheExactSchema) {
  auto made = api().post("/v1/datasources", pg_datasource("fixture", db_->name()));
  ASSERT_EQ(made.status, 201) << made.body;
  const auto info = made.json().at("schema_info");
  EXPECT_EQ(info.at("tables"), json::value(7));
  const std::string id = str(made.json(), "id");

  auto r = api().get("/v1/datasources/" + id + "/schema");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  const auto v = r.json();
  ASSERT_TRUE(v.is_object()) << r.body;
  EXPECT_EQ(v.at("schemas"), json::value(expected_schemas()))
      << "got:  " << json::serialize(v.at("schemas"))
      << "\nwant: " << json::serialize(expected_schemas());
  EXPECT_EQ(str(v, "datasource_id"), id);
  EXPECT_EQ(v.at("tables"), json::value(7));
  EXPECT_EQ(str(v, "hash"), str(info, "hash"));
  EXPECT_EQ(str(v, "fetched_at"), str(info, "fetched_at"));
  EXPECT_EQ(r.header("etag"), "\"" + str(info, "hash") + "\"");
}

TEST_F(SchemaCacheTest, EtagAndIfNoneMatch) {
  const std::string path = "/v1/datasources/" + create("fixture") + "/schema";
  auto first = api().get(path);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string etag = first.header("etag");
  ASSERT_FALSE(etag.empty());

  auto same = api().get(path, {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.header("etag"), etag);

  auto other = api().get(path, {{"If-None-Match", "\"0000\""}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, first.body);
  // The same content always has the same tag.
  EXPECT_EQ(api().get(path).header("etag"), etag);
}

TEST_F(SchemaCacheTest, SchemaQueryParameterFilters) {
  const std::string path = "/v1/datasources/" + create("fixture") + "/schema";
  auto sales = api().get(path + "?schema=sales");
  ASSERT_EQ(sales.status, 200) << sales.body;
  EXPECT_EQ(sales.json().at("schemas"), json::value(json::array{expected_schemas()[3]}));
  auto none = api().get(path + "?schema=no_such_schema");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json().at("schemas"), json::value(json::array{}));
}

TEST_F(SchemaCacheTest, OptionsSchemasIncludeAndExclude) {
  const std::string only = create("only", "sales, inventory");
  EXPECT_EQ(schema_names(api().get("/v1/datasources/" + only + "/schema")),
            (std::vector<std::string>{"inventory", "sales"}));
  const std::string without = create("without", "!audit");
  EXPECT_EQ(schema_names(api().get("/v1/datasources/" + without + "/schema")),
            (std::vector<std::string>{"inventory", "public", "sales"}));
  const std::string both = create("both", "sales,inventory,!inventory");
  auto r = api().get("/v1/datasources/" + both + "/schema");
  EXPECT_EQ(schema_names(r), (std::vector<std::string>{"sales"}));
  EXPECT_EQ(r.json().at("tables"), json::value(4));

  // An unsaved test with ?schema=true honours the filter too.
  auto body = pg_datasource("unsaved", db_->name());
  body["options"] = json::object{{"schemas", "public"}};
  auto t = api().post("/v1/datasources/test?schema=true", body);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json().at("tables"), json::value(1));
  EXPECT_EQ(str(stage(t.json().at("stages"), "fetch_schema"), "status"), "ok");
}

TEST_F(SchemaCacheTest, RefreshAfterAChangeChangesTheHash) {
  const std::string id = create("fixture");
  const std::string path = "/v1/datasources/" + id + "/schema";
  const std::string before = api().get(path).header("etag");

  PgSuperuser(db_->name()).exec("CREATE TABLE sales.refunds (id int PRIMARY KEY, reason text)");
  EXPECT_EQ(api().get(path).header("etag"), before);  // still the cached one

  auto refreshed = api().post_empty(path + "/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const auto info = refreshed.json().at("schema_info");
  EXPECT_EQ(info.at("tables"), json::value(8));
  EXPECT_NE("\"" + str(info, "hash") + "\"", before);
  EXPECT_EQ(stage_names(refreshed.json().at("test").at("stages")).back(), "done");

  auto after = api().get(path, {{"If-None-Match", before}});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.header("etag"), "\"" + str(info, "hash") + "\"");
  EXPECT_NE(after.body.find("\"refunds\""), std::string::npos);
  EXPECT_EQ(api().get("/v1/datasources/" + id).json().at("schema_info"), info);
}

TEST_F(SchemaCacheTest, UntestedDatasourceHasNoSchemaUntilRefreshed) {
  auto made = api().post("/v1/datasources?test=false", pg_datasource("later", db_->name()));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string path = "/v1/datasources/" + str(made.json(), "id") + "/schema";
  expect_error(api().get(path), 404, "SCHEMA_NOT_CACHED");
  ASSERT_EQ(api().post_empty(path + "/refresh").status, 200);
  EXPECT_EQ(api().get(path).json().at("tables"), json::value(7));
}

// Keys of the schemas column family, read from the stopped broker's RocksDB.
std::vector<std::string> snapshot_keys(const std::string& data_dir) {
  auto db = store::open_rocks_store(data_dir + "/db");
  EXPECT_TRUE(db) << (db ? "" : db.error().message);
  if (!db) return {};
  auto rows = (*db)->scan(store::Family::schemas, "", "", 100000);
  EXPECT_TRUE(rows);
  std::vector<std::string> keys;
  if (rows)
    for (const auto& kv : *rows) keys.push_back(kv.key);
  return keys;
}

TEST_F(SchemaCacheTest, DeletingTheDatasourceDeletesItsSchema) {
  const std::string keep = create("keep");
  const std::string gone = create("gone");
  ASSERT_EQ(api().del("/v1/datasources/" + gone).status, 204);
  expect_error(api().get("/v1/datasources/" + gone + "/schema"), 404, "NOT_FOUND");
  EXPECT_EQ(api().get("/v1/datasources/" + keep + "/schema").status, 200);

  stop();
  const auto keys = snapshot_keys(data_dir());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_NE(keys[0].find(keep), std::string::npos);
  start();

  // The name is free again and the new datasource gets its own snapshot.
  const std::string again = create("gone");
  EXPECT_NE(again, gone);
  auto r = api().get("/v1/datasources/" + again + "/schema");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("tables"), json::value(7));
}

using SchemaCacheLargeTest = ApiTest;

TEST_F(SchemaCacheLargeTest, TwoThousandTables) {
  PgScratchDatabase db("api_big");
  {
    PgSuperuser admin(db.name());
    // Batches keep each transaction's lock count well under the server's limit.
    for (int first = 1; first <= 2000; first += 250)
      admin.exec("DO $$ BEGIN FOR i IN " + std::to_string(first) + ".." +
                 std::to_string(first + 249) +
                 " LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text, "
                 "amount numeric(12,2))', i); END LOOP; END $$");
  }
  auto made = api().post("/v1/datasources", pg_datasource("big", db.name()));
  ASSERT_EQ(made.status, 201) << made.body.substr(0, 2000);
  EXPECT_EQ(made.json().at("schema_info").at("tables"), json::value(2000));
  auto r = api().get("/v1/datasources/" + str(made.json(), "id") + "/schema");
  ASSERT_EQ(r.status, 200);
  const auto v = r.json();
  ASSERT_EQ(v.at("schemas").as_array().size(), 1u);
  const auto& tables = v.at("schemas").as_array().at(0).at("tables").as_array();
  EXPECT_EQ(tables.size(), 2000u);
  for (const auto& tbl : tables) ASSERT_EQ(tbl.at("columns").as_array().size(), 3u);
  EXPECT_EQ(v.at("tables"), json::value(2000));
}

}  // namespace
}  // namespace dsb::test
