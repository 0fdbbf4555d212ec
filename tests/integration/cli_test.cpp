// The command line: help texts, flags, config errors that stop start-up with
// the key's name, the "listening on" line, and the secrets generated on
// first start.
#include "tests/integration/broker_fixture.hpp"

#include <sys/stat.h>

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#ifndef DSB_SOURCE_DIR
#error "DSB_SOURCE_DIR must point at the repository"
#endif

namespace dsb::test {
namespace {

namespace fs = std::filesystem;

// The keys the Foundation issue requires; the shipped file's keys are read
// from it as well, so keys added later are checked too.
const std::vector<std::string> kConfigKeys = {
    "server.listen",          "server.threads",           "server.max_connections",
    "server.body_limit",      "server.header_limit",      "server.read_timeout_ms",
    "server.idle_timeout_ms", "server.shutdown_grace_ms", "server.tls.cert",
    "server.tls.key",         "server.tls.allow_plain",   "storage.data_dir",
    "auth.admin_token",       "auth.admin_token_file",    "secrets.master_key",
    "secrets.master_key_file"};

// Every leaf key of a TOML table, dotted.
void collect_keys(const toml::table& t, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [k, node] : t) {
    const std::string path =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table())
      collect_keys(*sub, path, out);
    else
      out.insert(path);
  }
}

std::set<std::string> shipped_keys() {
  std::set<std::string> out;
  collect_keys(toml::parse_file(std::string(DSB_SOURCE_DIR) + "/config/dsbroker.toml"), "", out);
  return out;
}

