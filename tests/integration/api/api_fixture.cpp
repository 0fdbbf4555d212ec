#include "tests/integration/api/api_fixture.hpp"

#include "tests/support/test_env.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include <filesystem>

namespace dsb::test {
namespace fs = std::filesystem;

Services services() {
  Services s;
  s.pg = require_port("DSB_TEST_PG_PORT");
  s.pg_plain = require_port("DSB_TEST_PG_PLAIN_PORT");
  s.mysql = require_port("DSB_TEST_MYSQL_PORT");
  s.tls_dir = require_env("DSB_TEST_TLS_DIR");
  return s;
}

std::string tls_pem(const std::string& file) {
  return read_file(services().tls_dir + "/" + file);
}

json::object pg_datasource(const std::string& name, const std::string& database,
                           const std::string& username, const std::string& password) {
  return {{"name", name},          {"type", "postgres"},   {"host", "127.0.0.1"},
          {"port", services().pg}, {"database", database}, {"username", username},
          {"password", password}};
}

json::object mysql_datasource(const std::string& name, const std::string& database,
                              const std::string& username, const std::string& password) {
  return {{"name", name},         {"type", "mariadb"},
          {"host", "127.0.0.1"},  {"port", services().mysql},
          {"database", database}, {"username", username},
          {"password", password}};
}

ApiClient::ApiClient(std::uint16_t port, std::string bearer, std::vector<std::string>* transcript)
    : http_("127.0.0.1", port), transcript_(transcript) {
  http_.set_bearer(std::move(bearer));
}

HttpResult ApiClient::record(HttpResult r) {
  std::string entry = std::to_string(r.status) + "\n";
  for (const auto& [k, v] : r.headers) entry += k + ": " + v + "\n";
  transcript_->push_back(entry + "\n" + r.body);
  return r;
}

HttpResult ApiClient::get(const std::string& target, const std::map<std::string, std::string>& h) {
  return record(http_.request("GET", target, {}, h));
}
HttpResult ApiClient::post(const std::string& target, const json::value& body) {
  return record(http_.post(target, body));
}
HttpResult ApiClient::post_empty(const std::string& target) {
  return record(http_.request("POST", target));
}
HttpResult ApiClient::put(const std::string& target, const json::value& body) {
  return record(http_.put(target, body));
}
HttpResult ApiClient::patch(const std::string& target, const json::value& body) {
  return record(http_.patch(target, body));
}
HttpResult ApiClient::del(const std::string& target) {
  return record(http_.del(target));
}

void ApiTest::SetUp() {
  start();
  org_token_ = create_org("acme");
  api_ = std::make_unique<ApiClient>(broker_->port(), org_token_, &transcript_);
}

void ApiTest::start(std::map<std::string, std::string> env) {
  if (broker_ && broker_->running()) stop();
  BrokerOptions opts;
  opts.data_dir = dir_.path();
  opts.admin_token = admin_token_;
  opts.env = std::move(env);
  broker_ = std::make_unique<BrokerProcess>(std::move(opts));
  ASSERT_TRUE(broker_->running()) << broker_->output();
  api_ = std::make_unique<ApiClient>(broker_->port(), org_token_, &transcript_);
}

void ApiTest::stop() {
  if (!broker_) return;
  EXPECT_EQ(broker_->stop(), 0) << broker_->output();
  earlier_output_ += broker_->output();
}

std::unique_ptr<ApiClient> ApiTest::client(const std::string& bearer) {
  return std::make_unique<ApiClient>(broker_->port(), bearer, &transcript_);
}

std::string ApiTest::create_org(const std::string& name) {
  auto r = client(admin_token_)->post("/v1/orgs", json::object{{"name", name}});
  EXPECT_EQ(r.status, 201) << r.body;
  const auto v = r.json();
  return v.is_object() ? str(v.at("token"), "token") : std::string();
}

std::string ApiTest::output() const {
  return earlier_output_ + (broker_ && broker_->running() ? broker_->output() : std::string());
}

void expect_error(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  const auto v = r.json();
  ASSERT_TRUE(v.is_object()) << "not a JSON error: " << r.body;
  EXPECT_EQ(str(v, "code"), code) << r.body;
  EXPECT_FALSE(str(v, "message").empty()) << r.body;
}

std::string str(const json::value& v, const std::string& key) {
  if (!v.is_object()) return {};
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->as_string()) : std::string();
}

std::vector<std::string> stage_names(const json::value& stages) {
  std::vector<std::string> out;
  if (!stages.is_array()) return out;
  for (const auto& s : stages.as_array()) out.push_back(str(s, "stage"));
  return out;
}

json::object stage(const json::value& stages, const std::string& name) {
  if (stages.is_array())
    for (const auto& s : stages.as_array())
      if (str(s, "stage") == name) return s.as_object();
  return {};
}

std::vector<std::string> files_containing(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (read_file(entry.path().string()).find(needle) != std::string::npos)
      hits.push_back(entry.path().string());
  }
  return hits;
}

std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace dsb::test
