// Classifying libpq messages.
#include "drivers/postgres/pg_errors.hpp"

#include <gtest/gtest.h>

namespace dsb::drivers::postgres {
namespace {

TEST(PgErrors, ParsesTheSqlstateOfAVerboseMessage) {
  const auto m = parse_verbose_message(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password "
      "authentication failed for user \"bob\"\nLOCATION:  auth_failed, auth.c:334\n");
  EXPECT_EQ(m.sqlstate, "28P01");
  EXPECT_EQ(m.text,
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password "
            "authentication failed for user \"bob\"");
}

TEST(PgErrors, LeavesClientMessagesAlone) {
  const auto m = parse_verbose_message("SSL error: certificate verify failed\n");
  EXPECT_EQ(m.sqlstate, "");
  EXPECT_EQ(m.text, "SSL error: certificate verify failed");
}

TEST(PgErrors, ConnectReasons) {
  EXPECT_STREQ(connect_failure_reason("authenticate", {"28P01", "x"}), "auth_failed");
  EXPECT_STREQ(connect_failure_reason("authenticate", {"28000", "no pg_hba.conf entry"}),
               "auth_failed");
  EXPECT_STREQ(connect_failure_reason("authenticate", {"3D000", "x"}), "database_not_found");
  EXPECT_STREQ(connect_failure_reason("authenticate", {"42501", "x"}), "permission_denied");
  EXPECT_STREQ(connect_failure_reason("tcp_connect", {"", "... failed: Connection refused"}),
               "connection_refused");
  EXPECT_STREQ(connect_failure_reason("tls_handshake", {"", "server does not support SSL"}),
               "tls_failed");
  EXPECT_STREQ(connect_failure_reason("authenticate", {"", "fe_sendauth: no password supplied"}),
               "auth_failed");
  EXPECT_STREQ(connect_failure_reason("authenticate", {"", "server closed the connection"}),
               "protocol_error");
  EXPECT_STREQ(connect_failure_reason("authenticate", {"53300", "too many clients"}),
               "protocol_error");
}

TEST(PgErrors, StatementReasons) {
  EXPECT_STREQ(sqlstate_reason("42501"), "permission_denied");
  EXPECT_STREQ(sqlstate_reason("57014"), "timeout");
  EXPECT_STREQ(sqlstate_reason("42601"), "protocol_error");
}

}  // namespace
}  // namespace dsb::drivers::postgres
