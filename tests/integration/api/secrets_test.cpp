// Secrets at rest and on the wire (issue 3): the exact bytes of passwords,
// TLS keys and SSH secrets appear nowhere under the data dir, in any response
// or in the broker's output; they show as {"set": true}; updates keep or clear
// them; a tampered envelope is an error, never garbage; master keys rotate
// through `dsbroker rekey`.
#include "store/datasource_record.hpp"
#include "store/store.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/integration/api/sql_admin.hpp"

#include <fstream>
#include <functional>
#include <sstream>

namespace dsb::test {
namespace {

constexpr const char* kPgPassword = "Pg-Pa55-e1d7c3-scan-me";
constexpr const char* kLoginPassword = "Login-Pa55-2b8e71-scan-me";
constexpr const char* kSshPassword = "Ssh-Pa55-90af1b-scan-me";
constexpr const char* kSshPassphrase = "Ssh-Phrase-4c02de-scan-me";
constexpr const char* kSshKeyBody =
    "U1NIS0VZLWJvZHktNzdhMWMzLXNjYW4tbWUtbm90LWluLWZpbGVzLWFueXdoZXJl";

const json::value kSet = json::object{{"set", true}};
const json::value kUnset = json::object{{"set", false}};

std::string ssh_private_key() {
  return std::string("-----BEGIN OPENSSH PRIVATE KEY-----\n") + kSshKeyBody +
         "\n-----END OPENSSH PRIVATE KEY-----\n";
}

// A line from the middle of the client key: bytes only that key contains.
std::string client_key_line() {
  std::istringstream pem(tls_pem("client.key"));
  std::string line;
  for (int i = 0; i < 3; ++i) std::getline(pem, line);
  return line;
}

class SecretsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    role_ = std::make_unique<PgScratchRole>("api_secret", kPgPassword);
  }

  json::object direct_body(const std::string& name) {
    return pg_datasource(name, "testdb", role_->name(), kPgPassword);
  }

  json::object tunnel_body() {
    auto body = pg_datasource("tunnel", "testdb", "testuser", kPgPassword);
    body["ssh"] = json::object{{"enabled", true},
                               {"host", "127.0.0.1"},
                               {"username", "tunnel"},
                               {"password", kSshPassword},
                               {"private_key", ssh_private_key()},
                               {"passphrase", kSshPassphrase}};
    return body;
  }

  json::object certs_body() {
    auto body = pg_datasource("certs", "testdb", "certuser", "");
    body["host"] = "localhost";
    body["tls"] = json::object{{"mode", "verify-full"},
                               {"ca", tls_pem("ca.crt")},
                               {"cert", tls_pem("client.crt")},
                               {"key", tls_pem("client.key")}};
    return body;
  }