std::string env_name(const std::string& key) {
  std::string out = "DSB_";
  for (char c : key) out += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

BrokerOptions options(const std::string& dir) {
  BrokerOptions o;
  o.data_dir = dir;
  return o;
}

BrokerOptions options(const std::string& dir, const std::string& admin_token) {
  BrokerOptions o = options(dir);
  o.admin_token = admin_token;
  return o;
}

class CliTest : public ::testing::Test {
 protected:
  // Runs `dsbroker serve` with `extra` flags and a config file holding `toml`
  // (none when empty); it must fail before listening.
  std::pair<int, std::string> serve_fails(const std::string& toml,
                                          std::vector<std::string> extra = {},
                                          std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {"serve", "--data-dir", data_.path() + "/d"};
    if (!toml.empty()) {
      std::ofstream(data_.path() + "/c.toml") << toml;
      args.push_back("--config");
      args.push_back(data_.path() + "/c.toml");
    }
    bool has_listen = false;
    for (const auto& a : extra) has_listen = has_listen || a == "--listen";
    if (!has_listen) extra.insert(extra.begin(), {"--listen", "127.0.0.1:0"});
    args.insert(args.end(), extra.begin(), extra.end());
    env.emplace("DSB_ADMIN_TOKEN", "test-admin-token-0123456789abcdef");
    auto result = run_broker_command(args, env);
    EXPECT_NE(result.first, 0) << result.second;
    EXPECT_NE(result.first, -1) << "it did not exit: " << result.second;
    EXPECT_EQ(result.second.find("listening on"), std::string::npos) << result.second;
    return result;
  }
  TempDir data_;
};

TEST_F(CliTest, TopLevelHelpNamesEveryCommandAndFlag) {
  const auto [code, out] = run_broker_command({"--help"}, {});
  EXPECT_EQ(code, 0);
  for (const char* word :
       {"serve", "rekey", "--config", "--listen", "--data-dir", "--help", "--version"})
    EXPECT_NE(out.find(word), std::string::npos) << word << " missing from:\n" << out;
  const auto [vcode, vout] = run_broker_command({"--version"}, {});
  EXPECT_EQ(vcode, 0);
  EXPECT_EQ(vout.rfind("dsbroker ", 0), 0u) << vout;
}

TEST_F(CliTest, ServeHelpExplainsEveryFlagAndKey) {
  const auto [code, out] = run_broker_command({"serve", "--help"}, {});
  EXPECT_EQ(code, 0);
  for (const char* word :
       {"--config", "--listen", "--data-dir", "--help", "DSB_ADMIN_TOKEN", "DSB_MASTER_KEY"})
    EXPECT_NE(out.find(word), std::string::npos) << word << " missing from:\n" << out;
  std::set<std::string> keys = shipped_keys();
  keys.insert(kConfigKeys.begin(), kConfigKeys.end());
  for (const auto& key : keys) {
    EXPECT_NE(out.find(key), std::string::npos) << key << " missing from serve --help";
    EXPECT_NE(out.find(env_name(key)), std::string::npos) << env_name(key) << " missing";
  }
  // And every key the help lists is documented in the shipped file.
  const std::set<std::string> documented = shipped_keys();
  const std::regex listed("\\n  ([a-z_]+(\\.[a-z_]+)+) +DSB_");
  int seen = 0;
  for (std::sregex_iterator it(out.begin(), out.end(), listed), end; it != end; ++it, ++seen)
    EXPECT_TRUE(documented.contains((*it)[1])) << (*it)[1] << " is not in config/dsbroker.toml";
  EXPECT_GE(seen, static_cast<int>(kConfigKeys.size()));
}

TEST_F(CliTest, BadCommandLinesExitNonZero) {
  const auto [none, none_out] = run_broker_command({}, {});
  EXPECT_EQ(none, 2);
  EXPECT_NE(none_out.find("Usage"), std::string::npos) << none_out;
  const auto [cmd, cmd_out] = run_broker_command({"frobnicate"}, {});
  EXPECT_EQ(cmd, 2);
  EXPECT_NE(cmd_out.find("frobnicate"), std::string::npos) << cmd_out;
  const auto [opt, opt_out] = run_broker_command({"serve", "--bogus", "x"}, {});
  EXPECT_EQ(opt, 2);
  EXPECT_NE(opt_out.find("--bogus"), std::string::npos) << opt_out;
  const auto [val, val_out] = run_broker_command({"serve", "--listen"}, {});
  EXPECT_EQ(val, 2);
  EXPECT_NE(val_out.find("--listen"), std::string::npos) << val_out;
}

TEST_F(CliTest, InvalidConfigNamesTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[server]\nthreads = \"two\"\n", "server.threads"},
      {"[server]\nbogus = 1\n", "server.bogus"},
      {"[nosuch]\nx = 1\n", "nosuch.x"},
      {"[server]\nbody_limit = 10\n", "server.body_limit"},
      {"[server.tls]\nallow_plain = true\n", "server.tls.allow_plain"},
      {"[log]\nrequests = \"yes\"\n", "log.requests"},
      {"[egress]\nallow = \"10.0.0.0/8\"\n", "egress.allow"},
      {"[storage]\ndata_dir = 5\n", "storage.data_dir"},
  };
  for (const auto& [toml, key] : cases) {
    SCOPED_TRACE(toml);
    const auto [code, out] = serve_fails(toml);
    EXPECT_NE(out.find(key), std::string::npos) << out;
  }
  const auto [syntax, syntax_out] = serve_fails("[server\nthreads = 1\n");
  EXPECT_NE(syntax_out.find("line"), std::string::npos) << syntax_out;
  const auto [missing, missing_out] = serve_fails({}, {"--config", data_.path() + "/none.toml"});
  EXPECT_NE(missing_out.find("none.toml"), std::string::npos) << missing_out;
}

TEST_F(CliTest, InvalidEnvironmentAndFlagsNameTheKey) {
  const auto [c1, o1] = serve_fails({}, {}, {{"DSB_SERVER_THREADS", "many"}});
  EXPECT_NE(o1.find("server.threads"), std::string::npos) << o1;
  EXPECT_NE(o1.find("DSB_SERVER_THREADS"), std::string::npos) << o1;
  const auto [c2, o2] = serve_fails({}, {}, {{"DSB_SERVER_READ_TIMEOUT_MS", "5"}});
  EXPECT_NE(o2.find("server.read_timeout_ms"), std::string::npos) << o2;
  const auto [c3, o3] = serve_fails({}, {}, {{"DSB_LOG_REQUESTS", "maybe"}});
  EXPECT_NE(o3.find("log.requests"), std::string::npos) << o3;
  for (const char* listen : {"127.0.0.1:99999", "127.0.0.1", ":80", "127.0.0.1:x", "[::1"}) {
    SCOPED_TRACE(listen);
    const auto [c, o] = serve_fails({}, {"--listen", listen});
    EXPECT_NE(o.find("server.listen"), std::string::npos) << o;
  }
  const auto [c4, o4] = serve_fails({}, {}, {{"DSB_ADMIN_TOKEN", "short"}});
  EXPECT_NE(o4.find("auth.admin_token"), std::string::npos) << o4;
  const auto [c5, o5] = serve_fails({}, {}, {{"DSB_MASTER_KEY", "not-a-key"}});
  EXPECT_NE(o5.find("secrets.master_key"), std::string::npos) << o5;
}

