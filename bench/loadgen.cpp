// dsb_loadgen: a closed-loop HTTP/1.1 load generator for a broker on this
// machine. N keep-alive connections (spread over one or two threads, one
// io_context each) each send a request, wait for the whole response, and send
// the next. Only 127.0.0.1 is ever targeted; every run stops by itself at its
// duration or request count, and a hard deadline closes whatever is left.
//
//   dsb_loadgen --scenario setup  --port P --admin-token T [--orgs N]   prints org tokens
//   dsb_loadgen --scenario get    --port P --token T[,T2...] [--records 8]
//   dsb_loadgen --scenario create --port P --token T[,T2...]
//
// With several tokens (orgs), connection i speaks for org i % N.
//
// The last line of a run is machine-readable: "RESULT key=value ...".
#include "bench/cli_flags.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Limits: every run is bounded whatever the flags say.
constexpr int kMaxConnections = 4096;
constexpr double kMaxDurationS = 600;
constexpr std::uint64_t kMaxRequests = 100'000'000;
constexpr auto kHardStopGrace = std::chrono::seconds(5);  // after the duration
constexpr auto kSetupTimeout = std::chrono::seconds(10);
constexpr auto kReconnectDelay = std::chrono::milliseconds(20);
constexpr int kMaxRecords = 1000;
constexpr int kMaxOrgs = 64;

struct Options {
  std::string scenario = "get";
  unsigned short port = 0;
  std::vector<std::string> tokens;
  std::string admin_token;
  int orgs = 1;  // setup: how many orgs to create
  int connections = 64;
  int threads = 1;
  double duration_s = 10;
  double warmup_s = 0;
  std::uint64_t requests = 0;  // 0 = until the duration ends
  int records = 8;             // get: records created before the run
};

constexpr const char* kUsage =
    R"(Usage: dsb_loadgen --scenario get|create|setup --port PORT [options]

  --scenario S       get: GET /v1/datasources/{id} over --records pre-created records,
                     round-robin; create: POST /v1/datasources?test=false with unique
                     names; setup: create --orgs orgs with --admin-token, print
                     their tokens, comma-separated.
  --port PORT        the broker's port on 127.0.0.1 (the only host ever targeted)
  --token T[,T...]   org tokens (get, create); connection i uses token i % count
  --orgs N           setup: how many orgs to create (default 1, at most 64)
  --admin-token T    the admin token (setup)
  --connections N    keep-alive connections (default 64, at most 4096)
  --threads N        client threads, one io_context each (default 1)
  --duration-s S     measured run time in seconds (default 10, at most 600)
  --warmup-s S       run this long first without measuring (default 0)
  --requests N       stop after N requests (the duration still bounds the run)
  --records N        get: how many records to create and cycle through (default 8)
)";

