// The csv driver through its Driver interface, with files the test writes:
// stages, inferred schemas, every format quirk, empty and header-only files,
// a 1,000,000-row file, folders, and paths that try to leave the file root.
#include "drivers/csv/csv_driver.hpp"
#include "drivers/blocking_pool.hpp"
#include "drivers/connection_test.hpp"
#include "tests/unit/drivers/csv_sqlite_fixture.hpp"

#include <sys/stat.h>

#include <thread>

namespace dsb::test {
namespace {

class CsvDriverTest : public FileRootTest {
 protected:
  drivers::ConnectionSpec csv(const std::string& path) const { return spec("csv", path); }

  // The schema of `path` (fails the test when connect or fetch fails).
  std::string described(const drivers::ConnectionSpec& s) {
    auto session = connect(*driver_, s);
    if (!session) return "connect failed: " + session.error().message;
    auto snapshot = schema(**session);
    if (!snapshot) return "schema failed: " + snapshot.error().message;
    return describe(snapshot->tables);
  }

  Failure refused(const drivers::ConnectionSpec& s) {
    drivers::StageReporter reporter;
    auto session = connect(*driver_, s, reporter);
    if (session) {
      ADD_FAILURE() << "connected to " << s.options.at("path");
      return {};
    }
    EXPECT_EQ(trail(reporter),
              (std::vector<std::string>{"tcp_connect:skipped", "tls_handshake:skipped",
                                        "authenticate:failed"}));
    return session.error();
  }

