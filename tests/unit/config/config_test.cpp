// Config loading: defaults, every key from TOML and from DSB_* variables,
// unknown keys, bad types and ranges, and HOST:PORT parsing.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace dsb::config {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "dsb-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& toml) {
    const std::string path = dir_ + "/c" + std::to_string(++n_) + ".toml";
    std::ofstream(path) << toml;
    return path;
  }
  // The ConfigError message of loading `toml` with `env`; "" when it loads.
  std::string error_of(const std::string& toml, const Environment& env = {}) {
    try {
      load(toml.empty() ? std::nullopt : std::optional<std::string>(file(toml)), env);
      return {};
    } catch (const ConfigError& e) {
      return e.what();
    }
  }
  void expect_error_names(const std::string& toml, const std::string& key,
                          const Environment& env = {}) {
    const std::string msg = error_of(toml, env);
    EXPECT_FALSE(msg.empty()) << "loaded: " << toml;
    EXPECT_NE(msg.find(key), std::string::npos) << "'" << msg << "' does not name " << key;
  }

  std::string dir_;
  int n_ = 0;
};

TEST_F(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  const Config c = load(std::nullopt, {});
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.threads, 0);
  EXPECT_EQ(c.server.max_connections, 10000);
  EXPECT_EQ(c.server.body_limit, 1 << 20);
  EXPECT_EQ(c.server.header_limit, 16 << 10);
  EXPECT_EQ(c.server.read_timeout_ms, 30000);
  EXPECT_EQ(c.server.idle_timeout_ms, 60000);
  EXPECT_EQ(c.server.shutdown_grace_ms, 10000);
  EXPECT_TRUE(c.server.tls_cert.empty());
  EXPECT_TRUE(c.server.tls_key.empty());
  EXPECT_FALSE(c.server.tls_allow_plain);
  EXPECT_EQ(c.storage.data_dir, "./var");
  EXPECT_TRUE(c.auth.admin_token.empty());
  EXPECT_TRUE(c.secrets.master_key.empty());
  EXPECT_TRUE(c.secrets.old_key_files.empty());
  EXPECT_EQ(c.connections.connect_timeout_ms, 10000);
  EXPECT_TRUE(c.egress.allow.empty());
  EXPECT_TRUE(c.log.requests);
  EXPECT_EQ(c.listen_endpoint().host, "127.0.0.1");
  EXPECT_EQ(c.listen_endpoint().port, 8080);
  EXPECT_GE(c.shard_count(), 1u);
}

TEST_F(ConfigTest, TheShippedFileLoadsAsTheDefaults) {
  const Config c = load(std::string(DSB_SOURCE_DIR) + "/config/dsbroker.toml", {});
  const Config d = load(std::nullopt, {});
  EXPECT_EQ(c.server.listen, d.server.listen);
  EXPECT_EQ(c.server.body_limit, d.server.body_limit);
  EXPECT_EQ(c.storage.data_dir, d.storage.data_dir);
  EXPECT_EQ(c.log.requests, d.log.requests);
}

constexpr const char* kEveryKey = R"(
[server]
listen = "0.0.0.0:9000"
threads = 3
max_connections = 77
body_limit = 4096
header_limit = 2048
read_timeout_ms = 1500
idle_timeout_ms = 2500
shutdown_grace_ms = 0
[server.tls]
cert = "/etc/c.pem"
key = "/etc/k.pem"
allow_plain = true
[storage]
data_dir = "/srv/dsb"
[auth]
admin_token = "a-very-long-admin-token"
admin_token_file = "/srv/admin"
[secrets]
master_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
master_key_file = "/srv/mk"
old_key_files = ["/srv/old1", "/srv/old2"]
[connections]
connect_timeout_ms = 111
test_timeout_ms = 222
schema_timeout_ms = 333
[egress]
allow = ["10.0.0.0/8"]
deny = ["127.0.0.0/8", "::1/128"]
[files]
root = "/srv/files"
[log]
requests = false
)";

