// Binding ? placeholders: only outside quotes and comments, values never
// rescanned, counts checked.
#include "drivers/mysql/mysql_params.hpp"

#include <gtest/gtest.h>

namespace dsb::drivers::mysql {
namespace {

// Stands in for mysql_real_escape_string: escapes ' and \ with a backslash.
std::string escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string bind(std::string_view sql, const Params& params) {
  auto out = bind_params(sql, params, escape);
  EXPECT_TRUE(out) << out.error().message;
  return out ? *out : "";
}

TEST(MysqlParams, ReplacesPlaceholdersInOrder) {
  EXPECT_EQ(bind("SELECT ?, ?", {std::string("a"), std::nullopt}), "SELECT 'a', NULL");
  EXPECT_EQ(bind("SELECT 1", {}), "SELECT 1");
}

TEST(MysqlParams, ValuesAreEscapedAndNeverRescanned) {
  EXPECT_EQ(bind("SELECT ?, ?", {std::string("it's ?"), std::string("\\")}),
            "SELECT 'it\\'s ?', '\\\\'");
}

TEST(MysqlParams, SkipsQuotesIdentifiersAndComments) {
  EXPECT_EQ(bind("SELECT '?', \"?\", `?`, ? -- ?\n, ? # ?\n /* ? */ + ?",
                 {std::string("1"), std::string("2"), std::string("3")}),
            "SELECT '?', \"?\", `?`, '1' -- ?\n, '2' # ?\n /* ? */ + '3'");
  EXPECT_EQ(bind("SELECT 'a\\'?', 'b''?', ?", {std::string("x")}), "SELECT 'a\\'?', 'b''?', 'x'");
  EXPECT_EQ(bind("SELECT `a``?`, ?", {std::string("x")}), "SELECT `a``?`, 'x'");
  // "--" without a following space is not a comment in MySQL.
  EXPECT_EQ(bind("SELECT 1--?", {std::string("2")}), "SELECT 1--'2'");
}

TEST(MysqlParams, CountMismatchFails) {
  EXPECT_FALSE(bind_params("SELECT ?, ?", {std::string("a")}, escape));
  EXPECT_FALSE(bind_params("SELECT ?", {std::string("a"), std::string("b")}, escape));
  EXPECT_FALSE(bind_params("SELECT 1", {std::string("a")}, escape));
}

}  // namespace
}  // namespace dsb::drivers::mysql
