// Queries through the ClickHouse driver: parameters bound as escaped string
// literals (18.16 has no server-side parameters), values as text, errors as
// reasons; and the pure pieces (binding, error parsing, JSONCompact) alone.
#include "drivers/clickhouse/ch_errors.hpp"
#include "drivers/clickhouse/ch_json.hpp"
#include "drivers/clickhouse/ch_sql.hpp"
#include "tests/integration/drivers/clickhouse_test_fixture.hpp"

namespace dsb::test {
namespace {

namespace ch = drivers::clickhouse;

TEST_F(ClickHouseDriverTest, ParametersRoundTripEveryByteAsAValue) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  const std::string tricky[] = {
      "plain",
      "O'Brien",
      "back\\slash\\",
      "new\nline\ttab\rcr",
      std::string("nul\0byte", 8),
      "\x01\x1f\x7f controls",
      "ünïcödé ✓",
      "x' OR '1'='1",
      "'; DROP TABLE t; --",
      "?",
  };
  for (const std::string& value : tricky) {
    auto rows = query(*session, "SELECT ?, length(?)", {value, value});
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(rows->rows[0][0], value);
    EXPECT_EQ(rows->rows[0][1], std::to_string(value.size()));
  }
  EXPECT_EQ(scalar(*session, "SELECT isNull(?)", {std::nullopt}), "1");
  // Numbers need a conversion: every parameter is a String literal.
  EXPECT_EQ(scalar(*session, "SELECT number FROM system.numbers WHERE number = toUInt64(?) LIMIT 1",
                   {std::string("7")}),
            "7");
}

TEST_F(ClickHouseDriverTest, QuestionMarksInLiteralsIdentifiersAndCommentsAreNotParameters) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  auto rows = query(*session,
                    "SELECT '?' AS `a?`, \"b\" FROM (SELECT 1 AS b) -- why?\n"
                    "WHERE ? = 'x' /* really? */",
                    {std::string("x")});
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"a?", "b"}));
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "?");

  auto mismatch = query(*session, "SELECT ?, ?", {std::string("1")});
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().reason, "protocol_error");
  EXPECT_EQ(mismatch.error().stage, "query");
}

TEST_F(ClickHouseDriverTest, ValuesComeBackAsText) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  auto rows = query(*session,
                    "SELECT toUInt64(18446744073709551615) AS big, -1.5 AS f, [1, 2] AS arr,"
                    " NULL AS n, 'a\"b' AS s, toDate('2024-02-29') AS d, (1, 'x') AS t,"
                    " 1 = 1 AS yes");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->columns,
            (std::vector<std::string>{"big", "f", "arr", "n", "s", "d", "t", "yes"}));
  ASSERT_EQ(rows->rows.size(), 1u);
  const drivers::Row& r = rows->rows[0];
  EXPECT_EQ(r[0], "18446744073709551615");
  EXPECT_EQ(r[1], "-1.5");
  EXPECT_EQ(r[2], "[1,2]");
  EXPECT_EQ(r[3], std::nullopt);
  EXPECT_EQ(r[4], "a\"b");
  EXPECT_EQ(r[5], "2024-02-29");
  EXPECT_EQ(r[6], "[1,\"x\"]");
  EXPECT_EQ(r[7], "1");
  // A statement without a result set.
  auto none = query(*session, "SELECT 1 WHERE 0");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->rows.empty());
}

TEST_F(ClickHouseDriverTest, QueryErrorsHaveReasonsAndCleanMessages) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  auto syntax = query(*session, "SELEKT 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().reason, "protocol_error");
  EXPECT_EQ(syntax.error().stage, "query");
  EXPECT_NE(syntax.error().message.find("Syntax error"), std::string::npos)
      << syntax.error().message;
  EXPECT_EQ(syntax.error().message.find("DB::Exception"), std::string::npos);

  auto no_db = query(*session, "SELECT * FROM " + unique_name("no_db_") + ".t");
  ASSERT_FALSE(no_db);
  EXPECT_EQ(no_db.error().reason, "database_not_found") << no_db.error().message;

  auto other_format = query(*session, "SELECT 1 FORMAT TabSeparated");
  ASSERT_FALSE(other_format);
  EXPECT_EQ(other_format.error().reason, "protocol_error");
  EXPECT_NE(other_format.error().message.find("JSONCompact"), std::string::npos);
}

TEST_F(ClickHouseDriverTest, ListDatabasesAndQuoteIdentifier) {
  auto session = open(spec());
  ASSERT_TRUE(session);
  auto databases = run_task(session->list_databases(soon()));
  ASSERT_TRUE(databases) << databases.error().message;
  EXPECT_NE(std::find(databases->begin(), databases->end(), "default"), databases->end());
  EXPECT_NE(std::find(databases->begin(), databases->end(), "system"), databases->end());
  EXPECT_EQ(driver_->quote_identifier("we`ird\\name"), "`we\\`ird\\\\name`");
  EXPECT_EQ(scalar(*session, "SELECT 1 AS " + driver_->quote_identifier("we`ird\\name") +
                                 " FORMAT JSONCompact"),
            "1");
}