TEST_F(ConfigTest, EveryKeyFromTheFile) {
  const Config c = load(file(kEveryKey), {});
  EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.server.threads, 3);
  EXPECT_EQ(c.shard_count(), 3u);
  EXPECT_EQ(c.server.max_connections, 77);
  EXPECT_EQ(c.server.body_limit, 4096);
  EXPECT_EQ(c.server.header_limit, 2048);
  EXPECT_EQ(c.server.read_timeout_ms, 1500);
  EXPECT_EQ(c.server.idle_timeout_ms, 2500);
  EXPECT_EQ(c.server.shutdown_grace_ms, 0);
  EXPECT_EQ(c.server.tls_cert, "/etc/c.pem");
  EXPECT_EQ(c.server.tls_key, "/etc/k.pem");
  EXPECT_TRUE(c.server.tls_allow_plain);
  EXPECT_EQ(c.storage.data_dir, "/srv/dsb");
  EXPECT_EQ(c.auth.admin_token, "a-very-long-admin-token");
  EXPECT_EQ(c.auth.admin_token_file, "/srv/admin");
  EXPECT_EQ(c.secrets.master_key.size(), 64u);
  EXPECT_EQ(c.secrets.master_key_file, "/srv/mk");
  EXPECT_EQ(c.secrets.old_key_files, (std::vector<std::string>{"/srv/old1", "/srv/old2"}));
  EXPECT_EQ(c.connections.connect_timeout_ms, 111);
  EXPECT_EQ(c.connections.test_timeout_ms, 222);
  EXPECT_EQ(c.connections.schema_timeout_ms, 333);
  EXPECT_EQ(c.egress.allow, (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_EQ(c.egress.deny, (std::vector<std::string>{"127.0.0.0/8", "::1/128"}));
  EXPECT_EQ(c.files.root, "/srv/files");
  EXPECT_FALSE(c.log.requests);
  EXPECT_EQ(c.listen_endpoint().host, "0.0.0.0");
  EXPECT_EQ(c.listen_endpoint().port, 9000);
}

TEST_F(ConfigTest, EveryKeyFromTheEnvironmentOverridesTheFile) {
  const Environment env = {
      {"DSB_SERVER_LISTEN", "127.0.0.2:7000"},
      {"DSB_SERVER_THREADS", "5"},
      {"DSB_SERVER_MAX_CONNECTIONS", "9"},
      {"DSB_SERVER_BODY_LIMIT", "2048"},
      {"DSB_SERVER_HEADER_LIMIT", "4096"},
      {"DSB_SERVER_READ_TIMEOUT_MS", "100"},
      {"DSB_SERVER_IDLE_TIMEOUT_MS", "200"},
      {"DSB_SERVER_SHUTDOWN_GRACE_MS", "300"},
      {"DSB_SERVER_TLS_CERT", "/e/c.pem"},
      {"DSB_SERVER_TLS_KEY", "/e/k.pem"},
      {"DSB_SERVER_TLS_ALLOW_PLAIN", "0"},
      {"DSB_STORAGE_DATA_DIR", "/e/data"},
      {"DSB_AUTH_ADMIN_TOKEN", "env-admin-token-0123"},
      {"DSB_AUTH_ADMIN_TOKEN_FILE", "/e/admin"},
      {"DSB_SECRETS_MASTER_KEY", "k"},
      {"DSB_SECRETS_MASTER_KEY_FILE", "/e/mk"},
      {"DSB_SECRETS_OLD_KEY_FILES", "/e/o1,,/e/o2"},
      {"DSB_CONNECTIONS_CONNECT_TIMEOUT_MS", "1000"},
      {"DSB_CONNECTIONS_TEST_TIMEOUT_MS", "2000"},
      {"DSB_CONNECTIONS_SCHEMA_TIMEOUT_MS", "3000"},
      {"DSB_EGRESS_ALLOW", ""},
      {"DSB_EGRESS_DENY", "10.0.0.0/8"},
      {"DSB_FILES_ROOT", "/e/files"},
      {"DSB_LOG_REQUESTS", "true"},
  };
  const Config c = load(file(kEveryKey), env);
  EXPECT_EQ(c.server.listen, "127.0.0.2:7000");
  EXPECT_EQ(c.server.threads, 5);
  EXPECT_EQ(c.server.max_connections, 9);
  EXPECT_EQ(c.server.body_limit, 2048);
  EXPECT_EQ(c.server.header_limit, 4096);
  EXPECT_EQ(c.server.read_timeout_ms, 100);
  EXPECT_EQ(c.server.idle_timeout_ms, 200);
  EXPECT_EQ(c.server.shutdown_grace_ms, 300);
  EXPECT_EQ(c.server.tls_cert, "/e/c.pem");
  EXPECT_EQ(c.server.tls_key, "/e/k.pem");
  EXPECT_FALSE(c.server.tls_allow_plain);
  EXPECT_EQ(c.storage.data_dir, "/e/data");
  EXPECT_EQ(c.auth.admin_token, "env-admin-token-0123");
  EXPECT_EQ(c.auth.admin_token_file, "/e/admin");
  EXPECT_EQ(c.secrets.master_key, "k");
  EXPECT_EQ(c.secrets.master_key_file, "/e/mk");
  EXPECT_EQ(c.secrets.old_key_files, (std::vector<std::string>{"/e/o1", "/e/o2"}));
  EXPECT_EQ(c.connections.connect_timeout_ms, 1000);
  EXPECT_EQ(c.connections.test_timeout_ms, 2000);
  EXPECT_EQ(c.connections.schema_timeout_ms, 3000);
  EXPECT_TRUE(c.egress.allow.empty());
  EXPECT_EQ(c.egress.deny, (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_EQ(c.files.root, "/e/files");
  EXPECT_TRUE(c.log.requests);
}

TEST_F(ConfigTest, ShortAliasesForTheTwoSecrets) {
  const Config c = load(std::nullopt, {{"DSB_ADMIN_TOKEN", "alias-admin-token-xyz"},
                                       {"DSB_MASTER_KEY", "alias-key"},
                                       {"DSB_AUTH_ADMIN_TOKEN", "long-form-admin-token"}});
  EXPECT_EQ(c.auth.admin_token, "alias-admin-token-xyz");
  EXPECT_EQ(c.secrets.master_key, "alias-key");
}

TEST_F(ConfigTest, EnvironmentBooleansAndIntegers) {
  EXPECT_TRUE(load(std::nullopt, {{"DSB_LOG_REQUESTS", "1"}}).log.requests);
  EXPECT_FALSE(load(std::nullopt, {{"DSB_LOG_REQUESTS", "false"}}).log.requests);
  for (const char* bad : {"yes", "TRUE", "", "2"}) {
    const std::string msg = error_of("", {{"DSB_LOG_REQUESTS", bad}});
    EXPECT_NE(msg.find("log.requests"), std::string::npos) << bad << ": " << msg;
    EXPECT_NE(msg.find("DSB_LOG_REQUESTS"), std::string::npos) << msg;
  }
  for (const char* bad : {"many", "12x", "", " 4", "4.0", "99999999999999999999"})
    expect_error_names("", "server.threads", {{"DSB_SERVER_THREADS", bad}});
  // Variables that are not keys are ignored.
  EXPECT_NO_THROW(load(std::nullopt, {{"DSB_TEST_PG_PORT", "x"}, {"DSB_NOT_A_KEY", "1"}}));
}

TEST_F(ConfigTest, UnknownKeysAreNamed) {
  expect_error_names("colour = 1\n", "colour");
  expect_error_names("[server]\nbogus = 1\n", "server.bogus");
  expect_error_names("[server.tls]\nca = \"x\"\n", "server.tls.ca");
  expect_error_names("[server.tls.deeper]\nx = 1\n", "server.tls.deeper.x");
  expect_error_names("[nosuch]\nx = 1\n", "nosuch.x");
  expect_error_names("[server.listen]\nhost = \"x\"\n", "server.listen");
  EXPECT_NE(error_of("[server]\nbogus = 1\n").find("unknown"), std::string::npos);
}

TEST_F(ConfigTest, BadTypesAreNamed) {
  expect_error_names("[server]\nthreads = \"two\"\n", "server.threads");
  expect_error_names("[server]\nthreads = 1.5\n", "server.threads");
  expect_error_names("[server]\nlisten = 8080\n", "server.listen");
  expect_error_names("[server.tls]\nallow_plain = \"yes\"\n", "server.tls.allow_plain");
  expect_error_names("[log]\nrequests = 1\n", "log.requests");
  expect_error_names("[egress]\nallow = \"10.0.0.0/8\"\n", "egress.allow");
  expect_error_names("[egress]\ndeny = [1, 2]\n", "egress.deny");
  expect_error_names("[secrets]\nold_key_files = [\"a\", 2]\n", "secrets.old_key_files");
  expect_error_names("[storage]\ndata_dir = []\n", "storage.data_dir");
}

TEST_F(ConfigTest, RangesAreChecked) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[server]\nthreads = -1\n", "server.threads"},
      {"[server]\nthreads = 257\n", "server.threads"},
      {"[server]\nmax_connections = 0\n", "server.max_connections"},
      {"[server]\nbody_limit = 1023\n", "server.body_limit"},
      {"[server]\nbody_limit = 1073741825\n", "server.body_limit"},
      {"[server]\nheader_limit = 100\n", "server.header_limit"},
      {"[server]\nread_timeout_ms = 99\n", "server.read_timeout_ms"},
      {"[server]\nidle_timeout_ms = 3600001\n", "server.idle_timeout_ms"},
      {"[server]\nshutdown_grace_ms = -1\n", "server.shutdown_grace_ms"},
      {"[connections]\nconnect_timeout_ms = 0\n", "connections.connect_timeout_ms"},
      {"[connections]\ntest_timeout_ms = 50\n", "connections.test_timeout_ms"},
      {"[connections]\nschema_timeout_ms = 99999999\n", "connections.schema_timeout_ms"},
      {"[server]\nlisten = \"nowhere\"\n", "server.listen"},
      {"[server]\nlisten = \"127.0.0.1:65536\"\n", "server.listen"},
      {"[storage]\ndata_dir = \"\"\n", "storage.data_dir"},
      {"[server.tls]\ncert = \"/c.pem\"\n", "server.tls.key"},
      {"[server.tls]\nkey = \"/k.pem\"\n", "server.tls.cert"},
      {"[server.tls]\nallow_plain = true\n", "server.tls.allow_plain"},
  };
  for (const auto& [toml, key] : cases) {
    SCOPED_TRACE(toml);
    expect_error_names(toml, key);
  }
  // The bounds themselves are fine.
  EXPECT_EQ(error_of("[server]\nthreads = 256\nbody_limit = 1024\nshutdown_grace_ms = 0\n"), "");
}

TEST_F(ConfigTest, SyntaxErrorsAndMissingFiles) {
  const std::string path = file("[server\nthreads = 1\n");
  try {
    load(path, {});
    FAIL() << "loaded a broken file";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos) << e.what();
  }
  try {
    load(dir_ + "/absent.toml", {});
    FAIL() << "loaded a missing file";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.toml"), std::string::npos) << e.what();
  }
}

