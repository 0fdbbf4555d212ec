// Driver messages may quote what the client sent (a password in a connection
// string, a user name that is really a token): every secret of the datasource
// is replaced before a message reaches a response, a log or an event.
#pragma once

#include <string>
#include <vector>

namespace dsb::drivers {

// `message` with each non-empty secret replaced by "***", trimmed of
// surrounding white space (library messages end in newlines).
std::string scrub_secrets(std::string message, const std::vector<std::string>& secrets);

}  // namespace dsb::drivers
