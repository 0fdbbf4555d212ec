// ETags are record versions: "v3".
#include "server/datasource_service.hpp"

#include <gtest/gtest.h>

namespace dsb::server {
namespace {

TEST(VersionTag, FormatsAndParses) {
  EXPECT_EQ(version_tag(1), "\"v1\"");
  EXPECT_EQ(version_tag(1234), "\"v1234\"");
  for (std::int64_t v : {1, 9, 10, 123456789}) EXPECT_EQ(parse_version_tag(version_tag(v)), v);
  EXPECT_EQ(parse_version_tag("v3"), 3);
  EXPECT_EQ(parse_version_tag("3"), 3);
  EXPECT_EQ(parse_version_tag("\"v9223372036854775807\""), INT64_MAX);
}

TEST(VersionTag, RejectsWhatThisServerNeverIssues) {
  for (const char* bad : {"", "\"\"", "v", "\"v\"", "W/\"v3\"", "\"v3", "v3x", "v-3", "v 3", "x3",
                          "\"v3\", \"v4\"", "v99999999999999999999", "v9223372036854775808"})
    EXPECT_FALSE(parse_version_tag(bad)) << bad;
}

}  // namespace
}  // namespace dsb::server
