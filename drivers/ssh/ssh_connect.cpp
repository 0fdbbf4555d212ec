// ssh_connect: TCP to the bastion, the SSH handshake, the host key check.
#include "drivers/driver.hpp"
#include "drivers/ssh/ready_wait.hpp"
#include "drivers/ssh/ssh_fingerprint.hpp"
#include "drivers/ssh/ssh_stages.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <libssh2.h>

namespace dsb::drivers::ssh {

namespace asio = boost::asio;
namespace ip = asio::ip;
using namespace asio::experimental::awaitable_operators;
using tcp = ip::tcp;

namespace {

// Host key algorithms libssh2 1.10 can verify, in OpenSSH's order of
// preference, grouped by key: a pin names one key, and when the key a
// handshake settled on is not it, the next handshake leaves that group out.
const std::vector<std::string>& key_groups() {
  static const std::vector<std::string> groups{
      "ssh-ed25519", "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521", "ssh-rsa"};
  return groups;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string key_type_name(int type) {
  switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
      return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS:
      return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
      return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
      return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
      return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
      return "ssh-ed25519";
    default:
      return "unknown";
  }
}

std::optional<BastionKey> host_key(const SshSession& session) {
  std::size_t length = 0;
  int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;
  const char* blob = libssh2_session_hostkey(session.get(), &length, &type);
  const char* digest = libssh2_hostkey_hash(session.get(), LIBSSH2_HOSTKEY_HASH_SHA256);
  if (blob == nullptr || digest == nullptr) return std::nullopt;
  return BastionKey{key_type_name(type),
                    fingerprint_from_sha256(reinterpret_cast<const unsigned char*>(digest))};
}

std::string endpoint_text(const ip::address& a, std::uint16_t port) {
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

// TCP to the first address that accepts.
asio::awaitable<Result<void>> tcp_connect(tcp::socket& socket,
                                          const std::vector<ip::address>& addresses,
                                          std::uint16_t port, Deadline deadline,
                                          StageReporter& reporter) {
  std::string last;
  for (const auto& address : addresses) {
    const tcp::endpoint endpoint(address, port);
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    boost::system::error_code ec;
    auto first =
        co_await (socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec)) ||
                  timer_done(timer));
    if (first.index() == 1) {
      socket.close(ec);
      co_return stage_failed(reporter, reason::timeout,
                             "no TCP connection to the bastion " + endpoint_text(address, port) +
                                 " before the deadline");
    }
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      co_return Result<void>{};
    }
    last = "cannot connect to the bastion " + endpoint_text(address, port) + ": " + ec.message();
    socket.close(ec);
  }
  co_return stage_failed(reporter, reason::ssh_connect_failed, last);
}

Failure mismatch(StageReporter& reporter, const BastionKey& first, const std::string& pin,
                 bool more_tried) {
  std::string message = "the bastion's host key (" + first.type + " " + first.fingerprint +
                        ") does not match the pinned fingerprint " + pin;
  if (more_tried) message += ", nor does any other host key it offers";
  return stage_failed(reporter, reason::host_key_mismatch, std::move(message));
}

}  // namespace

Failure stage_failed(StageReporter& reporter, const char* why, std::string message) {
  reporter.failed(why, message);
  return test_failure(reporter.current_stage(), why, std::move(message));
}

asio::awaitable<Result<std::unique_ptr<SshSession>>> connect_bastion(
    const SshSettings& ssh, const std::vector<ip::address>& addresses, Deadline deadline,
    StageReporter& reporter, BastionKey* seen) {
  const std::string& pin = ssh.host_key_fingerprint;
  std::vector<std::string> groups = key_groups();
  std::optional<BastionKey> first;
  int handshakes = 0;
  while (!groups.empty()) {
    auto session = SshSession::create(co_await asio::this_coro::executor);
    if (!session)
      co_return stage_failed(reporter, reason::ssh_connect_failed, session.error().message);
    auto connected =
        co_await tcp_connect((*session)->socket(), addresses, ssh.port, deadline, reporter);
    if (!connected) co_return connected.error();
    const int rc = co_await (*session)->handshake(join(groups), deadline);
    ++handshakes;
    if (rc == kTimedOut)
      co_return stage_failed(reporter, reason::timeout,
                             "the bastion did not complete the SSH handshake before the deadline");
    // A later handshake may find no key type left in common: the pin matched none.
    if (rc != 0 && first) co_return mismatch(reporter, *first, pin, true);
    if (rc != 0)
      co_return stage_failed(
          reporter, reason::ssh_connect_failed,
          "the SSH handshake with the bastion failed: " + (*session)->last_error());
    auto key = host_key(**session);
    if (!key)
      co_return stage_failed(reporter, reason::ssh_connect_failed,
                             "the bastion sent no usable host key");
    if (!first) {
      first = key;
      if (seen != nullptr) *seen = *key;
    }
    if (pin.empty() && ssh.require_host_key)
      co_return stage_failed(
          reporter, reason::host_key_mismatch,
          "ssh.host_key_fingerprint is required (connections.require_ssh_host_key); the bastion "
          "presented " +
              key->type + " " + key->fingerprint);
    if (pin.empty() || fingerprint_matches(pin, key->fingerprint)) {
      if (seen != nullptr) *seen = *key;
      co_return std::move(*session);
    }
    // The pin may name another of the bastion's keys: the next handshake
    // leaves this key's group out. Nothing but the handshake was sent.
    const auto before = groups.size();
    std::erase_if(groups,
                  [&](const std::string& g) { return g.find(key->type) != std::string::npos; });
    if (groups.size() == before) break;  // a type outside the groups: no way to leave it out
  }
  co_return mismatch(reporter, *first, pin, handshakes > 1);
}

}  // namespace dsb::drivers::ssh
