#include "drivers/tls_context.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace dsb::drivers {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<void> configure_tls(ssl::context& ctx, const TlsSettings& tls) {
  boost::system::error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (tls.mode == "require") {
    ctx.set_verify_mode(ssl::verify_none);
  } else {
    ctx.set_verify_mode(ssl::verify_peer);
    if (!tls.ca_pem.empty()) {
      ctx.add_certificate_authority(asio::buffer(tls.ca_pem), ec);
      if (ec) return fail(400, "TLS", "the CA certificate cannot be read: " + ec.message());
    } else {
      ctx.set_default_verify_paths(ec);
    }
  }
  if (!tls.cert_pem.empty()) {
    ctx.use_certificate_chain(asio::buffer(tls.cert_pem), ec);
    if (ec) return fail(400, "TLS", "the client certificate cannot be read: " + ec.message());
  }
  if (!tls.key_pem.empty()) {
    ctx.use_private_key(asio::buffer(tls.key_pem), ssl::context::pem, ec);
    if (ec) return fail(400, "TLS", "the client key cannot be read");
  }
  return {};
}

void expect_server_name(SSL* ssl, const TlsSettings& tls, const std::string& host) {
  const bool ip = is_ip_address(host);
  if (!ip && !host.empty()) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (tls.mode != "verify-full") return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
}

std::string handshake_error(SSL* ssl, const boost::system::error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return "TLS handshake failed: " + ec.message();
}

}  // namespace dsb::drivers
