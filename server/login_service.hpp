// Reusable logins: create, read, update, delete, and resolve them into the
// credentials a connection uses. Runs on the org's shard.
#pragma once

#include "server/app.hpp"
#include "store/login_records.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace dsb::server {

struct Credentials {
  std::string username;
  std::string password;  // plaintext, in memory only
};

class LoginService {
 public:
  explicit LoginService(App& app) : app_(app) {}

  // Body: name, username, password, description.
  Result<store::LoginRecord> create(std::string_view org_id, const boost::json::object& body);
  // `partial`: fields left out keep their values (PATCH); otherwise a full
  // replace where a password left out is kept and null clears it.
  Result<store::LoginRecord> update(std::string_view org_id, std::string_view id,
                                    const boost::json::object& body, bool partial);
  Result<store::LoginRecord> get(std::string_view org_id, std::string_view id) const;
  // 409 LOGIN_IN_USE naming the datasources that reference it.
  Result<void> remove(std::string_view org_id, std::string_view id);

  Result<Credentials> credentials(std::string_view org_id, std::string_view id) const;

  // {id, name, username, description, password: {set}, created_at, updated_at, version}
  boost::json::object render(const store::LoginRecord& r) const;

 private:
  Result<void> apply(store::LoginRecord& r, const boost::json::object& body, bool partial) const;
  Result<void> check_name_free(const store::LoginRecord& r) const;

  App& app_;
};

}  // namespace dsb::server
