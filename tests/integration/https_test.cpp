// HTTPS: with server.tls.cert/key the port speaks TLS 1.2+ (clients verify it
// against the test CA); plain HTTP on it is refused unless
// server.tls.allow_plain, and then both work on the same port.
#include "tests/integration/broker_fixture.hpp"
#include "tests/support/tls_material.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <fstream>

namespace dsb::test {
namespace {

namespace asio = boost::asio;

class HttpsTest : public BrokerTest {
 protected:
  void SetUp() override { tls_ = make_tls_material(tls_dir_.path()); }

  void start_tls(bool allow_plain) {
    const std::string config = tls_dir_.path() + "/dsbroker.toml";
    std::ofstream(config) << "[server.tls]\ncert = \"" << tls_.server_cert << "\"\nkey = \""
                          << tls_.server_key
                          << "\"\nallow_plain = " << (allow_plain ? "true" : "false") << "\n";
    BrokerOptions opts;
    opts.config_file = config;
    start(opts);
  }

  std::unique_ptr<HttpClient> tls_client(const std::string& host = "127.0.0.1") {
    auto c = std::make_unique<HttpClient>(host, port(), true, tls_.ca_cert);
    c->set_bearer(broker_->admin_token());
    return c;
  }

  // Handshakes with a client context set up by `setup`; true when it succeeds.
  bool handshake_with(const std::function<void(asio::ssl::context&)>& setup) {
    asio::io_context io;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    setup(ctx);
    asio::ssl::stream<asio::ip::tcp::socket> s(io, ctx);
    s.next_layer().connect({asio::ip::make_address("127.0.0.1"), port()});
    boost::system::error_code ec;
    s.handshake(asio::ssl::stream_base::client, ec);
    return !ec;
  }

  TempDir tls_dir_;
  TlsMaterial tls_;
};

TEST_F(HttpsTest, TlsPortServesVerifiedHttps) {
  start_tls(false);
  auto c = tls_client();
  auto h = c->get("/healthz");
  EXPECT_EQ(h.status, 200) << h.body;
  // The whole API works over it, on one kept-alive TLS connection.
  auto org = c->post("/v1/orgs", json::object{{"name", "acme"}});
  ASSERT_EQ(org.status, 201) << org.body;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c->get("/v1/orgs").status, 200);
  EXPECT_EQ(c->connections_opened(), 1);
  auto as_org = std::make_unique<HttpClient>("localhost", port(), true, tls_.ca_cert);
  as_org->set_bearer(str(org.json().at("token"), "token"));
  auto made = as_org->post("/v1/datasources?test=false", pg_body("over-tls"));
  EXPECT_EQ(made.status, 201) << made.body;
}

TEST_F(HttpsTest, ClientsThatDoNotTrustTheCaOrSpeakOldTlsAreRefused) {
  start_tls(false);
  EXPECT_TRUE(handshake_with([&](asio::ssl::context& ctx) {
    ctx.load_verify_file(tls_.ca_cert);
    ctx.set_verify_mode(asio::ssl::verify_peer);
  }));
  // Not signed by a CA the client knows: the client's verification fails.
  EXPECT_FALSE(handshake_with([](asio::ssl::context& ctx) {
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
  }));
  // TLS 1.1 at most: the server (TLS 1.2+) refuses.
  EXPECT_FALSE(handshake_with([](asio::ssl::context& ctx) {
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  }));
  // TLS 1.2 exactly is fine.
  EXPECT_TRUE(handshake_with([](asio::ssl::context& ctx) {
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  }));
}

TEST_F(HttpsTest, PlainHttpIsRefusedWithoutAllowPlain) {
  start_tls(false);
  RawConnection raw(port());
  ASSERT_TRUE(raw.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_TRUE(raw.closed_by_peer(5000)) << "plain HTTP got an answer on a TLS-only port";
  const std::string got = raw_exchange(port(), "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 2000);
  EXPECT_EQ(got.find("HTTP/1.1"), std::string::npos) << got;
  // And the port still speaks TLS afterwards.
  EXPECT_EQ(tls_client()->get("/healthz").status, 200);
}

TEST_F(HttpsTest, AllowPlainServesBothOnTheSamePort) {
  start_tls(true);
  auto secure = tls_client();
  auto plain = client(broker_->admin_token());
  auto org = plain->post("/v1/orgs", json::object{{"name", "plain-made"}});
  ASSERT_EQ(org.status, 201) << org.body;
  auto seen = secure->get("/v1/orgs/" + str(org.json().at("org"), "id"));
  EXPECT_EQ(seen.status, 200) << seen.body;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(secure->get("/healthz").status, 200);
    EXPECT_EQ(plain->get("/healthz").status, 200);
  }
  EXPECT_EQ(secure->connections_opened(), 1);
  EXPECT_EQ(plain->connections_opened(), 1);
  const std::string raw =
      raw_exchange(port(), "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 3000);
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
}

TEST_F(HttpsTest, UnreadableCertificateStopsStartUpNamingTheKey) {
  const std::string config = tls_dir_.path() + "/broken.toml";
  std::ofstream(config) << "[server.tls]\ncert = \"" << tls_dir_.path()
                        << "/missing.crt\"\nkey = \"" << tls_.server_key << "\"\n";
  TempDir data;
  const auto [code, out] = run_broker_command(
      {"serve", "--config", config, "--listen", "127.0.0.1:0", "--data-dir", data.path()},
      {{"DSB_ADMIN_TOKEN", "test-admin-token-0123456789abcdef"}});
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("server.tls.cert"), std::string::npos) << out;
  EXPECT_EQ(out.find("listening on"), std::string::npos) << out;

  // A key without a certificate is a config error too.
  const std::string half = tls_dir_.path() + "/half.toml";
  std::ofstream(half) << "[server.tls]\nkey = \"" << tls_.server_key << "\"\n";
  const auto [code2, out2] = run_broker_command(
      {"serve", "--config", half, "--listen", "127.0.0.1:0", "--data-dir", data.path()}, {});
  EXPECT_NE(code2, 0) << out2;
  EXPECT_NE(out2.find("server.tls.cert"), std::string::npos) << out2;
}

}  // namespace
}  // namespace dsb::test
