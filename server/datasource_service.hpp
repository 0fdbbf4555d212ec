// The datasource use cases every API surface maps onto: validate, keep
// secrets sealed, enforce unique names and versions, persist. Runs on the
// org's shard.
#pragma once

#include "server/app.hpp"
#include "server/connection_check.hpp"
#include "store/datasource_record.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace dsb::server {

struct WriteOptions {
  bool test = true;                      // test the connection and cache the schema first
  std::optional<std::int64_t> if_match;  // expected version
  drivers::TestLimits limits;
  drivers::StageReporter::Sink progress;  // live stage events, if anyone listens
};

struct WriteOutcome {
  store::DatasourceRecord record;
  std::optional<TestReport> test;  // when the write ran a test
};

class DatasourceService {
 public:
  explicit DatasourceService(App& app) : app_(app) {}

  // `body` is the native shape: name, type and the catalogue's fields.
  boost::asio::awaitable<Result<WriteOutcome>> create(std::string_view org_id,
                                                                 std::string_view actor,
                                                                 boost::json::object body,
                                                                 WriteOptions opts);
  // Full replace: a secret left out keeps its stored value; null clears it.
  boost::asio::awaitable<Result<WriteOutcome>> replace(std::string_view org_id,
                                                                  std::string_view actor,
                                                                  std::string_view id,
                                                                  boost::json::object body,
                                                                  WriteOptions opts);
  // RFC 7386 merge patch of the native shape.
  boost::asio::awaitable<Result<WriteOutcome>> patch(std::string_view org_id,
                                                                std::string_view actor,
                                                                std::string_view id,
                                                                boost::json::object patch,
                                                                WriteOptions opts);

  // A validated, unsaved datasource (for POST /v1/datasources/test).
  Result<store::DatasourceRecord> draft(std::string_view org_id, boost::json::object body) const;

  // Records a test's outcome (status, last_tested_at, last_error) without a
  // new version: the configuration did not change.
  Result<void> record_test(std::string_view org_id, std::string_view id, const TestReport& report);

  // Fetches the schema again and caches it.
  boost::asio::awaitable<Result<WriteOutcome>> refresh_schema(std::string_view org_id,
                                                              std::string_view id,
                                                              drivers::TestLimits limits,
                                                              drivers::StageReporter::Sink progress);

  Result<store::DatasourceRecord> get(std::string_view org_id, std::string_view id) const;
  Result<store::DatasourceRecord> get_by_name(std::string_view org_id, std::string_view name) const;
  Result<void> remove(std::string_view org_id, std::string_view id,
                      std::optional<std::int64_t> if_match);

  // The native view: every secret shown only as {"set": true|false}.
  boost::json::object render(const store::DatasourceRecord& r) const;

 private:
  // Validates `body` into `r` (name, type, config, sealed secrets). Secrets
  // absent from the body keep the values already in `r`.
  Result<void> apply_body(store::DatasourceRecord& r, boost::json::object body) const;
  Result<void> check_name_free(const store::DatasourceRecord& r) const;
  // Tests `r` and, on success, marks it ok and adds its schema to `batch`.
  boost::asio::awaitable<Result<TestReport>> test_for_write(store::DatasourceRecord& r,
                                                            const WriteOptions& opts,
                                                            store::Batch& batch);
  // Reserve the name, test, re-check the name, write.
  boost::asio::awaitable<Result<WriteOutcome>> write(store::DatasourceRecord r,
                                                     std::string_view previous_name,
                                                     const WriteOptions& opts,
                                                     std::optional<std::int64_t> base_version);
  boost::asio::awaitable<Result<WriteOutcome>> store_update(
      store::DatasourceRecord current, std::string_view actor, boost::json::object body,
      WriteOptions opts);

  App& app_;
};

Failure not_found(std::string_view what, std::string_view id);

// ETags are the record version: "v3". parse accepts "v3", v3 or 3.
std::string version_tag(std::int64_t version);
std::optional<std::int64_t> parse_version_tag(std::string_view tag);

}  // namespace dsb::server