const dsb::bench::CliFlags kCli("dsb_loadgen", kUsage);

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    const auto end = std::min(v.find(',', start), v.size());
    if (end > start) out.push_back(v.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Options parse_args(int argc, char** argv) {
  Options o;
  kCli.parse(argc, argv, [&o](const std::string& a, const std::string& v) {
    if (a == "--scenario")
      o.scenario = v;
    else if (a == "--port")
      o.port = static_cast<unsigned short>(kCli.number(a, v));
    else if (a == "--token")
      o.tokens = split_list(v);
    else if (a == "--orgs")
      o.orgs = static_cast<int>(kCli.number(a, v));
    else if (a == "--admin-token")
      o.admin_token = v;
    else if (a == "--connections")
      o.connections = static_cast<int>(kCli.number(a, v));
    else if (a == "--threads")
      o.threads = static_cast<int>(kCli.number(a, v));
    else if (a == "--duration-s")
      o.duration_s = kCli.number(a, v);
    else if (a == "--warmup-s")
      o.warmup_s = kCli.number(a, v);
    else if (a == "--requests")
      o.requests = static_cast<std::uint64_t>(kCli.number(a, v));
    else if (a == "--records")
      o.records = static_cast<int>(kCli.number(a, v));
    else
      return false;
    return true;
  });
  if (o.scenario != "get" && o.scenario != "create" && o.scenario != "setup")
    kCli.fail("--scenario must be get, create or setup");
  if (o.port == 0) kCli.fail("--port is required");
  if (o.scenario == "setup" && o.admin_token.empty()) kCli.fail("setup needs --admin-token");
  if (o.scenario != "setup" && o.tokens.empty()) kCli.fail(o.scenario + " needs --token");
  if (o.orgs < 1 || o.orgs > kMaxOrgs) kCli.fail("--orgs must be 1..64");
  if (o.connections < 1 || o.connections > kMaxConnections)
    kCli.fail("--connections must be 1..4096");
  if (o.threads < 1 || o.threads > 2) kCli.fail("--threads must be 1 or 2");
  if (o.duration_s <= 0 || o.duration_s > kMaxDurationS)
    kCli.fail("--duration-s must be in (0, 600]");
  if (o.warmup_s > kMaxDurationS) kCli.fail("--warmup-s must be at most 600");
  if (o.requests > kMaxRequests) kCli.fail("--requests must be at most 100000000");
  if (o.records < 1 || o.records > kMaxRecords) kCli.fail("--records must be 1..1000");
  return o;
}

// ---------------------------------------------------------------------------
// Latency histogram: log-linear buckets over nanoseconds, 64 sub-buckets per
// power of two (relative error under 1.6%), like HdrHistogram at 2 digits.

class Histogram {
 public:
  void record(std::uint64_t ns) {
    ++counts_[index_of(ns)];
    ++total_;
    max_ = std::max(max_, ns);
  }
  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    max_ = std::max(max_, o.max_);
  }
  std::uint64_t total() const { return total_; }
  std::uint64_t max() const { return max_; }
  // The upper edge of the bucket holding quantile q (0 < q <= 1).
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_) + 0.5);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(upper_edge(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 6;  // 64 sub-buckets
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) << kSubBits;

  static std::size_t index_of(std::uint64_t v) {
    if (v < (1u << (kSubBits + 1))) return static_cast<std::size_t>(v);
    const int shift = std::bit_width(v) - 1 - kSubBits;  // keeps the top 7 bits
    return (static_cast<std::size_t>(shift) << kSubBits) + static_cast<std::size_t>(v >> shift);
  }
  static std::uint64_t upper_edge(std::size_t i) {
    if (i < (1u << (kSubBits + 1))) return i;
    const std::size_t shift = (i >> kSubBits) - 1;
    const std::uint64_t mantissa = (i & ((1u << kSubBits) - 1)) + (1u << kSubBits);
    return ((mantissa + 1) << shift) - 1;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

// ---------------------------------------------------------------------------
// Synchronous setup calls (org, records), each with a deadline.

struct Reply {
  int status = 0;
  json::value body;
};

Reply call(unsigned short port, http::verb verb, const std::string& target,
           const std::string& token, const std::string& body) {
  asio::io_context io;
  tcp::socket socket(io);
  const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), port);
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  auto run = [&]() -> asio::awaitable<void> {
    co_await socket.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await http::async_write(socket, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await http::async_read(socket, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
  };
  asio::co_spawn(io, run, asio::detached);
  io.run_for(kSetupTimeout);
  if (!io.stopped()) throw std::runtime_error(target + ": no answer within 10 s");
  if (ec) throw std::runtime_error(target + ": " + ec.message());
  Reply r{static_cast<int>(res.result_int()), nullptr};
  boost::system::error_code jec;
  r.body = json::parse(res.body(), jec);
  return r;
}

std::string run_prefix() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08x%04x", rd(), static_cast<unsigned>(getpid()) & 0xffff);
  return buf;
}

std::string create_org(const Options& o) {
  const Reply r = call(o.port, http::verb::post, "/v1/orgs", o.admin_token,
                       R"({"name":"bench-)" + run_prefix() + R"("})");
  if (r.status != 201)
    throw std::runtime_error("POST /v1/orgs: status " + std::to_string(r.status));
  return json::value_to<std::string>(r.body.as_object().at("token").as_object().at("token"));
}

std::string create_body(const std::string& name) {
  return R"({"name":")" + name +
         R"(","type":"postgres","host":"db.example.com","port":5432,"database":"d","username":"u","password":"p"})";
}

std::vector<std::string> create_records(const Options& o, const std::string& token) {
  std::vector<std::string> ids;
  const std::string prefix = "bench-get-" + run_prefix() + "-";
  for (int i = 0; i < o.records; ++i) {
    const Reply r = call(o.port, http::verb::post, "/v1/datasources?test=false", token,
                         create_body(prefix + std::to_string(i)));
    if (r.status != 201)
      throw std::runtime_error("POST /v1/datasources: status " + std::to_string(r.status));
    ids.push_back(json::value_to<std::string>(r.body.as_object().at("id")));
  }
  return ids;
}

