// Owning handles for libpq objects.
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace dsb::drivers::postgres {

struct PgConnCloser {
  // The connection is non-blocking by then, so the Terminate message
  // PQfinish sends cannot block the thread.
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultClearer>;

}  // namespace dsb::drivers::postgres
