#include "drivers/ssh/ssh_session.hpp"

#include "drivers/blocking_pool.hpp"
#include "drivers/ssh/ready_wait.hpp"

#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <mutex>

namespace dsb::drivers::ssh {

namespace asio = boost::asio;

namespace {

// libssh2_init is not thread-safe and must run once before any session.
bool init_library() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = libssh2_init(0) == 0; });
  return ok;
}

}  // namespace

SshSession::SshSession(asio::any_io_executor executor) : socket_(std::move(executor)) {}

Result<std::unique_ptr<SshSession>> SshSession::create(asio::any_io_executor executor) {
  if (!init_library()) return internal_error("libssh2 could not be initialised");
  std::unique_ptr<SshSession> s(new SshSession(std::move(executor)));
  // The abstract pointer reaches the keyboard-interactive callback.
  s->session_ = libssh2_session_init_ex(nullptr, nullptr, nullptr, s.get());
  if (s->session_ == nullptr) return internal_error("libssh2 could not allocate a session");
  libssh2_session_set_blocking(s->session_, 0);
  return s;
}

SshSession::~SshSession() {
  if (session_ != nullptr) {
    // With the socket shut both ways every send and receive fails at once, so
    // freeing (which may try to close channels) cannot wait or block.
    if (socket_.is_open()) ::shutdown(socket_.native_handle(), SHUT_RDWR);
    for (int i = 0; i < 8 && libssh2_session_free(session_) == LIBSSH2_ERROR_EAGAIN; ++i) {
    }
  }
  boost::system::error_code ignored;
  socket_.close(ignored);
}

// The setup is a conversation of small messages; sshd does not disable
// Nagle's algorithm for a session without a terminal, so a reply it sends
// while its previous one is unacknowledged waits for our ACK, which the
// kernel delays by up to 40 ms. Acknowledging at once removes that stall.
// TCP_QUICKACK is not sticky: set it again before every wait.
void SshSession::ack_at_once() {
  const int on = 1;
  (void)::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

asio::awaitable<int> SshSession::drive(const std::function<int()>& op, Deadline deadline) {
  for (;;) {
    const int rc = op();
    if (rc != LIBSSH2_ERROR_EAGAIN) co_return rc;
    ack_at_once();
    const auto [read, write] = wanted_directions();
    const bool ready =
        co_await socket_ready_by(socket_, read, write, deadline);  // not in the if: GCC 12
    if (!ready) co_return kTimedOut;
  }
}

asio::awaitable<int> SshSession::drive_off_thread(const std::function<int()>& op,
                                                  Deadline deadline) {
  for (;;) {
    // Named, not a lambda inside the co_await: GCC 12 destroys those twice.
    // The caller stays suspended meanwhile, so nothing else touches the session.
    auto call = [&op] { return op(); };
    const int rc = co_await run_blocking(std::move(call));
    if (rc != LIBSSH2_ERROR_EAGAIN) co_return rc;
    ack_at_once();
    const auto [read, write] = wanted_directions();
    const bool ready = co_await socket_ready_by(socket_, read, write, deadline);
    if (!ready) co_return kTimedOut;
  }
}

asio::awaitable<int> SshSession::handshake(const std::string& hostkey_prefs, Deadline deadline) {
  if (const int rc =
          libssh2_session_method_pref(session_, LIBSSH2_METHOD_HOSTKEY, hostkey_prefs.c_str());
      rc != 0)
    co_return rc;
  const int fd = socket_.native_handle();
  const std::function<int()> op = [this, fd] { return libssh2_session_handshake(session_, fd); };
  co_return co_await drive(op, deadline);
}

int SshSession::last_errno() const {
  return libssh2_session_last_errno(session_);
}

std::string SshSession::last_error() const {
  char* message = nullptr;
  int length = 0;
  libssh2_session_last_error(session_, &message, &length, 0);
  return message != nullptr && length > 0 ? std::string(message, static_cast<std::size_t>(length))
                                          : std::string();
}

bool SshSession::outbound_pending() const {
  return (libssh2_session_block_directions(session_) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

std::pair<bool, bool> SshSession::wanted_directions() const {
  const int dirs = libssh2_session_block_directions(session_);
  const bool write = (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
  const bool read = (dirs & LIBSSH2_SESSION_BLOCK_INBOUND) != 0 || !write;
  return {read, write};
}

asio::awaitable<void> SshSession::goodbye(Deadline deadline) {
  const std::function<int()> op = [this] {
    return libssh2_session_disconnect_ex(session_, SSH_DISCONNECT_BY_APPLICATION, "closing tunnel",
                                         "");
  };
  co_await drive(op, deadline);
}

}  // namespace dsb::drivers::ssh
