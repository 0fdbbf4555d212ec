#include "drivers/connection_test.hpp"

#include "drivers/catalogue/catalogue.hpp"
#include "drivers/registry.hpp"
#include "drivers/ssh/ssh_tunnel.hpp"
#include "drivers/ssh/tunneled_session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dsb::drivers {
namespace ip = boost::asio::ip;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

Failure stage_failed(StageReporter& reporter, const std::string& reason, std::string message) {
  reporter.failed(reason, message);
  return test_failure(reporter.current_stage(), reason, std::move(message));
}

// Resolves `host` (numeric addresses without a lookup) within the deadline.
asio::awaitable<Result<std::vector<ip::address>>> resolve(const std::string& host,
                                                          Deadline deadline,
                                                          StageReporter& reporter) {
  boost::system::error_code ec;
  const auto numeric = ip::make_address(host, ec);
  if (!ec) co_return std::vector<ip::address>{numeric};
  auto ex = co_await asio::this_coro::executor;
  ip::tcp::resolver resolver(ex);
  asio::steady_timer timer(ex);
  timer.expires_at(deadline);
  auto winner =
      co_await (resolver.async_resolve(host, "", asio::redirect_error(asio::use_awaitable, ec)) ||
                timer.async_wait(asio::use_awaitable));
  if (winner.index() == 1)
    co_return stage_failed(reporter, reason::timeout,
                           "resolving '" + host + "' took longer than the deadline");
  if (ec)
    co_return stage_failed(reporter, reason::dns_failed,
                           "cannot resolve '" + host + "': " + ec.message());
  std::vector<ip::address> out;
  for (const auto& entry : std::get<0>(winner)) out.push_back(entry.endpoint().address());
  if (out.empty())
    co_return stage_failed(reporter, reason::dns_failed, "'" + host + "' has no addresses");
  co_return out;
}

// Opens an SSH tunnel to the database and connects the driver through it;
// the session returned owns the tunnel.
asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect_tunneled(
    Driver& driver, const ConnectionSpec& spec, std::vector<ip::address> bastion,
    StageReporter& reporter, Clock::duration stage_timeout, Deadline overall_deadline,
    std::string* seen_fingerprint) {
  ssh::TunnelRequest request{.ssh = spec.ssh,
                             .bastion_addresses = std::move(bastion),
                             .target_host = spec.host,
                             .target_port = spec.port,
                             .stage_timeout = stage_timeout,
                             .overall_deadline = overall_deadline};
  auto tunnel = co_await ssh::open_tunnel(std::move(request), reporter, seen_fingerprint);
  if (!tunnel) co_return tunnel.error();
  ConnectTarget target{spec, (*tunnel)->address(), (*tunnel)->port(),
                       std::min(Clock::now() + stage_timeout, overall_deadline), overall_deadline};
  auto session = co_await driver.connect(target, reporter);
  if (!session) co_return session.error();
  co_return ssh::tunneled_session(std::move(*session), std::move(*tunnel));
}

}  // namespace

bool is_file_type(std::string_view type) {
  const TypeEntry* entry = find_type(type);
  return entry != nullptr && (entry->family == "csv" || entry->family == "sqlite");
}

asio::awaitable<Result<std::unique_ptr<DriverSession>>> open_session(
    const ConnectionSpec& spec, const EgressPolicy& egress, StageReporter& reporter,
    Deadline connect_deadline, Deadline overall_deadline, std::string* seen_fingerprint) {
  Driver* driver = find_driver(spec.type);
  if (driver == nullptr) co_return driver_unavailable(spec.type);
  const Deadline connect_by = std::min(connect_deadline, overall_deadline);
  // Each SSH stage, and the driver's connect after them, gets this much.
  const auto stage_timeout = std::max(Clock::duration::zero(), connect_deadline - Clock::now());
  if (is_file_type(spec.type)) {
    ConnectTarget target{spec, {}, 0, connect_by, overall_deadline};
    co_return co_await driver->connect(target, reporter);
  }

  // Through a bastion dsbroker connects only to the bastion: that is the host
  // resolved and checked here, and the database's name is the bastion's to resolve.
  const std::string& host = spec.ssh.enabled ? spec.ssh.host : spec.host;
  reporter.begin("resolve");
  auto addresses = co_await resolve(host, connect_by, reporter);
  if (!addresses) co_return addresses.error();
  std::vector<ip::address> allowed;
  for (const auto& a : *addresses)
    if (egress.permits(a)) allowed.push_back(a);
  if (allowed.empty())
    co_return stage_failed(reporter, reason::egress_denied,
                           "'" + host + "' resolves to " + addresses->front().to_string() +
                               ", which the egress policy does not allow");
  reporter.ok({{"address", allowed.front().to_string()}});
  if (spec.ssh.enabled)
    co_return co_await connect_tunneled(*driver, spec, std::move(allowed), reporter, stage_timeout,
                                        overall_deadline, seen_fingerprint);
  reporter.skipped("ssh_connect");
  reporter.skipped("ssh_auth");
  reporter.skipped("tunnel_open");

  ConnectTarget target{spec, allowed.front().to_string(), spec.port, connect_by, overall_deadline};
  co_return co_await driver->connect(target, reporter);
}

asio::awaitable<TestOutcome> run_connection_test(TestRequest request, const EgressPolicy& egress,
                                                 StageReporter& reporter) {
  const auto started = Clock::now();
  for (std::string& secret : request.spec.secrets()) reporter.add_secret(std::move(secret));
  TestOutcome out;
  auto finish = [&](std::optional<Failure> f) {
    if (f) f->message = reporter.scrub(std::move(f->message));
    out.failure = std::move(f);
    out.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return std::move(out);
  };
  reporter.begin("validate");
  reporter.ok();
  const Deadline overall = started + request.limits.test;
  auto session =
      co_await open_session(request.spec, egress, reporter, started + request.limits.connect,
                            overall, &out.ssh_host_key_fingerprint);
  if (!session) co_return finish(session.error());

  reporter.begin("probe_query");
  if (auto p = co_await (*session)->probe(overall); !p) {
    if (reporter.in_stage()) reporter.failed(p.error().reason, p.error().message);
    co_return finish(p.error());
  }
  reporter.ok();

  if (request.fetch_schema) {
    reporter.begin("fetch_schema");
    auto schema = co_await (*session)->fetch_schema(request.filter, reporter,
                                                    Clock::now() + request.limits.schema);
    if (!schema) {
      if (reporter.in_stage()) reporter.failed(schema.error().reason, schema.error().message);
      co_return finish(schema.error());
    }
    reporter.ok({{"tables", schema->tables.size()}});
    out.schema = std::move(*schema);
  }
  co_return finish(std::nullopt);
}

}  // namespace dsb::drivers