TEST(ClickHouseSql, QuoteStringEscapesByClickHouseRules) {
  EXPECT_EQ(ch::quote_string("a'b\\c"), "'a\\'b\\\\c'");
  EXPECT_EQ(ch::quote_string(std::string("\0\n\r\t\b\f", 6)), "'\\0\\n\\r\\t\\b\\f'");
  EXPECT_EQ(ch::quote_string("\x01\x7f"), "'\\x01\\x7F'");
  EXPECT_EQ(ch::quote_string("ü"), "'ü'");
}

TEST(ClickHouseSql, BindSkipsQuotedTextAndComments) {
  auto bound = ch::bind_parameters("SELECT ?, '?''?', `?`, \"?\", ? -- ?\n/* ? */ ?",
                                   {std::string("a"), std::nullopt, std::string("c")}, "query");
  ASSERT_TRUE(bound);
  EXPECT_EQ(*bound, "SELECT 'a', '?''?', `?`, \"?\", NULL -- ?\n/* ? */ 'c'");
  auto escaped_quote = ch::bind_parameters("SELECT 'it\\'s ?', ?", {std::string("x")}, "query");
  ASSERT_TRUE(escaped_quote);
  EXPECT_EQ(*escaped_quote, "SELECT 'it\\'s ?', 'x'");
  EXPECT_FALSE(ch::bind_parameters("SELECT ?", {}, "query"));
  EXPECT_FALSE(ch::bind_parameters("SELECT 1", {std::string("x")}, "query"));
}

TEST(ClickHouseErrors, ParsesOldAndNewExceptionFormats) {
  auto old = ch::parse_exception(
      "Code: 193, e.displayText() = DB::Exception: Wrong password for user u, e.what() = "
      "DB::Exception\n");
  EXPECT_EQ(old.code, 193);
  EXPECT_EQ(old.text, "Wrong password for user u");
  auto modern = ch::parse_exception(
      "Code: 81. DB::Exception: Database x doesn't exist. (UNKNOWN_DATABASE) (version 23.3.1.1)\n");
  EXPECT_EQ(modern.code, 81);
  EXPECT_EQ(modern.text, "Database x doesn't exist. (UNKNOWN_DATABASE)");
  auto proxy = ch::parse_exception("<html>Bad Gateway</html>");
  EXPECT_EQ(proxy.code, 0);
  EXPECT_EQ(proxy.text, "<html>Bad Gateway</html>");
}

TEST(ClickHouseErrors, ReasonsByCodeThenStatus) {
  EXPECT_STREQ(ch::error_reason(500, 193), "auth_failed");
  EXPECT_STREQ(ch::error_reason(500, 192), "auth_failed");
  EXPECT_STREQ(ch::error_reason(500, 516), "auth_failed");
  EXPECT_STREQ(ch::error_reason(401, 0), "auth_failed");
  EXPECT_STREQ(ch::error_reason(516, 0), "auth_failed");
  EXPECT_STREQ(ch::error_reason(404, 81), "database_not_found");
  EXPECT_STREQ(ch::error_reason(500, 497), "permission_denied");
  EXPECT_STREQ(ch::error_reason(500, 159), "timeout");
  EXPECT_STREQ(ch::error_reason(500, 62), "protocol_error");
  EXPECT_STREQ(ch::error_reason(502, 0), "protocol_error");
}

TEST(ClickHouseErrors, MessagesAreScrubbedBeforeTheyAreCut) {
  const std::string secret = "Sekr1t-Value";
  ch::ChException e{193, std::string(995, 'x') + secret};
  const std::string message = ch::error_message(500, e, {secret});
  EXPECT_EQ(message.find("Sekr"), std::string::npos) << message;
  EXPECT_NE(message.find("(ClickHouse error 193)"), std::string::npos);
}

TEST(ClickHouseJson, ParsesJsonCompact) {
  std::string error;
  auto rows = ch::parse_json_compact(
      R"({"meta":[{"name":"a","type":"UInt8"},{"name":"b\"q","type":"String"}],)"
      R"("data":[[1, "x\ny"],[2, null]],"rows":2,"statistics":{"elapsed":0.1}})",
      error);
  ASSERT_TRUE(rows) << error;
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"a", "b\"q"}));
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->rows[0][1], "x\ny");
  EXPECT_EQ(rows->rows[1][1], std::nullopt);
  EXPECT_TRUE(ch::parse_json_compact("", error));
  EXPECT_FALSE(ch::parse_json_compact("1\n", error));
  EXPECT_FALSE(ch::parse_json_compact("{\"data\": [[1, ", error));
}

}  // namespace
}  // namespace dsb::test