  std::string create(const json::object& body, bool test = true) {
    auto r = api().post(test ? "/v1/datasources" : "/v1/datasources?test=false", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return str(r.json(), "id");
  }

  // POST /v1/datasources/{id}/test; returns the HTTP status.
  int test_saved(const std::string& id) {
    auto r = api().post_empty("/v1/datasources/" + id + "/test");
    EXPECT_TRUE(r.status == 200 || r.status >= 400) << r.body;
    return r.status;
  }

  std::vector<std::string> secrets() const {
    return {kPgPassword,    kLoginPassword, kSshPassword,
            kSshPassphrase, kSshKeyBody,    client_key_line()};
  }

  void expect_nowhere_under_data_dir(const std::string& when) {
    for (const auto& s : secrets()) {
      const auto hits = files_containing(data_dir(), s);
      EXPECT_TRUE(hits.empty()) << when << ": '" << s << "' in " << hits.front();
    }
  }

  std::unique_ptr<PgScratchRole> role_;
};

TEST_F(SecretsTest, NeverStoredOrShownInClear) {
  const std::string direct = create(direct_body("direct"));
  const std::string certs = create(certs_body());
  const std::string tunnel = create(tunnel_body(), false);
  auto login = api().post(
      "/v1/logins",
      json::object{{"name", "shared"}, {"username", role_->name()}, {"password", kLoginPassword}});
  ASSERT_EQ(login.status, 201) << login.body;
  EXPECT_EQ(login.json().at("password"), kSet);
  auto via_login = pg_datasource("via-login");
  via_login.erase("username");
  via_login.erase("password");
  via_login["login_id"] = str(login.json(), "id");
  create(via_login, false);

  auto c = api().get("/v1/datasources/" + certs).json();
  EXPECT_EQ(c.at("tls").at("key"), kSet);
  EXPECT_EQ(c.at("password"), kSet);
  auto t = api().get("/v1/datasources/" + tunnel).json();
  EXPECT_EQ(t.at("password"), kSet);
  for (const char* k : {"password", "private_key", "passphrase"})
    EXPECT_EQ(t.at("ssh").at(k), kSet);
  EXPECT_EQ(api().get("/v1/datasources/" + direct).json().at("password"), kSet);
  api().get("/v1/datasources");
  api().get("/v1/logins");
  EXPECT_EQ(test_saved(direct), 200);
  EXPECT_EQ(test_saved(certs), 200);

  expect_nowhere_under_data_dir("while running");
  stop();
  expect_nowhere_under_data_dir("after stop");
  for (const auto& s : secrets()) {
    for (const auto& response : transcript())
      EXPECT_EQ(response.find(s), std::string::npos) << response;
    EXPECT_EQ(output().find(s), std::string::npos) << s;
  }
}

TEST_F(SecretsTest, UpdatesKeepOmittedSecretsAndClearNulls) {
  const std::string id = create(direct_body("direct"));
  const std::string path = "/v1/datasources/" + id;
  // PUT without the password: kept, and the PUT's own test connects with it.
  auto body = direct_body("direct-renamed");
  body.erase("password");
  auto put = api().put(path, body);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json().at("test").at("ok"), json::value(true));
  EXPECT_EQ(put.json().at("password"), kSet);
  ASSERT_EQ(api().patch(path, json::object{{"host", "localhost"}}).status, 200);
  EXPECT_EQ(test_saved(id), 200);

  // Sending back what a GET shows is no password: rejected, nothing changes.
  auto sentinel = api().patch(path, json::object{{"password", kSet}});
  expect_error(sentinel, 400, "INVALID_REQUEST_BODY");
  EXPECT_NE(sentinel.body.find("\"password\""), std::string::npos) << sentinel.body;
  // A required secret cannot be cleared.
  auto cleared = api().patch(path + "?test=false", json::object{{"password", nullptr}});
  expect_error(cleared, 400, "INVALID_REQUEST_BODY");
  EXPECT_EQ(test_saved(id), 200);

  // null clears an optional secret; the ones left out stay.
  const std::string tunnel = create(tunnel_body(), false);
  auto next = tunnel_body();
  next["ssh"].as_object().erase("password");
  next["ssh"].as_object().erase("private_key");
  next["ssh"].as_object()["passphrase"] = nullptr;
  auto r = api().put("/v1/datasources/" + tunnel + "?test=false", next);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto ssh = api().get("/v1/datasources/" + tunnel).json().at("ssh");
  EXPECT_EQ(ssh.at("password"), kSet);
  EXPECT_EQ(ssh.at("private_key"), kSet);
  EXPECT_EQ(ssh.at("passphrase"), kUnset);
}

// Rewrites, in the stopped broker's RocksDB, the datasource named `name` with `edit`.
void edit_record(const std::string& data_dir, const std::string& name,
                 const std::function<void(store::DatasourceRecord&)>& edit) {
  auto db = store::open_rocks_store(data_dir + "/db");
  ASSERT_TRUE(db) << db.error().message;
  auto rows = (*db)->scan(store::Family::datasources, "", "", 1000);
  ASSERT_TRUE(rows);
  for (const auto& kv : *rows) {
    auto r = store::decode_datasource(kv.value);
    ASSERT_TRUE(r);
    if (r->name != name) continue;
    edit(*r);
    store::Batch batch;
    batch.put(store::Family::datasources, kv.key, store::encode_datasource(*r));
    ASSERT_TRUE((*db)->write(batch));
    return;
  }
  FAIL() << "no datasource named " << name;
}

// The envelope of `field` of the datasource `name`.
std::string envelope_of(const std::string& data_dir, const std::string& name,
                        const std::string& field) {
  std::string out;
  edit_record(data_dir, name, [&](store::DatasourceRecord& r) { out = r.secrets.at(field); });
  return out;
}

