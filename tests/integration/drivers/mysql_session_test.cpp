// A connected MariaDB session: schema, queries, databases, timeouts.
#include "tests/integration/drivers/mysql_admin.hpp"
#include "tests/integration/drivers/mysql_test_fixture.hpp"
#include "tests/integration/drivers/schema_expect.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace dsb::test {
namespace {

using drivers::SchemaFilter;
using drivers::StageReporter;

std::string fill(std::string text, const std::string& a, const std::string& b) {
  for (auto at = text.find("{a}"); at != std::string::npos; at = text.find("{a}")) {
    text.replace(at, 3, a);
  }
  for (auto at = text.find("{b}"); at != std::string::npos; at = text.find("{b}")) {
    text.replace(at, 3, b);
  }
  return text;
}

constexpr const char* kFixtureSql = R"sql(
CREATE TABLE `{a}`.orders (
  id BIGINT NOT NULL,
  region VARCHAR(16) NOT NULL,
  amount DECIMAL(12,2),
  note TEXT,
  created_at DATETIME NOT NULL,
  flags SET('x','y'),
  PRIMARY KEY (region, id));
CREATE TABLE `{a}`.customers (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL, email VARCHAR(255) UNIQUE, active TINYINT(1));
CREATE VIEW `{a}`.big_orders AS SELECT id, amount FROM `{a}`.orders WHERE amount > 100;
CREATE TABLE `{b}`.people (person_id CHAR(36) NOT NULL PRIMARY KEY, born DATE,
  salary DOUBLE NOT NULL, `Mixed Case` CHAR(3));
CREATE TABLE `{b}`.no_pk (code VARCHAR(10) NOT NULL UNIQUE, v JSON);
)sql";

// A UNIQUE NOT NULL column shows as COLUMN_KEY='PRI' when a table has no
// primary key; the driver reads real primary keys only (no_pk.code).
constexpr const char* kTablesA = R"({a}.big_orders view
  1 id bigint(20) not null
  2 amount decimal(12,2)
{a}.customers table
  1 id int(10) unsigned not null pk
  2 name varchar(100) not null
  3 email varchar(255)
  4 active tinyint(1)
{a}.orders table
  1 id bigint(20) not null pk
  2 region varchar(16) not null pk
  3 amount decimal(12,2)
  4 note text
  5 created_at datetime not null
  6 flags set('x','y')
)";

constexpr const char* kTablesB = R"({b}.no_pk table
  1 code varchar(10) not null
  2 v longtext
{b}.people table
  1 person_id char(36) not null pk
  2 born date
  3 salary double not null
  4 Mixed Case char(3)
)";

class MysqlSessionTest : public MysqlDriverTest {
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

TEST_F(MysqlSessionTest, FetchesTheExactSchemaOfAFixture) {
  // Two databases ("schemas" in MySQL) named so that a sorts before b.
  ScratchMysqlDatabase a("dsb_a_schema_");
  ScratchMysqlDatabase b("dsb_b_schema_");
  MysqlAdmin().exec(fill(kFixtureSql, a.name(), b.name()));
  ScratchMysqlUser user(
      "dsb_owner_", "ownerpass",
      "GRANT ALL ON `" + a.name() + "`.* TO {user}; GRANT ALL ON `" + b.name() + "`.* TO {user}");
  auto s = spec("verify-full");
  s.username = user.name();
  s.password = "ownerpass";
  s.database = a.name();
  auto session = open(s);
  ASSERT_TRUE(session);
  const std::string tables_a = fill(kTablesA, a.name(), b.name());
  const std::string tables_b = fill(kTablesB, a.name(), b.name());

  std::vector<boost::json::object> progress;
  auto own = fetch(*session, {}, &progress);  // the connection's database only
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(describe(own->tables), tables_a);
  EXPECT_GT(own->fetched_at_ms, 0);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), (boost::json::object{{"tables", 3}, {"total", 3}}));

  auto both = fetch(*session, SchemaFilter{{a.name(), b.name()}, {}});
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(describe(both->tables), tables_a + tables_b);

  auto only_b = fetch(*session, SchemaFilter{{a.name(), b.name()}, {a.name()}});
  ASSERT_TRUE(only_b) << only_b.error().message;
  EXPECT_EQ(describe(only_b->tables), tables_b);

  auto excluded = fetch(*session, SchemaFilter{{}, {a.name()}});
  ASSERT_TRUE(excluded);
  EXPECT_TRUE(excluded->tables.empty());

  // Without a database: every database the user can see.
  auto t = spec("disable");
  t.username = user.name();
  t.password = "ownerpass";
  t.database.clear();
  auto unscoped = open(t);
  ASSERT_TRUE(unscoped);
  auto all = fetch(*unscoped, {});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(describe(all->tables), tables_a + tables_b);
}

