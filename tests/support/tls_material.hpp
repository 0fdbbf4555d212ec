// A throw-away CA and a server certificate for 127.0.0.1 / localhost, made
// with the openssl command line (see SERVICES.md "Shared TLS material").
#pragma once

#include <string>

namespace dsb::test {

struct TlsMaterial {
  std::string ca_cert;      // PEM, the CA a client trusts
  std::string server_cert;  // PEM, CN=localhost, SAN DNS:localhost, IP:127.0.0.1
  std::string server_key;   // PEM, PKCS#8, mode 0600
};

// Writes the files into `dir` (which must exist). Fails the current test and
// returns empty paths when openssl is missing or fails.
TlsMaterial make_tls_material(const std::string& dir);

}  // namespace dsb::test
