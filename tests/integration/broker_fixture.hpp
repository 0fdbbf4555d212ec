// Shared set-up for the integration tests: a real dsbroker on port 0 with a
// fresh data dir, clients for the admin and for orgs, and body builders.
#pragma once

#include "tests/support/broker_process.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace dsb::test {

namespace json = boost::json;

// The password every datasource body carries unless a test says otherwise;
// tests search responses and logs for it.
inline constexpr const char* kPassword = "pw-9f1c2e7a-NEVER-SHOWN";

struct OrgAccess {
  std::string id;
  std::string name;
  std::string token;     // the org's first API token, in clear
  std::string token_id;  // its id
};

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  // Starts (or restarts) the broker on this test's data dir.
  void start(BrokerOptions opts = {});

  std::uint16_t port() const { return broker_->port(); }
  std::unique_ptr<HttpClient> client(const std::string& bearer = {}) const;
  std::unique_ptr<HttpClient> admin() const { return client(broker_->admin_token()); }

  // Creates an org through the admin API; fails the test on anything but 201.
  OrgAccess create_org(const std::string& name);

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

// Options for tests that send more than an org's default request budget
// (limits.requests_per_window) on purpose: bulk loads, not rate limiting.
BrokerOptions without_rate_limit();

// A valid native postgres body.
json::object pg_body(const std::string& name, const std::string& password = kPassword);

// "/v1/datasources/<id>?test=false" (updates never run a connection test here).
std::string ds_path(const std::string& id);

// Creates a datasource; fails the test unless 201, returns the response body.
json::object create_datasource(HttpClient& c, const json::object& body);

// Checks the native error shape: status, code, details[] and the request id
// that the X-Request-Id header also carries.
void expect_error(const HttpResult& r, int status, const std::string& code);

// True when the error's details name `field`.
bool has_detail(const HttpResult& r, const std::string& field);

// The string at `key` of a JSON object response ("" when absent or not a string).
std::string str(const json::value& v, const std::string& key);

}  // namespace dsb::test
