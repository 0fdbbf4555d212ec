#include "server/datasource_service.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json_path.hpp"
#include "drivers/catalogue/catalogue.hpp"
#include "tenancy/tenancy_check.hpp"

#include <boost/json/value_to.hpp>

namespace dsb::server {
namespace json = boost::json;
namespace asio = boost::asio;
using store::DatasourceRecord;

namespace {

constexpr std::size_t kMaxNameLength = 200;

// Trust on first use: an SSH datasource without a pinned host key keeps the
// key its successful test saw, and later connections require it.
void pin_seen_host_key(json::object& config, const std::string& seen) {
  const json::value* enabled = find_path(config, "ssh.enabled");
  const json::value* pin = find_path(config, "ssh.host_key_fingerprint");
  if (seen.empty() || enabled == nullptr || !enabled->is_bool() || !enabled->as_bool()) return;
  if (pin != nullptr && pin->is_string() && !pin->as_string().empty()) return;
  set_path(config, "ssh.host_key_fingerprint", json::value(seen));
}

void check_name(const json::object& body, std::vector<FieldProblem>& problems) {
  const json::value* v = body.if_contains("name");
  if (v == nullptr || v->is_null()) return problems.push_back({"name", "is required"});
  if (!v->is_string()) return problems.push_back({"name", "must be a string"});
  const auto& s = v->as_string();
  if (s.empty() || s.size() > kMaxNameLength)
    return problems.push_back({"name", "must be 1 to 200 characters"});
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F)
      return problems.push_back({"name", "must not contain control characters"});
}

const drivers::TypeEntry* check_type(const json::object& body,
                                     std::vector<FieldProblem>& problems) {
  const json::value* v = body.if_contains("type");
  if (v == nullptr || v->is_null()) return problems.push_back({"type", "is required"}), nullptr;
  if (!v->is_string()) return problems.push_back({"type", "must be a string"}), nullptr;
  const auto* entry = drivers::find_type(v->as_string());
  if (entry == nullptr)
    problems.push_back({"type", "is not a known datasource type (see GET /v1/types)"});
  return entry;
}

}  // namespace

std::optional<std::int64_t> parse_version_tag(std::string_view tag) {
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
    tag = tag.substr(1, tag.size() - 2);
  if (tag.starts_with("v")) tag.remove_prefix(1);
  std::int64_t v = 0;
  for (char c : tag) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;  // no version is that large
    v = v * 10 + (c - '0');
  }
  return tag.empty() ? std::nullopt : std::optional<std::int64_t>(v);
}

std::string version_tag(std::int64_t version) {
  return "\"v" + std::to_string(version) + "\"";
}

Failure not_found(std::string_view what, std::string_view id) {
  return fail(404, "NOT_FOUND", std::string(what) + " '" + std::string(id) + "' does not exist");
}

Result<void> DatasourceService::apply_body(DatasourceRecord& r, json::object body) const {
  std::vector<FieldProblem> problems;
  check_name(body, problems);
  const auto* entry = check_type(body, problems);
  if (entry == nullptr || !problems.empty()) return invalid_body(std::move(problems));
  r.name = json::value_to<std::string>(body.at("name"));
  r.type = entry->name;  // an alias (mariadb) is stored under its canonical type
  body.erase("name");
  body.erase("type");
  // A stored secret the body leaves out is kept, so validation must see it as
  // present (a required password left out of a PATCH is not missing). Only
  // where its block is still there: a block left out takes its rules along.
  json::object checked = body;
  for (const auto& path : drivers::secret_paths(*entry)) {
    const auto it = r.secrets.find(path);
    if (it == r.secrets.end() || find_path(body, path) != nullptr) continue;
    const auto dot = path.find('.');
    if (dot != std::string::npos && path.compare(0, dot, "options") != 0 &&
        !body.contains(path.substr(0, dot)))
      continue;
    auto plain = app_.vault->open(it->second, store::secret_aad(r.org_id, r.id, path));
    if (!plain) return plain.error();
    set_path(checked, path, json::string(*plain));
  }
  drivers::validate_datasource(*entry, checked, {app_.config.files.root}, problems);
  if (const json::value* login = body.if_contains("login_id"); login && login->is_string()) {
    auto found = app_.logins->get(r.org_id, login->as_string());
    if (!found) return found.error();
    if (!*found) problems.push_back({"login_id", "does not name a login of this organization"});
  }
  if (!problems.empty()) return invalid_body(std::move(problems));

  std::map<std::string, std::string> secrets;
  for (const auto& path : drivers::secret_paths(*entry)) {
    const json::value* v = find_path(body, path);
    if (v != nullptr && v->is_string()) {
      auto sealed = app_.vault->seal(v->as_string(), store::secret_aad(r.org_id, r.id, path));
      if (!sealed) return sealed.error();
      secrets[path] = std::move(*sealed);
    } else if (v == nullptr) {
      // Left out: keep what is stored (update); nothing on create.
      if (auto it = r.secrets.find(path); it != r.secrets.end()) secrets[path] = it->second;
    }
    erase_path(body, path);  // never stored in clear, null included
  }
  drivers::apply_defaults(*entry, body);
  r.config = std::move(body);
  r.secrets = std::move(secrets);
  return {};
}

