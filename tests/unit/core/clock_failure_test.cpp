// Time formatting and the Result/Failure conventions.
#include "core/clock.hpp"
#include "core/failure.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace dsb {
namespace {

TEST(Clock, Rfc3339WithMilliseconds) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(rfc3339(951782400999), "2000-02-29T00:00:00.999Z");
  const auto now = now_unix_ms();
  EXPECT_GT(now, 1700000000000);
  EXPECT_EQ(rfc3339(now).size(), 24u);
}

TEST(Failure, HelpersFillTheShape) {
  const Failure f = invalid_body({{"port", "must be an integer"}});
  EXPECT_EQ(f.status, 400);
  EXPECT_EQ(f.code, "INVALID_REQUEST_BODY");
  ASSERT_EQ(f.details.size(), 1u);
  EXPECT_EQ(f.details[0].field, "port");
  const Failure e = internal_error("boom");
  EXPECT_EQ(e.status, 500);
  EXPECT_EQ(e.code, "INTERNAL_SERVER_ERROR");
  const Failure n = fail(404, "NOT_FOUND", "gone");
  EXPECT_EQ(n.status, 404);
  EXPECT_EQ(n.message, "gone");
}

TEST(Failure, UncheckedValueOfAFailureThrows) {
  Result<int> r = fail(409, "CONFLICT", "taken");
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error().status, 409);
  EXPECT_THROW((void)r.value(), std::logic_error);
  Result<bool> b = ok(false);
  ASSERT_TRUE(b);
  EXPECT_FALSE(*b);
}

}  // namespace
}  // namespace dsb
