// Shared set-up for the vendor-surface tests: the real broker with one org
// (ApiTest), raw requests with any content type and token, a MicroStrategy
// session, the shape comparison against the documents' examples, and the
// test services those examples are pointed at.
#pragma once

#include "tests/integration/api/api_fixture.hpp"

#include <set>
#include <string>

namespace dsb::test {

class CompatTest : public ApiTest {
 protected:
  void TearDown() override;

  // A request with the org's Bearer token (`bearer` "" sends none).
  HttpResult send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& content_type, const std::string* bearer = nullptr);
  HttpResult send_json(const std::string& method, const std::string& target,
                       const json::value& body);

  // POST /api/auth/login as the org; returns X-MSTR-AuthToken.
  std::string mstr_login();
  // A MicroStrategy call with `token` (none when empty).
  HttpResult mstr(const std::string& method, const std::string& target, const std::string& token,
                  const json::value& body = nullptr);

  // The org's id (from the admin API).
  std::string org_id();

  // Secrets the test used: no response and no log line may contain them.
  std::set<std::string> secrets_{"testpass"};
};

// Compares `actual` with a document's example field by field: the same
// members (minus `left_out`, which must be absent; plus `extra`, which must
// be present) with the same JSON kinds, recursively.
void expect_same_shape(const json::value& example, const json::value& actual,
                       const std::set<std::string>& left_out = {},
                       const std::set<std::string>& extra = {}, const std::string& where = "$");

// Parses a JSON document text (a document's example); fails the test if it is not JSON.
json::value parse_example(const std::string& text);

// Test services beyond ApiTest's: the SSH bastion (sshtest/testpass).
std::uint16_t ssh_port();
std::string ssh_key();  // id_ed25519, PEM/OpenSSH text

// True when `s` is `n` upper-case hex digits.
bool upper_hex(const std::string& s, std::size_t n = 32);
// 2021-08-04T15:44:35.000+0000
bool mstr_time_format(const std::string& s);
// 2019-08-24T14:15:22Z
bool maiascore_time_format(const std::string& s);

}  // namespace dsb::test
