// A datasource's end customers ("clients"), routed by its tenancy:
//   GET  /v1/datasources/{id}/clients                   list (mapping table or databases)
//   GET  /v1/datasources/{id}/clients/{client}/schema   the client's schema
//   POST /v1/datasources/{id}/clients/{client}/test     test the client's route
#include "drivers/registry.hpp"
#include "server/api/job_requests.hpp"
#include "server/api/routes.hpp"
#include "server/connection_check.hpp"
#include "server/datasource_service.hpp"
#include "tenancy/client_router.hpp"
#include "tenancy/tenancy_check.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

constexpr std::size_t kDefaultClientPage = 100;
constexpr std::size_t kMaxClientPage = 1000;

Failure client_not_found(const std::string& client) {
  return fail(404, "CLIENT_NOT_FOUND",
              "client '" + client + "' does not exist for this datasource");
}

// Everything a client route needs: the record, its driver spec, its router.
struct Tenant {
  store::DatasourceRecord record;
  drivers::ConnectionSpec spec;
  tenancy::TenancySettings settings;
  std::unique_ptr<tenancy::ClientRouter> router;
};

Result<Tenant> load_tenant(App& app, const RequestContext& ctx) {
  auto r = app.datasource_service->get(ctx.org_id(), ctx.params.at("id"));
  if (!r) return r.error();
  auto settings = tenancy::tenancy_of(r->config);
  if (!settings)
    return fail(400, "TENANCY_NOT_CONFIGURED",
                "datasource '" + r->name + "' has no tenancy settings");
  drivers::Driver* driver = drivers::find_driver(r->type);
  if (driver == nullptr) return drivers::driver_unavailable(r->type);
  auto spec = connection_spec(app, *r);
  if (!spec) return spec.error();
  const bool dollar = r->type == "postgres" || r->type == "redshift" || r->type == "cockroachdb";
  auto router = std::make_unique<tenancy::ClientRouter>(
      *settings, [driver](std::string_view n) { return driver->quote_identifier(n); },
      [dollar](int n) { return dollar ? "$" + std::to_string(n) : std::string("?"); });
  return Tenant{std::move(*r), std::move(*spec), std::move(*settings), std::move(router)};
}

Result<std::size_t> size_param(const RequestContext& ctx, const char* name, std::size_t fallback,
                               std::size_t max) {
  const std::string text = ctx.query_or(name);
  if (text.empty()) return ok(fallback);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n > max)
    return invalid_body({{name, "must be an integer from 0 to " + std::to_string(max)}},
                        "bad query parameter");
  return ok(n);
}

// A session to the datasource, or to one client's database.
asio::awaitable<Result<std::unique_ptr<drivers::DriverSession>>> connect(
    App& app, drivers::ConnectionSpec spec) {
  const auto& c = app.config.connections;
  drivers::StageReporter reporter;
  const auto now = drivers::Clock::now();
  co_return co_await drivers::open_session(spec, *app.egress, reporter,
                                           now + std::chrono::milliseconds(c.connect_timeout_ms),
                                           now + std::chrono::milliseconds(c.test_timeout_ms));
}

drivers::Deadline query_deadline(const App& app) {
  return drivers::Clock::now() + std::chrono::milliseconds(app.config.connections.test_timeout_ms);
}

