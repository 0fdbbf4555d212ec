#include "server/connection_check.hpp"

#include "core/clock.hpp"
#include "core/json_path.hpp"
#include "drivers/blocking_pool.hpp"
#include "drivers/registry.hpp"
#include "server/login_service.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include <charconv>

namespace dsb::server {
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

std::string string_at(const json::object& o, std::string_view path) {
  const json::value* v = find_path(o, path);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

Result<std::string> open_secret(const App& app, const store::DatasourceRecord& r,
                                const std::string& path) {
  auto it = r.secrets.find(path);
  if (it == r.secrets.end()) return std::string();
  return app.vault->open(it->second, store::secret_aad(r.org_id, r.id, path));
}

}  // namespace

Result<drivers::ConnectionSpec> connection_spec(const App& app, const store::DatasourceRecord& r) {
  drivers::ConnectionSpec spec;
  spec.type = r.type;
  spec.host = string_at(r.config, "host");
  if (const json::value* p = r.config.if_contains("port"); p && p->is_int64())
    spec.port = static_cast<std::uint16_t>(p->as_int64());
  spec.database = string_at(r.config, "database");
  spec.schema = string_at(r.config, "schema");
  spec.username = string_at(r.config, "username");
  if (const json::value* o = r.config.if_contains("options"); o && o->is_object())
    spec.options = o->as_object();
  spec.tls.mode = string_at(r.config, "tls.mode");
  // The Databrain-style switch: ssl "enable" means encrypted, unverified.
  if (spec.tls.mode.empty())
    spec.tls.mode = string_at(r.config, "options.ssl") == "enable" ? "require" : "disable";
  spec.tls.ca_pem = string_at(r.config, "tls.ca");
  spec.tls.cert_pem = string_at(r.config, "tls.cert");
  if (const std::string login_id = string_at(r.config, "login_id"); !login_id.empty()) {
    // Resolved at every connect, so rotating the login rotates every user of it.
    auto creds = app.login_service->credentials(r.org_id, login_id);
    if (!creds) return creds.error();
    spec.username = std::move(creds->username);
    spec.password = std::move(creds->password);
  } else {
    auto password = open_secret(app, r, "password");
    if (!password) return password.error();
    spec.password = std::move(*password);
  }
  auto key = open_secret(app, r, "tls.key");
  if (!key) return key.error();
  spec.tls.key_pem = std::move(*key);
  if (const json::value* e = find_path(r.config, "ssh.enabled");
      e && e->is_bool() && e->as_bool()) {
    spec.ssh.enabled = true;
    spec.ssh.host = string_at(r.config, "ssh.host");
    if (const json::value* p = find_path(r.config, "ssh.port"); p && p->is_int64())
      spec.ssh.port = static_cast<std::uint16_t>(p->as_int64());
    spec.ssh.username = string_at(r.config, "ssh.username");
    spec.ssh.host_key_fingerprint = string_at(r.config, "ssh.host_key_fingerprint");
    spec.ssh.require_host_key = app.config.connections.require_ssh_host_key;
    for (auto [path, out] : {std::pair{"ssh.password", &spec.ssh.password},
                             std::pair{"ssh.private_key", &spec.ssh.private_key},
                             std::pair{"ssh.passphrase", &spec.ssh.passphrase}}) {
      auto secret = open_secret(app, r, path);
      if (!secret) return secret.error();
      *out = std::move(*secret);
    }
  }
  spec.file_root = app.config.files.root;
  return spec;
}

Result<drivers::TestLimits> test_limits(const App& app, const std::string& param) {
  const auto& c = app.config.connections;
  drivers::TestLimits limits{std::chrono::milliseconds(c.connect_timeout_ms),
                             std::chrono::milliseconds(c.test_timeout_ms),
                             std::chrono::milliseconds(c.schema_timeout_ms)};
  if (param.empty()) return limits;
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), ms);
  if (ec != std::errc() || end != param.data() + param.size() || ms < 1)
    return invalid_body({{"timeout_ms", "must be a positive integer of milliseconds"}},
                        "bad query parameter");
  const std::chrono::milliseconds asked(ms);
  limits.connect = std::min(limits.connect, asked);
  limits.test = std::min(limits.test, asked);
  limits.schema = std::min(limits.schema, asked);
  return limits;
}

