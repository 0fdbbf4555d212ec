// Reusable credentials (MicroStrategy's datasource logins): a username and a
// sealed password that datasources reference by id instead of embedding them.
#pragma once

#include "core/failure.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::store {

struct LoginRecord {
  std::string id;  // 32 upper-case hex characters, as MicroStrategy shows them
  std::string org_id;
  std::string name;
  std::string username;
  std::string description;
  std::string password_envelope;  // vault envelope; empty = no password
  std::int64_t version = 1;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

class LoginRecords {
 public:
  explicit LoginRecords(Store& store) : store_(store) {}

  Result<std::optional<LoginRecord>> get(std::string_view org_id, std::string_view id) const;
  Result<std::optional<std::string>> id_by_name(std::string_view org_id, std::string_view name) const;
  Result<std::vector<LoginRecord>> list(std::string_view org_id) const;
  // Writes the record and its name index in one batch.
  Result<void> put(const LoginRecord& r, std::string_view previous_name);
  Result<void> erase(const LoginRecord& r);

 private:
  Store& store_;
};

}  // namespace dsb::store
