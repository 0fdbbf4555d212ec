#include "drivers/csv/csv_session.hpp"

#include "core/clock.hpp"
#include "drivers/blocking_pool.hpp"

#include <algorithm>

namespace dsb::drivers::csv {

namespace {

constexpr std::size_t kProgressEvery = 100;

Failure stage_failure(std::string_view stage, const char* why, std::string message) {
  return test_failure(std::string(stage), why, std::move(message));
}

}  // namespace

CsvSession::CsvSession(std::string root, CsvOptions options, CsvSource source)
    : root_(std::move(root)), options_(options), source_(std::move(source)) {}

asio::awaitable<Result<CsvSource>> CsvSession::reopen(std::string_view stage) {
  // Named before co_await: see run_blocking.
  auto job = [root = root_, relative = source_.relative, stage = std::string(stage)] {
    return open_source(root, relative, stage);
  };
  co_return co_await run_blocking(std::move(job));
}

asio::awaitable<Result<void>> CsvSession::probe(Deadline deadline) {
  auto source = co_await reopen("probe_query");
  if (!source) co_return source.error();
  if (source->kind != source_.kind) {
    co_return stage_failure("probe_query", reason::protocol_error,
                            "'" + source_.relative + "' changed between a file and a folder");
  }
  if (source->files.empty()) co_return Result<void>{};  // an empty folder: no tables
  const SampleLimits first_record{1, 1024 * 1024};
  auto job = [root = root_, file = source->files.front(), options = options_, first_record,
              deadline] {
    return read_table(root, file, options, first_record, deadline, "probe_query");
  };
  auto table = co_await run_blocking(std::move(job));
  if (!table) co_return table.error();
  co_return Result<void>{};
}

asio::awaitable<Result<SchemaSnapshot>> CsvSession::fetch_schema(const SchemaFilter& filter,
                                                                 StageReporter& reporter,
                                                                 Deadline deadline) {
  SchemaSnapshot snapshot;
  if (!filter.admits(kSchemaName)) {
    snapshot.fetched_at_ms = now_unix_ms();
    co_return snapshot;
  }
  auto source = co_await reopen("fetch_schema");
  if (!source) co_return source.error();
  const std::size_t total = source->files.size();
  for (std::size_t i = 0; i < total; ++i) {
    if (Clock::now() >= deadline) {
      co_return stage_failure("fetch_schema", reason::timeout,
                              "reading the files took longer than the deadline");
    }
    // One pool task per file: the shard reports progress between them.
    auto job = [root = root_, file = source->files[i], options = options_, deadline] {
      return read_table(root, file, options, SampleLimits{}, deadline, "fetch_schema");
    };
    auto table = co_await run_blocking(std::move(job));
    if (!table) co_return table.error();
    snapshot.tables.push_back(std::move(*table));
    if ((i + 1) % kProgressEvery == 0 && i + 1 < total) {
      reporter.progress({{"tables", i + 1}, {"total", total}});
    }
  }
  std::sort(snapshot.tables.begin(), snapshot.tables.end(),
            [](const Table& a, const Table& b) { return a.name < b.name; });
  reporter.progress({{"tables", total}, {"total", total}});
  snapshot.fetched_at_ms = now_unix_ms();
  co_return snapshot;
}

asio::awaitable<Result<std::vector<std::string>>> CsvSession::list_databases(Deadline) {
  co_return std::vector<std::string>{kSchemaName};
}

asio::awaitable<Result<Rows>> CsvSession::query(std::string,
                                                std::vector<std::optional<std::string>>, Deadline) {
  Failure f = fail(501, "NOT_IMPLEMENTED",
                   "csv datasources do not run SQL queries; only their schema can be read");
  f.stage = "query";
  f.reason = reason::protocol_error;
  co_return f;
}

}  // namespace dsb::drivers::csv
