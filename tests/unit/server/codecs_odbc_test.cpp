// ODBC connection strings as MicroStrategy connections carry them.
#include "server/codecs/odbc_connection_string.hpp"

#include <gtest/gtest.h>

namespace dsb::server::codecs {
namespace {

std::vector<std::pair<std::string, std::string>> pairs(std::string_view text) {
  auto r = parse_odbc_connection_string(text, "connectionString");
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  std::vector<std::pair<std::string, std::string>> out;
  if (r)
    for (const auto& a : *r) out.emplace_back(a.key, a.value);
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(OdbcConnectionString, KeysAreUpperCasedAndValuesTrimmed) {
  EXPECT_EQ(pairs(" server = db.example.com ; Port=5432;database=sales;"),
            (Pairs{{"SERVER", "db.example.com"}, {"PORT", "5432"}, {"DATABASE", "sales"}}));
}

TEST(OdbcConnectionString, BracedValuesKeepSemicolonsAndEscapedBraces) {
  EXPECT_EQ(pairs("DRIVER={PostgreSQL Unicode};PWD={a;b}}c}; x=1"),
            (Pairs{{"DRIVER", "PostgreSQL Unicode"}, {"PWD", "a;b}c"}, {"X", "1"}}));
}

TEST(OdbcConnectionString, ADsnAlone) {
  EXPECT_EQ(pairs("DSN=SNOWFLAKE_DSN"), (Pairs{{"DSN", "SNOWFLAKE_DSN"}}));
  auto r = parse_odbc_connection_string("DSN=SNOWFLAKE_DSN", "connectionString");
  ASSERT_TRUE(r);
  EXPECT_EQ(odbc_value(*r, {"SERVER", "DSN"}), "SNOWFLAKE_DSN");
  EXPECT_EQ(odbc_value(*r, {"SERVER"}), std::nullopt);
}

TEST(OdbcConnectionString, FirstOfARepeatedKeyWins) {
  auto r = parse_odbc_connection_string("HOST=a;HOST=b", "connectionString");
  ASSERT_TRUE(r);
  EXPECT_EQ(odbc_value(*r, {"HOST"}), "a");
}

TEST(OdbcConnectionString, EmptyValuesAndPiecesAreFine) {
  EXPECT_EQ(pairs(";;A=;B=2;;"), (Pairs{{"A", ""}, {"B", "2"}}));
  EXPECT_TRUE(pairs("").empty());
}

TEST(OdbcConnectionString, MalformedStringsAre400NamingTheField) {
  for (std::string_view bad : {"SERVER", "A=1;junk", "=x", "A={open", "A={x}y"}) {
    auto r = parse_odbc_connection_string(bad, "connectionString");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().status, 400);
    ASSERT_EQ(r.error().details.size(), 1u);
    EXPECT_EQ(r.error().details[0].field, "connectionString");
  }
}

}  // namespace
}  // namespace dsb::server::codecs
