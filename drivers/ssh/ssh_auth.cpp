// ssh_auth: logging in on the bastion, after the host key was checked.
#include "drivers/driver.hpp"
#include "drivers/ssh/ssh_stages.hpp"

#include <libssh2.h>

#include <cstdlib>
#include <cstring>
#include <functional>

namespace dsb::drivers::ssh {

namespace asio = boost::asio;

namespace {

// Answers every hidden prompt with the password and every echoed one (a
// question, not a secret) with nothing. libssh2 frees the answers with its
// default allocator, free().
LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC(answer_prompts) {
  (void)name, (void)name_len, (void)instruction, (void)instruction_len;
  const auto* session = static_cast<const SshSession*>(*abstract);
  const std::string* answer = session != nullptr ? session->kbd_answer() : nullptr;
  for (int i = 0; i < num_prompts; ++i) {
    const std::string text = answer != nullptr && prompts[i].echo == 0 ? *answer : std::string();
    auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
    if (copy != nullptr) {
      std::memcpy(copy, text.data(), text.size());
      copy[text.size()] = '\0';
    }
    responses[i].text = copy;
    responses[i].length = copy != nullptr ? static_cast<unsigned>(text.size()) : 0;
  }
}

// Clears the keyboard-interactive answer however the attempt ends.
struct KbdAnswer {
  KbdAnswer(SshSession& s, const std::string& answer) : session(s) {
    session.set_kbd_answer(&answer);
  }
  ~KbdAnswer() { session.set_kbd_answer(nullptr); }
  SshSession& session;
};

bool offers(std::string_view methods, std::string_view method) {
  while (!methods.empty()) {
    const auto comma = methods.find(',');
    if (methods.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    methods.remove_prefix(comma + 1);
  }
  return false;
}

// Keys pasted from Windows or without their last newline parse all the same.
std::string normalized_key(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (char c : text)
    if (c != '\r') out += c;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

std::string key_refusal(int rc, const SshSession& s, const std::string& user) {
  switch (rc) {
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
      return "the bastion refused the key for user '" + user + "'";
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
      return "key authentication failed: " + s.last_error();
    default:  // the key never left: libssh2 could not parse or decrypt it
      return "the private key could not be read: a wrong or missing passphrase, or a key format "
             "this build cannot "
             "read (" +
             s.last_error() + ")";
  }
}

std::string password_refusal(int rc, const SshSession& s, const std::string& user) {
  switch (rc) {
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
      return "the bastion refused the password for user '" + user + "'";
    case LIBSSH2_ERROR_PASSWORD_EXPIRED:
      return "the password of user '" + user + "' on the bastion has expired";
    default:
      return "password authentication failed: " + s.last_error();
  }
}

Failure timed_out(StageReporter& reporter) {
  return stage_failed(reporter, reason::timeout,
                      "the bastion did not finish authentication before the deadline");
}

}  // namespace

asio::awaitable<Result<std::string>> authenticate(SshSession& s, const SshSettings& ssh,
                                                  Deadline deadline, StageReporter& reporter) {
  // Every libssh2 call below is a named std::function: GCC 12 destroys a
  // lambda temporary inside a co_await expression twice.
  LIBSSH2_SESSION* raw = s.get();
  const std::string& user = ssh.username;
  const auto user_len = static_cast<unsigned>(user.size());
  // Asking for the methods sends the user name and no credential ("none").
  const char* list = nullptr;
  const std::function<int()> ask_methods = [&] {
    list = libssh2_userauth_list(raw, user.data(), user_len);
    if (list != nullptr || libssh2_userauth_authenticated(raw) != 0) return 0;
    return libssh2_session_last_errno(raw);
  };
  int rc = co_await s.drive(ask_methods, deadline);
  if (rc == kTimedOut) co_return timed_out(reporter);
  if (rc != 0)
    co_return stage_failed(
        reporter, reason::ssh_auth_failed,
        "the bastion did not answer the authentication request: " + s.last_error());
  if (list == nullptr) co_return std::string("none");
  const std::string methods = list;

  std::vector<std::string> refusals;
  if (!ssh.private_key.empty() && !offers(methods, "publickey")) {
    refusals.push_back("the bastion takes no keys (it offers " + methods + ")");
  } else if (!ssh.private_key.empty()) {
    const std::string key = normalized_key(ssh.private_key);
    const std::function<int()> sign_in = [&] {
      return libssh2_userauth_publickey_frommemory(raw, user.data(), user.size(), nullptr, 0,
                                                   key.data(), key.size(), ssh.passphrase.c_str());
    };
    // A passphrase means a key derivation (bcrypt_pbkdf for OpenSSH keys:
    // half a second of CPU), which runs on the blocking pool, not the shard.
    if (ssh.passphrase.empty())
      rc = co_await s.drive(sign_in, deadline);
    else
      rc = co_await s.drive_off_thread(sign_in, deadline);
    if (rc == 0) co_return std::string("publickey");
    if (rc == kTimedOut) co_return timed_out(reporter);
    refusals.push_back(key_refusal(rc, s, user));
  }

  if (!ssh.password.empty()) {
    const auto pw_len = static_cast<unsigned>(ssh.password.size());
    const std::function<int()> send_password = [&] {
      return libssh2_userauth_password_ex(raw, user.data(), user_len, ssh.password.data(), pw_len,
                                          nullptr);
    };
    const std::function<int()> answer_password = [&] {
      return libssh2_userauth_keyboard_interactive_ex(raw, user.data(), user_len, answer_prompts);
    };
    std::string method;
    if (offers(methods, "password")) {
      method = "password";
      rc = co_await s.drive(send_password, deadline);
    } else if (offers(methods, "keyboard-interactive")) {
      method = "keyboard-interactive";
      KbdAnswer answer(s, ssh.password);
      rc = co_await s.drive(answer_password, deadline);
    } else {
      rc = LIBSSH2_ERROR_METHOD_NONE;
    }
    if (rc == 0) co_return method;
    if (rc == kTimedOut) co_return timed_out(reporter);
    refusals.push_back(method.empty() ? "the bastion takes no passwords (it offers " + methods + ")"
                                      : password_refusal(rc, s, user));
  }

  std::string message;
  for (const auto& r : refusals) message += (message.empty() ? "" : "; ") + r;
  if (message.empty()) message = "no credential to offer (the bastion offers " + methods + ")";
  co_return stage_failed(reporter, reason::ssh_auth_failed, std::move(message));
}

}  // namespace dsb::drivers::ssh
