// Everything the process holds while serving: config, store, services,
// shards and routes. Built once at start-up, then shared read-only by all
// shards except where a member says otherwise.
#pragma once

#include "config/config.hpp"
#include "drivers/egress_policy.hpp"
#include "server/jobs/job_table.hpp"
#include "server/jobs/local_sessions.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"
#include "server/shard.hpp"
#include "store/datasource_records.hpp"
#include "store/login_records.hpp"
#include "store/schema_cache.hpp"
#include "store/store.hpp"
#include "store/vault.hpp"
#include "tenancy/client_list_cache.hpp"
#include "tenancy/name_reservations.hpp"
#include "tenancy/org_directory.hpp"
#include "tenancy/org_quotas.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace dsb::server {

class DatasourceService;
class LoginService;

struct App {
  App();
  ~App();

  config::Config config;
  std::string admin_token_path;  // where the admin token can be read, for the banner
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::Vault> vault;
  std::unique_ptr<tenancy::OrgDirectory> orgs;
  std::unique_ptr<store::DatasourceRecords> datasources;
  std::unique_ptr<store::SchemaCache> schemas;
  std::unique_ptr<DatasourceService> datasource_service;
  std::unique_ptr<store::LoginRecords> logins;
  std::unique_ptr<LoginService> login_service;
  std::unique_ptr<drivers::EgressPolicy> egress;
  std::unique_ptr<ShardSet> shards;
  std::unique_ptr<Sharded<ShardMetrics>> metrics;  // one per shard
  std::unique_ptr<Sharded<tenancy::NameReservations>> name_reservations;
  std::unique_ptr<Sharded<tenancy::ClientListCache>> client_lists;  // short-lived client listings
  std::unique_ptr<Sharded<tenancy::OrgQuotas>> quotas;  // per-org limits, on the org's shard
  std::unique_ptr<Sharded<jobs::JobTable>> jobs;        // jobs of the orgs each shard owns
  std::unique_ptr<Sharded<jobs::LocalSessions>> event_sessions;  // WebSocket subscribers per shard
  Router router;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> open_connections{0};

  // Org-mutating admin work (org creation) runs on this shard, so name
  // checks and writes never interleave.
  static constexpr std::size_t kAdminShard = 0;

  tenancy::OrgLimits default_limits() const {
    return {config.limits.requests_per_window, config.limits.window_s,
            config.limits.concurrent_tests, config.limits.queued_tests};
  }
};

// Resolves secrets (admin token, master keys; generating them into the data
// dir on first start), opens the store, builds services and routes.
// Throws config::ConfigError on anything that stops start-up.
std::unique_ptr<App> build_app(config::Config cfg);

}  // namespace dsb::server
