// A driver's TLS client context, from a datasource's TLS settings (drivers
// that do TLS with Asio themselves: ClickHouse over HTTPS, the MySQL relay):
//   require      encrypt, verify nothing;
//   verify-ca    the chain must lead to the CA (or the system store);
//   verify-full  that, and the certificate must name spec.host.
// There is no plaintext fallback: a failed handshake fails the connection.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <string>

typedef struct ssl_st SSL;

namespace dsb::drivers {

// TLS 1.2+, verification as the mode says, the CA, client certificate and
// key from PEM. Fails (with a message, no reason) when a PEM block is bad.
Result<void> configure_tls(boost::asio::ssl::context& ctx, const TlsSettings& tls);

// SNI for a host name, and for verify-full the name or address the server
// certificate must carry.
void expect_server_name(SSL* ssl, const TlsSettings& tls, const std::string& host);

// Why a handshake failed: the certificate check when it failed, else `ec`.
std::string handshake_error(SSL* ssl, const boost::system::error_code& ec);

}  // namespace dsb::drivers
