// dsb_event_loadgen: event latency and fan-out of /v1/events for a broker on
// this machine. It creates an org (admin token), opens N WebSocket
// subscribers to that org (spread over a few client threads), then
//   paced: runs --paced-jobs asynchronous connection tests one at a time
//          (the next once every subscriber got the previous one's final
//          message, then --interval-ms) and measures, for every message every
//          subscriber gets, the latency from the server's "at" timestamp to
//          receipt (p50/p99/max; "at" has millisecond resolution);
//   burst: starts --burst-jobs tests at once and measures the fan-out rate
//          (messages delivered to subscribers per second), the latency under
//          that load, and per message the spread between its first and last
//          receipt; with --broker-pid also the broker's CPU per delivery.
// The tests target a closed port on 127.0.0.1 (10 messages each, no database
// needed) or, with --pg-port, the test PostgreSQL. Only 127.0.0.1 is ever
// contacted; every wait is bounded. The last line is "RESULT key=value ...".
#include "tests/support/ws_client.hpp"

#include "bench/cli_flags.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxSubscribers = 50000;
constexpr int kMaxJobs = 1000;
constexpr auto kDeliveryDeadline = std::chrono::seconds(120);

struct Options {
  unsigned short port = 0;
  std::string admin_token;
  std::size_t subscribers = 1000;
  std::size_t threads = 2;
  int paced_jobs = 20;
  int interval_ms = 20;
  int burst_jobs = 40;
  unsigned short pg_port = 0;
  int broker_pid = 0;
};

constexpr const char* kUsage = R"(Usage: dsb_event_loadgen --port PORT --admin-token T [options]

  --subscribers N   WebSocket subscribers of one org (default 1000, at most 50000)
  --threads N       client threads, one io_context each (default 2)
  --paced-jobs N    jobs run one at a time, for latency (default 20)
  --interval-ms MS  pause between paced jobs (default 20)
  --burst-jobs N    jobs started at once, for the fan-out rate (default 40)
  --pg-port PORT    test the PostgreSQL at 127.0.0.1:PORT (testuser/testpass/testdb)
                    instead of a closed port
  --broker-pid PID  report the broker's CPU time per delivered message
)";

const dsb::bench::CliFlags kCli("dsb_event_loadgen", kUsage);

Options parse_args(int argc, char** argv) {
  Options o;
  kCli.parse(argc, argv, [&o](const std::string& a, const std::string& v) {
    if (a == "--port")
      o.port = static_cast<unsigned short>(kCli.integer(a, v));
    else if (a == "--admin-token")
      o.admin_token = v;
    else if (a == "--subscribers")
      o.subscribers = static_cast<std::size_t>(kCli.integer(a, v));
    else if (a == "--threads")
      o.threads = static_cast<std::size_t>(kCli.integer(a, v));
    else if (a == "--paced-jobs")
      o.paced_jobs = static_cast<int>(kCli.integer(a, v));
    else if (a == "--interval-ms")
      o.interval_ms = static_cast<int>(kCli.integer(a, v));
    else if (a == "--burst-jobs")
      o.burst_jobs = static_cast<int>(kCli.integer(a, v));
    else if (a == "--pg-port")
      o.pg_port = static_cast<unsigned short>(kCli.integer(a, v));
    else if (a == "--broker-pid")
      o.broker_pid = static_cast<int>(kCli.integer(a, v));
    else
      return false;
    return true;
  });
  if (o.port == 0 || o.admin_token.empty()) kCli.fail("--port and --admin-token are required");
  if (o.subscribers == 0 || o.subscribers > kMaxSubscribers)
    kCli.fail("--subscribers out of range");
  if (o.threads == 0 || o.threads > 64) kCli.fail("--threads out of range");
  if (o.paced_jobs > kMaxJobs || o.burst_jobs > kMaxJobs) kCli.fail("at most 1000 jobs per phase");
  return o;
}

