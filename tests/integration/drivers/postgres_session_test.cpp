// A connected PostgreSQL session: schema, queries, databases, timeouts.
#include "tests/integration/drivers/pg_admin.hpp"
#include "tests/integration/drivers/pg_test_fixture.hpp"
#include "tests/integration/drivers/schema_expect.hpp"

namespace dsb::test {
namespace {

using drivers::SchemaFilter;
using drivers::StageReporter;

constexpr const char* kFixtureSql = R"sql(
CREATE SCHEMA sales;
CREATE SCHEMA hr;
CREATE TABLE sales.orders (
  id bigint NOT NULL,
  region text NOT NULL,
  amount numeric(12,2),
  note varchar(40),
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  tags text[],
  PRIMARY KEY (region, id));
CREATE TABLE sales.customers (id serial PRIMARY KEY, name text NOT NULL,
                              email varchar(255), active boolean);
ALTER TABLE sales.customers DROP COLUMN email;
ALTER TABLE sales.customers ADD COLUMN payload jsonb;
CREATE VIEW sales.big_orders AS SELECT id, amount FROM sales.orders WHERE amount > 100;
CREATE TABLE hr.people (person_id uuid PRIMARY KEY, born date,
                        salary double precision NOT NULL, "Mixed Case" char(3));
CREATE MATERIALIZED VIEW hr.salaries AS SELECT person_id, salary FROM hr.people;
CREATE TABLE hr.measurements (at timestamp NOT NULL, value real) PARTITION BY RANGE (at);
CREATE TABLE hr.measurements_2024 PARTITION OF hr.measurements
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
)sql";

constexpr const char* kHrTables = R"(hr.measurements table
  1 at timestamp without time zone not null
  2 value real
hr.people table
  1 person_id uuid not null pk
  2 born date
  3 salary double precision not null
  4 Mixed Case character(3)
hr.salaries view
  1 person_id uuid
  2 salary double precision
)";

constexpr const char* kSalesTables = R"(sales.big_orders view
  1 id bigint
  2 amount numeric(12,2)
sales.customers table
  1 id integer not null pk
  2 name text not null
  3 active boolean
  4 payload jsonb
sales.orders table
  1 id bigint not null pk
  2 region text not null pk
  3 amount numeric(12,2)
  4 note character varying(40)
  5 created_at timestamp with time zone not null
  6 tags text[]
)";

class PostgresSessionTest : public PostgresDriverTest {
 protected:
  Result<drivers::SchemaSnapshot> fetch(drivers::DriverSession& session, const SchemaFilter& filter,
                                        std::vector<boost::json::object>* progress = nullptr) {
    StageReporter reporter([&](const drivers::StageEvent& e) {
      if (progress != nullptr && e.status == "progress") progress->push_back(e.detail);
    });
    reporter.begin("fetch_schema");
    return run_task(session.fetch_schema(filter, reporter, soon()));
  }
};

TEST_F(PostgresSessionTest, FetchesTheExactSchemaOfAFixture) {
  ScratchPgDatabase db("dsb_schema_");
  PgAdmin(db.name()).exec(kFixtureSql);
  auto s = spec("verify-full");
  s.database = db.name();
  auto session = open(s);
  ASSERT_TRUE(session);

  std::vector<boost::json::object> progress;
  auto all = fetch(*session, {}, &progress);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(describe(all->tables), std::string(kHrTables) + kSalesTables);
  EXPECT_GT(all->fetched_at_ms, 0);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), (boost::json::object{{"tables", 6}, {"total", 6}}));

  auto sales = fetch(*session, SchemaFilter{{"sales"}, {}});
  ASSERT_TRUE(sales) << sales.error().message;
  EXPECT_EQ(describe(sales->tables), kSalesTables);

  auto not_sales = fetch(*session, SchemaFilter{{}, {"sales"}});
  ASSERT_TRUE(not_sales) << not_sales.error().message;
  EXPECT_EQ(describe(not_sales->tables), kHrTables);

  auto both_minus_hr = fetch(*session, SchemaFilter{{"hr", "sales"}, {"hr"}});
  ASSERT_TRUE(both_minus_hr);
  EXPECT_EQ(describe(both_minus_hr->tables), kSalesTables);

  auto nothing = fetch(*session, SchemaFilter{{"no_such_schema"}, {}});
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->tables.empty());

  // The session is still usable after the catalog transaction.
  EXPECT_TRUE(run_task(session->probe(soon())));
}

