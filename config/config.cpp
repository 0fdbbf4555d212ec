#include "config/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <thread>
#include <variant>

extern char** environ;

namespace dsb::config {
namespace {

using Target = std::variant<std::string*, std::int64_t*, bool*, std::vector<std::string>*>;

struct Binding {
  const char* path;  // "server.listen"
  Target target;
  const char* help;
};

std::vector<Binding> bindings(Config& c) {
  return {
      {"server.listen", &c.server.listen, "HOST:PORT to listen on (port 0 picks a free one)"},
      {"server.threads", &c.server.threads, "shards (threads); 0 = one per core"},
      {"server.max_connections", &c.server.max_connections, "open client connections at most"},
      {"server.body_limit", &c.server.body_limit, "largest request body in bytes (413 above)"},
      {"server.header_limit", &c.server.header_limit, "largest request header block in bytes"},
      {"server.read_timeout_ms", &c.server.read_timeout_ms, "deadline to read one request"},
      {"server.idle_timeout_ms", &c.server.idle_timeout_ms, "keep-alive idle deadline"},
      {"server.shutdown_grace_ms", &c.server.shutdown_grace_ms,
       "how long in-flight requests may finish after SIGTERM"},
      {"server.tls.cert", &c.server.tls_cert, "PEM certificate chain file: enables HTTPS"},
      {"server.tls.key", &c.server.tls_key, "PEM private key file for server.tls.cert"},
      {"server.tls.allow_plain", &c.server.tls_allow_plain,
       "with TLS on, also accept plain HTTP on the same port"},
      {"storage.data_dir", &c.storage.data_dir, "data directory (RocksDB in <dir>/db)"},
      {"storage.min_free_mb", &c.storage.min_free_mb,
       "free disk (MB) below which writes are refused with 507; 0 = no floor"},
      {"auth.admin_token", &c.auth.admin_token, "admin token value (also DSB_ADMIN_TOKEN)"},
      {"auth.admin_token_file", &c.auth.admin_token_file,
       "file holding the admin token (default <data_dir>/admin_token, generated)"},
      {"secrets.master_key", &c.secrets.master_key,
       "master key, 64 hex chars or base64 (also DSB_MASTER_KEY)"},
      {"secrets.master_key_file", &c.secrets.master_key_file,
       "file holding the master key (default <data_dir>/master.key, generated)"},
      {"secrets.old_key_files", &c.secrets.old_key_files,
       "older master key files still accepted for reading (rotation)"},
      {"connections.connect_timeout_ms", &c.connections.connect_timeout_ms,
       "largest connect deadline (tcp + tls + auth)"},
      {"connections.test_timeout_ms", &c.connections.test_timeout_ms,
       "largest deadline for a whole connection test"},
      {"connections.schema_timeout_ms", &c.connections.schema_timeout_ms,
       "largest deadline for a schema fetch"},
      {"connections.require_ssh_host_key", &c.connections.require_ssh_host_key,
       "refuse SSH tunnels whose datasource pins no ssh.host_key_fingerprint"},
      {"egress.allow", &c.egress.allow, "CIDRs databases may be reached at (empty = any)"},
      {"egress.deny", &c.egress.deny, "CIDRs never reached (link-local always denied)"},
      {"files.root", &c.files.root, "root folder for csv/sqlite paths"},
      {"log.requests", &c.log.requests, "one JSON line per request on stdout"},
      {"limits.requests_per_window", &c.limits.requests_per_window,
       "requests one org may make per window (token bucket); admins override per org"},
      {"limits.window_s", &c.limits.window_s, "the rate limit's window in seconds"},
      {"limits.concurrent_tests", &c.limits.concurrent_tests,
       "connection tests and schema fetches one org may run at once"},
      {"limits.queued_tests", &c.limits.queued_tests,
       "tests waiting for a slot per org; more are refused with 429"},
      {"limits.refusal_hold_ms", &c.limits.refusal_hold_ms,
       "how long a request over the rate waits before its 429"},
      {"jobs.retention_s", &c.jobs.retention_s, "how long finished jobs stay readable"},
      {"compat.mstr_session_idle_s", &c.compat.mstr_session_idle_s,
       "idle seconds after which a MicroStrategy session (X-MSTR-AuthToken) ends"},
      {"events.queue_limit", &c.events.queue_limit,
       "messages queued for one WebSocket subscriber before it overflows"},
      {"events.overflow", &c.events.overflow,
       "what a subscriber's overflow does: notify (drop, then report) or close"},
  };
}

std::string env_name(std::string_view path) {
  std::string out = "DSB_";
  for (char ch : path) out += ch == '.' ? '_' : static_cast<char>(std::toupper(ch));
  return out;
}

[[noreturn]] void bad(std::string_view key, std::string_view problem) {
  throw ConfigError("config key " + std::string(key) + ": " + std::string(problem));
}

void set_from_toml(const Binding& b, const toml::node& node) {
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!node.is_string()) bad(b.path, "must be a string");
          *p = node.value<std::string>().value();
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          if (!node.is_integer()) bad(b.path, "must be an integer");
          *p = node.value<std::int64_t>().value();
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!node.is_boolean()) bad(b.path, "must be true or false");
          *p = node.value<bool>().value();
        } else {
          const auto* arr = node.as_array();
          if (arr == nullptr) bad(b.path, "must be an array of strings");
          p->clear();
          for (const auto& item : *arr) {
            if (!item.is_string()) bad(b.path, "must be an array of strings");
            p->push_back(item.value<std::string>().value());
          }
        }
      },
      b.target);
}

