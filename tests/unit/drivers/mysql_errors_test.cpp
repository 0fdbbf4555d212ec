// Stable reasons for Connector/C and server error codes.
#include "drivers/mysql/mysql_errors.hpp"

#include <gtest/gtest.h>

namespace dsb::drivers::mysql {
namespace {

TEST(MysqlErrors, Reasons) {
  EXPECT_STREQ(failure_reason(2003, "tcp_connect", "Can't connect to server on 'h' (111)"),
               "connection_refused");
  EXPECT_STREQ(failure_reason(2003, "tcp_connect", "Can't connect to server on 'h' (110)"),
               "timeout");
  EXPECT_STREQ(failure_reason(1045, "authenticate", "Access denied"), "auth_failed");
  EXPECT_STREQ(failure_reason(1049, "authenticate", "Unknown database"), "database_not_found");
  EXPECT_STREQ(failure_reason(1044, "authenticate", "Access denied to database"),
               "permission_denied");
  EXPECT_STREQ(failure_reason(1142, "query", "SELECT command denied"), "permission_denied");
  EXPECT_STREQ(failure_reason(2026, "tls_handshake", "TLS/SSL error"), "tls_failed");
  EXPECT_STREQ(failure_reason(2013, "tls_handshake", "Lost connection"), "tls_failed");
  EXPECT_STREQ(failure_reason(2013, "query", "Lost connection"), "protocol_error");
  EXPECT_STREQ(failure_reason(1064, "query", "You have an error in your SQL syntax"),
               "protocol_error");
}

}  // namespace
}  // namespace dsb::drivers::mysql
