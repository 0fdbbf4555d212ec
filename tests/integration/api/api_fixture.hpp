// Shared set-up for the API integration tests against real database servers:
// a real dsbroker (port 0, temp data dir) with one org, a client that keeps a
// transcript of every response (for secret scans), the test services'
// addresses and native datasource bodies that reach them.
#pragma once

#include "tests/support/broker_process.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dsb::test {

namespace json = boost::json;

// Where tests/services/start.sh put the servers (from its env.sh).
struct Services {
  std::uint16_t pg = 0;        // PostgreSQL 15, TLS on
  std::uint16_t pg_plain = 0;  // PostgreSQL 15, TLS off
  std::uint16_t mysql = 0;     // MariaDB, TLS on
  std::string tls_dir;         // ca.crt, client.crt, client.key, other-ca.crt
};
Services services();

// A PEM file of DSB_TEST_TLS_DIR ("ca.crt", "client.key", ...).
std::string tls_pem(const std::string& file);

// Native bodies reaching testdb as testuser/testpass unless told otherwise.
json::object pg_datasource(const std::string& name, const std::string& database = "testdb",
                           const std::string& username = "testuser",
                           const std::string& password = "testpass");
json::object mysql_datasource(const std::string& name, const std::string& database = "testdb",
                              const std::string& username = "testuser",
                              const std::string& password = "testpass");

// An HttpClient that remembers every response (status line, headers, body).
class ApiClient {
 public:
  ApiClient(std::uint16_t port, std::string bearer, std::vector<std::string>* transcript);

  HttpResult get(const std::string& target, const std::map<std::string, std::string>& h = {});
  HttpResult post(const std::string& target, const json::value& body);
  HttpResult post_empty(const std::string& target);
  HttpResult put(const std::string& target, const json::value& body);
  HttpResult patch(const std::string& target, const json::value& body);
  HttpResult del(const std::string& target);

 private:
  HttpResult record(HttpResult r);
  HttpClient http_;
  std::vector<std::string>* transcript_;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // (Re)starts the broker on this test's data dir with extra DSB_* variables.
  void start(std::map<std::string, std::string> env = {});
  // SIGTERM and wait: RocksDB is closed afterwards.
  void stop();

  std::uint16_t port() const { return broker_->port(); }
  // The org's client; valid until the next start().
  ApiClient& api() { return *api_; }
  // A client with another bearer token (the admin's, another org's).
  std::unique_ptr<ApiClient> client(const std::string& bearer);
  // Creates an org; returns its first token.
  std::string create_org(const std::string& name);

  std::string output() const;  // the broker's stdout + stderr so far
  const std::string& data_dir() const { return dir_.path(); }
  const std::vector<std::string>& transcript() const { return transcript_; }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  std::string org_token_;
  std::string admin_token_ = "api-test-admin-token-7c1d9e2f40";
  std::vector<std::string> transcript_;
  std::unique_ptr<ApiClient> api_;
  std::string earlier_output_;  // of brokers this test already stopped
};

// Fails the test unless `r` is the native error `code` with HTTP `status`.
void expect_error(const HttpResult& r, int status, const std::string& code);
// The string at `key` of an object ("" when absent or not a string).
std::string str(const json::value& v, const std::string& key);
// The names of a stages array, in order.
std::vector<std::string> stage_names(const json::value& stages);
// The stage named `name` of a stages array (an empty object when absent).
json::object stage(const json::value& stages, const std::string& name);

// Every file under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::string> files_containing(const std::string& dir, const std::string& needle);

// A port on 127.0.0.1 nothing listens on (bound, then closed).
std::uint16_t closed_port();

// Milliseconds since `start`.
double ms_since(std::chrono::steady_clock::time_point start);

}  // namespace dsb::test
