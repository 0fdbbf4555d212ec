// dsb_conn_bench: connection-test and schema-fetch latency, through a broker
// and directly with libpq, so the two can be compared on the same server.
//
//   dsb_conn_bench --mode libpq         --conninfo "host=... sslmode=..."
//   dsb_conn_bench --mode broker        --port P --token T --datasource ID
//   dsb_conn_bench --mode schema-psql   --conninfo "..."
//   dsb_conn_bench --mode schema-broker --port P --token T --datasource ID
//
// Closed loop: C workers (threads for libpq, coroutines on one thread for
// HTTP) each run one operation at a time until N have been claimed. Only
// successful operations are samples; failures are counted and named. Every
// wait is bounded: libpq's connect_timeout, a per-request HTTP deadline, and a
// watchdog that ends the process after --max-run-s whatever happens.
//
// The last line is machine-readable: "RESULT key=value ...".
#include "bench/cli_flags.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <libpq-fe.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr long kMaxIterations = 1'000'000;
constexpr int kMaxConcurrency = 256;
constexpr double kMaxRunS = 3600;

struct Options {
  std::string mode;
  long iterations = 100;
  long warmup = 10;
  int concurrency = 1;
  double duration_s = 0;  // 0: only --iterations ends a phase
  std::string conninfo;
  unsigned short port = 0;
  std::string token;
  std::string datasource;
  long timeout_ms = 0;  // per HTTP request; 0: by mode
  double max_run_s = 600;
  std::string label;
};

constexpr const char* kUsage =
    R"(Usage: dsb_conn_bench --mode MODE [options]

  --mode libpq          PQconnectdb + SELECT 1 + PQfinish per operation
  --mode broker         POST /v1/datasources/{id}/test (200 with "ok": true)
  --mode schema-psql    connect + the broker's three catalog queries (PQexecParams,
                        one REPEATABLE READ READ ONLY transaction), all rows fetched
  --mode schema-broker  POST /v1/datasources/{id}/schema/refresh (fetch + cache)
  --iterations N        measured operations in all (default 100)
  --warmup N            operations run first, not measured (default 10)
  --concurrency C       workers, one operation in flight each (default 1, at most 256)
  --duration-s S        also end each phase after S seconds (default: no limit)
  --conninfo S          libpq connection string (libpq, schema-psql); connect_timeout=10
                        is added when it has none
  --port P              the broker on 127.0.0.1 (broker, schema-broker)
  --token T             an org token;  --datasource ID  the datasource to test
  --timeout-ms N        deadline per HTTP request (default 30000; schema-broker 180000)
  --max-run-s S         the process ends itself after S seconds (default 600)
  --label L             copied into the RESULT line
)";

const dsb::bench::CliFlags kCli("dsb_conn_bench", kUsage);

void check(const Options& o) {
  const bool http_mode = o.mode == "broker" || o.mode == "schema-broker";
  if (!http_mode && o.mode != "libpq" && o.mode != "schema-psql")
    kCli.fail("--mode must be libpq, broker, schema-psql or schema-broker");
  if (http_mode && (o.port == 0 || o.token.empty() || o.datasource.empty()))
    kCli.fail(o.mode + " needs --port, --token and --datasource");
  if (!http_mode && o.conninfo.empty()) kCli.fail(o.mode + " needs --conninfo");
  if (o.iterations < 1 || o.iterations > kMaxIterations)
    kCli.fail("--iterations must be 1..1000000");
  if (o.warmup > kMaxIterations) kCli.fail("--warmup must be at most 1000000");
  if (o.concurrency < 1 || o.concurrency > kMaxConcurrency)
    kCli.fail("--concurrency must be 1..256");
  if (o.max_run_s <= 0 || o.max_run_s > kMaxRunS) kCli.fail("--max-run-s must be in (0, 3600]");
}

Options parse_args(int argc, char** argv) {
  Options o;
  kCli.parse(argc, argv, [&o](const std::string& a, const std::string& v) {
    if (a == "--mode")
      o.mode = v;
    else if (a == "--iterations")
      o.iterations = static_cast<long>(kCli.number(a, v));
    else if (a == "--warmup")
      o.warmup = static_cast<long>(kCli.number(a, v));
    else if (a == "--concurrency")
      o.concurrency = static_cast<int>(kCli.number(a, v));
    else if (a == "--duration-s")
      o.duration_s = kCli.number(a, v);
    else if (a == "--conninfo")
      o.conninfo = v;
    else if (a == "--port")
      o.port = static_cast<unsigned short>(kCli.number(a, v));
    else if (a == "--token")
      o.token = v;
    else if (a == "--datasource")
      o.datasource = v;
    else if (a == "--timeout-ms")
      o.timeout_ms = static_cast<long>(kCli.number(a, v));
    else if (a == "--max-run-s")
      o.max_run_s = kCli.number(a, v);
    else if (a == "--label")
      o.label = v;
    else
      return false;
    return true;
  });
  check(o);
  if (o.timeout_ms == 0) o.timeout_ms = o.mode == "schema-broker" ? 180000 : 30000;
  if (o.conninfo.find("connect_timeout") == std::string::npos) o.conninfo += " connect_timeout=10";
  return o;
}

