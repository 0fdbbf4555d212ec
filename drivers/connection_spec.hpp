// What a driver needs to reach one database: no HTTP, no tenants.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace dsb::drivers {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

struct TlsSettings {
  std::string mode = "disable";  // disable | require | verify-ca | verify-full
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;  // secret
  bool enabled() const { return mode != "disable"; }
  bool known_mode() const {
    return mode == "disable" || mode == "require" || mode == "verify-ca" || mode == "verify-full";
  }
};

struct SshSettings {
  bool enabled = false;
  std::string host;
  std::uint16_t port = 22;
  std::string username;
  std::string password;              // secret
  std::string private_key;           // secret, PEM or OpenSSH format
  std::string passphrase;            // secret
  std::string host_key_fingerprint;  // "SHA256:..." pin; empty = trust on first use
  bool require_host_key = false;     // refuse an empty pin (connections.require_ssh_host_key)
};

struct ConnectionSpec {
  std::string type;  // catalogue type, e.g. "postgres"
  std::string host;  // as the user gave it; used for TLS name checks
  std::uint16_t port = 0;
  std::string database;
  std::string schema;
  std::string username;
  std::string password;         // secret, plaintext only in memory
  boost::json::object options;  // type-specific, from the catalogue
  TlsSettings tls;
  SshSettings ssh;
  std::string file_root;  // csv/sqlite paths resolve under it and may not leave it

  // What a driver's messages must never show (see secret_scrub.hpp).
  std::vector<std::string> secrets() const {
    return {password, tls.key_pem, ssh.password, ssh.private_key, ssh.passphrase};
  }
};

// Where to dial after name resolution, the egress check and any SSH tunnel:
// the driver connects to dial_address:dial_port and still verifies TLS
// against spec.host.
struct ConnectTarget {
  ConnectionSpec spec;
  std::string dial_address;  // numeric IPv4/IPv6
  std::uint16_t dial_port = 0;
  Deadline connect_deadline;  // tcp + tls + authentication
  Deadline overall_deadline;  // the whole test
};

}  // namespace dsb::drivers