TEST_F(MysqlSessionTest, FetchesTwoThousandTables) {
  ScratchMysqlDatabase db("dsb_many_");
  // MEMORY tables (one file each instead of two) created by 8 clients at
  // once: MariaDB spends most of a CREATE TABLE waiting for its DDL log, so
  // this builds the fixture about 6 times faster than one client does.
  constexpr int kClients = 8;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::string sql;
      for (int i = 1 + c; i <= 2000; i += kClients) {
        sql += "CREATE TABLE `" + db.name() + "`.t" + std::to_string(i) +
               " (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, amount DECIMAL(8,2),"
               " seen DATETIME) ENGINE=MEMORY;";
      }
      MysqlAdmin().exec(sql);
    });
  }
  for (auto& client : clients) client.join();
  MysqlAdmin().exec("GRANT SELECT ON `" + db.name() + "`.* TO 'testuser'@'%'");
  auto s = spec("disable");
  s.database = db.name();
  auto session = open(s);
  ASSERT_TRUE(session);

  std::vector<boost::json::object> progress;
  const auto start = std::chrono::steady_clock::now();
  auto snapshot = fetch(*session, {}, &progress);
  const double elapsed = ms_since(start);
  MysqlAdmin().exec("REVOKE SELECT ON `" + db.name() + "`.* FROM 'testuser'@'%'");
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  ASSERT_EQ(snapshot->tables.size(), 2000u);
  std::printf("fetch_schema of 2,000 tables: %.0f ms\n", elapsed);
  EXPECT_EQ(snapshot->tables[0].name, "t1");
  EXPECT_EQ(snapshot->tables[1].name, "t10");
  EXPECT_EQ(snapshot->tables[3].name, "t1000");
  const auto it = std::find_if(snapshot->tables.begin(), snapshot->tables.end(),
                               [](const drivers::Table& t) { return t.name == "t1234"; });
  ASSERT_NE(it, snapshot->tables.end());
  EXPECT_EQ(describe({*it}), db.name() +
                                 ".t1234 table\n"
                                 "  1 id int(11) not null pk\n"
                                 "  2 name varchar(40) not null\n"
                                 "  3 amount decimal(8,2)\n"
                                 "  4 seen datetime\n");
  for (const auto& table : snapshot->tables) ASSERT_EQ(table.columns.size(), 4u) << table.name;
  ASSERT_GE(progress.size(), 2u);
  EXPECT_EQ(progress.back(), (boost::json::object{{"tables", 2000}, {"total", 2000}}));
}

const std::vector<std::string>& nasty_values() {
  static const std::vector<std::string> values = {
      "Robert'); DROP TABLE students;--",
      "' OR '1'='1",
      "?",
      "a ? b ?? c",
      "\\' \\\\ \\",
      "\" ` \\\" '' ''' \\n",
      "multi\nline\ttext\r\x1a",
      std::string("nul\0byte", 8),
      "unicode: \xc3\xb1 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
      "\xbf\x27 OR 1=1 -- ",  // the classic GBK trick is inert under utf8mb4
  };
  return values;
}

