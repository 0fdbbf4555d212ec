#include "drivers/secret_scrub.hpp"

#include <algorithm>
#include <cctype>

namespace dsb::drivers {

std::string scrub_secrets(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + 3)) {
      message.replace(at, secret.size(), "***");
    }
  }
  const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  const auto first = std::find_if_not(message.begin(), message.end(), blank);
  const auto last = std::find_if_not(message.rbegin(), message.rend(), blank).base();
  return first < last ? std::string(first, last) : std::string();
}

}  // namespace dsb::drivers