asio::awaitable<Response> list_clients(App& app, RequestContext& ctx) {
  auto tenant = load_tenant(app, ctx);
  if (!tenant) co_return native_error(ctx, tenant.error());
  auto limit = size_param(ctx, "limit", kDefaultClientPage, kMaxClientPage);
  if (!limit) co_return native_error(ctx, limit.error());
  auto offset = size_param(ctx, "offset", 0, SIZE_MAX / 2);
  if (!offset) co_return native_error(ctx, offset.error());
  const std::string key = ctx.org_id() + "/" + tenant->record.id + "/" +
                          std::to_string(tenant->record.version) + "/" + std::to_string(*limit) +
                          "/" + std::to_string(*offset);
  auto& cache = app.client_lists->local();
  if (auto hit = cache.get(key, tenancy::ClientListCache::Clock::now())) {
    Response res = empty_response(ctx, status::ok);
    res.set(http::field::content_type, "application/json");
    res.body() = *hit;
    co_return res;
  }
  auto session = co_await connect(app, tenant->spec);
  if (!session) co_return native_error(ctx, session.error());
  json::array items;
  json::value next = nullptr;
  if (tenant->settings.level == tenancy::TenancySettings::Level::table) {
    auto q = tenant->router->list_clients(*limit + 1, *offset);
    auto rows =
        co_await (*session)->query(std::move(q.sql), std::move(q.params), query_deadline(app));
    if (!rows) co_return native_error(ctx, rows.error());
    for (std::size_t i = 0; i < rows->rows.size() && i < *limit; ++i)
      items.push_back(
          {{"id", rows->rows[i][0].value_or("")}, {"name", rows->rows[i][1].value_or("")}});
    if (rows->rows.size() > *limit) next = static_cast<std::int64_t>(*offset + *limit);
  } else {
    auto dbs = co_await (*session)->list_databases(query_deadline(app));
    if (!dbs) co_return native_error(ctx, dbs.error());
    std::vector<std::pair<std::string, std::string>> clients;
    for (const auto& db : *dbs)
      if (auto id = tenant->router->client_of_database(db)) clients.emplace_back(*id, db);
    std::sort(clients.begin(), clients.end());
    for (std::size_t i = *offset; i < clients.size() && i < *offset + *limit; ++i)
      items.push_back({{"id", clients[i].first}, {"database", clients[i].second}});
    if (clients.size() > *offset + *limit) next = static_cast<std::int64_t>(*offset + *limit);
  }
  const std::string body = json::serialize(json::object{
      {"level",
       tenant->settings.level == tenancy::TenancySettings::Level::table ? "TABLE" : "DATABASE"},
      {"items", std::move(items)},
      {"next_offset", next}});
  cache.put(key, body, tenancy::ClientListCache::Clock::now());
  Response res = empty_response(ctx, status::ok);
  res.set(http::field::content_type, "application/json");
  res.body() = body;
  co_return res;
}

// TABLE: 404 unless the mapping table lists the client.
asio::awaitable<Result<void>> check_table_client(App& app, Tenant& tenant,
                                                 const tenancy::ClientRoute& route) {
  auto session = co_await connect(app, tenant.spec);
  if (!session) co_return session.error();
  auto q = tenant.router->find_client(route);
  auto rows =
      co_await (*session)->query(std::move(q.sql), std::move(q.params), query_deadline(app));
  if (!rows) co_return rows.error();
  if (rows->rows.empty()) co_return client_not_found(route.client_id);
  co_return Result<void>{};
}

Response schema_response(const RequestContext& ctx, const std::string& client,
                         const store::CachedSchema& c) {
  Response res = empty_response(ctx, status::ok);
  res.set(http::field::content_type, "application/json");
  res.set(http::field::etag, "\"" + c.hash + "\"");
  std::string meta =
      json::serialize(json::object{{"client", client}, {"hash", c.hash}, {"tables", c.tables}});
  meta.pop_back();
  res.body() = meta + ",\"schemas\":" + c.schema_json + "}";
  return res;
}

