// A small blocking HTTP/1.1 client for tests (tests may block; the broker may not).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace dsb::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json() const;  // null when the body is not JSON
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  // `tls`: speak HTTPS, trusting `ca_file` (empty = no verification).
  HttpClient(std::string host, std::uint16_t port, bool tls = false, std::string ca_file = {});
  ~HttpClient();

  void set_bearer(std::string token) { bearer_ = std::move(token); }

  // Keeps one connection alive across calls; reconnects when it was closed.
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target) { return request("GET", target); }
  HttpResult post(const std::string& target, const boost::json::value& body);
  HttpResult put(const std::string& target, const boost::json::value& body,
                 const std::map<std::string, std::string>& headers = {});
  HttpResult patch(const std::string& target, const boost::json::value& body,
                   const std::map<std::string, std::string>& headers = {});
  HttpResult del(const std::string& target) { return request("DELETE", target); }

  // Connections opened so far (1 after any number of keep-alive requests).
  int connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string bearer_;
};

// One TCP connection driven by hand: send bytes in pieces, read responses as
// they come (pipelining, slow uploads, shutdown while a request is in flight).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();

  // False when the bytes could not all be written (the peer closed).
  bool send(const std::string& bytes);
  // The next whole HTTP response; status 0 when the connection ended first
  // or nothing came within `timeout_ms`.
  HttpResult read_response(int timeout_ms = 5000);
  // True when the peer has closed (EOF or reset) within `timeout_ms`, with
  // no further bytes.
  bool closed_by_peer(int timeout_ms = 5000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends raw bytes on a new connection and returns whatever comes back before
// the server closes or `timeout_ms` passes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace dsb::test