TEST_F(CliTest, ListenPortZeroPrintsTheChosenPort) {
  BrokerProcess broker(options(data_.path()));
  ASSERT_TRUE(broker.running());
  const std::string out = broker.output();
  std::smatch m;
  const std::regex first_line("^listening on 127\\.0\\.0\\.1:([0-9]+)\n");
  ASSERT_TRUE(std::regex_search(out, m, first_line)) << out;
  const int port = std::stoi(m[1]);
  EXPECT_GT(port, 0);
  EXPECT_EQ(port, broker.port());
  HttpClient c("127.0.0.1", static_cast<std::uint16_t>(port));
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(broker.stop(), 0);
}

TEST_F(CliTest, FirstStartGeneratesPrivateSecretFiles) {
  const std::string dir = data_.path() + "/fresh";
  std::string token;
  {
    BrokerProcess broker(options(dir, ""));
    ASSERT_TRUE(broker.running());
    for (const char* name : {"admin_token", "master.key"}) {
      struct stat st {};
      ASSERT_EQ(::stat((dir + "/" + name).c_str(), &st), 0) << name;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    }
    struct stat dst {};
    ASSERT_EQ(::stat(dir.c_str(), &dst), 0);
    EXPECT_EQ(dst.st_mode & 077, 0u) << "the data dir is open to others";
    std::ifstream(dir + "/admin_token") >> token;
    EXPECT_GE(token.size(), 32u);
    // The banner says where the token is, never the token itself.
    EXPECT_NE(broker.output().find(dir + "/admin_token"), std::string::npos) << broker.output();
    EXPECT_EQ(broker.output().find(token), std::string::npos);
    HttpClient c("127.0.0.1", broker.port());
    c.set_bearer(token);
    EXPECT_EQ(c.post("/v1/orgs", json::object{{"name", "acme"}}).status, 201);
    EXPECT_EQ(broker.stop(), 0);
  }
  // The next start reuses them: the same token still works, the org is there.
  BrokerProcess again(options(dir, ""));
  ASSERT_TRUE(again.running());
  std::string token2;
  std::ifstream(dir + "/admin_token") >> token2;
  EXPECT_EQ(token2, token);
  HttpClient c("127.0.0.1", again.port());
  c.set_bearer(token);
  auto orgs = c.get("/v1/orgs");
  ASSERT_EQ(orgs.status, 200);
  EXPECT_EQ(orgs.json().at("items").as_array().size(), 1u);
}

TEST_F(CliTest, ConfigFileEnvironmentAndFlagsLayer) {
  // The shipped default file is valid; flags override it.
  BrokerOptions shipped_opts = options(data_.path() + "/a");
  shipped_opts.config_file = std::string(DSB_SOURCE_DIR) + "/config/dsbroker.toml";
  BrokerProcess shipped(shipped_opts);
  ASSERT_TRUE(shipped.running()) << shipped.output();
  EXPECT_NE(shipped.port(), 8080);
  EXPECT_EQ(shipped.stop(), 0);

  // The environment overrides the file.
  std::ofstream(data_.path() + "/t.toml") << "[server]\nthreads = 1\n";
  BrokerOptions layered_opts = options(data_.path() + "/b");
  layered_opts.env = {{"DSB_SERVER_THREADS", "3"}};
  layered_opts.config_file = data_.path() + "/t.toml";
  BrokerProcess layered(layered_opts);
  ASSERT_TRUE(layered.running());
  EXPECT_NE(layered.output().find("(3 shards)"), std::string::npos) << layered.output();
  EXPECT_EQ(layered.stop(), 0);

  // log.requests = false silences the access log.
  BrokerOptions quiet_opts = options(data_.path() + "/c");
  quiet_opts.env = {{"DSB_LOG_REQUESTS", "false"}};
  BrokerProcess quiet(quiet_opts);
  ASSERT_TRUE(quiet.running());
  HttpClient c("127.0.0.1", quiet.port());
  ASSERT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(quiet.stop(), 0);
  EXPECT_EQ(quiet.output().find("\"request_id\""), std::string::npos) << quiet.output();
}

}  // namespace
}  // namespace dsb::test
