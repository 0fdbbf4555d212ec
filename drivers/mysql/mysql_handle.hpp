// Owning a MYSQL handle.
#pragma once

#include <mysql.h>

#include <utility>

namespace dsb::drivers::mysql {

// A MYSQL handle, closed without blocking when destroyed: an idle connection
// says COM_QUIT (a few bytes on a non-blocking socket); one abandoned in the
// middle of an operation (after a timeout) has its socket shut down first, so
// nothing the close does can wait. The handle never carries TLS itself (see
// mysql_tls_relay.hpp), so its writes cannot raise SIGPIPE (it sends with
// MSG_NOSIGNAL).
class MysqlHandle {
 public:
  MysqlHandle() = default;
  explicit MysqlHandle(MYSQL* mysql) : mysql_(mysql) {}
  MysqlHandle(MysqlHandle&& other) noexcept
      : mysql_(std::exchange(other.mysql_, nullptr)), abandoned_(other.abandoned_) {}
  MysqlHandle& operator=(MysqlHandle&& other) noexcept;
  MysqlHandle(const MysqlHandle&) = delete;
  MysqlHandle& operator=(const MysqlHandle&) = delete;
  ~MysqlHandle() { close(); }

  MYSQL* get() const { return mysql_; }
  explicit operator bool() const { return mysql_ != nullptr; }
  // Marks the handle as stopped in the middle of a non-blocking call.
  void abandon() { abandoned_ = true; }

 private:
  void close();

  MYSQL* mysql_ = nullptr;
  bool abandoned_ = false;
};

}  // namespace dsb::drivers::mysql
