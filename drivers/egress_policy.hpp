// Which addresses dsbroker may connect to, checked after name resolution and
// before every connect (the SSH bastion too). Link-local and cloud metadata
// addresses are always denied; then deny beats allow; an empty allow list
// admits everything not denied.
#pragma once

#include "core/failure.hpp"

#include <boost/asio/ip/address.hpp>

#include <string>
#include <vector>

namespace dsb::drivers {

struct Cidr {
  boost::asio::ip::address network;
  unsigned prefix = 0;
  bool contains(const boost::asio::ip::address& a) const;
};

// Parses "10.0.0.0/8", "::1/128" or a bare address; a Failure names the text.
Result<Cidr> parse_cidr(const std::string& text);

class EgressPolicy {
 public:
  // Throws std::invalid_argument naming a malformed entry (start-up only).
  EgressPolicy(const std::vector<std::string>& allow, const std::vector<std::string>& deny);
  EgressPolicy() : EgressPolicy({}, {}) {}

  bool permits(const boost::asio::ip::address& a) const;

 private:
  std::vector<Cidr> allow_;
  std::vector<Cidr> deny_;
};

}  // namespace dsb::drivers
