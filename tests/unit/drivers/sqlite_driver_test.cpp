// The sqlite driver through its Driver interface, against databases the test
// builds with the sqlite3 library: tables, views, a composite primary key,
// bound parameters, read-only access, a missing file (never created), a file
// that is not a database, and paths that try to leave the file root.
#include "drivers/sqlite/sqlite_driver.hpp"
#include "tests/unit/drivers/csv_sqlite_fixture.hpp"

#include <sqlite3.h>

namespace dsb::test {
namespace {

class SqliteDriverTest : public FileRootTest {
 protected:
  // Creates root/relative and runs `sql` in it.
  void build(const std::string& relative, const std::string& sql) {
    fs::create_directories((root_ / relative).parent_path());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((root_ / relative).c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  void build_shop(const std::string& relative = "shop.db") {
    build(
        relative,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        "  email VARCHAR(200), score REAL DEFAULT 0);"
        "CREATE TABLE order_items (order_id INTEGER NOT NULL, line INT NOT NULL, sku TEXT,"
        "  qty NUMERIC(10,2), PRIMARY KEY (order_id, line)) WITHOUT ROWID;"
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, payload BLOB);"
        "CREATE TABLE untyped (a, b);"
        "CREATE TABLE \"odd \"\"name\"\"\" (\"col one\" TEXT);"
        "CREATE INDEX customers_name ON customers (name);"
        "CREATE VIEW big_customers AS SELECT id, name FROM customers WHERE score > 10;"
        "INSERT INTO customers VALUES (1, 'alice', 'a@example.com', 12), (2, 'O''Brien', NULL, 3);"
        "INSERT INTO events (payload) VALUES (x'00ff');");
  }

  drivers::ConnectionSpec sqlite(const std::string& path) const { return spec("sqlite", path); }

  Session open(const std::string& path) {
    auto session = connect(*driver_, sqlite(path));
    if (!session) {
      ADD_FAILURE() << session.error().message;
      return nullptr;
    }
    return std::move(*session);
  }

  Failure refused(const std::string& path) {
    drivers::StageReporter reporter;
    auto session = connect(*driver_, sqlite(path), reporter);
    if (session) {
      ADD_FAILURE() << "opened " << path;
      return {};
    }
    EXPECT_EQ(trail(reporter),
              (std::vector<std::string>{"tcp_connect:skipped", "tls_handshake:skipped",
                                        "authenticate:failed"}));
    EXPECT_EQ(session.error().stage, "authenticate");
    return session.error();
  }

  std::unique_ptr<drivers::Driver> driver_ = drivers::make_sqlite_driver();
};

TEST_F(SqliteDriverTest, SchemaListsTablesViewsColumnsAndKeys) {
  build_shop();
  drivers::StageReporter reporter;
  auto session = connect(*driver_, sqlite("shop.db"), reporter);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(trail(reporter),
            (std::vector<std::string>{"tcp_connect:skipped", "tls_handshake:skipped",
                                      "authenticate:ok"}));
  EXPECT_TRUE(run_task((*session)->probe(soon())));
  auto snapshot = schema(**session);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  // sqlite_sequence (from AUTOINCREMENT) is internal and left out; the rowid
  // alias is never null; WITHOUT ROWID keys are declared NOT NULL here; a
  // view's columns carry their source's declared type but no constraints.
  EXPECT_EQ(describe(snapshot->tables),
            "main.big_customers view\n"
            "  1 id INTEGER\n"
            "  2 name TEXT\n"
            "main.customers table\n"
            "  1 id INTEGER not null pk\n"
            "  2 name TEXT not null\n"
            "  3 email VARCHAR(200)\n"
            "  4 score REAL\n"
            "main.events table\n"
            "  1 seq INTEGER not null pk\n"
            "  2 payload BLOB\n"
            "main.odd \"name\" table\n"
            "  1 col one TEXT\n"
            "main.order_items table\n"
            "  1 order_id INTEGER not null pk\n"
            "  2 line INT not null pk\n"
            "  3 sku TEXT\n"
            "  4 qty NUMERIC(10,2)\n"
            "main.untyped table\n"
            "  1 a \n"
            "  2 b \n");
}

TEST_F(SqliteDriverTest, QueriesBindParametersAndNeverWrite) {
  build_shop();
  const auto size_before = fs::file_size(root_ / "shop.db");
  const auto mtime_before = fs::last_write_time(root_ / "shop.db");
  auto session = open("shop.db");
  ASSERT_TRUE(session);
  auto rows = run_task(session->query("SELECT id, name, email FROM customers WHERE name = ?",
                                      {std::string("O'Brien")}, soon()));
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"id", "name", "email"}));
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "2");
  EXPECT_EQ(rows->rows[0][1], "O'Brien");
  EXPECT_EQ(rows->rows[0][2], std::nullopt);

  // A value that looks like SQL stays a value.
  rows = run_task(session->query("SELECT count(*) FROM customers WHERE name = ?",
                                 {std::string("x' OR '1'='1")}, soon()));
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->rows[0][0], "0");
  rows = run_task(
      session->query("SELECT ? IS NULL, hex(payload) FROM events", {std::nullopt}, soon()));
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->rows[0][0], "1");
  EXPECT_EQ(rows->rows[0][1], "00FF");

  auto mismatch = run_task(session->query("SELECT ?, ?", {std::string("1")}, soon()));
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().reason, "protocol_error");
  auto two = run_task(session->query("SELECT 1; DELETE FROM customers", {}, soon()));
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().reason, "protocol_error");
  auto write = run_task(session->query("DELETE FROM customers", {}, soon()));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().reason, "permission_denied") << write.error().message;
  auto syntax = run_task(session->query("SELEKT 1", {}, soon()));
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().reason, "protocol_error");
  EXPECT_EQ(syntax.error().stage, "query");

  session.reset();
  EXPECT_EQ(fs::file_size(root_ / "shop.db"), size_before);
  EXPECT_EQ(fs::last_write_time(root_ / "shop.db"), mtime_before);
  EXPECT_FALSE(fs::exists(root_ / "shop.db-journal"));
  EXPECT_FALSE(fs::exists(root_ / "shop.db-wal"));
}