void expect_verbatim(drivers::DriverSession& session) {
  for (const auto& value : nasty_values()) {
    auto rows = run_task(session.query("SELECT ? AS v, ? AS n, '?' AS q, CHAR_LENGTH(?) AS len",
                                       {value, std::nullopt, value}, drivers::Clock::now() + 10s));
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(rows->columns, (std::vector<std::string>{"v", "n", "q", "len"}));
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(rows->rows[0][0], value);
    EXPECT_EQ(rows->rows[0][1], std::nullopt);
    EXPECT_EQ(rows->rows[0][2], "?");
  }
}

TEST_F(MysqlSessionTest, QueryBindsParametersVerbatim) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  expect_verbatim(*session);

  // The escaping follows the server's mode.
  auto mode = run_task(session->query(
      "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", {}, soon()));
  ASSERT_TRUE(mode) << mode.error().message;
  expect_verbatim(*session);

  auto too_few = run_task(session->query("SELECT ?, ?", {std::string("x")}, soon()));
  EXPECT_FALSE(too_few);
  auto too_many = run_task(session->query("SELECT ?", {std::string("x"), std::nullopt}, soon()));
  EXPECT_FALSE(too_many);
  // Not a multi-statement connection: a second statement is a syntax error.
  auto stacked = run_task(session->query("SELECT 1; SELECT 2", {}, soon()));
  ASSERT_FALSE(stacked);
  EXPECT_EQ(stacked.error().reason, "protocol_error");
  EXPECT_EQ(scalar(*session, "SELECT 40 + 2"), "42");
}

TEST_F(MysqlSessionTest, QueryWithoutPrivilegeIsPermissionDenied) {
  auto session = open(spec("disable"));
  ASSERT_TRUE(session);
  auto rows = run_task(session->query("SELECT * FROM mysql.user", {}, soon()));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().reason, "permission_denied") << rows.error().message;
  EXPECT_EQ(scalar(*session, "SELECT 1"), "1");
}

TEST_F(MysqlSessionTest, ListsDatabasesWithoutSystemOnes) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  auto names = run_task(session->list_databases(soon()));
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_NE(std::find(names->begin(), names->end(), "testdb"), names->end());
  EXPECT_EQ(std::find(names->begin(), names->end(), "information_schema"), names->end());
  EXPECT_TRUE(std::is_sorted(names->begin(), names->end()));
}

TEST_F(MysqlSessionTest, SlowQueryTimesOutAndTheSessionIsGivenUp) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  const auto start = std::chrono::steady_clock::now();
  auto rows = run_task(session->query("SELECT SLEEP(5)", {}, drivers::Clock::now() + 300ms));
  const double elapsed = ms_since(start);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().reason, "timeout");
  EXPECT_GE(elapsed, 290.0);
  EXPECT_LT(elapsed, 450.0);
  EXPECT_FALSE(run_task(session->probe(soon())));
  const auto closing = std::chrono::steady_clock::now();
  session.reset();  // must not wait for the server
  EXPECT_LT(ms_since(closing), 50.0);
}

TEST_F(MysqlSessionTest, LargeResultsAndParametersCrossManyReads) {
  auto session = open(spec("verify-full"));
  ASSERT_TRUE(session);
  const std::string big(3 * 1024 * 1024, 'x');
  auto echoed = run_task(session->query("SELECT ?", {big}, soon()));
  ASSERT_TRUE(echoed) << echoed.error().message;
  EXPECT_EQ(echoed->rows.at(0).at(0), big);
  auto rows =
      run_task(session->query("SELECT seq, REPEAT('y', 100) FROM seq_1_to_50000", {}, soon()));
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->rows.size(), 50000u);
  EXPECT_EQ(rows->rows.back()[0], "50000");
}

TEST(MysqlQuoteIdentifier, DoublesBackticks) {
  auto driver = drivers::make_mysql_driver();
  EXPECT_EQ(driver->quote_identifier("orders"), "`orders`");
  EXPECT_EQ(driver->quote_identifier("we`ird"), "`we``ird`");
}

}  // namespace
}  // namespace dsb::test
