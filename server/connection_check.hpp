// Connection tests as the API runs them: build the driver's spec from a
// datasource (decrypting its secrets), bound the deadlines by the config,
// run the stages, and describe the outcome.
#pragma once

#include "drivers/connection_test.hpp"
#include "server/app.hpp"
#include "store/datasource_record.hpp"
#include "store/schema_cache.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace dsb::server {

struct TestReport {
  std::vector<drivers::StageRecord> stages;
  double total_ms = 0;
  std::optional<Failure> failure;                 // with the stages in failure->extra
  std::optional<drivers::SchemaSnapshot> schema;  // when asked for and successful
  std::string ssh_host_key_fingerprint;           // the bastion's key seen ("" without ssh)
};

// The driver's view of a stored datasource, secrets decrypted in memory only.
Result<drivers::ConnectionSpec> connection_spec(const App& app, const store::DatasourceRecord& r);

// Deadlines: the configured maxima, lowered by ?timeout_ms= when given.
Result<drivers::TestLimits> test_limits(const App& app, const std::string& timeout_ms_param);

// The schema filter from options.schemas ("public,sales,!audit": names to
// include, "!name" to exclude).
drivers::SchemaFilter schema_filter(const store::DatasourceRecord& r);

// Runs the stages through schema fetch; the caller may add cache_schema and
// done to `reporter` and then fill TestReport::stages from it.
boost::asio::awaitable<TestReport> run_test(const App& app, drivers::ConnectionSpec spec,
                                            bool fetch_schema, drivers::SchemaFilter filter,
                                            drivers::TestLimits limits,
                                            drivers::StageReporter& reporter);

// Closes a successful test with the stage done and copies the stages into the report.
void finish_report(TestReport& report, drivers::StageReporter& reporter);

// [{"stage", "status", "duration_ms", "reason"?, "message"?}]
boost::json::array stages_json(const std::vector<drivers::StageRecord>& stages);

// {"ok", "duration_ms", "stages"} for a response body.
boost::json::object report_json(const TestReport& report);

// A snapshot ready for the schema cache (its JSON text and hash), made off
// the shard; `s` is unchanged afterwards.
boost::asio::awaitable<store::CachedSchema> cached_schema(drivers::SchemaSnapshot& s);

}  // namespace dsb::server