TEST_F(PostgresSessionTest, FetchesTwoThousandTables) {
  ScratchPgDatabase db("dsb_many_");
  // varchar(40), not text: no TOAST table, so fewer files to create.
  PgAdmin(db.name()).exec(
      "CREATE SCHEMA many;"
      "DO $$ BEGIN FOR i IN 1..2000 LOOP"
      "  EXECUTE format('CREATE TABLE many.t%s (id int PRIMARY KEY, name varchar(40) NOT NULL,"
      "                   amount numeric(8,2), seen timestamptz)', i);"
      " END LOOP; END $$;");
  auto s = spec("disable");
  s.database = db.name();
  auto session = open(s);
  ASSERT_TRUE(session);

  std::vector<boost::json::object> progress;
  const auto start = std::chrono::steady_clock::now();
  auto snapshot = fetch(*session, {}, &progress);
  const double elapsed = ms_since(start);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  ASSERT_EQ(snapshot->tables.size(), 2000u);
  EXPECT_LT(elapsed, 3000.0);
  std::printf("fetch_schema of 2,000 tables: %.0f ms\n", elapsed);

  // Byte order: t1, t10, t100, t1000, t1001, ...
  EXPECT_EQ(snapshot->tables[0].name, "t1");
  EXPECT_EQ(snapshot->tables[1].name, "t10");
  EXPECT_EQ(snapshot->tables[3].name, "t1000");
  const auto it = std::find_if(snapshot->tables.begin(), snapshot->tables.end(),
                               [](const drivers::Table& t) { return t.name == "t1234"; });
  ASSERT_NE(it, snapshot->tables.end());
  EXPECT_EQ(describe({*it}),
            "many.t1234 table\n"
            "  1 id integer not null pk\n"
            "  2 name character varying(40) not null\n"
            "  3 amount numeric(8,2)\n"
            "  4 seen timestamp with time zone\n");
  for (const auto& table : snapshot->tables) ASSERT_EQ(table.columns.size(), 4u) << table.name;
  ASSERT_GE(progress.size(), 2u);  // every 1000 tables and at the end
  EXPECT_EQ(progress.back(), (boost::json::object{{"tables", 2000}, {"total", 2000}}));
}

// 10,000 tables x 10 columns: creating them takes ~20 s, so this runs only
// with DSB_TEST_SLOW=1.
TEST_F(PostgresSessionTest, FetchesTenThousandTablesOfTenColumnsQuickly) {
  if (std::getenv("DSB_TEST_SLOW") == nullptr) GTEST_SKIP() << "set DSB_TEST_SLOW=1";
  ScratchPgDatabase db("dsb_huge_");
  PgAdmin admin(db.name());
  admin.exec("CREATE SCHEMA huge");
  admin.exec(  // COMMIT inside DO needs a statement of its own
      "DO $$ BEGIN FOR i IN 1..10000 LOOP"
      "  EXECUTE format('CREATE TABLE huge.t%s (id int PRIMARY KEY, c1 int, c2 bigint,"
      "    c3 text, c4 varchar(20), c5 numeric(8,2), c6 date, c7 boolean, c8 jsonb,"
      "    c9 timestamptz)', i);"
      "  IF i % 1000 = 0 THEN COMMIT; END IF;"
      " END LOOP; END $$;");
  auto s = spec("disable");
  s.database = db.name();
  auto session = open(s);
  ASSERT_TRUE(session);
  const auto start = std::chrono::steady_clock::now();
  auto snapshot = fetch(*session, {});
  const double elapsed = ms_since(start);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  ASSERT_EQ(snapshot->tables.size(), 10000u);
  std::size_t columns = 0;
  for (const auto& table : snapshot->tables) columns += table.columns.size();
  EXPECT_EQ(columns, 100000u);
  EXPECT_LT(elapsed, 3000.0);
  std::printf("fetch_schema of 10,000 tables x 10 columns: %.0f ms\n", elapsed);
}