drivers::SchemaFilter schema_filter(const store::DatasourceRecord& r) {
  drivers::SchemaFilter f;
  const std::string text = string_at(r.config, "options.schemas");
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty() && item[0] == '!')
      f.exclude.push_back(item.substr(1));
    else if (!item.empty())
      f.include.push_back(item);
    start = comma + 1;
  }
  return f;
}

asio::awaitable<TestReport> run_test(const App& app, drivers::ConnectionSpec spec,
                                     bool fetch_schema, drivers::SchemaFilter filter,
                                     drivers::TestLimits limits, drivers::StageReporter& reporter) {
  TestReport report;
  if (drivers::find_driver(spec.type) == nullptr) {
    report.failure = drivers::driver_unavailable(spec.type);
    co_return report;
  }
  // A named request: GCC 12 mishandles braced temporaries inside co_await.
  drivers::TestRequest request{std::move(spec), fetch_schema, std::move(filter), limits};
  auto outcome = co_await drivers::run_connection_test(std::move(request), *app.egress, reporter);
  report.stages = reporter.stages();
  report.total_ms = outcome.total_ms;
  report.schema = std::move(outcome.schema);
  report.ssh_host_key_fingerprint = std::move(outcome.ssh_host_key_fingerprint);
  if (outcome.failure) {
    report.failure = std::move(outcome.failure);
    report.failure->extra["stages"] = stages_json(report.stages);
    if (!report.ssh_host_key_fingerprint.empty())
      report.failure->extra["ssh_host_key_fingerprint"] = report.ssh_host_key_fingerprint;
  }
  co_return report;
}

void finish_report(TestReport& report, drivers::StageReporter& reporter) {
  reporter.begin("done");
  reporter.ok();
  report.stages = reporter.stages();
}

json::array stages_json(const std::vector<drivers::StageRecord>& stages) {
  json::array out;
  for (const auto& s : stages) {
    json::object o{{"stage", s.stage}, {"status", s.status}, {"duration_ms", s.duration_ms}};
    if (!s.reason.empty()) o["reason"] = s.reason;
    if (!s.message.empty()) o["message"] = s.message;
    if (!s.detail.empty()) o["detail"] = s.detail;
    out.push_back(std::move(o));
  }
  return out;
}

json::object report_json(const TestReport& report) {
  json::object out{{"ok", !report.failure.has_value()},
                   {"duration_ms", report.total_ms},
                   {"stages", stages_json(report.stages)}};
  if (!report.ssh_host_key_fingerprint.empty())
    out["ssh_host_key_fingerprint"] = report.ssh_host_key_fingerprint;
  return out;
}

namespace {

store::CachedSchema cache_form(const drivers::SchemaSnapshot& s) {
  std::string text = drivers::schema_json_text(s);
  std::string hash = drivers::schema_hash(text);
  return {std::move(text), std::move(hash), s.fetched_at_ms ? s.fetched_at_ms : now_unix_ms(),
          static_cast<std::int64_t>(s.tables.size())};
}

}  // namespace

asio::awaitable<store::CachedSchema> cached_schema(drivers::SchemaSnapshot& s) {
  // Megabytes of JSON and a SHA-256 for a large schema: CPU the shard's other
  // requests must not wait behind, so it runs on the blocking pool. The pool
  // shares the snapshot, which comes back to `s` afterwards.
  auto shared = std::make_shared<drivers::SchemaSnapshot>(std::move(s));
  auto job = [shared] { return cache_form(*shared); };
  store::CachedSchema out = co_await drivers::run_blocking(std::move(job));
  s = std::move(*shared);
  co_return out;
}

}  // namespace dsb::server
