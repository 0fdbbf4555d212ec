// /api/datasources/connections: create (stored untested, as MicroStrategy
// does), list, get, PATCH operation lists, delete, and POST .../{id}/test.
#include "core/clock.hpp"
#include "core/json_path.hpp"
#include "server/api/compat/compat_jobs.hpp"
#include "server/api/compat/loose_values.hpp"
#include "server/api/compat/mstr_common.hpp"
#include "server/api/compat/mstr_connection_mapping.hpp"
#include "server/api/compat/mstr_connections.hpp"
#include "server/api/compat/mstr_routes.hpp"
#include "server/json_body.hpp"
#include "server/login_service.hpp"

namespace dsb::server::api::compat {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

const std::vector<std::string_view> kPatchable = {"/name",
                                                  "/description",
                                                  "/executionMode",
                                                  "/maxCancelAttemptTime",
                                                  "/maxQueryExeTime",
                                                  "/maxConnectionAttemptTime",
                                                  "/connectionLifetime",
                                                  "/connectionIdleTimeout",
                                                  "/charEncodingWindows",
                                                  "/charEncodingUnix",
                                                  "/tablePrefix",
                                                  "/connectionString",
                                                  "/parameterizedQueries",
                                                  "/extendedFetch",
                                                  "/driverType",
                                                  "/oauthParameter",
                                                  "/database/login/id",
                                                  "/database/type",
                                                  "/database/version"};

// Native failures name native fields; MicroStrategy callers know theirs.
Response error(const RequestContext& ctx, Failure f) {
  for (auto& d : f.details) d.field = mstr_connection_field(d.field);
  return mstr_error(ctx, f);
}

Result<void> check_login(App& app, std::string_view org, const std::string& login_id) {
  if (login_id.empty()) return {};  // credentials of its own, checked by the datasource's rules
  auto login = app.login_service->get(org, login_id);
  if (login) return {};
  if (login.error().status != 404) return login.error();
  return invalid_body({{"database.login.id", "does not name a datasource login"}});
}

// DSN connections have no native record to hold their name.
Result<void> check_dsn_name(App& app, MstrConnections& conns, std::string_view org,
                            const std::string& name, const std::string& self) {
  auto native = app.datasources->id_by_name(org, name);
  if (!native) return native.error();
  auto recs = conns.records().list(org);
  if (!recs) return recs.error();
  bool taken = native->has_value();
  for (const auto& r : *recs)
    if (r.id != self && str_at(r.fields, "native_id").empty() && str_at(r.fields, "name") == name)
      taken = true;
  if (!taken) return {};
  Failure f =
      fail(409, "DATASOURCE_NAME_ERROR", "a connection named '" + name + "' already exists");
  f.details.push_back({"name", "already exists"});
  return f;
}

// Stores `in` as connection `id` (new when empty): a native datasource
// when it names a server, else the compat record alone.
asio::awaitable<Result<std::string>> store_connection(App& app, const RequestContext& ctx,
                                                      MstrConnections& conns,
                                                      MstrConnectionInput in, std::string id) {
  const std::string& org = ctx.org_id();
  if (auto l = check_login(app, org, in.login_id); !l) co_return l.error();
  std::string native_id;
  if (in.native) {
    WriteOptions opts = compat_write_options(app, false);
    json::object body = std::move(*in.native);
    auto out = co_await app.datasource_service->create(org, ctx.actor(), std::move(body), opts);
    if (!out) co_return out.error();
    native_id = out->record.id;
    if (id.empty()) id = mstr_id_of_uuid(native_id);
  } else {
    if (auto n = check_dsn_name(app, conns, org, in.name, id); !n) co_return n.error();
    if (id.empty()) id = new_mstr_id();
  }
  json::object record = connection_record(in, native_id);
  if (auto w = conns.records().put(org, id, record); !w) {
    if (!native_id.empty()) (void)app.datasource_service->remove(org, native_id, std::nullopt);
    co_return w.error();
  }
  co_return id;
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return error(ctx, body.error());
  auto in = read_mstr_connection(*body);
  if (!in) co_return error(ctx, in.error());
  MstrConnections conns(app);
  std::string new_id;
  auto id = co_await store_connection(app, ctx, conns, std::move(*in), std::move(new_id));
  if (!id) co_return error(ctx, id.error());
  auto c = conns.find(ctx.org_id(), *id);
  if (!c) co_return error(ctx, c.error());
  co_return json_response(ctx, status::created, conns.render(*c));
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  MstrConnections conns(app);
  auto all = conns.list(ctx.org_id());
  if (!all) co_return error(ctx, all.error());
  json::array out;
  for (const auto& c : *all) out.push_back(conns.render(c));
  co_return json_response(ctx, status::ok, json::object{{"connections", std::move(out)}});
}

asio::awaitable<Response> get_one(App& app, RequestContext& ctx) {
  MstrConnections conns(app);
  auto c = conns.find(ctx.org_id(), ctx.params.at("id"));
  if (!c) co_return error(ctx, c.error());
  co_return json_response(ctx, status::ok, conns.render(*c));
}

// The operations apply to the connection as MicroStrategy shows it; the
// result is read again like a new one and written to what backs it.
asio::awaitable<Response> patch(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return error(ctx, body.error());
  auto ops = parse_operation_list(*body, kPatchable);
  if (!ops) co_return error(ctx, ops.error());
  MstrConnections conns(app);
  auto c = conns.find(ctx.org_id(), ctx.params.at("id"));
  if (!c) co_return error(ctx, c.error());
  json::object view = conns.render(*c);
  for (const auto& op : *ops) apply_replace(view, op);
  auto in = read_mstr_connection(view);
  if (!in) co_return error(ctx, in.error());
  if (!c->native) {
    auto id = co_await store_connection(app, ctx, conns, std::move(*in), c->id);
    if (!id) co_return error(ctx, id.error());
  } else if (!in->native) {
    co_return error(
        ctx,
        invalid_body({{"connectionString", "cannot name a DSN: this connection has a server"}}));
  } else {
    if (auto l = check_login(app, ctx.org_id(), in->login_id); !l) co_return error(ctx, l.error());
    json::object changes = *in->native;
    const std::string native_id = c->native->id;
    const WriteOptions untested = compat_write_options(app, false);
    auto out = co_await app.datasource_service->patch(ctx.org_id(), ctx.actor(), native_id,
                                                      std::move(changes), untested);
    if (!out) co_return error(ctx, out.error());
    if (auto w = conns.records().put(ctx.org_id(), c->id, connection_record(*in, native_id)); !w)
      co_return error(ctx, w.error());
  }
  auto updated = conns.find(ctx.org_id(), c->id);
  if (!updated) co_return error(ctx, updated.error());
  co_return json_response(ctx, status::ok, conns.render(*updated));
}

asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  MstrConnections conns(app);
  auto c = conns.find(ctx.org_id(), ctx.params.at("id"));
  if (!c) co_return error(ctx, c.error());
  CompatRecords sources(*app.store, kDatasourceKind);
  auto users = sources.list(ctx.org_id());
  if (!users) co_return error(ctx, users.error());
  std::string names;
  for (const auto& s : *users)
    if (str_at(s.fields, "connection_id") == c->id)
      names += (names.empty() ? "" : ", ") + str_at(s.fields, "name");
  if (!names.empty())
    co_return error(ctx, fail(409, "CONNECTION_IN_USE",
                              "connection '" + c->id + "' is used by datasources: " + names));
  if (c->native)
    if (auto d = app.datasource_service->remove(ctx.org_id(), c->native->id, std::nullopt); !d)
      co_return error(ctx, d.error());
  if (auto e = conns.records().erase(ctx.org_id(), c->id); !e) co_return error(ctx, e.error());
  co_return empty_response(ctx, status::no_content);
}

