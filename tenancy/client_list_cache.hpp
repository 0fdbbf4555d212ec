// A short-lived cache of client listings (mapping-table pages, database
// lists), so a dashboard polling the list does not hit the customer's
// database every time. One per shard; entries of the orgs it owns.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

namespace dsb::tenancy {

class ClientListCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ClientListCache(std::chrono::seconds ttl = std::chrono::seconds(10)) : ttl_(ttl) {}

  std::optional<std::string> get(const std::string& key, Clock::time_point now) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || now - it->second.stored > ttl_) return std::nullopt;
    return it->second.body;
  }
  void put(const std::string& key, std::string body, Clock::time_point now) {
    if (entries_.size() > 10000) entries_.clear();  // bounded; a full refill is cheap
    entries_[key] = {std::move(body), now};
  }
  // Forgets every entry of one datasource (it changed or was deleted).
  void forget(const std::string& prefix) { std::erase_if(entries_, [&](auto& e) { return e.first.starts_with(prefix); }); }

 private:
  struct Entry {
    std::string body;
    Clock::time_point stored;
  };
  std::chrono::seconds ttl_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace dsb::tenancy