TEST_F(SecretsTest, TamperedEnvelopeIsAnErrorNotGarbage) {
  const std::string flipped = create(direct_body("flipped"));
  const std::string moved = create(direct_body("moved"));
  const std::string intact = create(direct_body("intact"));
  stop();
  edit_record(data_dir(), "flipped", [](store::DatasourceRecord& r) {
    std::string& env = r.secrets.at("password");
    char& c = env[env.size() / 2 + 10];  // inside the ciphertext
    c = c == 'A' ? 'B' : 'A';
  });
  // A valid envelope of another record: its associated data does not match.
  const std::string other = envelope_of(data_dir(), "intact", "password");
  edit_record(data_dir(), "moved",
              [&](store::DatasourceRecord& r) { r.secrets["password"] = other; });
  start();

  for (const auto& id : {flipped, moved}) {
    auto got = api().get("/v1/datasources/" + id);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.json().at("password"), kSet);
    auto r = api().post_empty("/v1/datasources/" + id + "/test");
    expect_error(r, 500, "SECRET_UNREADABLE");
    EXPECT_EQ(r.body.find(kPgPassword), std::string::npos);
  }
  EXPECT_EQ(test_saved(intact), 200);
  // Entering the secret again repairs the record.
  auto fixed = api().patch("/v1/datasources/" + flipped, json::object{{"password", kPgPassword}});
  EXPECT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(test_saved(flipped), 200);
}

constexpr const char* kKeyA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
constexpr const char* kKeyB = "c0ffee00deadbeef0123456789abcdef00112233445566778899aabbccddee11";

TEST_F(SecretsTest, RotationAndRekey) {
  TempDir keys;
  const std::string file_a = keys.path() + "/a.key";
  std::ofstream(file_a) << kKeyA << "\n";
  const std::map<std::string, std::string> only_a{{"DSB_MASTER_KEY", kKeyA}};
  const std::map<std::string, std::string> b_and_a{{"DSB_MASTER_KEY", kKeyB},
                                                   {"DSB_SECRETS_OLD_KEY_FILES", file_a}};
  const std::map<std::string, std::string> only_b{{"DSB_MASTER_KEY", kKeyB}};

  start(only_a);
  const std::string direct = create(direct_body("direct"));
  const std::string certs = create(certs_body());
  auto login = api().post(
      "/v1/logins",
      json::object{{"name", "shared"}, {"username", role_->name()}, {"password", kPgPassword}});
  ASSERT_EQ(login.status, 201) << login.body;
  auto via_login = pg_datasource("via-login");
  via_login.erase("username");
  via_login.erase("password");
  via_login["login_id"] = str(login.json(), "id");
  const std::string shared = create(via_login);
  const std::vector<std::string> all = {direct, certs, shared};

  // B alone cannot read what A sealed, and says so.
  start(only_b);
  for (const auto& id : all) {
    auto r = api().post_empty("/v1/datasources/" + id + "/test");
    expect_error(r, 500, "SECRET_UNREADABLE");
  }
  // B with A still listed reads both, and seals new secrets under B.
  start(b_and_a);
  for (const auto& id : all) EXPECT_EQ(test_saved(id), 200) << id;
  const std::string later = create(direct_body("later"));
  stop();

  std::map<std::string, std::string> env = b_and_a;
  env["DSB_ADMIN_TOKEN"] = admin_token_;
  for (int run = 0; run < 2; ++run) {
    auto [code, out] = run_broker_command({"rekey", "--data-dir", data_dir()}, env);
    EXPECT_EQ(code, 0) << out;
    if (run == 1) {
      EXPECT_NE(out.find("resealed 0 secrets"), std::string::npos) << out;
    }
    EXPECT_EQ(out.find(kPgPassword), std::string::npos) << out;
  }

  start(only_b);
  for (const auto& id : {direct, certs, shared, later}) EXPECT_EQ(test_saved(id), 200) << id;
  stop();
  // Neither key was written anywhere: they came from the environment.
  for (const char* key : {kKeyA, kKeyB}) {
    EXPECT_TRUE(files_containing(data_dir(), key).empty());
    EXPECT_EQ(output().find(key), std::string::npos);
  }
}

}  // namespace
}  // namespace dsb::test