// User + system CPU seconds this process has used.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------------------
// What one worker saw; merged after the phase. Stages are named durations
// inside one operation (libpq: connect/query/finish; broker: the stages of its
// test answer), kept in first-seen order so the table reads like the test.

struct Recorder {
  std::vector<double> samples_ms;
  std::map<std::string, std::vector<double>> stages;
  std::vector<std::string> stage_order;
  std::map<std::string, long> failures;
  std::string first_failure;
  long rows = 0;  // schema-psql: rows fetched by the last operation

  void stage(const std::string& name, double ms) {
    auto [it, fresh] = stages.try_emplace(name);
    if (fresh) stage_order.push_back(name);
    it->second.push_back(ms);
  }
  void fail(const std::string& kind, const std::string& detail) {
    ++failures[kind];
    if (first_failure.empty()) first_failure = kind + ": " + detail.substr(0, 400);
  }
  void merge(const Recorder& o) {
    samples_ms.insert(samples_ms.end(), o.samples_ms.begin(), o.samples_ms.end());
    for (const auto& name : o.stage_order) {
      auto& into = stages[name];
      if (std::find(stage_order.begin(), stage_order.end(), name) == stage_order.end())
        stage_order.push_back(name);
      into.insert(into.end(), o.stages.at(name).begin(), o.stages.at(name).end());
    }
    for (const auto& [k, n] : o.failures) failures[k] += n;
    if (first_failure.empty()) first_failure = o.first_failure;
    rows = std::max(rows, o.rows);
  }
  long failure_count() const {
    long n = 0;
    for (const auto& [k, c] : failures) n += c;
    return n;
  }
};

// Hands out operation slots until the count or the time runs out.
class Phase {
 public:
  Phase(long count, double duration_s)
      : count_(count),
        until_(duration_s > 0 ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(duration_s))
                              : Clock::time_point::max()) {}
  bool claim() { return next_.fetch_add(1) < count_ && Clock::now() < until_; }

 private:
  std::atomic<long> next_{0};
  long count_;
  Clock::time_point until_;
};

// ---------------------------------------------------------------------------
// Direct libpq.

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
PgConn pg_connect(const Options& o) {
  return PgConn(PQconnectdb(o.conninfo.c_str()), &PQfinish);
}

// Runs `sql` with PQexecParams (the extended protocol, as the broker's
// PQsendQueryParams) and returns the row count, or -1 with `error` set.
long exec_rows(PGconn* c, const char* sql, std::string& error) {
  PGresult* r = PQexecParams(c, sql, 0, nullptr, nullptr, nullptr, nullptr, 0);
  const ExecStatusType st = PQresultStatus(r);
  const long rows = st == PGRES_TUPLES_OK ? PQntuples(r) : (st == PGRES_COMMAND_OK ? 0 : -1);
  if (rows < 0) error = PQresultErrorMessage(r);
  PQclear(r);
  return rows;
}

void libpq_probe(const Options& o, Recorder& rec) {
  const auto t0 = Clock::now();
  PgConn pg = pg_connect(o);
  if (PQstatus(pg.get()) != CONNECTION_OK) return rec.fail("connect", PQerrorMessage(pg.get()));
  const double connected = ms_since(t0);
  PGresult* r = PQexecParams(pg.get(), "SELECT 1", 0, nullptr, nullptr, nullptr, nullptr, 0);
  const bool one = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                   std::string_view(PQgetvalue(r, 0, 0)) == "1";
  if (!one) rec.fail("probe", PQresultErrorMessage(r));
  PQclear(r);
  if (!one) return;
  const double queried = ms_since(t0);
  pg.reset();
  const double total = ms_since(t0);
  rec.stage("connect", connected);
  rec.stage("select_1", queried - connected);
  rec.stage("finish", total - queried);
  rec.samples_ms.push_back(total);
}

// The broker's catalog queries for a postgres datasource without a schema
// filter (drivers/postgres/pg_catalog.cpp: relation_filter, relations_sql,
// columns_sql, primary_keys_sql), copied verbatim.
#define DSB_PG_REL_FILTER                                                              \
  "c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', "        \
  "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE " \
  "'pg\\_temp\\_%' AND NOT c.relispartition"