// ---------------------------------------------------------------------------
// The load: one Worker per thread, owning its io_context, connections and stats.

std::string request_head(const char* method, const std::string& target, const std::string& token) {
  return std::string(method) + " " + target +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n";
}

struct Plan {
  const Options* opts = nullptr;
  // Per org (token): whole GET requests, one per record; the create request
  // head up to the headers that vary.
  std::vector<std::vector<std::string>> get_requests;
  std::vector<std::string> create_heads;
  std::string name_prefix;
  Clock::time_point measure_from;  // after the warm-up
  Clock::time_point stop_at;
  std::atomic<std::uint64_t> tickets{0};  // requests started, for --requests
  std::atomic<bool> stopping{false};
};

class Worker {
 public:
  Worker(Plan& plan, int index) : plan_(plan), index_(index) {}

  void spawn_connection(int id) {
    ++active_;
    asio::co_spawn(io_, connection(id), [this](std::exception_ptr) {
      // The last connection done ends the run early (a --requests run).
      if (--active_ == 0) hard_stop_.cancel();
    });
  }

  void run() {
    // The hard stop: whatever is still open at the deadline + grace is cut.
    hard_stop_.expires_at(plan_.stop_at + kHardStopGrace);
    hard_stop_.async_wait([this](boost::system::error_code ec) {
      if (!ec) io_.stop();
    });
    io_.run();
  }

  // The run's counters; read after run() returns.
  Histogram latency;
  std::map<int, std::uint64_t> by_status;  // measured responses by status
  std::uint64_t io_errors = 0;
  std::uint64_t ok = 0;
  std::uint64_t all_responses = 0;  // warm-up included, for CPU per request
  Clock::time_point last_done{};

 private:
  bool may_start() {
    if (plan_.stopping.load(std::memory_order_relaxed)) return false;
    if (Clock::now() >= plan_.stop_at) return false;
    if (plan_.opts->requests == 0) return true;
    if (plan_.tickets.fetch_add(1, std::memory_order_relaxed) < plan_.opts->requests) return true;
    plan_.stopping = true;
    return false;
  }

  const std::string& next_request(int conn, std::uint64_t seq, std::string& scratch) {
    if (plan_.opts->scenario == "get") {
      const auto& mine =
          plan_.get_requests[static_cast<std::size_t>(conn) % plan_.get_requests.size()];
      return mine[(static_cast<std::size_t>(conn) + seq) % mine.size()];
    }
    const std::string body = create_body(plan_.name_prefix + std::to_string(index_) + "-" +
                                         std::to_string(conn) + "-" + std::to_string(seq));
    scratch = plan_.create_heads[static_cast<std::size_t>(conn) % plan_.create_heads.size()];
    scratch += "Content-Type: application/json\r\nContent-Length: ";
    scratch += std::to_string(body.size());
    scratch += "\r\n\r\n";
    scratch += body;
    return scratch;
  }

  // Sends one request at a time, reconnecting after a close or an error,
  // until may_start() says the run is over.
  asio::awaitable<void> connection(int conn) {
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), plan_.opts->port);
    std::string scratch;
    std::uint64_t seq = 0;
    beast::flat_buffer buffer;
    bool more = may_start();
    while (more) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      co_await socket.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) socket.set_option(tcp::no_delay(true), ec);
      buffer.clear();
      bool keep_alive = true;
      while (!ec && keep_alive && more) {
        const std::string& req = next_request(conn, seq++, scratch);
        const auto started = Clock::now();
        co_await asio::async_write(socket, asio::buffer(req),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        co_await http::async_read(socket, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        record(started, Clock::now(), static_cast<int>(parser.get().result_int()));
        keep_alive = parser.get().keep_alive();
        more = may_start();
      }
      socket.close(ec);
      if (!more || !keep_alive) continue;  // done, or reopen at once after a close
      const auto now = Clock::now();
      if (now >= plan_.measure_from && now < plan_.stop_at) ++io_errors;
      asio::steady_timer pause(io_, kReconnectDelay);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      more = may_start();
    }
  }

  void record(Clock::time_point started, Clock::time_point done, int status) {
    ++all_responses;
    if (started < plan_.measure_from || done > plan_.stop_at) return;
    latency.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(done - started).count()));
    ++by_status[status];
    if (status >= 200 && status < 300) ++ok;
    last_done = std::max(last_done, done);
  }

  Plan& plan_;
  int index_;
  asio::io_context io_{1};
  asio::steady_timer hard_stop_{io_};
  int active_ = 0;
};

