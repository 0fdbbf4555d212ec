#include "server/shard.hpp"

#include <boost/asio/executor_work_guard.hpp>

namespace dsb::server {
namespace {
thread_local std::optional<std::size_t> t_current_shard;

// FNV-1a: stable across runs and builds, unlike std::hash.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}
}  // namespace

std::optional<std::size_t> Shard::current() { return t_current_shard; }

void Shard::start() {
  thread_ = std::thread([this] {
    t_current_shard = index_;
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
}

void Shard::join() {
  if (thread_.joinable()) thread_.join();
}

ShardSet::ShardSet(std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>(i));
}

std::size_t ShardSet::owner_of(std::string_view org_id) const {
  return static_cast<std::size_t>(fnv1a(org_id) % shards_.size());
}

void ShardSet::start_all() {
  for (auto& s : shards_) s->start();
}

void ShardSet::stop_all() {
  for (auto& s : shards_) s->stop();
}

void ShardSet::join_all() {
  for (auto& s : shards_) s->join();
}

}  // namespace dsb::server
