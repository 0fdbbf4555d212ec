#include "drivers/mysql/mysql_handle.hpp"

namespace dsb::drivers::mysql {

MysqlHandle& MysqlHandle::operator=(MysqlHandle&& other) noexcept {
  if (this != &other) {
    close();
    mysql_ = std::exchange(other.mysql_, nullptr);
    abandoned_ = other.abandoned_;
  }
  return *this;
}

void MysqlHandle::close() {
  if (mysql_ == nullptr) return;
  MYSQL* mysql = std::exchange(mysql_, nullptr);
  if (abandoned_) {
    // A suspended call cannot be resumed later; with the socket shut down,
    // every write mysql_close (the blocking variant) tries fails at once.
    mariadb_cancel(mysql);
    mysql_close(mysql);
    return;
  }
  int status = mysql_close_start(mysql);
  // COM_QUIT did not fit in the socket buffer: give up on it.
  for (int round = 0; status != 0 && round < 4; ++round) {
    mariadb_cancel(mysql);
    status = mysql_close_cont(mysql, status);
  }
}

}  // namespace dsb::drivers::mysql
