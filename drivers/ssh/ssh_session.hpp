// One SSH connection to a bastion, libssh2 in non-blocking mode on the
// caller's executor: the TCP socket is an Asio socket, and whenever libssh2
// says EAGAIN the coroutine waits for that socket in the direction libssh2
// asks for (libssh2_session_block_directions). Nothing here blocks a thread.
// Not thread-safe: one coroutine at a time drives a session.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

typedef struct _LIBSSH2_SESSION LIBSSH2_SESSION;

namespace dsb::drivers::ssh {

// What drive() returns when the deadline passed before libssh2 finished
// (outside libssh2's own negative error codes).
inline constexpr int kTimedOut = -100000;

class SshSession {
 public:
  // A session whose socket lives on `executor`; a Failure when libssh2
  // cannot be initialised or cannot allocate.
  static Result<std::unique_ptr<SshSession>> create(boost::asio::any_io_executor executor);
  // Frees libssh2's state at once. An open connection is cut (its socket is
  // shut down first, so libssh2 cannot wait on it); call goodbye() before for
  // a polite end.
  ~SshSession();
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;

  LIBSSH2_SESSION* get() const { return session_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // Calls `op` until it returns anything but LIBSSH2_ERROR_EAGAIN, waiting in
  // between for the socket as libssh2 asks; kTimedOut once `deadline` passes.
  boost::asio::awaitable<int> drive(const std::function<int()>& op, Deadline deadline);

  // As drive(), but each call of `op` runs on the blocking pool: for calls
  // that derive a key from a passphrase (CPU-bound for half a second). The
  // caller stays suspended meanwhile, so the session is never shared.
  boost::asio::awaitable<int> drive_off_thread(const std::function<int()>& op, Deadline deadline);

  // The SSH handshake on the connected socket (host key algorithms tried in
  // `hostkey_prefs` order).
  boost::asio::awaitable<int> handshake(const std::string& hostkey_prefs, Deadline deadline);

  // libssh2's last error code and message (messages never carry secrets).
  int last_errno() const;
  std::string last_error() const;
  // True when the last operation left a packet half sent: the same call must
  // be repeated before any other that sends.
  bool outbound_pending() const;
  // Which directions libssh2 waits for: {read, write}.
  std::pair<bool, bool> wanted_directions() const;

  // Sends SSH_MSG_DISCONNECT, giving up quietly at `deadline`.
  boost::asio::awaitable<void> goodbye(Deadline deadline);

  // What keyboard-interactive prompts are answered with (set during ssh_auth only).
  void set_kbd_answer(const std::string* answer) { kbd_answer_ = answer; }
  const std::string* kbd_answer() const { return kbd_answer_; }

 private:
  void ack_at_once();
  explicit SshSession(boost::asio::any_io_executor executor);

  boost::asio::ip::tcp::socket socket_;
  LIBSSH2_SESSION* session_ = nullptr;
  const std::string* kbd_answer_ = nullptr;
};

}  // namespace dsb::drivers::ssh
