// Databrain's /api/v2/datasource: create and update run validate -> test
// -> cache the schema -> store; list by page of 10; delete by name; sync
// refreshes the cached schema. Errors as {"error": {"code", "message"}}.
#include "core/json_path.hpp"
#include "server/api/compat/compat_jobs.hpp"
#include "server/api/compat/databrain_mapping.hpp"
#include "server/api/compat/datasource_range.hpp"
#include "server/api/routes.hpp"
#include "server/json_body.hpp"

#include <charconv>

namespace dsb::server::api {
namespace json = boost::json;
namespace asio = boost::asio;
using http::status;
using http::verb;

namespace {

using namespace compat;

constexpr std::size_t kPageSize = 10;

const drivers::TypeEntry* type_of(const json::object& native) {
  const json::value* t = native.if_contains("type");
  return t != nullptr && t->is_string() ? drivers::find_type(t->get_string()) : nullptr;
}

std::string name_of(const json::object& native) {
  const json::value* n = native.if_contains("name");
  return n != nullptr && n->is_string() ? std::string(n->get_string()) : std::string();
}

Response named(const RequestContext& ctx, const std::string& name) {
  return json_response(ctx, status::ok, json::object{{"name", name}});
}

// Connection settings Databrain cannot express (tls{}, ssh{}, a reusable
// login) survive its full replace of the credentials.
void keep_unexpressed(const store::DatasourceRecord& current, json::object& native) {
  for (const char* block : {"tls", "ssh"})
    if (const json::value* v = current.config.if_contains(block); v && !native.contains(block))
      native[block] = *v;
  const json::value* login = current.config.if_contains("login_id");
  if (login != nullptr && !native.contains("username") && !native.contains("password"))
    native["login_id"] = *login;
}

asio::awaitable<Result<WriteOutcome>> write_job(App& app, const RequestContext& ctx, std::string id,
                                                json::object native) {
  WriteWork work =
      [&app, org = ctx.org_id(), actor = ctx.actor(), id, native = std::move(native)](
          drivers::StageReporter::Sink progress) -> asio::awaitable<Result<WriteOutcome>> {
    WriteOptions opts = compat_write_options(app, true);
    opts.progress = std::move(progress);
    json::object body = native;
    if (id.empty())
      co_return co_await app.datasource_service->create(org, actor, std::move(body), opts);
    co_return co_await app.datasource_service->replace(org, actor, id, std::move(body), opts);
  };
  const char* kind = id.empty() ? "create" : "update";
  co_return co_await run_write_job(app, ctx, std::move(id), kind, std::move(work));
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return databrain_error(ctx, body.error());
  auto native = databrain_to_native(*body);
  if (!native) co_return databrain_error(ctx, native.error());
  const drivers::TypeEntry* type = type_of(*native);
  std::string no_datasource_yet;
  auto out = co_await write_job(app, ctx, std::move(no_datasource_yet), std::move(*native));
  if (!out) co_return databrain_error_for(ctx, out.error(), type);
  co_return named(ctx, out->record.name);
}

asio::awaitable<Response> update(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return databrain_error(ctx, body.error());
  auto native = databrain_to_native(*body);
  if (!native) co_return databrain_error(ctx, native.error());
  const drivers::TypeEntry* type = type_of(*native);
  auto current = app.datasource_service->get_by_name(ctx.org_id(), name_of(*native));
  if (!current) co_return databrain_error(ctx, current.error());
  if (type == nullptr || type->name != current->type) {
    Failure f =
        invalid_body({{"datasourceType", "cannot change: the datasource is " + current->type}});
    co_return databrain_error(ctx, f);
  }
  keep_unexpressed(*current, *native);
  auto out = co_await write_job(app, ctx, current->id, std::move(*native));
  if (!out) co_return databrain_error_for(ctx, out.error(), type);
  co_return named(ctx, out->record.name);
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  std::size_t skip = 0;
  std::size_t limit = SIZE_MAX;
  const std::string paginate = ctx.query_or("isPagination", "false");
  if (paginate != "true" && paginate != "false")
    co_return databrain_error(ctx, invalid_body({{"isPagination", "must be true or false"}}));
  if (paginate == "true") {
    const std::string text = ctx.query_or("pageNumber", "1");
    std::size_t page = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), page);
    if (ec != std::errc() || end != text.data() + text.size() || page < 1 ||
        page > SIZE_MAX / kPageSize)
      co_return databrain_error(ctx, invalid_body({{"pageNumber", "must be a positive integer"}}));
    skip = (page - 1) * kPageSize;
    limit = kPageSize;
  }
  auto items = datasource_range(app, ctx.org_id(), skip, limit);
  if (!items) co_return databrain_error(ctx, items.error());
  json::array data;
  for (const auto& r : *items) data.push_back(json::object{{"name", r.name}});
  co_return json_response(ctx, status::ok, json::object{{"data", std::move(data)}});
}

asio::awaitable<Response> remove(App& app, RequestContext& ctx) {
  const std::string name = ctx.query_or("datasourceName");
  if (name.empty())
    co_return databrain_error(ctx, invalid_body({{"datasourceName", "is required"}}));
  auto r = app.datasource_service->get_by_name(ctx.org_id(), name);
  if (!r) co_return databrain_error(ctx, r.error());
  if (auto d = app.datasource_service->remove(ctx.org_id(), r->id, std::nullopt); !d)
    co_return databrain_error(ctx, d.error());
  co_return json_response(
      ctx, status::ok, json::object{{"id", r->id}, {"message", "Datasource deleted successfully"}});
}

// datasourceId is the id create answered with elsewhere (GET /v1, maiascore); a name works too.
asio::awaitable<Response> sync(App& app, RequestContext& ctx) {
  auto body = parse_json_object(ctx.req.body());
  if (!body) co_return databrain_error(ctx, body.error());
  const json::value* id = find_path(*body, "input.datasourceId");
  if (id == nullptr || !id->is_string() || id->get_string().empty())
    co_return databrain_error(ctx, invalid_body({{"input.datasourceId", "is required"}}));
  auto r = app.datasource_service->get(ctx.org_id(), id->get_string());
  if (!r && r.error().status == 404)
    r = app.datasource_service->get_by_name(ctx.org_id(), id->get_string());
  if (!r) co_return databrain_error(ctx, r.error());
  WriteWork work =
      [&app, org = ctx.org_id(),
       ds = r->id](drivers::StageReporter::Sink progress) -> asio::awaitable<Result<WriteOutcome>> {
    const drivers::TestLimits limits = compat_write_options(app, true).limits;
    co_return co_await app.datasource_service->refresh_schema(org, ds, limits, std::move(progress));
  };
  auto out = co_await run_write_job(app, ctx, r->id, "schema_refresh", std::move(work));
  if (!out) co_return databrain_error_for(ctx, out.error(), drivers::find_type(r->type));
  co_return json_response(ctx, status::ok,
                          json::object{{"data", json::object{{"message", "Sync completed"}}}});
}

void add(App& app, verb method, const char* pattern,
         asio::awaitable<Response> (*fn)(App&, RequestContext&)) {
  add_dialect_route(app, method, pattern, fn, &databrain_error);
}

}  // namespace

void register_databrain_routes(App& app) {
  add(app, verb::post, "/api/v2/datasource", create);
  add(app, verb::put, "/api/v2/datasource", update);
  add(app, verb::get, "/api/v2/datasource", list);
  add(app, verb::delete_, "/api/v2/datasource", remove);
  add(app, verb::post, "/api/v2/datasource/sync", sync);
}

}  // namespace dsb::server::api
