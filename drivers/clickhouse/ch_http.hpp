// One keep-alive HTTP(S) connection to ClickHouse's HTTP interface (Beast):
// each query is a POST whose body is the SQL, the user and password in the
// X-ClickHouse-User / X-ClickHouse-Key headers (never in the URL), the
// database in the `database` URL parameter. Every call honours its deadline
// and never blocks the thread.
#pragma once

#include "core/failure.hpp"
#include "drivers/connection_spec.hpp"
#include "drivers/stage_reporter.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dsb::drivers::clickhouse {

struct ChResponse {
  unsigned status = 0;
  std::string body;
};

class ChHttp {
 public:
  struct State;

  // Dials target.dial_address:dial_port before target.connect_deadline and,
  // for TLS, completes the handshake (checking the certificate against
  // spec.host as the mode says), reporting tcp_connect and tls_handshake
  // (ok, failed or skipped). Authentication is the caller's first request.
  static boost::asio::awaitable<Result<std::unique_ptr<ChHttp>>> open(const ConnectTarget& target,
                                                                      StageReporter& reporter);

  explicit ChHttp(std::unique_ptr<State> state);
  ChHttp(const ChHttp&) = delete;
  ChHttp& operator=(const ChHttp&) = delete;
  ~ChHttp();

  // POSTs `sql` and reads the whole answer (any HTTP status). The server
  // formats results as JSONCompact unless the SQL says otherwise, and
  // buffers them until the query ends (wait_end_of_query), so an error
  // mid-query is an error status, not a cut body. A connection the server
  // closed while idle is dialled again (once, silently). Fails with
  // `timeout` at the deadline, connection_refused / tls_failed /
  // protocol_error when the transport fails; `stage` names the operation.
  boost::asio::awaitable<Result<ChResponse>> post(std::string_view sql, Deadline deadline,
                                                  std::string_view stage);

  // The password and client key, to scrub from messages.
  const std::vector<std::string>& secrets() const;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace dsb::drivers::clickhouse
