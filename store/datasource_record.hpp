// One stored datasource and the codec between it and its RocksDB value.
#pragma once

#include "core/failure.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace dsb::store {

struct DatasourceRecord {
  std::string id;
  std::string org_id;
  std::string name;
  std::string type;
  std::int64_t version = 1;
  std::int64_t created_at_ms = 0;
  std::string created_by;
  std::int64_t updated_at_ms = 0;
  std::string updated_by;
  std::int64_t published_at_ms = 0;
  std::string status = "untested";  // untested | ok | failed
  std::int64_t last_tested_at_ms = 0;
  boost::json::object last_error;  // {stage, reason, message} of the last failed test
  boost::json::object config;      // connection fields without secrets (nested paths)
  std::map<std::string, std::string> secrets;  // secret path -> vault envelope
  boost::json::object schema_info;             // {fetched_at, hash, tables} of the cached schema
};

std::string encode_datasource(const DatasourceRecord& r);
Result<DatasourceRecord> decode_datasource(std::string_view text);

}  // namespace dsb::store