TEST_F(SqliteDriverTest, ListDatabasesIsMain) {
  build_shop();
  auto session = open("shop.db");
  ASSERT_TRUE(session);
  auto databases = run_task(session->list_databases(soon()));
  ASSERT_TRUE(databases) << databases.error().message;
  EXPECT_EQ(*databases, std::vector<std::string>{"main"});
}

TEST_F(SqliteDriverTest, ABrokenViewIsListedWithoutColumns) {
  build("broken.db",
        "CREATE TABLE gone (x INT); CREATE TABLE kept (y TEXT NOT NULL);"
        "CREATE VIEW dangling AS SELECT x FROM gone; DROP TABLE gone;");
  auto session = open("broken.db");
  ASSERT_TRUE(session);
  auto snapshot = schema(*session);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ(describe(snapshot->tables),
            "main.dangling view\nmain.kept table\n  1 y TEXT not null\n");
}

TEST_F(SqliteDriverTest, SchemaFilterExcludingMainGivesNothing) {
  build_shop();
  auto session = open("shop.db");
  ASSERT_TRUE(session);
  drivers::SchemaFilter filter;
  filter.include = {"other"};
  auto snapshot = schema(*session, filter);
  ASSERT_TRUE(snapshot);
  EXPECT_TRUE(snapshot->tables.empty());
}

TEST_F(SqliteDriverTest, AStatementPastItsDeadlineIsInterrupted) {
  build_shop();
  auto session = open("shop.db");
  ASSERT_TRUE(session);
  auto rows = run_task(session->query(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n", {},
      drivers::Clock::now() + 200ms));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().reason, "timeout");
  // The session still works afterwards.
  EXPECT_TRUE(run_task(session->probe(soon())));
}

TEST_F(SqliteDriverTest, MissingFileIsDatabaseNotFoundAndIsNotCreated) {
  const Failure f = refused("missing.db");
  EXPECT_EQ(f.reason, "database_not_found");
  EXPECT_FALSE(fs::exists(root_ / "missing.db"));
  EXPECT_EQ(refused("nodir/missing.db").reason, "database_not_found");
  EXPECT_FALSE(fs::exists(root_ / "nodir"));
}

TEST_F(SqliteDriverTest, AFileThatIsNotADatabaseIsProtocolError) {
  write("notes.db", "this is plain text, long enough to fill a header page............\n");
  const Failure f = refused("notes.db");
  EXPECT_EQ(f.reason, "protocol_error");
  EXPECT_NE(f.message.find("not an SQLite database"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find(root_.string()), std::string::npos) << f.message;
}

TEST_F(SqliteDriverTest, AnEmptyFileIsAnEmptyDatabase) {
  write("empty.db", "");
  auto session = open("empty.db");
  ASSERT_TRUE(session);
  auto snapshot = schema(*session);
  ASSERT_TRUE(snapshot);
  EXPECT_TRUE(snapshot->tables.empty());
  EXPECT_EQ(fs::file_size(root_ / "empty.db"), 0u);
}

TEST_F(SqliteDriverTest, PathsLeavingTheRootAreRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((outside_ / "secret.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE secret (s TEXT)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  fs::create_symlink(outside_ / "secret.db", root_ / "link.db");
  fs::create_symlink(outside_, root_ / "linkdir");
  for (const std::string& path :
       {"../" + outside_.filename().string() + "/secret.db", (outside_ / "secret.db").string(),
        std::string("link.db"), std::string("linkdir/secret.db")}) {
    EXPECT_EQ(refused(path).reason, "path_denied") << path;
  }
  fs::create_directories(root_ / "folder");
  EXPECT_EQ(refused("folder").reason, "path_denied");
}

}  // namespace
}  // namespace dsb::test