Result<void> DatasourceService::check_name_free(const DatasourceRecord& r) const {
  auto owner = app_.datasources->id_by_name(r.org_id, r.name);
  if (!owner) return owner.error();
  if (*owner && **owner != r.id) {
    Failure f =
        fail(409, "DATASOURCE_NAME_ERROR", "a datasource named '" + r.name + "' already exists");
    f.details.push_back({"name", "already exists"});
    return f;
  }
  return {};
}

asio::awaitable<Result<TestReport>> DatasourceService::test_for_write(DatasourceRecord& r,
                                                                      const WriteOptions& opts,
                                                                      store::Batch& batch) {
  auto spec = connection_spec(app_, r);
  if (!spec) co_return spec.error();
  drivers::StageReporter reporter(opts.progress);
  drivers::SchemaFilter filter = schema_filter(r);
  TestReport report =
      co_await run_test(app_, std::move(*spec), true, std::move(filter), opts.limits, reporter);
  if (report.failure) {
    // A schema that cannot be read is a caching failure; anything earlier is the connection's.
    if (report.failure->stage == "fetch_schema") {
      report.failure->status = 500;
      report.failure->code = "SCHEMA_CACHE_FAILED";
    }
    co_return *report.failure;
  }
  if (auto tenancy = tenancy::tenancy_of(r.config);
      tenancy && tenancy->level == tenancy::TenancySettings::Level::table) {
    reporter.begin("tenancy_check");
    if (auto problem = tenancy::check_mapping_table(*tenancy, *report.schema)) {
      reporter.failed("tenancy_invalid", *problem);
      Failure f = drivers::test_failure("tenancy_check", "tenancy_invalid", *problem);
      f.extra["stages"] = stages_json(reporter.stages());
      co_return f;
    }
    reporter.ok();
  }
  reporter.begin("cache_schema");
  const store::CachedSchema cached = co_await cached_schema(*report.schema);
  app_.schemas->put(batch, r.org_id, r.id, "", cached);
  reporter.ok({{"tables", cached.tables}, {"bytes", cached.schema_json.size()}});
  finish_report(report, reporter);
  pin_seen_host_key(r.config, report.ssh_host_key_fingerprint);
  r.status = "ok";
  r.last_tested_at_ms = now_unix_ms();
  r.last_error = {};
  r.schema_info = {{"fetched_at", rfc3339(cached.fetched_at_ms)},
                   {"hash", cached.hash},
                   {"tables", cached.tables}};
  co_return report;
}

asio::awaitable<Result<WriteOutcome>> DatasourceService::write(
    DatasourceRecord r, std::string_view previous_name, const WriteOptions& opts,
    std::optional<std::int64_t> base_version) {
  if (auto n = check_name_free(r); !n) co_return n.error();
  auto& names = app_.name_reservations->local();
  if (!names.reserve(r.org_id, r.name)) {
    Failure f =
        fail(409, "DATASOURCE_NAME_ERROR", "a datasource named '" + r.name + "' is being created");
    f.details.push_back({"name", "already exists"});
    co_return f;
  }
  tenancy::NameHold hold(names, r.org_id, r.name);
  WriteOutcome out;
  store::Batch batch;
  if (opts.test) {
    auto report = co_await test_for_write(r, opts, batch);
    if (!report) co_return report.error();
    out.test = std::move(*report);
  }
  if (auto n = check_name_free(r); !n) co_return n.error();
  if (base_version) {
    // The test suspended this request; another write may have landed meanwhile.
    auto now = app_.datasources->get(r.org_id, r.id);
    if (!now) co_return now.error();
    if (!*now) co_return not_found("datasource", r.id);
    if ((*now)->version != *base_version)
      co_return fail(412, "PRECONDITION_FAILED",
                     "the datasource changed while this request was testing it");
  }
  // The record and its schema snapshot go in one batch: when the store
  // refuses it, neither is kept, and the datasource was not created (or
  // keeps its previous version).
  if (auto w = app_.datasources->put(r, previous_name, std::move(batch)); !w)
    co_return fail(500, base_version ? "UPDATE_DATASOURCE_FAILED" : "CREATE_DATASOURCE_FAILED",
                   "the datasource could not be stored: " + w.error().message);
  out.record = std::move(r);
  co_return out;
}

