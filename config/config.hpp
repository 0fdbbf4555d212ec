// Everything dsbroker can be told at start-up. Loaded from a TOML file
// (--config), then each key overridden by DSB_<SECTION>_<KEY> environment
// variables; validated before anything starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dsb::config {

// Start-up fails with this; the message names the key and the problem.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// Parses "HOST:PORT" or "[v6]:PORT"; nullopt when malformed.
std::optional<HostPort> parse_host_port(const std::string& text);

struct Config {
  struct Server {
    std::string listen = "127.0.0.1:8080";
    std::int64_t threads = 0;  // 0 = one shard per core
    std::int64_t max_connections = 10000;
    std::int64_t body_limit = 1 << 20;
    std::int64_t header_limit = 16 << 10;
    std::int64_t read_timeout_ms = 30000;
    std::int64_t idle_timeout_ms = 60000;
    std::int64_t shutdown_grace_ms = 10000;
    std::string tls_cert;
    std::string tls_key;
    bool tls_allow_plain = false;
  } server;
  struct Storage {
    std::string data_dir = "./var";
    std::int64_t min_free_mb = 64;  // writes are refused (507) below this much free disk
  } storage;
  struct Auth {
    std::string admin_token;
    std::string admin_token_file;
  } auth;
  struct Secrets {
    std::string master_key;
    std::string master_key_file;
    std::vector<std::string> old_key_files;
  } secrets;
  struct Connections {
    std::int64_t connect_timeout_ms = 10000;
    std::int64_t test_timeout_ms = 20000;
    std::int64_t schema_timeout_ms = 120000;
    bool require_ssh_host_key = false;  // refuse SSH datasources without a pinned host key
  } connections;
  struct Egress {
    std::vector<std::string> allow;
    std::vector<std::string> deny;
  } egress;
  struct Files {
    std::string root;  // empty = <data_dir>/files
  } files;
  struct Log {
    bool requests = true;
  } log;
  struct Limits {
    std::int64_t requests_per_window = 500;
    std::int64_t window_s = 120;
    std::int64_t concurrent_tests = 8;
    std::int64_t queued_tests = 64;
    std::int64_t refusal_hold_ms = 250;  // a 429 RATE_LIMITED is answered after this hold
  } limits;
  struct Jobs {
    std::int64_t retention_s = 3600;
  } jobs;
  struct Compat {
    std::int64_t mstr_session_idle_s = 1800;  // MicroStrategy sessions end after this idle time
  } compat;
  struct Events {
    std::int64_t queue_limit = 1024;
    std::string overflow = "notify";  // notify | close
  } events;

  HostPort listen_endpoint() const;
  std::size_t shard_count() const;
};

using Environment = std::map<std::string, std::string>;

// The process environment's DSB_* variables.
Environment process_environment();

// Loads `path` (none = defaults only), applies `env`, validates. Throws ConfigError.
Config load(const std::optional<std::string>& path, const Environment& env);

// One line per key: its env variable name and meaning (for --help).
std::string describe_keys();

}  // namespace dsb::config