constexpr const char* kCatalogQueries[][2] = {
    {"relations",
     "SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN "
     "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " DSB_PG_REL_FILTER},
    {"columns",
     "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
     "a.attnotnull, a.attnum FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON "
     "c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
     "a.attnum > 0 AND NOT a.attisdropped AND " DSB_PG_REL_FILTER},
    {"primary_keys",
     "SELECT k.conrelid, k.conkey FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c "
     "ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
     "k.contype = 'p' AND " DSB_PG_REL_FILTER},
};
#undef DSB_PG_REL_FILTER

void libpq_schema(const Options& o, Recorder& rec) {
  const auto t0 = Clock::now();
  PgConn pg = pg_connect(o);
  if (PQstatus(pg.get()) != CONNECTION_OK) return rec.fail("connect", PQerrorMessage(pg.get()));
  rec.stage("connect", ms_since(t0));
  std::string error;
  long rows = 0;
  // One snapshot for the three queries, as the broker does.
  if (exec_rows(pg.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", error) < 0)
    return rec.fail("begin", error);
  for (const auto& [name, sql] : kCatalogQueries) {
    const auto q0 = Clock::now();
    const long n = exec_rows(pg.get(), sql, error);
    if (n < 0) return rec.fail(name, error);
    rec.stage(name, ms_since(q0));
    rows += n;
  }
  if (exec_rows(pg.get(), "COMMIT", error) < 0) return rec.fail("commit", error);
  pg.reset();
  rec.rows = rows;
  rec.samples_ms.push_back(ms_since(t0));
}

Recorder run_libpq_phase(const Options& o, long count) {
  Phase phase(count, o.duration_s);
  std::vector<Recorder> recs(static_cast<std::size_t>(o.concurrency));
  std::vector<std::thread> threads;
  for (auto& rec : recs) {
    threads.emplace_back([&o, &phase, &rec] {
      while (phase.claim()) (o.mode == "libpq" ? libpq_probe : libpq_schema)(o, rec);
    });
  }
  for (auto& t : threads) t.join();
  Recorder all;
  for (const auto& r : recs) all.merge(r);
  return all;
}

// ---------------------------------------------------------------------------
// Through the broker: keep-alive HTTP/1.1 connections, one request in flight each.

std::string target_of(const Options& o) {
  return "/v1/datasources/" + o.datasource + (o.mode == "broker" ? "/test" : "/schema/refresh");
}

// Checks one answer: 200 and "ok": true (a test) or "test": {"ok": true} (a
// refresh); the stages of the test answer become the sample's stages.
void judge(const http::response<http::string_body>& res, double ms, Recorder& rec) {
  if (res.result_int() != 200)
    return rec.fail("http_" + std::to_string(res.result_int()), res.body());
  boost::system::error_code ec;
  const json::value v = json::parse(res.body(), ec);
  const json::object* report = v.is_object() ? &v.as_object() : nullptr;
  if (report && report->contains("test") && report->at("test").is_object())
    report = &report->at("test").as_object();
  const json::value* ok = report ? report->if_contains("ok") : nullptr;
  if (ec || ok == nullptr || !ok->is_bool() || !ok->as_bool())
    return rec.fail("not_ok", res.body());
  if (const json::value* stages = report->if_contains("stages"); stages && stages->is_array()) {
    for (const auto& s : stages->as_array()) {
      const json::object& so = s.as_object();
      if (so.at("status").as_string() != "ok") continue;  // skipped stages take no time
      rec.stage(std::string(so.at("stage").as_string()), so.at("duration_ms").to_number<double>());
    }
  }
  if (const json::value* d = report->if_contains("duration_ms"))
    rec.stage("broker_total", d->to_number<double>());
  rec.samples_ms.push_back(ms);
}

// One request on `stream`, connecting first if needed. Any I/O error closes the
// connection (the next request reconnects) and counts as a failure.
asio::awaitable<void> one_request(const Options& o, beast::tcp_stream& stream,
                                  beast::flat_buffer& buf, Recorder& rec) {
  const auto t0 = Clock::now();
  const auto deadline = std::chrono::milliseconds(o.timeout_ms);
  boost::system::error_code ec;
  auto on_error = asio::redirect_error(asio::use_awaitable, ec);
  if (!stream.socket().is_open()) {
    stream.expires_after(deadline);
    co_await stream.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), o.port),
                                  on_error);
  }
  http::request<http::string_body> req{http::verb::post, target_of(o), 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + o.token);
  req.keep_alive(true);
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  if (!ec) {
    stream.expires_after(deadline);
    co_await http::async_write(stream, req, on_error);
  }
  if (!ec) co_await http::async_read(stream, buf, parser, on_error);
  if (ec) {
    rec.fail("io", ec.message());
    stream.socket().close(ec);
    buf.clear();
    co_return;
  }
  judge(parser.get(), ms_since(t0), rec);
  if (!parser.get().keep_alive()) stream.socket().close(ec);
}

