#include "drivers/egress_policy.hpp"

#include <charconv>
#include <stdexcept>

namespace dsb::drivers {
namespace ip = boost::asio::ip;

namespace {

// Always denied: link-local (where cloud metadata services live) and the
// metadata addresses that sit elsewhere.
const std::vector<Cidr>& always_denied() {
  static const std::vector<Cidr> list = [] {
    std::vector<Cidr> v;
    for (const char* c : {"169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32"})
      v.push_back(parse_cidr(c).value());
    return v;
  }();
  return list;
}

// An IPv4-mapped IPv6 address is checked as the IPv4 address it maps.
ip::address normalize(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::vector<unsigned char> bytes_of(const ip::address& a) {
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  const auto b = a.to_v6().to_bytes();
  return {b.begin(), b.end()};
}

}  // namespace

bool Cidr::contains(const ip::address& raw) const {
  const ip::address a = normalize(raw);
  if (a.is_v4() != network.is_v4()) return false;
  const auto want = bytes_of(network);
  const auto got = bytes_of(a);
  unsigned bits = prefix;
  for (std::size_t i = 0; i < want.size() && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((want[i] & mask) != (got[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

Result<Cidr> parse_cidr(const std::string& text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  const auto addr = ip::make_address(text.substr(0, slash), ec);
  if (ec) return fail(400, "INVALID_CIDR", "'" + text + "' is not an IP address or CIDR");
  const unsigned max = addr.is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string::npos) {
    const std::string p = text.substr(slash + 1);
    auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (err != std::errc() || end != p.data() + p.size() || prefix > max)
      return fail(400, "INVALID_CIDR", "'" + text + "' has a bad prefix length");
  }
  return Cidr{normalize(addr), prefix};
}

EgressPolicy::EgressPolicy(const std::vector<std::string>& allow,
                           const std::vector<std::string>& deny) {
  for (const auto& [list, out] : {std::pair{&allow, &allow_}, std::pair{&deny, &deny_}}) {
    for (const auto& text : *list) {
      auto c = parse_cidr(text);
      if (!c) throw std::invalid_argument(c.error().message);
      out->push_back(*c);
    }
  }
}

bool EgressPolicy::permits(const ip::address& a) const {
  for (const auto& c : always_denied())
    if (c.contains(a)) return false;
  for (const auto& c : deny_)
    if (c.contains(a)) return false;
  if (allow_.empty()) return true;
  for (const auto& c : allow_)
    if (c.contains(a)) return true;
  return false;
}

}  // namespace dsb::drivers