asio::awaitable<Result<WriteOutcome>> DatasourceService::create(std::string_view org_id,
                                                                std::string_view actor,
                                                                json::object body,
                                                                WriteOptions opts) {
  DatasourceRecord r;
  r.id = new_uuid();
  r.org_id = std::string(org_id);
  if (auto a = apply_body(r, std::move(body)); !a) co_return a.error();
  r.created_at_ms = r.updated_at_ms = r.published_at_ms = now_unix_ms();
  r.created_by = r.updated_by = std::string(actor);
  r.version = 1;
  co_return co_await write(std::move(r), "", opts, std::nullopt);
}

asio::awaitable<Result<WriteOutcome>> DatasourceService::store_update(DatasourceRecord current,
                                                                      std::string_view actor,
                                                                      json::object body,
                                                                      WriteOptions opts) {
  if (opts.if_match && *opts.if_match != current.version)
    co_return fail(412, "PRECONDITION_FAILED",
                   "the datasource is at version " + std::to_string(current.version) + ", not " +
                       std::to_string(*opts.if_match));
  DatasourceRecord next = current;
  if (auto a = apply_body(next, std::move(body)); !a) co_return a.error();
  next.version = current.version + 1;
  next.updated_at_ms = now_unix_ms();
  next.updated_by = std::string(actor);
  if (next.type != current.type || next.config != current.config || next.secrets != current.secrets)
    next.status = "untested";  // what was tested is no longer what is stored
  co_return co_await write(std::move(next), current.name, opts, current.version);
}

asio::awaitable<Result<WriteOutcome>> DatasourceService::replace(std::string_view org_id,
                                                                 std::string_view actor,
                                                                 std::string_view id,
                                                                 json::object body,
                                                                 WriteOptions opts) {
  auto current = get(org_id, id);
  if (!current) co_return current.error();
  co_return co_await store_update(std::move(*current), actor, std::move(body), opts);
}

asio::awaitable<Result<WriteOutcome>> DatasourceService::patch(std::string_view org_id,
                                                               std::string_view actor,
                                                               std::string_view id,
                                                               json::object patch,
                                                               WriteOptions opts) {
  auto current = get(org_id, id);
  if (!current) co_return current.error();
  // The patch applies to the stored view without secrets; secret fields of
  // the patch (a value or null) then ride along as in a replace.
  json::object doc = current->config;
  doc["name"] = current->name;
  doc["type"] = current->type;
  json::object secret_changes;
  if (const auto* entry = drivers::find_type(current->type)) {
    for (const auto& path : drivers::secret_paths(*entry)) {
      if (const json::value* v = find_path(patch, path)) {
        set_path(secret_changes, path, *v);
        erase_path(patch, path);
      }
    }
  }
  merge_patch(doc, patch);
  for (const auto& [k, v] : secret_changes) {
    json::value& slot = doc[k];
    if (v.is_object() && slot.is_object())
      for (const auto& [kk, vv] : v.as_object()) slot.as_object()[kk] = vv;
    else
      slot = v;
  }
  co_return co_await store_update(std::move(*current), actor, std::move(doc), opts);
}

Result<DatasourceRecord> DatasourceService::draft(std::string_view org_id,
                                                  json::object body) const {
  DatasourceRecord r;
  r.id = new_uuid();
  r.org_id = std::string(org_id);
  if (auto a = apply_body(r, std::move(body)); !a) return a.error();
  return r;
}