  std::unique_ptr<drivers::Driver> driver_ = drivers::make_csv_driver();
};

TEST_F(CsvDriverTest, FileWithHeaderGivesOneTableWithInferredTypes) {
  write("orders.csv",
        "id,price,paid,day,at,name,note\n"
        "1,9.5,true,2024-01-02,2024-01-02T10:00:00Z,alice,\n"
        "2,10,false,2024-01-03,2024-01-03 11:30,bob,hello\n"
        "3,11.25,TRUE,2024-01-04,2024-01-04,carol,\n");
  drivers::StageReporter reporter;
  auto session = connect(*driver_, csv("orders.csv"), reporter);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(trail(reporter),
            (std::vector<std::string>{"tcp_connect:skipped", "tls_handshake:skipped",
                                      "authenticate:ok"}));
  EXPECT_EQ(reporter.stages().back().detail.at("kind"), "file");
  EXPECT_TRUE(run_task((*session)->probe(soon())));
  auto snapshot = schema(**session);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ(describe(snapshot->tables),
            "main.orders table\n"
            "  1 id integer not null\n"
            "  2 price float not null\n"
            "  3 paid boolean not null\n"
            "  4 day date not null\n"
            "  5 at timestamp not null\n"
            "  6 name text not null\n"
            "  7 note text\n");
  EXPECT_GT(snapshot->fetched_at_ms, 0);
}

TEST_F(CsvDriverTest, QuotedHeadersAndFieldsWithCommasLineBreaksAndDoubledQuotes) {
  write("notes.csv",
        "\"id\",\"note, with comma\",\"say \"\"hi\"\"\"\n"
        "1,\"line one\nline two\",\"a \"\"quoted\"\" word\"\n"
        "2,\"x, y\",plain\n"
        "3,\"\",\"\"\n");
  EXPECT_EQ(described(csv("notes.csv")),
            "main.notes table\n"
            "  1 id integer not null\n"
            "  2 note, with comma text\n"
            "  3 say \"hi\" text\n");
}

TEST_F(CsvDriverTest, ByteOrderMarkAndCrlfLineEnds) {
  write("bom.csv", "\xEF\xBB\xBFid,when\r\n1,2024-05-06\r\n2,2024-05-07\r\n");
  EXPECT_EQ(described(csv("bom.csv")),
            "main.bom table\n"
            "  1 id integer not null\n"
            "  2 when date not null\n");
}

TEST_F(CsvDriverTest, ConfigurableDelimiter) {
  write("semi.csv", "a;b;c\n1;x,y;2.5\n");
  auto s = csv("semi.csv");
  s.options["delimiter"] = ";";
  EXPECT_EQ(described(s),
            "main.semi table\n  1 a integer not null\n  2 b text not null\n  3 c float not null\n");
  write("tabs.csv", "a\tb\n1\t\n");
  auto t = csv("tabs.csv");
  t.options["delimiter"] = "\t";
  EXPECT_EQ(described(t), "main.tabs table\n  1 a integer not null\n  2 b text\n");
  auto bad = csv("tabs.csv");
  bad.options["delimiter"] = "ab";
  EXPECT_EQ(refused(bad).reason, "protocol_error");
}

TEST_F(CsvDriverTest, WithoutHeaderColumnsAreNumbered) {
  write("raw.csv", "1,abc,2024-01-01\n2,def,\n");
  auto s = csv("raw.csv");
  s.options["has_header"] = false;
  EXPECT_EQ(described(s),
            "main.raw table\n  1 col1 integer not null\n  2 col2 text not null\n  3 col3 date\n");
  s.options["has_header"] = "false";  // as a form field would send it
  EXPECT_EQ(described(s),
            "main.raw table\n  1 col1 integer not null\n  2 col2 text not null\n  3 col3 date\n");
}

TEST_F(CsvDriverTest, ShortRowsAreNullableAndExtraFieldsAddColumns) {
  write("ragged.csv", "a,,a\n1,2,3\n4\n5,6,7,8\n");
  EXPECT_EQ(described(csv("ragged.csv")),
            "main.ragged table\n"
            "  1 a integer not null\n"
            "  2 col2 integer\n"
            "  3 a_3 integer\n"
            "  4 col4 integer\n");
}

TEST_F(CsvDriverTest, EmptyFileHasATableWithoutColumns) {
  write("empty.csv", "");
  EXPECT_EQ(described(csv("empty.csv")), "main.empty table\n");
}

TEST_F(CsvDriverTest, HeaderOnlyFileHasNullableTextColumns) {
  write("header.csv", "id,name\n");
  EXPECT_EQ(described(csv("header.csv")), "main.header table\n  1 id text\n  2 name text\n");
}

TEST_F(CsvDriverTest, MillionRowFileIsInferredFromABoundedSample) {
  std::string content = "id,amount,label\n";
  content.reserve(32 * 1000 * 1000);
  for (int i = 1; i <= 1'000'000; ++i) {
    // Past the sample, ids turn into text: sampling never reads that far.
    content += i > 900'000 ? "x" : "";
    content +=
        std::to_string(i) + "," + std::to_string(i % 100) + ".5,row" + std::to_string(i) + "\n";
  }
  write("big.csv", content);
  ASSERT_GT(fs::file_size(root_ / "big.csv"), 15u * 1000 * 1000);
  EXPECT_EQ(described(csv("big.csv")),
            "main.big table\n"
            "  1 id integer not null\n"
            "  2 amount float not null\n"
            "  3 label text not null\n");
}

TEST_F(CsvDriverTest, FolderHasOneTablePerCsvFile) {
  write("data/b.csv", "x\n1\n");
  write("data/a.CSV", "y\ntrue\n");
  write("data/notes.txt", "not csv\n");
  write("data/.hidden.csv", "z\n1\n");
  write("data/sub/c.csv", "w\n1\n");
  drivers::StageReporter reporter;
  auto session = connect(*driver_, csv("data"), reporter);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(reporter.stages().back().detail.at("kind"), "folder");
  EXPECT_EQ(reporter.stages().back().detail.at("files"), 2);
  auto snapshot = schema(**session);
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ(describe(snapshot->tables),
            "main.a table\n  1 y boolean not null\nmain.b table\n  1 x integer not null\n");
  // A file added later shows up on the next read.
  write("data/c.csv", "v\n2024-01-01\n");
  snapshot = schema(**session);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->tables.size(), 3u);
}

TEST_F(CsvDriverTest, TheRootItselfIsAFolder) {
  write("one.csv", "a\n1\n");
  EXPECT_EQ(described(csv(".")), "main.one table\n  1 a integer not null\n");
}

TEST_F(CsvDriverTest, PathsLeavingTheRootArePathDenied) {
  write_at(outside_ / "secret.csv", "password\nhunter2\n");
  write("inside/ok.csv", "a\n1\n");
  fs::create_symlink(outside_ / "secret.csv", root_ / "link.csv");
  fs::create_symlink("../outside/secret.csv", root_ / "relative_link.csv");
  fs::create_symlink(outside_, root_ / "linkdir");
  const std::string escape = "../" + outside_.filename().string() + "/secret.csv";
  for (const std::string& path :
       {escape, std::string("inside/../../outside/secret.csv"), (outside_ / "secret.csv").string(),
        std::string("/etc/passwd"), std::string("link.csv"), std::string("relative_link.csv"),
        std::string("linkdir/secret.csv"), std::string("linkdir"), std::string("..")}) {
    const Failure f = refused(csv(path));
    EXPECT_EQ(f.reason, "path_denied") << path << ": " << f.message;
    EXPECT_EQ(f.stage, "authenticate") << path;
    EXPECT_EQ(f.status, 400) << path;
  }
}

TEST_F(CsvDriverTest, SymlinksThatStayInsideTheRootAreFollowed) {
  write("real/data.csv", "a\n1\n");
  fs::create_symlink("real/data.csv", root_ / "alias.csv");
  EXPECT_EQ(described(csv("alias.csv")), "main.alias table\n  1 a integer not null\n");
}

TEST_F(CsvDriverTest, AFolderLeavesOutEntriesThatEscapeTheRoot) {
  write("mixed/in.csv", "a\n1\n");
  write_at(outside_ / "secret.csv", "password\nhunter2\n");
  fs::create_symlink(outside_ / "secret.csv", root_ / "mixed" / "out.csv");
  EXPECT_EQ(described(csv("mixed")), "main.in table\n  1 a integer not null\n");
}

TEST_F(CsvDriverTest, AFileSwappedForAnEscapingSymlinkAfterConnectIsRefused) {
  write("swap.csv", "a\n1\n");
  write_at(outside_ / "secret.csv", "password\nhunter2\n");
  auto session = connect(*driver_, csv("swap.csv"));
  ASSERT_TRUE(session);
  fs::remove(root_ / "swap.csv");
  fs::create_symlink(outside_ / "secret.csv", root_ / "swap.csv");
  auto snapshot = schema(**session);
  ASSERT_FALSE(snapshot);
  EXPECT_EQ(snapshot.error().reason, "path_denied");
  EXPECT_EQ(snapshot.error().stage, "fetch_schema");
}

TEST_F(CsvDriverTest, MissingPathIsDatabaseNotFound) {
  const Failure f = refused(csv("nope.csv"));
  EXPECT_EQ(f.reason, "database_not_found");
  EXPECT_NE(f.message.find("does not exist"), std::string::npos) << f.message;
  EXPECT_FALSE(fs::exists(root_ / "nope.csv"));
}

TEST_F(CsvDriverTest, NoFileRootOrNoPathIsPathDenied) {
  auto s = csv("a.csv");
  s.file_root.clear();
  EXPECT_EQ(refused(s).reason, "path_denied");
  auto no_path = csv("");
  EXPECT_EQ(refused(no_path).reason, "path_denied");
}

TEST_F(CsvDriverTest, AFifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((root_ / "pipe.csv").c_str(), 0600), 0);
  const Failure f = refused(csv("pipe.csv"));
  EXPECT_EQ(f.reason, "path_denied");
  EXPECT_NE(f.message.find("neither a regular file nor a folder"), std::string::npos) << f.message;
}

