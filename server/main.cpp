// dsbroker: the command line. `serve` runs the broker; `rekey` re-encrypts
// every secret under the newest master key.
#include "config/config.hpp"
#include "server/access_log.hpp"
#include "server/app.hpp"
#include "server/rekey.hpp"
#include "server/server.hpp"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

using dsb::config::ConfigError;

constexpr const char* kUsage = R"(dsbroker: a datasource broker for multi-tenant SaaS backends.

Usage:
  dsbroker serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR]
  dsbroker rekey [--config FILE] [--data-dir DIR]
  dsbroker --help | serve --help | --version

Commands:
  serve    Start the broker. Prints "listening on HOST:PORT" once it accepts.
  rekey    Re-encrypt every stored secret with the newest master key, so
           older keys (secrets.old_key_files) can be removed. Safe to repeat.
           Run it while the broker is stopped.
)";

constexpr const char* kServeUsage = R"(Usage: dsbroker serve [options]

Options:
  --config FILE       TOML configuration file (see config/dsbroker.toml).
  --listen HOST:PORT  Address to listen on; port 0 picks a free port.
                      Overrides server.listen.
  --data-dir DIR      Data directory; overrides storage.data_dir.
  --help              This text.

Environment (each overrides the file; flags override both):
  DSB_ADMIN_TOKEN     The admin token (else <data-dir>/admin_token, generated).
  DSB_MASTER_KEY      The master key (else <data-dir>/master.key, generated).
)";

struct Options {
  std::string command;
  std::optional<std::string> config_path;
  dsb::config::Environment env = dsb::config::process_environment();
};

Options parse_args(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    std::exit(args.empty() ? 2 : 0);
  }
  if (args[0] == "--version") {
    std::cout << "dsbroker 0.1.0\n";
    std::exit(0);
  }
  o.command = args[0];
  if (o.command != "serve" && o.command != "rekey") {
    std::cerr << "dsbroker: unknown command '" << o.command << "'\n\n" << kUsage;
    std::exit(2);
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kServeUsage << "\nConfiguration keys (file key, environment variable):\n"
                << dsb::config::describe_keys();
      std::exit(0);
    }
    if (i + 1 >= args.size()) {
      std::cerr << "dsbroker: " << a << " needs a value (see dsbroker " << o.command
                << " --help)\n";
      std::exit(2);
    }
    const std::string& value = args[++i];
    if (a == "--config")
      o.config_path = value;
    else if (a == "--listen")
      o.env["DSB_SERVER_LISTEN"] = value;
    else if (a == "--data-dir")
      o.env["DSB_STORAGE_DATA_DIR"] = value;
    else {
      std::cerr << "dsbroker: unknown option '" << a << "' (see dsbroker " << o.command
                << " --help)\n";
      std::exit(2);
    }
  }
  return o;
}

// Each WebSocket subscriber, connection test and tunnel holds descriptors;
// the default soft limit (often 1,024) would refuse clients long before the
// broker is busy, so take the hard limit the administrator allows.
void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  lim.rlim_cur = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
    dsb::server::write_event_log("warning", "could not raise the open-file limit");
}

int serve(std::unique_ptr<dsb::server::App> app) {
  // Signals are taken by sigwait on this thread, never delivered to shards.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();

  dsb::server::Server server(*app);
  const auto ep = server.start();
  const std::string where =
      (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string()) +
      ":" + std::to_string(ep.port());
  std::printf("listening on %s\n", where.c_str());
  std::printf("dsbroker is up at http://%s (%zu shards); admin token: %s\n", where.c_str(),
              app->shards->size(), app->admin_token_path.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  dsb::server::write_event_log("shutdown", sig == SIGINT ? "SIGINT received" : "SIGTERM received");
  server.stop(std::chrono::milliseconds(app->config.server.shutdown_grace_ms));
  app.reset();  // closes the store
  dsb::server::write_event_log("stopped", "store closed");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts = parse_args(argc, argv);
  if (opts.command == "serve") {
    // Before any thread starts (build_app opens RocksDB, which starts its
    // own): every thread inherits the mask and serve() takes the signals with
    // sigwait. A thread that did not block them would die of them instead.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  }
  try {
    auto cfg = dsb::config::load(opts.config_path, opts.env);
    auto app = dsb::server::build_app(std::move(cfg));
    if (opts.command == "rekey") return dsb::server::rekey(*app);
    return serve(std::move(app));
  } catch (const ConfigError& e) {
    std::cerr << "dsbroker: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dsbroker: cannot start: " << e.what() << "\n";
    return 1;
  }
}
