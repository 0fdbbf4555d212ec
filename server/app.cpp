#include "server/app.hpp"

#include "core/ids.hpp"
#include "server/api/routes.hpp"
#include "server/datasource_service.hpp"
#include "server/login_service.hpp"
#include "store/free_space_guard.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dsb::server {
namespace fs = std::filesystem;
using config::ConfigError;

namespace {

boost::asio::awaitable<void> expire_jobs_every_minute(App& app, std::size_t shard) {
  boost::asio::steady_timer timer(app.shards->at(shard).executor());
  for (;;) {
    timer.expires_after(std::chrono::minutes(1));
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) co_return;
    app.jobs->on(shard).expire();
  }
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::string read_secret_file(const std::string& key, const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("config key " + key + ": cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return trim(ss.str());
}

// Writes `value` to a new file readable only by its owner.
void write_secret_file(const std::string& key, const fs::path& path, const std::string& value) {
  const auto old_mask = ::umask(077);
  std::ofstream out(path, std::ios::trunc);
  out << value << "\n";
  out.close();
  ::umask(old_mask);
  if (!out) throw ConfigError("config key " + key + ": cannot write " + path.string());
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

// The configured value, else the configured file, else a generated file in the data dir.
std::string resolve_secret(const std::string& key, const std::string& value,
                           const std::string& file, const fs::path& generated,
                           const std::function<std::string()>& make, std::string& where) {
  if (!value.empty()) {
    where = "(from configuration)";
    return value;
  }
  const fs::path path = file.empty() ? generated : fs::path(file);
  where = path.string();
  if (fs::exists(path)) return read_secret_file(key, path);
  if (!file.empty()) throw ConfigError("config key " + key + ": file " + file + " does not exist");
  const std::string fresh = make();
  write_secret_file(key, path, fresh);
  return fresh;
}

std::vector<store::MasterKey> resolve_master_keys(const config::Config& cfg, const fs::path& dir) {
  std::string where;
  const std::string text = resolve_secret(
      "secrets.master_key", cfg.secrets.master_key, cfg.secrets.master_key_file, dir / "master.key",
      [] { return store::format_master_key(store::generate_master_key()); }, where);
  std::vector<store::MasterKey> keys;
  auto newest = store::parse_master_key(text);
  if (!newest) throw ConfigError("config key secrets.master_key: " + newest.error().message);
  keys.push_back(*newest);
  for (const auto& file : cfg.secrets.old_key_files) {
    auto old = store::parse_master_key(read_secret_file("secrets.old_key_files", file));
    if (!old)
      throw ConfigError("config key secrets.old_key_files: " + file + ": " + old.error().message);
    keys.push_back(*old);
  }
  return keys;
}

// Jobs fan events out to subscribers on any shard by posting there.
void install_jobs(App& app) {
  App* a = &app;
  app.event_sessions = std::make_unique<Sharded<jobs::LocalSessions>>(
      *app.shards, [](std::size_t) { return std::make_unique<jobs::LocalSessions>(); });
  jobs::Deliver deliver = [a](std::size_t shard, std::vector<std::uint64_t> sessions,
                              jobs::Payload m, std::string job, std::int64_t seq) {
    boost::asio::post(
        a->shards->at(shard).executor(),
        [a, shard, sessions = std::move(sessions), m = std::move(m), job = std::move(job), seq] {
          a->event_sessions->on(shard).deliver(sessions, m, job, seq);
        });
  };
  app.jobs = std::make_unique<Sharded<jobs::JobTable>>(*app.shards, [&](std::size_t i) {
    return std::make_unique<jobs::JobTable>(app.shards->at(i).executor(), deliver,
                                            std::chrono::seconds(app.config.jobs.retention_s),
                                            *app.store);
  });
  for (std::size_t i = 0; i < app.shards->size(); ++i) {
    boost::asio::co_spawn(app.shards->at(i).executor(), expire_jobs_every_minute(app, i),
                          boost::asio::detached);
  }
}

}  // namespace

App::App() = default;
App::~App() = default;

std::unique_ptr<App> build_app(config::Config cfg) {
  auto app = std::make_unique<App>();
  app->config = std::move(cfg);
  const fs::path dir = app->config.storage.data_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw ConfigError("config key storage.data_dir: cannot create " + dir.string() + ": " +
                      ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (app->config.files.root.empty()) app->config.files.root = (dir / "files").string();

  const std::string admin_token = resolve_secret(
      "auth.admin_token", app->config.auth.admin_token, app->config.auth.admin_token_file,
      dir / "admin_token", [] { return "dsb_admin_" + random_base62(40); }, app->admin_token_path);
  if (admin_token.size() < 16)
    throw ConfigError("config key auth.admin_token: must be at least 16 characters");

  auto store = store::open_rocks_store((dir / "db").string());
  if (!store) throw ConfigError("config key storage.data_dir: " + store.error().message);
  std::unique_ptr<store::Store> opened = std::move(*store);
  if (const auto floor_mb = app->config.storage.min_free_mb; floor_mb > 0)
    opened = store::guard_free_space(std::move(opened), (dir / "db").string(),
                                     static_cast<std::uint64_t>(floor_mb) << 20);
  app->store = std::move(opened);
  app->vault = std::make_unique<store::Vault>(resolve_master_keys(app->config, dir));
  app->orgs = std::make_unique<tenancy::OrgDirectory>(*app->store, admin_token);
  app->datasources = std::make_unique<store::DatasourceRecords>(*app->store);
  app->schemas = std::make_unique<store::SchemaCache>(*app->store);
  app->datasource_service = std::make_unique<DatasourceService>(*app);
  app->logins = std::make_unique<store::LoginRecords>(*app->store);
  app->login_service = std::make_unique<LoginService>(*app);
  try {
    app->egress =
        std::make_unique<drivers::EgressPolicy>(app->config.egress.allow, app->config.egress.deny);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("config key egress.allow/egress.deny: ") + e.what());
  }
  app->shards = std::make_unique<ShardSet>(app->config.shard_count());
  app->metrics = std::make_unique<Sharded<ShardMetrics>>(
      *app->shards, [](std::size_t) { return std::make_unique<ShardMetrics>(); });
  app->name_reservations = std::make_unique<Sharded<tenancy::NameReservations>>(
      *app->shards, [](std::size_t) { return std::make_unique<tenancy::NameReservations>(); });
  app->quotas = std::make_unique<Sharded<tenancy::OrgQuotas>>(
      *app->shards, [](std::size_t) { return std::make_unique<tenancy::OrgQuotas>(); });
  app->client_lists = std::make_unique<Sharded<tenancy::ClientListCache>>(
      *app->shards, [](std::size_t) { return std::make_unique<tenancy::ClientListCache>(); });
  install_jobs(*app);
  api::register_routes(*app);
  return app;
}

}  // namespace dsb::server