// 204 when the connection works; a failure names the stage that failed.
asio::awaitable<Response> test(App& app, RequestContext& ctx) {
  MstrConnections conns(app);
  auto c = conns.find(ctx.org_id(), ctx.params.at("id"));
  if (!c) co_return error(ctx, c.error());
  if (!c->native)
    co_return error(ctx, fail(400, "NOT_CONNECTABLE",
                              "connection '" + c->id + "' names the ODBC data source '" +
                                  str_at(c->record, "dsn") +
                                  "'; dsbroker has no DSN registry: give SERVER=...;PORT=...;"
                                  "DATABASE=... in connectionString to connect"));
  auto spec = connection_spec(app, *c->native);
  if (!spec) co_return error(ctx, spec.error());
  drivers::TestLimits limits = compat_write_options(app, true).limits;
  if (auto s = max_connection_attempt_s(c->record))
    limits.connect = std::min(limits.connect, std::chrono::milliseconds(*s * 1000));
  TestWork work =
      [&app, spec = std::move(*spec), limits, org = ctx.org_id(), id = c->native->id](
          drivers::StageReporter::Sink progress) -> asio::awaitable<Result<TestReport>> {
    drivers::StageReporter reporter(std::move(progress));
    drivers::ConnectionSpec run_spec = spec;
    drivers::SchemaFilter no_filter;
    TestReport report =
        co_await run_test(app, std::move(run_spec), false, std::move(no_filter), limits, reporter);
    if (!report.failure) finish_report(report, reporter);
    if (auto r = app.datasource_service->record_test(org, id, report); !r) co_return r.error();
    if (report.failure) co_return *report.failure;
    co_return report;
  };
  auto report = co_await run_test_job(app, ctx, c->native->id, std::move(work));
  if (!report) co_return error(ctx, report.error());
  co_return empty_response(ctx, status::no_content);
}

}  // namespace

void register_mstr_connection_routes(App& app, const std::shared_ptr<MstrSessions>& sessions) {
  add_mstr_route(app, sessions, verb::post, "/api/datasources/connections", create);
  add_mstr_route(app, sessions, verb::get, "/api/datasources/connections", list);
  add_mstr_route(app, sessions, verb::get, "/api/datasources/connections/{id}", get_one);
  add_mstr_route(app, sessions, verb::patch, "/api/datasources/connections/{id}", patch);
  add_mstr_route(app, sessions, verb::delete_, "/api/datasources/connections/{id}", remove);
  add_mstr_route(app, sessions, verb::post, "/api/datasources/connections/{id}/test", test);
}

}  // namespace dsb::server::api::compat