double ms(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

// User + system CPU seconds of this process so far.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

int run_load(const Options& o) {
  Plan plan;
  plan.opts = &o;
  if (o.scenario == "get") {
    for (const auto& token : o.tokens) {
      auto& requests = plan.get_requests.emplace_back();
      for (const auto& id : create_records(o, token))
        requests.push_back(request_head("GET", "/v1/datasources/" + id, token) + "\r\n");
    }
  } else {
    for (const auto& token : o.tokens)
      plan.create_heads.push_back(request_head("POST", "/v1/datasources?test=false", token));
    plan.name_prefix = "bench-" + run_prefix() + "-";
  }
  const double cpu_before = cpu_seconds();
  const auto start = Clock::now();
  plan.measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(o.warmup_s));
  plan.stop_at = plan.measure_from + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.duration_s));

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) workers.push_back(std::make_unique<Worker>(plan, t));
  for (int c = 0; c < o.connections; ++c)
    workers[static_cast<std::size_t>(c % o.threads)]->spawn_connection(c);
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  for (auto& t : threads) t.join();
  const double cpu_used = cpu_seconds() - cpu_before;

  Histogram all;
  std::map<int, std::uint64_t> by_status;
  std::uint64_t io_errors = 0, ok = 0, all_responses = 0;
  Clock::time_point last_done = plan.measure_from;
  for (const auto& w : workers) {
    all.merge(w->latency);
    for (const auto& [s, n] : w->by_status) by_status[s] += n;
    io_errors += w->io_errors;
    ok += w->ok;
    all_responses += w->all_responses;
    last_done = std::max(last_done, w->last_done);
  }
  // A --requests run may end before the duration: divide by the time it took.
  const auto end = o.requests ? std::min(plan.stop_at, last_done) : plan.stop_at;
  const double seconds =
      std::max(1e-9, std::chrono::duration<double>(end - plan.measure_from).count());
  const std::uint64_t errors = all.total() - ok + io_errors;
  const double rps = static_cast<double>(ok) / seconds;
  const double client_cpu_us =
      all_responses ? cpu_used * 1e6 / static_cast<double>(all_responses) : 0;

  std::printf("scenario %s: %d connections, %zu org(s), %d thread(s), %.2f s measured\n",
              o.scenario.c_str(), o.connections, o.tokens.size(), o.threads, seconds);
  std::printf("  responses  %llu (%llu ok) = %.0f ok/s\n",
              static_cast<unsigned long long>(all.total()), static_cast<unsigned long long>(ok),
              rps);
  std::printf("  latency    p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              ms(all.quantile(0.5)), ms(all.quantile(0.9)), ms(all.quantile(0.99)), ms(all.max()));
  std::printf("  status   ");
  for (const auto& [s, n] : by_status)
    std::printf("  %d: %llu", s, static_cast<unsigned long long>(n));
  std::printf("  io errors: %llu\n", static_cast<unsigned long long>(io_errors));
  std::printf("  client     %.1f us CPU per request\n", client_cpu_us);
  std::printf(
      "RESULT scenario=%s connections=%d orgs=%zu threads=%d seconds=%.2f responses=%llu ok=%llu "
      "rps=%.0f "
      "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%llu all_responses=%llu "
      "client_cpu_us=%.1f\n",
      o.scenario.c_str(), o.connections, o.tokens.size(), o.threads, seconds,
      static_cast<unsigned long long>(all.total()), static_cast<unsigned long long>(ok), rps,
      ms(all.quantile(0.5)), ms(all.quantile(0.9)), ms(all.quantile(0.99)), ms(all.max()),
      static_cast<unsigned long long>(errors), static_cast<unsigned long long>(all_responses),
      client_cpu_us);
  std::fflush(stdout);
  return ok > 0 && errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  try {
    if (o.scenario == "setup") {
      std::string tokens;
      for (int i = 0; i < o.orgs; ++i) tokens += (i ? "," : "") + create_org(o);
      std::printf("%s\n", tokens.c_str());
      return 0;
    }
    return run_load(o);
  } catch (const std::exception& e) {
    std::cerr << "dsb_loadgen: " << e.what() << "\n";
    return 1;
  }
}