TEST(HostPort, Parses) {
  const auto v4 = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  const auto v6 = parse_host_port("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  const auto name = parse_host_port("localhost:65535");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->host, "localhost");
  EXPECT_EQ(name->port, 65535);
  for (const char* bad : {"", "127.0.0.1", ":80", "127.0.0.1:", "127.0.0.1:65536", "host:8x",
                          "host:-1", "[::1]", "[::1]80", "[::1]:", "[]:80", "host: 80"})
    EXPECT_FALSE(parse_host_port(bad)) << bad;
}

TEST(DescribeKeys, NamesEveryKeyAndItsVariable) {
  const std::string text = describe_keys();
  for (const char* key :
       {"server.listen", "server.tls.allow_plain", "storage.data_dir", "auth.admin_token_file",
        "secrets.old_key_files", "connections.schema_timeout_ms", "egress.deny", "files.root",
        "log.requests"})
    EXPECT_NE(text.find(key), std::string::npos) << key;
  for (const char* env : {"DSB_SERVER_LISTEN", "DSB_SERVER_TLS_ALLOW_PLAIN", "DSB_STORAGE_DATA_DIR",
                          "DSB_LOG_REQUESTS"})
    EXPECT_NE(text.find(env), std::string::npos) << env;
}

TEST(ProcessEnvironment, TakesOnlyDsbVariables) {
  ::setenv("DSB_UNIT_PROBE", "a=b", 1);
  ::setenv("NOT_DSB_PROBE", "x", 1);
  const Environment env = process_environment();
  ASSERT_TRUE(env.contains("DSB_UNIT_PROBE"));
  EXPECT_EQ(env.at("DSB_UNIT_PROBE"), "a=b");
  EXPECT_FALSE(env.contains("NOT_DSB_PROBE"));
  ::unsetenv("DSB_UNIT_PROBE");
  ::unsetenv("NOT_DSB_PROBE");
}

}  // namespace
}  // namespace dsb::config