void set_from_env(const Binding& b, const std::string& name, const std::string& text) {
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *p = text;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          std::int64_t v = 0;
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
          if (ec != std::errc() || end != text.data() + text.size())
            bad(b.path, name + " must be an integer, got '" + text + "'");
          *p = v;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text == "true" || text == "1")
            *p = true;
          else if (text == "false" || text == "0")
            *p = false;
          else
            bad(b.path, name + " must be true or false");
        } else {
          p->clear();
          std::size_t start = 0;
          while (start <= text.size() && !text.empty()) {
            const auto comma = text.find(',', start);
            const auto item = text.substr(start, comma - start);
            if (!item.empty()) p->push_back(item);
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
        }
      },
      b.target);
}

void reject_unknown_keys(const toml::table& table, const std::string& prefix,
                         const std::vector<Binding>& known) {
  for (const auto& [k, node] : table) {
    const std::string path =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      reject_unknown_keys(*sub, path, known);
      continue;
    }
    const bool found =
        std::any_of(known.begin(), known.end(), [&](const Binding& b) { return path == b.path; });
    if (!found) bad(path, "unknown key");
  }
}

void require_range(const char* key, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi)
    bad(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                 std::to_string(v));
}

void validate(const Config& c) {
  if (!parse_host_port(c.server.listen)) bad("server.listen", "must be HOST:PORT");
  require_range("server.threads", c.server.threads, 0, 256);
  require_range("server.max_connections", c.server.max_connections, 1, 1000000);
  require_range("server.body_limit", c.server.body_limit, 1024, 1LL << 30);
  require_range("server.header_limit", c.server.header_limit, 1024, 1 << 20);
  require_range("server.read_timeout_ms", c.server.read_timeout_ms, 100, 3600000);
  require_range("server.idle_timeout_ms", c.server.idle_timeout_ms, 100, 3600000);
  require_range("server.shutdown_grace_ms", c.server.shutdown_grace_ms, 0, 600000);
  if (c.server.tls_cert.empty() != c.server.tls_key.empty())
    bad(c.server.tls_cert.empty() ? "server.tls.cert" : "server.tls.key",
        "server.tls.cert and server.tls.key must be set together");
  if (c.server.tls_allow_plain && c.server.tls_cert.empty())
    bad("server.tls.allow_plain", "only makes sense with server.tls.cert and server.tls.key");
  if (c.storage.data_dir.empty()) bad("storage.data_dir", "must not be empty");
  require_range("storage.min_free_mb", c.storage.min_free_mb, 0, 1'000'000'000);
  require_range("connections.connect_timeout_ms", c.connections.connect_timeout_ms, 100, 600000);
  require_range("connections.test_timeout_ms", c.connections.test_timeout_ms, 100, 3600000);
  require_range("connections.schema_timeout_ms", c.connections.schema_timeout_ms, 100, 3600000);
  require_range("limits.requests_per_window", c.limits.requests_per_window, 1, 10000000);
  require_range("limits.window_s", c.limits.window_s, 1, 86400);
  require_range("limits.concurrent_tests", c.limits.concurrent_tests, 1, 1000);
  require_range("limits.queued_tests", c.limits.queued_tests, 0, 100000);
  require_range("limits.refusal_hold_ms", c.limits.refusal_hold_ms, 0, 10000);
  require_range("jobs.retention_s", c.jobs.retention_s, 60, 30 * 86400);
  require_range("compat.mstr_session_idle_s", c.compat.mstr_session_idle_s, 10, 7 * 86400);
  require_range("events.queue_limit", c.events.queue_limit, 8, 1000000);
  if (c.events.overflow != "notify" && c.events.overflow != "close")
    bad("events.overflow", "must be \"notify\" or \"close\"");
}

}  // namespace

std::optional<HostPort> parse_host_port(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned v = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || v > 65535)
    return std::nullopt;
  return HostPort{host, static_cast<std::uint16_t>(v)};
}

HostPort Config::listen_endpoint() const {
  return *parse_host_port(server.listen);
}

std::size_t Config::shard_count() const {
  if (server.threads > 0) return static_cast<std::size_t>(server.threads);
  return std::max(1u, std::thread::hardware_concurrency());
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("DSB_")) continue;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

Config load(const std::optional<std::string>& path, const Environment& env) {
  Config c;
  auto binds = bindings(c);
  if (path) {
    toml::table table;
    try {
      table = toml::parse_file(*path);
    } catch (const toml::parse_error& e) {
      throw ConfigError("config file " + *path + ": " + std::string(e.description()) + " at line " +
                        std::to_string(e.source().begin.line));
    }
    reject_unknown_keys(table, "", binds);
    for (const auto& b : binds)
      if (const auto node = table.at_path(b.path); node) set_from_toml(b, *node.node());
  }
  for (const auto& b : binds) {
    const auto name = env_name(b.path);
    if (auto it = env.find(name); it != env.end()) set_from_env(b, name, it->second);
  }
  // Short aliases the README promises.
  if (auto it = env.find("DSB_ADMIN_TOKEN"); it != env.end()) c.auth.admin_token = it->second;
  if (auto it = env.find("DSB_MASTER_KEY"); it != env.end()) c.secrets.master_key = it->second;
  validate(c);
  return c;
}

std::string describe_keys() {
  Config c;
  std::string out;
  for (const auto& b : bindings(c)) {
    std::string line = "  " + std::string(b.path);
    line.resize(std::max<std::size_t>(line.size() + 1, 36), ' ');
    out += line + env_name(b.path) + "\n      " + b.help + "\n";
  }
  return out;
}

}  // namespace dsb::config
