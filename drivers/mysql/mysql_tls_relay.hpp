// TLS for the MySQL driver, done by us instead of by Connector/C.
//
// Connector/C 3.3 (what Debian 12 ships) is unfit to do it itself:
//  - its TLS handshake blocks the thread in poll() even in non-blocking mode;
//  - MYSQL_OPT_SSL_ENFORCE silently falls back to plaintext (sending the user
//    name and password hash) when the server offers no TLS, unless
//    MYSQL_OPT_SSL_VERIFY_SERVER_CERT is also set;
//  - that flag in turn checks the chain against the system store even
//    without a CA (so "require" fails for private CAs) and checks the host
//    name against the address it dialled, never against spec.host.
// So the relay dials the server itself, reads the greeting and refuses a
// server that does not offer TLS. It listens on a unix socket in a private
// 0700 directory, where Connector/C connects in plaintext and gets the
// greeting without the TLS flag. From the client's handshake response it
// builds the SSLRequest (its first 32 bytes with CLIENT_SSL: MariaDB takes
// the capabilities from that packet), completes the TLS handshake with asio
// (non-blocking; the chain checked for verify-ca/verify-full, the name
// spec.host for verify-full, nothing for require), forwards the response
// inside TLS, shifts sequence ids by one (the SSLRequest took one) until
// authentication ends, then copies bytes both ways.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>

namespace dsb::drivers::mysql {

class TlsRelay {
 public:
  struct State;

  // Called once the TLS handshake has ended: reason is null on success.
  using TlsOutcome = std::function<void(const char* reason, const std::string& message)>;

  // Dials target.dial_address, reads the greeting (TLS offered?) and listens
  // on a socket inside `dir`, before target.connect_deadline. Reports
  // tcp_connect, then begins tls_handshake; reports failures itself.
  static boost::asio::awaitable<Result<std::shared_ptr<TlsRelay>>> open(const ConnectTarget& target,
                                                                        const std::string& dir,
                                                                        StageReporter& reporter);

  explicit TlsRelay(std::shared_ptr<State> state);
  TlsRelay(const TlsRelay&) = delete;
  TlsRelay& operator=(const TlsRelay&) = delete;

  // Where Connector/C must connect (unix socket).
  const std::string& socket_path() const;
  // Accepts the one client connection, negotiates TLS with the server as
  // target.spec.tls says (calling `outcome`) and relays until either side
  // closes (the relay then closes the other); runs on the executor of open().
  void serve(TlsOutcome outcome);
  // No more outcome calls (its captures may be gone).
  void forget_outcome();
  // Closes both sides now.
  void close();

 private:
  std::shared_ptr<State> state_;
};

}  // namespace dsb::drivers::mysql
