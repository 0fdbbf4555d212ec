// The MicroStrategy surface: /api/auth (sessions), /api/datasources/logins,
// /api/datasources/connections and /api/datasources. Every route but
// login takes X-MSTR-AuthToken and renders errors as MicroStrategy does.
#pragma once

#include "server/api/compat/mstr_sessions.hpp"
#include "server/app.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace dsb::server::api::compat {

using MstrHandler = boost::asio::awaitable<Response> (*)(App&, RequestContext&);

// Adds a route that needs a live session.
void add_mstr_route(App& app, const std::shared_ptr<MstrSessions>& sessions, http::verb method,
                    const char* pattern, MstrHandler fn);

void register_mstr_auth_routes(App& app, const std::shared_ptr<MstrSessions>& sessions);
void register_mstr_login_routes(App& app, const std::shared_ptr<MstrSessions>& sessions);
void register_mstr_connection_routes(App& app, const std::shared_ptr<MstrSessions>& sessions);
void register_mstr_datasource_routes(App& app, const std::shared_ptr<MstrSessions>& sessions);

}  // namespace dsb::server::api::compat
