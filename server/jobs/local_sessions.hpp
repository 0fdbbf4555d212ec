// The WebSocket subscribers connected to one shard, by session id, so
// deliveries posted from any job's shard find their channel. One per shard.
#pragma once

#include "server/jobs/event_channel.hpp"

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace dsb::server::jobs {

class LocalSessions {
 public:
  std::uint64_t add(std::weak_ptr<EventChannel> channel) {
    sessions_[++next_] = std::move(channel);
    return next_;
  }
  void remove(std::uint64_t id) { sessions_.erase(id); }

  void deliver(const std::vector<std::uint64_t>& ids, const Payload& message,
               const std::string& job, std::int64_t seq) {
    for (auto id : ids) {
      auto it = sessions_.find(id);
      if (it == sessions_.end()) continue;
      if (auto channel = it->second.lock()) channel->push(message, job, seq);
    }
  }
  std::size_t size() const { return sessions_.size(); }

  // Ends every session of this shard (shutdown): each one's writer stops and
  // the session closes its WebSocket.
  void close_all() {
    for (auto& [id, weak] : sessions_)
      if (auto channel = weak.lock()) channel->close();
  }

 private:
  std::unordered_map<std::uint64_t, std::weak_ptr<EventChannel>> sessions_;
  std::uint64_t next_ = 0;
};

}  // namespace dsb::server::jobs