asio::awaitable<Response> client_schema(App& app, RequestContext& ctx) {
  auto tenant = load_tenant(app, ctx);
  if (!tenant) co_return native_error(ctx, tenant.error());
  const std::string client = ctx.params.at("client");
  auto route = tenant->router->route(client);
  if (!route) co_return native_error(ctx, route.error());
  if (tenant->settings.level == tenancy::TenancySettings::Level::table) {
    if (auto ok_client = co_await check_table_client(app, *tenant, *route); !ok_client)
      co_return native_error(ctx, ok_client.error());
    auto cached = app.schemas->get(ctx.org_id(), tenant->record.id);
    if (!cached) co_return native_error(ctx, cached.error());
    if (!*cached)
      co_return native_error(
          ctx, fail(404, "SCHEMA_NOT_CACHED", "no schema is cached for this datasource"));
    // Restrict the datasource's schema to the tables that carry the client column.
    const json::value all = json::parse((*cached)->schema_json);
    json::array schemas;
    std::int64_t tables = 0;
    for (const auto& s : all.as_array()) {
      json::array kept;
      for (const auto& t : s.as_object().at("tables").as_array()) {
        const auto& o = t.as_object();
        if (s.as_object().at("name").as_string() == tenant->settings.schema_name &&
            o.at("name").as_string() == tenant->settings.table_name)
          continue;
        for (const auto& c : o.at("columns").as_array())
          if (c.as_object().at("name").as_string() == tenant->settings.client_column) {
            kept.push_back(t);
            break;
          }
      }
      tables += static_cast<std::int64_t>(kept.size());
      if (!kept.empty())
        schemas.push_back(
            json::object{{"name", s.as_object().at("name")}, {"tables", std::move(kept)}});
    }
    const std::string text = json::serialize(schemas);
    co_return schema_response(ctx, client,
                              {text, drivers::schema_hash(text), (*cached)->fetched_at_ms, tables});
  }
  // DATABASE: cached per client, fetched on first use.
  auto cached = app.schemas->get(ctx.org_id(), tenant->record.id, client);
  if (!cached) co_return native_error(ctx, cached.error());
  if (*cached && ctx.query_or("refresh") != "true")
    co_return schema_response(ctx, client, **cached);
  drivers::ConnectionSpec spec = tenant->spec;
  spec.database = route->database;
  auto session = co_await connect(app, std::move(spec));
  if (!session) {
    if (session.error().reason == drivers::reason::database_not_found)
      co_return native_error(ctx, client_not_found(client));
    co_return native_error(ctx, session.error());
  }
  drivers::StageReporter reporter;
  drivers::SchemaFilter filter = schema_filter(tenant->record);
  auto schema = co_await (*session)->fetch_schema(
      filter, reporter,
      drivers::Clock::now() + std::chrono::milliseconds(app.config.connections.schema_timeout_ms));
  if (!schema) co_return native_error(ctx, schema.error());
  const store::CachedSchema snapshot = co_await cached_schema(*schema);
  store::Batch batch;
  app.schemas->put(batch, ctx.org_id(), tenant->record.id, client, snapshot);
  if (auto w = app.store->write(batch); !w) co_return native_error(ctx, w.error());
  co_return schema_response(ctx, client, snapshot);
}

asio::awaitable<Response> client_test(App& app, RequestContext& ctx) {
  auto tenant = load_tenant(app, ctx);
  if (!tenant) co_return native_error(ctx, tenant.error());
  const std::string client = ctx.params.at("client");
  auto route = tenant->router->route(client);
  if (!route) co_return native_error(ctx, route.error());
  auto limits = test_limits(app, ctx.query_or("timeout_ms"));
  if (!limits) co_return native_error(ctx, limits.error());
  drivers::ConnectionSpec spec = tenant->spec;
  const bool by_database = tenant->settings.level == tenancy::TenancySettings::Level::database;
  if (by_database) spec.database = route->database;
  auto report = std::make_shared<TestReport>();
  auto shared_tenant = std::make_shared<Tenant>(std::move(*tenant));
  jobs::JobWork work =
      [&app, report, spec, by_database, shared_tenant, route = *route,
       limits = *limits](drivers::StageReporter::Sink progress) -> asio::awaitable<jobs::JobEnd> {
    drivers::StageReporter reporter(std::move(progress));
    drivers::ConnectionSpec run_spec = spec;
    drivers::SchemaFilter none;
    *report = co_await run_test(app, std::move(run_spec), false, std::move(none), limits, reporter);
    if (!report->failure && !by_database) {
      reporter.begin("tenancy_check");
      if (auto c = co_await check_table_client(app, *shared_tenant, route); !c) {
        reporter.failed("tenancy_invalid", c.error().message);
        report->failure = c.error();
      } else {
        reporter.ok();
      }
    }
    if (!report->failure) finish_report(*report, reporter);
    if (report->failure && report->failure->reason == drivers::reason::database_not_found)
      report->failure = client_not_found(route.client_id);
    json::object body = report->failure ? failure_body(*report->failure, {}) : report_json(*report);
    co_return jobs::JobEnd{!report->failure, std::move(body)};
  };
  std::function<Response()> respond = [&ctx, report] {
    if (report->failure) return native_error(ctx, *report->failure);
    return json_response(ctx, status::ok, report_json(*report));
  };
  std::string datasource = shared_tenant->record.id;
  co_return co_await run_as_job(app, ctx, std::move(datasource), "test", std::move(work),
                                std::move(respond));
}

}  // namespace

void register_client_routes(App& app) {
  app.router.add(
      {verb::get, "/v1/datasources/{id}/clients", Access::org, with_app(app, list_clients)});
  app.router.add({verb::get, "/v1/datasources/{id}/clients/{client}/schema", Access::org,
                  with_app(app, client_schema)});
  app.router.add({verb::post, "/v1/datasources/{id}/clients/{client}/test", Access::org,
                  with_app(app, client_test)});
}

}  // namespace dsb::server::api
