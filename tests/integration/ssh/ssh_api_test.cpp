// SSH tunnels through the real broker: datasources created through a
// bastion (PostgreSQL with a password, MariaDB with a passphrase-protected
// key), trust on first use storing the key seen, a stored pin refusing a
// bastion whose key changed, a wrong pin storing nothing, the switch that
// requires a pin, and no secret in any response or log line.
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/ssh/ssh_env.hpp"
#include "tests/support/test_env.hpp"

#include <boost/json/serialize.hpp>

#include <cstdlib>

namespace dsb::test {
namespace {

json::object ssh_block(const std::string& method) {
  const auto s = ssh_services();
  json::object ssh{
      {"enabled", true}, {"host", "127.0.0.1"}, {"port", s.ssh_port}, {"username", "sshtest"}};
  if (method == "password") ssh["password"] = "testpass";
  if (method == "passphrase_key") {
    ssh["private_key"] = ssh_file("id_ed25519_pass");
    ssh["passphrase"] = "keypass";
  }
  if (method == "rsa_key") ssh["private_key"] = ssh_file("id_rsa");
  return ssh;
}

json::object body(const std::string& name, const std::string& type, json::object ssh) {
  const auto s = ssh_services();
  return {{"name", name},           {"type", type},
          {"host", "127.0.0.1"},    {"port", type == "postgres" ? s.pg_port : s.mysql_port},
          {"database", "testdb"},   {"username", "testuser"},
          {"password", "testpass"}, {"ssh", std::move(ssh)}};
}

std::string stored_pin(ApiClient& api, const std::string& id) {
  const auto got = api.get("/v1/datasources/" + id);
  EXPECT_EQ(got.status, 200) << got.body;
  const auto v = got.json();
  return v.is_object() && v.as_object().contains("ssh") ? str(v.at("ssh"), "host_key_fingerprint")
                                                        : "";
}

class SshApiTest : public ApiTest {
 protected:
  void TearDown() override {
    for (const auto& entry : transcript()) expect_no_secret(entry);
    expect_no_secret(output());
  }
};

TEST_F(SshApiTest, PostgresThroughTheBastionTrustsTheKeyOnFirstUse) {
  auto r = api().post("/v1/datasources", body("pg-via-ssh", "postgres", ssh_block("password")));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  const auto& test = v.at("test");
  for (const char* name :
       {"ssh_connect", "ssh_auth", "tunnel_open", "fetch_schema", "cache_schema"})
    EXPECT_EQ(str(stage(test.at("stages"), name), "status"), "ok") << name << r.body;
  EXPECT_EQ(str(test, "ssh_host_key_fingerprint"), ssh_line("host_fingerprint"));
  EXPECT_EQ(str(v.at("ssh"), "host_key_fingerprint"), ssh_line("host_fingerprint"));
  EXPECT_EQ(v.at("ssh").at("password"), json::value(json::object{{"set", true}})) << r.body;

  const std::string id = str(v, "id");
  EXPECT_EQ(stored_pin(api(), id), ssh_line("host_fingerprint"));
  EXPECT_EQ(api().get("/v1/datasources/" + id + "/schema").status, 200);
  auto again = api().post_empty("/v1/datasources/" + id + "/test");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(str(again.json(), "ssh_host_key_fingerprint"), ssh_line("host_fingerprint"));
}

TEST_F(SshApiTest, MariadbWithAPassphraseProtectedKey) {
  auto r =
      api().post("/v1/datasources", body("maria-via-ssh", "mariadb", ssh_block("passphrase_key")));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  EXPECT_EQ(str(v, "status"), "ok");
  EXPECT_EQ(v.at("ssh").at("private_key"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(v.at("ssh").at("passphrase"), json::value(json::object{{"set", true}}));
  EXPECT_EQ(api().get("/v1/datasources/" + str(v, "id") + "/schema").status, 200);
}

TEST_F(SshApiTest, SavedTestAndSchemaRefreshStoreTheKeySeen) {
  auto r =
      api().post("/v1/datasources?test=false", body("untested", "postgres", ssh_block("rsa_key")));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = str(r.json(), "id");
  EXPECT_EQ(stored_pin(api(), id), "");
  auto tested = api().post_empty("/v1/datasources/" + id + "/test");
  ASSERT_EQ(tested.status, 200) << tested.body;
  EXPECT_EQ(stored_pin(api(), id), ssh_line("host_fingerprint"));

  auto second =
      api().post("/v1/datasources?test=false", body("refreshed", "mariadb", ssh_block("password")));
  const std::string id2 = str(second.json(), "id");
  auto refreshed = api().post_empty("/v1/datasources/" + id2 + "/schema/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(stored_pin(api(), id2), ssh_line("host_fingerprint"));
}

TEST_F(SshApiTest, WrongPinFailsAtSshConnectAndStoresNothing) {
  auto ssh = ssh_block("password");
  ssh["host_key_fingerprint"] = ssh_line("host_fingerprint_rsa");
  auto r = api().post("/v1/datasources", body("pinned-wrong", "postgres", ssh));
  expect_error(r, 400, "CREDENTIAL_TEST_FAILED");
  const auto v = r.json();
  EXPECT_EQ(str(v, "stage"), "ssh_connect") << r.body;
  EXPECT_EQ(str(v, "reason"), "host_key_mismatch") << r.body;
  EXPECT_EQ(str(v, "ssh_host_key_fingerprint"), ssh_line("host_fingerprint")) << r.body;
  EXPECT_EQ(api().get("/v1/datasources").json().at("items").as_array().size(), 0u);

  ssh["host_key_fingerprint"] = ssh_line("host_fingerprint");
  EXPECT_EQ(api().post("/v1/datasources", body("pinned-right", "postgres", ssh)).status, 201);
}

TEST_F(SshApiTest, AStoredKeyRefusesABastionWhoseKeyChanged) {
  auto r = api().post("/v1/datasources", body("tofu", "postgres", ssh_block("password")));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = str(r.json(), "id");
  // Another sshd with a fresh host key stands in for the bastion.
  TempDir keys;
  const std::string key = keys.path() + "/host_key";
  ASSERT_EQ(std::system(("ssh-keygen -q -t ed25519 -N '' -C '' -f " + key + " >/dev/null").c_str()),
            0);
  PrivateSshd impostor({"PasswordAuthentication yes", "UsePAM no"}, key);
  if (!impostor.started()) GTEST_SKIP() << "starting an sshd needs root";
  auto patched = api().patch("/v1/datasources/" + id + "?test=false",
                             json::object{{"ssh", {{"port", impostor.port()}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto test = api().post_empty("/v1/datasources/" + id + "/test");
  expect_error(test, 400, "CREDENTIAL_TEST_FAILED");
  EXPECT_EQ(str(test.json(), "reason"), "host_key_mismatch") << test.body;
  EXPECT_EQ(stored_pin(api(), id), ssh_line("host_fingerprint"));
}

TEST_F(SshApiTest, RequiredPinRefusesTrustOnFirstUse) {
  start({{"DSB_CONNECTIONS_REQUIRE_SSH_HOST_KEY", "true"}});
  auto r = api().post("/v1/datasources", body("unpinned", "postgres", ssh_block("password")));
  expect_error(r, 400, "CREDENTIAL_TEST_FAILED");
  EXPECT_EQ(str(r.json(), "reason"), "host_key_mismatch") << r.body;
  EXPECT_EQ(str(r.json(), "ssh_host_key_fingerprint"), ssh_line("host_fingerprint")) << r.body;

  auto ssh = ssh_block("password");
  ssh["host_key_fingerprint"] = ssh_line("host_fingerprint");
  EXPECT_EQ(api().post("/v1/datasources", body("pinned", "postgres", ssh)).status, 201);
}

TEST_F(SshApiTest, UnsavedTestReportsTheKeyAndStoresNothing) {
  auto r = api().post("/v1/datasources/test", body("draft", "mariadb", ssh_block("rsa_key")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(r.json(), "ssh_host_key_fingerprint"), ssh_line("host_fingerprint"));
  EXPECT_EQ(api().get("/v1/datasources").json().at("items").as_array().size(), 0u);
}

}  // namespace
}  // namespace dsb::test