// One keep-alive HTTP/1.1 connection to the broker.
class Http {
 public:
  explicit Http(unsigned short port) : stream_(io_) {
    stream_.expires_after(std::chrono::seconds(10));
    stream_.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
  }
  std::pair<int, json::value> request(http::verb verb, const std::string& target,
                                      const std::string& token, const json::value& body = nullptr) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    if (!body.is_null()) {
      req.set(http::field::content_type, "application/json");
      req.body() = json::serialize(body);
    }
    req.prepare_payload();
    stream_.expires_after(std::chrono::seconds(10));
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    boost::system::error_code ec;
    auto v = json::parse(res.body(), ec);
    return {static_cast<int>(res.result_int()), ec ? json::value(nullptr) : v};
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::string field(const json::value& v, const char* a, const char* b = nullptr) {
  const json::value* p = v.is_object() ? v.as_object().if_contains(a) : nullptr;
  if (p && b) p = p->is_object() ? p->as_object().if_contains(b) : nullptr;
  return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void raise_fd_limit(std::size_t want) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = std::min<rlim_t>(want, rl.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want)
    std::cerr << "dsb_event_loadgen: open-file limit " << rl.rlim_cur << " < " << want
              << " needed\n";
}

// The string value of "key":"..." in a compact JSON text (no parse).
std::string_view raw_string(std::string_view text, std::string_view key) {
  const auto k = text.find(key);
  if (k == std::string_view::npos) return {};
  const auto start = k + key.size();
  const auto end = text.find('"', start);
  return end == std::string_view::npos ? std::string_view() : text.substr(start, end - start);
}

std::int64_t raw_int(std::string_view text, std::string_view key) {
  const auto k = text.find(key);
  if (k == std::string_view::npos) return -1;
  return std::strtoll(text.data() + k + key.size(), nullptr, 10);
}

// One receipt, recorded by the client thread that owns the subscriber.
struct Receipt {
  std::uint64_t message;   // hash(job) ^ seq: which message
  std::int64_t steady_ns;  // when (client steady clock)
  float latency_ms;        // receipt wall clock - the event's "at" (-1: final message, no "at")
  bool final;
};

struct Phase {
  std::vector<std::vector<Receipt>> by_subscriber;
  std::atomic<std::size_t> finals{0};
  std::atomic<bool> recording{false};
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Summary {
  std::size_t deliveries = 0;
  double seconds = 0;  // first to last receipt
  double lat_p50 = 0, lat_p99 = 0, lat_max = 0;
  double spread_p50 = 0, spread_p99 = 0;
};

Summary summarize(Phase& phase) {
  Summary s;
  std::vector<double> latencies;
  std::unordered_map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> first_last;
  std::int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (auto& receipts : phase.by_subscriber) {
    for (const auto& r : receipts) {
      ++s.deliveries;
      if (r.latency_ms >= 0) latencies.push_back(r.latency_ms);
      auto [it, fresh] = first_last.try_emplace(r.message, r.steady_ns, r.steady_ns);
      if (!fresh) {
        it->second.first = std::min(it->second.first, r.steady_ns);
        it->second.second = std::max(it->second.second, r.steady_ns);
      }
      lo = std::min(lo, r.steady_ns);
      hi = std::max(hi, r.steady_ns);
    }
    receipts.clear();
  }
  std::vector<double> spreads;
  for (const auto& [m, fl] : first_last)
    spreads.push_back(static_cast<double>(fl.second - fl.first) / 1e6);
  s.seconds = s.deliveries ? static_cast<double>(hi - lo) / 1e9 : 0;
  s.lat_p50 = percentile(latencies, 0.50);
  s.lat_p99 = percentile(latencies, 0.99);
  s.lat_max = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  s.spread_p50 = percentile(spreads, 0.50);
  s.spread_p99 = percentile(spreads, 0.99);
  return s;
}

// CPU seconds (user + system) process `pid` has used; 0 when unknown.
double process_cpu_seconds(int pid) {
  if (pid <= 0) return 0;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  char buf[1024] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const char* p = std::strrchr(buf, ')');
  if (!p || static_cast<std::size_t>(p - buf) >= n) return 0;
  unsigned long utime = 0, stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
      2)
    return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int run(const Options& o) {
  raise_fd_limit(o.subscribers + 256);
  Http admin(o.port);
  const std::string org_name =
      "events-bench-" + std::to_string(::getpid()) + "-" + std::to_string(std::time(nullptr));
  auto [status, org] =
      admin.request(http::verb::post, "/v1/orgs", o.admin_token, json::object{{"name", org_name}});
  if (status != 201)
    throw std::runtime_error("creating the org answered " + std::to_string(status));
  const std::string token = field(org, "token", "token");
  const std::string org_id = field(org, "org", "id");
  // Generous limits for this org: the bench measures events, not quotas.
  admin.request(http::verb::patch, "/v1/orgs/" + org_id, o.admin_token,
                json::object{{"limits", json::object{{"requests_per_window", 1000000},
                                                     {"concurrent_tests", 64},
                                                     {"queued_tests", 10000}}}});

  Phase phase;
  phase.by_subscriber.resize(o.subscribers);
  dsb::test::CrowdHandler handler = [&phase](std::size_t i, std::string_view text,
                                             Clock::time_point received) {
    if (!phase.recording.load(std::memory_order_relaxed)) return;
    const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    const auto job = raw_string(text, "\"job\":\"");
    const auto seq = raw_int(text, "\"seq\":");
    const bool final = text.find("\"state\":") != std::string_view::npos;
    float latency = -1;
    if (const auto at = dsb::test::parse_rfc3339_ms(raw_string(text, "\"at\":\"")))
      latency =
          static_cast<float>(static_cast<double>(wall_us) / 1000.0 - static_cast<double>(*at));
    phase.by_subscriber[i].push_back(
        {std::hash<std::string_view>{}(job) ^ static_cast<std::uint64_t>(seq),
         received.time_since_epoch().count(), latency, final});
    if (final) phase.finals.fetch_add(1, std::memory_order_relaxed);
  };

  dsb::test::CrowdOptions co;
  co.port = o.port;
  co.token = token;
  co.connections = o.subscribers;
  co.threads = o.threads;
  dsb::test::WsCrowd crowd(co, handler);
  const auto connect_start = Clock::now();
  if (!crowd.start(std::chrono::seconds(120)))
    throw std::runtime_error("subscribers: " + crowd.error());
  const double connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();
  std::cout << "subscribers: " << o.subscribers << " connected and subscribed in " << connect_s
            << " s\n";

  const unsigned short target_port = o.pg_port ? o.pg_port : closed_port();
  json::object body{{"name", "bench"},       {"type", "postgres"},   {"host", "127.0.0.1"},
                    {"port", target_port},   {"database", "testdb"}, {"username", "testuser"},
                    {"password", "testpass"}};
  Http api(o.port);
  auto start_job = [&] {
    auto [st, v] = api.request(http::verb::post, "/v1/datasources/test?async=true", token, body);
    if (st != 202) throw std::runtime_error("starting a job answered " + std::to_string(st));
  };
  auto wait_finals = [&](std::size_t want) {
    const auto deadline = Clock::now() + kDeliveryDeadline;
    while (phase.finals.load() < want && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return phase.finals.load() >= want;
  };

  // Paced: latency of one job's events reaching every subscriber.
  bool paced_ok = true;
  phase.recording = true;
  for (int j = 0; j < o.paced_jobs && paced_ok; ++j) {
    start_job();
    paced_ok = wait_finals(o.subscribers * static_cast<std::size_t>(j + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
  }
  phase.recording = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Summary paced = summarize(phase);
  phase.finals = 0;

  // Burst: the fan-out rate.
  const double cpu_before = cpu_seconds();
  const double broker_before = process_cpu_seconds(o.broker_pid);
  phase.recording = true;
  for (int j = 0; j < o.burst_jobs; ++j) start_job();
  const bool burst_ok = wait_finals(o.subscribers * static_cast<std::size_t>(o.burst_jobs));
  phase.recording = false;
  const double client_cpu = cpu_seconds() - cpu_before;
  const double broker_cpu = process_cpu_seconds(o.broker_pid) - broker_before;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Summary burst = summarize(phase);
  const std::size_t ended = crowd.ended();
  crowd.stop();

  const double rate = burst.seconds > 0 ? static_cast<double>(burst.deliveries) / burst.seconds : 0;
  const double broker_us = burst.deliveries && o.broker_pid
                               ? broker_cpu * 1e6 / static_cast<double>(burst.deliveries)
                               : 0;
  std::printf(
      "paced: %d jobs, %zu deliveries, latency at->receipt p50 %.2f ms p99 %.2f ms max %.2f ms%s\n",
      o.paced_jobs, paced.deliveries, paced.lat_p50, paced.lat_p99, paced.lat_max,
      paced_ok ? "" : " (INCOMPLETE)");
  std::printf(
      "burst: %d jobs, %zu deliveries in %.3f s = %.0f msg/s; latency p50 %.2f ms p99 %.2f ms; "
      "first-to-last receipt of one message p50 %.2f ms p99 %.2f ms; cpu: client %.2f s, broker "
      "%.2f s "
      "(%.1f us per delivery)%s\n",
      o.burst_jobs, burst.deliveries, burst.seconds, rate, burst.lat_p50, burst.lat_p99,
      burst.spread_p50, burst.spread_p99, client_cpu, broker_cpu, broker_us,
      burst_ok ? "" : " (INCOMPLETE)");
  std::printf(
      "RESULT subscribers=%zu connect_s=%.2f paced_p50_ms=%.2f paced_p99_ms=%.2f paced_max_ms=%.2f "
      "burst_deliveries=%zu burst_s=%.3f fanout_msgs_per_s=%.0f burst_p50_ms=%.2f "
      "burst_p99_ms=%.2f "
      "spread_p50_ms=%.2f spread_p99_ms=%.2f broker_us_per_delivery=%.1f ended=%zu complete=%d\n",
      o.subscribers, connect_s, paced.lat_p50, paced.lat_p99, paced.lat_max, burst.deliveries,
      burst.seconds, rate, burst.lat_p50, burst.lat_p99, burst.spread_p50, burst.spread_p99,
      broker_us, ended, paced_ok && burst_ok ? 1 : 0);
  return paced_ok && burst_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "dsb_event_loadgen: " << e.what() << "\n";
    return 1;
  }
}