TEST_F(CsvDriverTest, UnreadableFileIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  write("locked.csv", "a\n");
  fs::permissions(root_ / "locked.csv", fs::perms::none);
  EXPECT_EQ(refused(csv("locked.csv")).reason, "permission_denied");
}

TEST_F(CsvDriverTest, QueriesAreNotSupportedAndTheOnlyDatabaseIsMain) {
  write("q.csv", "a\n1\n");
  auto session = connect(*driver_, csv("q.csv"));
  ASSERT_TRUE(session);
  auto rows = run_task((*session)->query("SELECT 1", {}, soon()));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().status, 501);
  EXPECT_EQ(rows.error().reason, "protocol_error");
  auto databases = run_task((*session)->list_databases(soon()));
  ASSERT_TRUE(databases);
  EXPECT_EQ(*databases, std::vector<std::string>{"main"});
}

TEST_F(CsvDriverTest, SchemaFilterAndDeadline) {
  write("f.csv", "a\n1\n");
  auto session = connect(*driver_, csv("f.csv"));
  ASSERT_TRUE(session);
  drivers::SchemaFilter exclude;
  exclude.exclude = {"main"};
  auto none = schema(**session, exclude);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->tables.empty());
  drivers::StageReporter reporter;
  auto late = run_task((*session)->fetch_schema({}, reporter, drivers::Clock::now() - 1s));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().reason, "timeout");
}

TEST_F(CsvDriverTest, AConnectionTestThroughTheRegistryRunsEveryStage) {
  write("data/a.csv", "x\n1\n");
  drivers::TestRequest request;
  request.spec = csv("data");
  request.fetch_schema = true;
  const drivers::EgressPolicy egress;
  drivers::StageReporter reporter;
  auto outcome = run_task(drivers::run_connection_test(request, egress, reporter));
  ASSERT_FALSE(outcome.failure) << outcome.failure->message;
  EXPECT_EQ(trail(reporter),
            (std::vector<std::string>{"validate:ok", "tcp_connect:skipped", "tls_handshake:skipped",
                                      "authenticate:ok", "probe_query:ok", "fetch_schema:ok"}));
  ASSERT_TRUE(outcome.schema);
  EXPECT_EQ(describe(outcome.schema->tables), "main.a table\n  1 x integer not null\n");

  request.spec = csv("../escape.csv");
  drivers::StageReporter denied;
  outcome = run_task(drivers::run_connection_test(request, egress, denied));
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->status, 400);
  EXPECT_EQ(outcome.failure->code, "CREDENTIAL_TEST_FAILED");
  EXPECT_EQ(outcome.failure->reason, "path_denied");
  EXPECT_EQ(outcome.failure->stage, "authenticate");
}

TEST_F(CsvDriverTest, BlockingWorkRunsOffTheCallingThreadAndResumesOnIt) {
  const auto caller = std::this_thread::get_id();
  auto [worker, resumed] =
      run_task([]() -> boost::asio::awaitable<std::pair<std::thread::id, std::thread::id>> {
        auto job = [] { return std::this_thread::get_id(); };
        auto id = co_await drivers::run_blocking(std::move(job));
        co_return std::make_pair(id, std::this_thread::get_id());
      }());
  EXPECT_NE(worker, caller);
  EXPECT_EQ(resumed, caller);
}

}  // namespace
}  // namespace dsb::test