TEST_F(PostgresSessionTest, QueryBindsParametersVerbatim) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  const std::vector<std::string> nasty = {
      "Robert'); DROP TABLE students;--",
      "' OR '1'='1",
      "$1 $2 ? \\' \\\\ \" `",
      "multi\nline\ttext",
      "unicode: \xc3\xb1 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
  };
  for (const auto& value : nasty) {
    auto rows = run_task((*session).query("SELECT $1::text AS v, $2::text AS n, length($1) AS len",
                                          {value, std::nullopt}, soon()));
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(rows->columns, (std::vector<std::string>{"v", "n", "len"}));
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(rows->rows[0][0], value);
    EXPECT_EQ(rows->rows[0][1], std::nullopt);
  }
  auto nul = run_task(session->query("SELECT $1::text", {std::string("a\0b", 3)}, soon()));
  EXPECT_FALSE(nul);

  auto bad = run_task(session->query("SELEC nonsense", {}, soon()));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "protocol_error");
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos);
  // An error does not break the session.
  EXPECT_EQ(scalar(*session, "SELECT 40 + 2"), "42");
}

TEST_F(PostgresSessionTest, QueryWithoutPrivilegeIsPermissionDenied) {
  ScratchPgDatabase db("dsb_priv_");
  PgAdmin(db.name()).exec("CREATE TABLE secret (x int); REVOKE ALL ON secret FROM PUBLIC");
  auto s = spec("disable");
  s.database = db.name();
  auto session = open(s);
  ASSERT_TRUE(session);
  auto rows = run_task(session->query("SELECT * FROM secret", {}, soon()));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().reason, "permission_denied");
}

TEST_F(PostgresSessionTest, ListsConnectableDatabases) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  auto names = run_task(session->list_databases(soon()));
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_NE(std::find(names->begin(), names->end(), "testdb"), names->end());
  EXPECT_NE(std::find(names->begin(), names->end(), "postgres"), names->end());
  EXPECT_EQ(std::find(names->begin(), names->end(), "template0"), names->end());
  EXPECT_EQ(std::find(names->begin(), names->end(), "template1"), names->end());
  EXPECT_TRUE(std::is_sorted(names->begin(), names->end()));
}

TEST_F(PostgresSessionTest, SlowQueryTimesOutAndTheSessionIsGivenUp) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  const auto start = std::chrono::steady_clock::now();
  auto rows = run_task(session->query("SELECT pg_sleep(5)", {}, drivers::Clock::now() + 300ms));
  const double elapsed = ms_since(start);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().reason, "timeout");
  EXPECT_GE(elapsed, 290.0);
  EXPECT_LT(elapsed, 450.0);
  auto after = run_task(session->probe(soon()));
  EXPECT_FALSE(after);
}

TEST_F(PostgresSessionTest, LargeResultsAndParametersCrossManyReads) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  const std::string big(3 * 1024 * 1024, 'x');  // larger than the socket buffers
  auto echoed = run_task(session->query("SELECT $1::text", {big}, soon()));
  ASSERT_TRUE(echoed) << echoed.error().message;
  EXPECT_EQ(echoed->rows.at(0).at(0), big);
  auto rows = run_task(
      session->query("SELECT g, repeat('y', 100) FROM generate_series(1, 50000) g", {}, soon()));
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->rows.size(), 50000u);
  EXPECT_EQ(rows->rows.back()[0], "50000");
}

TEST(PostgresQuoteIdentifier, DoublesQuotes) {
  auto driver = drivers::make_postgres_driver();
  EXPECT_EQ(driver->quote_identifier("orders"), "\"orders\"");
  EXPECT_EQ(driver->quote_identifier("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(driver->quote_identifier(""), "\"\"");
}

}  // namespace
}  // namespace dsb::test