Result<void> DatasourceService::record_test(std::string_view org_id, std::string_view id,
                                            const TestReport& report) {
  // Re-read: the test suspended this request and the record may have changed.
  auto r = get(org_id, id);
  if (!r) return r.error();
  r->last_tested_at_ms = now_unix_ms();
  r->status = report.failure ? "failed" : "ok";
  r->last_error = {};
  if (!report.failure) pin_seen_host_key(r->config, report.ssh_host_key_fingerprint);
  if (report.failure)
    r->last_error = {{"code", report.failure->code},
                     {"stage", report.failure->stage},
                     {"reason", report.failure->reason},
                     {"message", report.failure->message}};
  return app_.datasources->put(*r, r->name);
}

asio::awaitable<Result<WriteOutcome>> DatasourceService::refresh_schema(
    std::string_view org_id, std::string_view id, drivers::TestLimits limits,
    drivers::StageReporter::Sink progress) {
  auto r = get(org_id, id);
  if (!r) co_return r.error();
  WriteOptions opts;
  opts.limits = limits;
  opts.progress = std::move(progress);
  store::Batch batch;
  DatasourceRecord tested = *r;
  auto report = co_await test_for_write(tested, opts, batch);
  if (!report) {
    TestReport failed;
    failed.failure = report.error();
    if (auto rec = record_test(org_id, id, failed); !rec) co_return rec.error();
    co_return report.error();
  }
  auto fresh = get(org_id, id);
  if (!fresh) co_return fresh.error();
  fresh->status = tested.status;
  fresh->last_tested_at_ms = tested.last_tested_at_ms;
  fresh->last_error = {};
  fresh->schema_info = tested.schema_info;
  pin_seen_host_key(fresh->config, report->ssh_host_key_fingerprint);
  if (auto w = app_.datasources->put(*fresh, fresh->name, std::move(batch)); !w)
    co_return fail(500, "SCHEMA_CACHE_FAILED",
                   "the schema could not be cached: " + w.error().message);
  co_return WriteOutcome{std::move(*fresh), std::move(*report)};
}

Result<DatasourceRecord> DatasourceService::get(std::string_view org_id,
                                                std::string_view id) const {
  auto r = app_.datasources->get(org_id, id);
  if (!r) return r.error();
  if (!*r) return not_found("datasource", id);
  return std::move(**r);
}

Result<DatasourceRecord> DatasourceService::get_by_name(std::string_view org_id,
                                                        std::string_view name) const {
  auto id = app_.datasources->id_by_name(org_id, name);
  if (!id) return id.error();
  if (!*id) return not_found("datasource", name);
  return get(org_id, **id);
}

Result<void> DatasourceService::remove(std::string_view org_id, std::string_view id,
                                       std::optional<std::int64_t> if_match) {
  auto current = get(org_id, id);
  if (!current) return current.error();
  if (if_match && *if_match != current->version)
    return fail(412, "PRECONDITION_FAILED",
                "the datasource is at version " + std::to_string(current->version));
  return app_.datasources->erase(*current);
}

json::object DatasourceService::render(const DatasourceRecord& r) const {
  json::object out = r.config;
  if (const auto* entry = drivers::find_type(r.type)) {
    const bool uses_login = r.config.contains("login_id");
    for (const auto& path : drivers::secret_paths(*entry)) {
      if (uses_login && path == "password") continue;  // the login holds it
      // Only show blocks the datasource uses (an ssh secret without ssh settings stays hidden).
      const auto dot = path.find('.');
      if (dot != std::string::npos && path.substr(0, dot) != "options" &&
          out.if_contains(path.substr(0, dot)) == nullptr && !r.secrets.contains(path))
        continue;
      set_path(out, path, json::object{{"set", r.secrets.contains(path)}});
    }
  }
  out["id"] = r.id;
  out["name"] = r.name;
  out["type"] = r.type;
  out["status"] = r.status;
  out["last_tested_at"] = r.last_tested_at_ms ? json::value(rfc3339(r.last_tested_at_ms)) : nullptr;
  out["last_error"] = r.last_error.empty() ? json::value(nullptr) : json::value(r.last_error);
  out["schema_info"] = r.schema_info.empty() ? json::value(nullptr) : json::value(r.schema_info);
  out["version"] = r.version;
  out["created_at"] = rfc3339(r.created_at_ms);
  out["created_by"] = r.created_by;
  out["updated_at"] = rfc3339(r.updated_at_ms);
  out["updated_by"] = r.updated_by;
  out["published_at"] = rfc3339(r.published_at_ms);
  return out;
}

}  // namespace dsb::server
