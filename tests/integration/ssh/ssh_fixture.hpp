// Driver-level set-up for the SSH tunnel tests: specs reaching testdb
// through the test bastion, connection tests run on one io_context until
// everything on it has finished, and the process's own resources (fds,
// listeners) to check that nothing outlives a test.
#pragma once

#include "drivers/connection_test.hpp"
#include "tests/integration/drivers/driver_test_util.hpp"
#include "tests/integration/ssh/ssh_env.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace dsb::test {

// Runs `task` on a fresh io_context until everything on it has finished: the
// task and whatever it started (a tunnel's coroutine ends after the task).
template <class T>
T run_all(asio::awaitable<T> task) {
  asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// SSH settings for the test bastion: sshtest with the password, or with the
// key file `key` (and `passphrase`).
drivers::SshSettings ssh_with_password(const std::string& password = "testpass");
drivers::SshSettings ssh_with_key(const std::string& key_file, const std::string& passphrase = "");

// testdb as testuser/testpass, reached through `ssh` (host 127.0.0.1 as the
// bastion sees it).
drivers::ConnectionSpec pg_spec(const drivers::SshSettings& ssh);
drivers::ConnectionSpec mysql_spec(const drivers::SshSettings& ssh);

struct TestRun {
  drivers::TestOutcome outcome;
  std::vector<std::string> trail;  // "stage:status"
  std::vector<drivers::StageRecord> stages;
  double elapsed_ms = 0;
  bool ok() const { return !outcome.failure.has_value(); }
  std::string stage() const { return outcome.failure ? outcome.failure->stage : ""; }
  std::string reason() const { return outcome.failure ? outcome.failure->reason : ""; }
  std::string message() const { return outcome.failure ? outcome.failure->message : ""; }
  // The record of `stage` ({} when it did not run).
  drivers::StageRecord record(const std::string& stage) const;
};

// Runs a whole connection test on a fresh io_context until everything on it
// (the tunnel's own coroutine included) has finished.
TestRun run_test(const drivers::ConnectionSpec& spec, bool fetch_schema = false,
                 std::chrono::milliseconds connect = std::chrono::seconds(10),
                 std::chrono::milliseconds test = std::chrono::seconds(30),
                 const drivers::EgressPolicy& egress = drivers::EgressPolicy());

// Open file descriptors and listening TCP sockets of this process.
int open_fds();
int listening_sockets();

}  // namespace dsb::test
