#include "drivers/mysql/mysql_errors.hpp"

#include "drivers/driver.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::drivers::mysql {

namespace {

// Client (CR_*) and server (ER_*) codes this driver tells apart.
constexpr unsigned kConnectionError = 2002;       // CR_CONNECTION_ERROR
constexpr unsigned kConnHostError = 2003;         // CR_CONN_HOST_ERROR
constexpr unsigned kUnknownHost = 2005;           // CR_UNKNOWN_HOST
constexpr unsigned kServerGone = 2006;            // CR_SERVER_GONE_ERROR
constexpr unsigned kServerLost = 2013;            // CR_SERVER_LOST
constexpr unsigned kSslConnection = 2026;         // CR_SSL_CONNECTION_ERROR
constexpr unsigned kAuthPlugin = 2059;            // CR_AUTH_PLUGIN_CANNOT_LOAD
constexpr unsigned kDbAccessDenied = 1044;        // ER_DBACCESS_DENIED_ERROR
constexpr unsigned kAccessDenied = 1045;          // ER_ACCESS_DENIED_ERROR
constexpr unsigned kBadDb = 1049;                 // ER_BAD_DB_ERROR
constexpr unsigned kTableAccess = 1142;           // ER_TABLEACCESS_DENIED_ERROR
constexpr unsigned kColumnAccess = 1143;          // ER_COLUMNACCESS_DENIED_ERROR
constexpr unsigned kSpecificAccess = 1227;        // ER_SPECIFIC_ACCESS_DENIED_ERROR
constexpr unsigned kNotSupportedAuth = 1251;      // ER_NOT_SUPPORTED_AUTH_MODE
constexpr unsigned kProcAccess = 1370;            // ER_PROCACCESS_DENIED_ERROR
constexpr unsigned kNoPassword = 1698;            // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
constexpr unsigned kPasswordExpired = 1820;       // ER_MUST_CHANGE_PASSWORD
constexpr unsigned kPasswordExpiredLogin = 1862;  // ER_MUST_CHANGE_PASSWORD_LOGIN
constexpr unsigned kQueryInterrupted = 1317;      // ER_QUERY_INTERRUPTED
constexpr unsigned kStatementTimeout = 1969;      // ER_STATEMENT_TIMEOUT (MariaDB)

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

const char* failure_reason(unsigned code, std::string_view stage, std::string_view message) {
  switch (code) {
    case kConnectionError:
    case kConnHostError:
      // "Can't connect to server on '10.0.0.1' (110)": errno 110 is a timeout.
      return contains(message, "(110)") ? reason::timeout : reason::connection_refused;
    case kUnknownHost:
      return reason::dns_failed;
    case kAccessDenied:
    case kNoPassword:
    case kNotSupportedAuth:
    case kAuthPlugin:
    case kPasswordExpired:
    case kPasswordExpiredLogin:
      return reason::auth_failed;
    case kBadDb:
      return reason::database_not_found;
    case kDbAccessDenied:
    case kTableAccess:
    case kColumnAccess:
    case kSpecificAccess:
    case kProcAccess:
      return reason::permission_denied;
    case kSslConnection:
      return reason::tls_failed;
    case kQueryInterrupted:
    case kStatementTimeout:
      return reason::timeout;
    case kServerGone:
    case kServerLost:
      // The server hanging up mid-handshake (e.g. rejecting our certificate).
      return stage == "tls_handshake" ? reason::tls_failed : reason::protocol_error;
    default:
      break;
  }
  if (contains(message, "SSL") || contains(message, "TLS")) return reason::tls_failed;
  return reason::protocol_error;
}

}  // namespace dsb::drivers::mysql
