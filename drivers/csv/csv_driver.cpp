#include "drivers/csv/csv_driver.hpp"

#include "drivers/blocking_pool.hpp"
#include "drivers/csv/csv_session.hpp"

namespace dsb::drivers {

namespace {

namespace json = boost::json;
using csv::CsvOptions;

const json::string* string_option(const ConnectionSpec& spec, const char* key) {
  const json::value* v = spec.options.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

// options.delimiter (one byte, not a quote or line break) and
// options.has_header (a boolean, or "true"/"false"); defaults "," and true.
Result<CsvOptions> csv_options(const ConnectionSpec& spec) {
  CsvOptions out;
  if (const json::string* d = string_option(spec, "delimiter")) {
    if (d->size() != 1 || (*d)[0] == '"' || (*d)[0] == '\n' || (*d)[0] == '\r') {
      return test_failure("authenticate", reason::protocol_error,
                          "options.delimiter must be one character, not a quote or line break");
    }
    out.delimiter = (*d)[0];
  }
  if (const json::value* h = spec.options.if_contains("has_header")) {
    if (h->is_bool()) {
      out.has_header = h->get_bool();
    } else if (h->is_string() && (h->get_string() == "true" || h->get_string() == "false")) {
      out.has_header = h->get_string() == "true";
    } else if (!h->is_null()) {
      return test_failure("authenticate", reason::protocol_error,
                          "options.has_header must be true or false");
    }
  }
  return out;
}

class CsvDriver final : public Driver {
 public:
  // No network: tcp_connect and tls_handshake are skipped; authenticate is
  // opening the path under the file root (path_denied, database_not_found or
  // permission_denied when that fails).
  asio::awaitable<Result<std::unique_ptr<DriverSession>>> connect(
      const ConnectTarget& target, StageReporter& reporter) override {
    const ConnectionSpec& spec = target.spec;
    reporter.skipped("tcp_connect");
    reporter.skipped("tls_handshake");
    reporter.begin("authenticate");
    auto options = csv_options(spec);
    if (!options) {
      reporter.failed(options.error().reason, options.error().message);
      co_return options.error();
    }
    const json::string* path = string_option(spec, "path");
    std::string relative = path != nullptr ? std::string(*path) : std::string();
    // Named before co_await: see run_blocking.
    auto job = [root = spec.file_root, relative] {
      return csv::open_source(root, relative, "authenticate");
    };
    auto source = co_await run_blocking(std::move(job));
    if (!source) {
      reporter.failed(source.error().reason, source.error().message);
      co_return source.error();
    }
    reporter.ok({{"path", relative},
                 {"kind", source->kind == PathKind::folder ? "folder" : "file"},
                 {"files", source->files.size()}});
    co_return std::make_unique<csv::CsvSession>(spec.file_root, *options, std::move(*source));
  }
};

}  // namespace

std::unique_ptr<Driver> make_csv_driver() {
  return std::make_unique<CsvDriver>();
}

}  // namespace dsb::drivers
