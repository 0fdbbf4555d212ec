// Names held by creates and renames whose connection test is still running,
// so two requests for one name cannot both pass the uniqueness check. One
// instance per shard; only the org's shard touches its org's names.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace dsb::tenancy {

class NameReservations {
 public:
  // False when the name is already held.
  bool reserve(std::string_view org_id, std::string_view name) {
    return held_.insert(key(org_id, name)).second;
  }
  void release(std::string_view org_id, std::string_view name) { held_.erase(key(org_id, name)); }

 private:
  static std::string key(std::string_view org_id, std::string_view name) {
    return std::string(org_id) + '/' + std::string(name);
  }
  std::set<std::string> held_;
};

// Releases a reservation when the request ends, whatever the outcome.
class NameHold {
 public:
  NameHold(NameReservations& r, std::string org_id, std::string name)
      : r_(&r), org_(std::move(org_id)), name_(std::move(name)) {}
  NameHold(const NameHold&) = delete;
  NameHold& operator=(const NameHold&) = delete;
  ~NameHold() { r_->release(org_, name_); }

 private:
  NameReservations* r_;
  std::string org_;
  std::string name_;
};

}  // namespace dsb::tenancy
