#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <poll.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace dsb::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value(nullptr) : v;
}

std::string HttpResult::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  bool tls;
  bool verify = false;
  int connects = 0;
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  void connect() {
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port));
    buffer.clear();
    ++connects;
    if (tls) {
      secure.emplace(io, ssl);
      SSL_set_tlsext_host_name(secure->native_handle(), host.c_str());
      // A verifying client checks the name too, as real clients do.
      if (verify) secure->set_verify_callback(asio::ssl::host_name_verification(host));
      beast::get_lowest_layer(*secure).connect(results);
      secure->handshake(asio::ssl::stream_base::client);
    } else {
      plain.emplace(io);
      plain->connect(results);
    }
  }
  bool connected() const { return tls ? secure.has_value() : plain.has_value(); }
  void reset() {
    plain.reset();
    secure.reset();
  }
  template <class F>
  void with_stream(F f) {
    if (tls) f(*secure);
    else f(*plain);
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, bool tls, std::string ca_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = tls;
  if (tls && !ca_file.empty()) {
    impl_->ssl.load_verify_file(ca_file);
    impl_->ssl.set_verify_mode(asio::ssl::verify_peer);
    impl_->verify = true;
  }
}

int HttpClient::connections_opened() const {
  return impl_->connects;
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, impl_->host);
  if (!bearer_.empty()) req.set(http::field::authorization, "Bearer " + bearer_);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->connected()) impl_->connect();
      http::response<http::string_body> res;
      impl_->with_stream([&](auto& s) {
        http::write(s, req);
        http::read(s, impl_->buffer, res);
      });
      HttpResult out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& f : res) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        out.headers[name] = std::string(f.value());
      }
      out.body = res.body();
      if (!res.keep_alive()) impl_->reset();
      return out;
    } catch (const boost::system::system_error&) {
      // A keep-alive connection the server closed: reconnect once.
      impl_->reset();
      if (attempt == 1) throw;
    }
  }
  return {};
}

HttpResult HttpClient::post(const std::string& target, const boost::json::value& body) {
  return request("POST", target, boost::json::serialize(body));
}

HttpResult HttpClient::put(const std::string& target, const boost::json::value& body,
                           const std::map<std::string, std::string>& headers) {
  return request("PUT", target, boost::json::serialize(body), headers);
}

HttpResult HttpClient::patch(const std::string& target, const boost::json::value& body,
                             const std::map<std::string, std::string>& headers) {
  return request("PATCH", target, boost::json::serialize(body), headers);
}

namespace {

HttpResult to_result(const http::response<http::string_body>& res) {
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  return out;
}

}  // namespace

struct RawConnection::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

RawConnection::~RawConnection() = default;

bool RawConnection::send(const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(impl_->stream.socket(), asio::buffer(bytes), ec);
  return !ec;
}

HttpResult RawConnection::read_response(int timeout_ms) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  boost::system::error_code ec;
  impl_->stream.expires_after(std::chrono::milliseconds(timeout_ms));
  http::async_read(impl_->stream, impl_->buffer, parser,
                   [&](boost::system::error_code e, std::size_t) { ec = e; });
  impl_->io.restart();
  impl_->io.run();
  if (ec) return {};
  return to_result(parser.get());
}

bool RawConnection::closed_by_peer(int timeout_ms) {
  if (impl_->buffer.size() > 0) return false;
  char byte = 0;
  boost::system::error_code ec;
  std::size_t n = 0;
  impl_->stream.expires_after(std::chrono::milliseconds(timeout_ms));
  impl_->stream.async_read_some(asio::buffer(&byte, 1),
                                [&](boost::system::error_code e, std::size_t got) {
                                  ec = e;
                                  n = got;
                                });
  impl_->io.restart();
  impl_->io.run();
  return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  boost::system::error_code ec;
  asio::write(s, asio::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{s.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace dsb::test
