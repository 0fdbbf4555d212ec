// The connections one shard has open, so shutdown can close the idle ones at
// once and let busy ones finish their request. Touched only on its shard.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <unordered_map>

namespace dsb::server {

class ConnectionRegistry {
 public:
  struct Entry {
    boost::asio::ip::tcp::socket* socket = nullptr;
    bool busy = false;  // a request is being handled or answered
  };

  std::uint64_t add(boost::asio::ip::tcp::socket* s) {
    entries_[++next_] = {s, false};
    return next_;
  }
  void remove(std::uint64_t id) { entries_.erase(id); }
  void set_socket(std::uint64_t id, boost::asio::ip::tcp::socket* s) { entries_[id].socket = s; }
  void set_busy(std::uint64_t id, bool busy) { entries_[id].busy = busy; }

  // Cancels the pending reads of idle connections; busy ones see the drain
  // flag after answering and close themselves.
  void close_idle() {
    for (auto& [id, e] : entries_) {
      boost::system::error_code ec;
      if (!e.busy && e.socket != nullptr) e.socket->cancel(ec);
    }
  }
  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::uint64_t next_ = 0;
};

}  // namespace dsb::server