asio::awaitable<void> http_worker(const Options& o, Phase& phase, Recorder& rec) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  beast::flat_buffer buf;
  while (phase.claim()) co_await one_request(o, stream, buf, rec);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

Recorder run_http_phase(const Options& o, long count) {
  asio::io_context ioc;
  Phase phase(count, o.duration_s);
  std::vector<Recorder> recs(static_cast<std::size_t>(o.concurrency));
  for (auto& rec : recs) asio::co_spawn(ioc, http_worker(o, phase, rec), asio::detached);
  ioc.run();
  Recorder all;
  for (const auto& r : recs) all.merge(r);
  return all;
}

// ---------------------------------------------------------------------------
// Report.

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];  // nearest rank
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

int report(const Options& o, Recorder& rec, double seconds, double cpu_s) {
  auto& s = rec.samples_ms;
  std::sort(s.begin(), s.end());
  const long failures = rec.failure_count();
  const double ops = static_cast<double>(s.size()) / std::max(seconds, 1e-9);
  // This process's CPU per operation: libpq's client side, or the HTTP client's.
  const double done = static_cast<double>(s.size()) + static_cast<double>(failures);
  const double cpu_us = done > 0 ? cpu_s * 1e6 / done : 0;
  std::printf("mode %s: %zu samples, %ld failures, concurrency %d, %.2f s, %.1f ops/s\n",
              o.mode.c_str(), s.size(), failures, o.concurrency, seconds, ops);
  std::printf("  latency ms  p50 %.3f  p99 %.3f  mean %.3f  min %.3f  max %.3f\n", quantile(s, 0.5),
              quantile(s, 0.99), mean(s), s.empty() ? 0 : s.front(), s.empty() ? 0 : s.back());
  std::printf("  stages ms (mean / p50):");
  std::string stage_fields;
  for (const auto& name : rec.stage_order) {
    auto& v = rec.stages[name];
    std::sort(v.begin(), v.end());
    std::printf("  %s %.3f/%.3f", name.c_str(), mean(v), quantile(v, 0.5));
    char field[160];
    std::snprintf(field, sizeof field, " stage_%s_ms=%.3f", name.c_str(), mean(v));
    stage_fields += field;
  }
  std::printf("\n");
  for (const auto& [kind, n] : rec.failures) std::printf("  failures %s: %ld\n", kind.c_str(), n);
  if (!rec.first_failure.empty()) std::printf("  first failure: %s\n", rec.first_failure.c_str());
  if (rec.rows > 0) std::printf("  catalog rows fetched per operation: %ld\n", rec.rows);
  std::printf("  client CPU %.1f us per operation\n", cpu_us);
  std::printf(
      "RESULT mode=%s label=%s concurrency=%d samples=%zu failures=%ld seconds=%.3f ops_s=%.2f "
      "p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f min_ms=%.3f max_ms=%.3f client_cpu_us=%.1f "
      "warmup=%ld%s\n",
      o.mode.c_str(), o.label.empty() ? "-" : o.label.c_str(), o.concurrency, s.size(), failures,
      seconds, ops, quantile(s, 0.5), quantile(s, 0.99), mean(s), s.empty() ? 0 : s.front(),
      s.empty() ? 0 : s.back(), cpu_us, o.warmup, stage_fields.c_str());
  std::fflush(stdout);
  return !s.empty() && failures == 0 ? 0 : 1;
}

// Ends the process if the run outlives --max-run-s: a stuck server cannot hold it.
void start_watchdog(double seconds) {
  std::thread([seconds] {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    std::fprintf(stderr, "dsb_conn_bench: still running after %.0f s; stopping\n", seconds);
    std::_Exit(3);
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  start_watchdog(o.max_run_s);
  const bool http_mode = o.mode == "broker" || o.mode == "schema-broker";
  auto run_phase = [&](long count) {
    return http_mode ? run_http_phase(o, count) : run_libpq_phase(o, count);
  };
  try {
    if (o.warmup > 0) {
      const Recorder warm = run_phase(o.warmup);
      if (warm.failure_count() > 0)
        std::fprintf(stderr, "warm-up: %ld failures; first: %s\n", warm.failure_count(),
                     warm.first_failure.c_str());
    }
    const auto t0 = Clock::now();
    const double cpu0 = cpu_seconds();
    Recorder rec = run_phase(o.iterations);
    return report(o, rec, ms_since(t0) / 1000, cpu_seconds() - cpu0);
  } catch (const std::exception& e) {
    std::cerr << "dsb_conn_bench: " << e.what() << "\n";
    return 1;
  }
}
