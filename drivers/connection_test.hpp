// Runs a connection test as stages: validate, resolve, (ssh_*), tcp_connect,
// tls_handshake, authenticate, probe_query, fetch_schema. Each stage is
// reported as it starts and ends; the first failure ends the test.
#pragma once

#include "drivers/driver.hpp"
#include "drivers/egress_policy.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace dsb::drivers {

struct TestLimits {
  std::chrono::milliseconds connect{10000};
  std::chrono::milliseconds test{20000};
  std::chrono::milliseconds schema{120000};
};

struct TestRequest {
  ConnectionSpec spec;
  bool fetch_schema = false;
  SchemaFilter filter;
  TestLimits limits;
};

struct TestOutcome {
  std::optional<Failure> failure;        // unset on success
  std::optional<SchemaSnapshot> schema;  // when fetch_schema and success
  double total_ms = 0;
  std::string ssh_host_key_fingerprint;  // the bastion key seen, for trust on first use
};

// Resolves spec.host, applies the egress policy and connects (the first half
// of a test); used on its own by routes that query a datasource.
// Files (csv, sqlite) skip resolution and go straight to the driver.
// `seen_fingerprint`, when given, receives the SSH bastion's key fingerprint.
asio::awaitable<Result<std::unique_ptr<DriverSession>>> open_session(
    const ConnectionSpec& spec, const EgressPolicy& egress, StageReporter& reporter,
    Deadline connect_deadline, Deadline overall_deadline, std::string* seen_fingerprint = nullptr);

// True for types whose data are files under the file root, not a server.
bool is_file_type(std::string_view type);

asio::awaitable<TestOutcome> run_connection_test(TestRequest request, const EgressPolicy& egress,
                                                 StageReporter& reporter);

}  // namespace dsb::drivers
