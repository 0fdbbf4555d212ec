// Fan-out: 1,000 WebSocket subscribers of one org (spread by the kernel over
// both shards) each get every event of 20 jobs, in order, without gap or
// duplicate. A client that completes the upgrade and then never reads (a raw
// socket with a tiny receive buffer, a queue limit of 128) delays no one: the
// others still get everything promptly, and the stuck one is told what it
// missed (events.overflow = notify) or is cut off at once (close).
#include "tests/integration/events/events_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>

namespace dsb::test {
namespace {

using Clock = std::chrono::steady_clock;

// Raises this process's open-file limit to at least `want` (up to the hard limit).
void raise_fd_limit(rlim_t want) {
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = std::min(want, rl.rlim_max);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &rl), 0);
  ASSERT_GE(rl.rlim_cur, want) << "the hard open-file limit is too low for this test";
}

// What one crowd subscriber saw: per job the last seq, and any disorder.
struct Seen {
  std::map<std::string, std::int64_t> last_seq;
  std::map<std::string, std::int64_t> count;
  std::string disorder;
  double worst_latency_ms = 0;  // receipt - the event's "at"
};

// A handler recording into `seen` (one slot per subscriber; each slot is
// touched by one client thread only) and counting final messages.
CrowdHandler recorder(std::vector<Seen>& seen, std::atomic<std::size_t>& finals) {
  return [&seen, &finals](std::size_t i, std::string_view text, Clock::time_point) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    Seen& s = seen[i];
    boost::system::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_object() || !v.as_object().contains("seq")) {
      if (s.disorder.empty()) s.disorder = "unexpected message " + std::string(text);
      return;
    }
    const std::string job = str(v, "job");
    const auto seq = v.at("seq").as_int64();
    auto& last = s.last_seq[job];
    if (seq != last + 1 && s.disorder.empty())
      s.disorder = "job " + job + ": seq " + std::to_string(seq) + " after " + std::to_string(last);
    last = seq;
    ++s.count[job];
    if (const auto at = parse_rfc3339_ms(str(v, "at")))
      s.worst_latency_ms = std::max(s.worst_latency_ms, static_cast<double>(now_ms - *at));
    if (is_final(v)) ++finals;
  };
}

// Waits until `finals` reaches `want`.
bool wait_count(const std::atomic<std::size_t>& finals, std::size_t want, int timeout_ms) {
  const auto start = Clock::now();
  while (finals < want) {
    if (ms_since(start) > timeout_ms) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Every subscriber got every message of every job once, in order.
void expect_everything(const std::vector<Seen>& seen,
                       const std::map<std::string, std::int64_t>& events_of) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const Seen& s = seen[i];
    bool ok = s.disorder.empty() && s.last_seq.size() == events_of.size();
    for (const auto& [job, n] : events_of) {
      const auto it = s.last_seq.find(job);
      ok = ok && it != s.last_seq.end() && it->second == n && s.count.at(job) == n;
    }
    if (!ok && bad++ < 3)
      ADD_FAILURE() << "subscriber " << i << ": "
                    << (s.disorder.empty() ? "missing events" : s.disorder);
  }
  EXPECT_EQ(bad, 0u) << "subscribers that missed or reordered events";
}

// A WebSocket client written by hand on a raw socket: it completes the
// upgrade, subscribes to the org, and then reads nothing until told to.
class StuckSubscriber {
 public:
  StuckSubscriber(std::uint16_t port, const std::string& token) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int small = 2048;  // the kernel doubles it; the window stays tiny
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    send_all(
        "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Authorization: Bearer " +
        token + "\r\n\r\n");
    const std::string head = read_until("\r\n\r\n");
    EXPECT_TRUE(head.starts_with("HTTP/1.1 101")) << head;
    send_all(masked_text(R"({"subscribe":{"org":true}})"));
    const std::string reply = read_until("}}");
    EXPECT_NE(reply.find("subscribed"), std::string::npos) << reply;
  }
  ~StuckSubscriber() { ::close(fd_); }

  // The kernel's view of the connection (TCP_ESTABLISHED, TCP_CLOSE, ...).
  int tcp_state() const {
    tcp_info info{};
    socklen_t len = sizeof info;
    ::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len);
    return info.tcpi_state;
  }

  // Reads until the server closes or is silent for `quiet_ms`; returns the
  // bytes and whether the connection ended (EOF, reset or a close frame).
  std::pair<std::string, bool> drain(int quiet_ms) {
    std::string all;
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, quiet_ms) <= 0) return {all, false};
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return {all, true};
      all.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  void send_all(const std::string& bytes) {
    EXPECT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  std::string read_until(const std::string& end) {
    std::string got;
    char c = 0;
    while (got.find(end) == std::string::npos && got.size() < 8192) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0 || ::recv(fd_, &c, 1, 0) != 1) break;
      got.push_back(c);
    }
    return got;
  }
  // One masked text frame (clients must mask), payload < 126 bytes.
  static std::string masked_text(const std::string& payload) {
    const unsigned char key[4] = {0x11, 0x22, 0x33, 0x44};
    std::string f;
    f.push_back(static_cast<char>(0x81));
    f.push_back(static_cast<char>(0x80 | payload.size()));
    for (unsigned char k : key) f.push_back(static_cast<char>(k));
    for (std::size_t i = 0; i < payload.size(); ++i)
      f.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
    return f;
  }

  int fd_ = -1;
};

class FanoutTest : public EventsTest {
 protected:
  // Before the broker starts, so that it inherits the limit too: it does not
  // raise its own, and 1,000 subscribers need more than the usual 1,024.
  void SetUp() override {
    raise_fd_limit(4096);
    EventsTest::SetUp();
  }
  // Starts `n` refused tests (fast failures), one every `gap`, and returns
  // their ids. The pace keeps well-behaved readers within their queue limit
  // on a busy two-core machine; the stuck client overflows all the same.
  std::vector<std::string> refused_jobs(
      int n, std::chrono::milliseconds gap = std::chrono::milliseconds(10)) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(start_test(refused_body("r" + std::to_string(i))));
      std::this_thread::sleep_for(gap);
    }
    return ids;
  }
  // The number of messages (events + final) each job recorded.
  std::map<std::string, std::int64_t> recorded(const std::vector<std::string>& ids) {
    std::map<std::string, std::int64_t> n;
    for (const auto& id : ids)
      n[id] = static_cast<std::int64_t>(wait_job(id).at("events").as_array().size());
    return n;
  }
};

TEST_F(FanoutTest, ThousandSubscribersEachGetEveryEventOfTwentyJobs) {
  constexpr std::size_t kSubscribers = 1000;
  std::vector<Seen> seen(kSubscribers);
  std::atomic<std::size_t> finals{0};
  WsCrowd crowd({port(), token(), kSubscribers, 4}, recorder(seen, finals));
  ASSERT_TRUE(crowd.start(std::chrono::seconds(60))) << crowd.error();

  // Ten that succeed against the real PostgreSQL, ten that fail.
  std::vector<std::string> ids;
  const auto start = Clock::now();
  for (int i = 0; i < 10; ++i) {
    ids.push_back(start_test(pg_body("ok" + std::to_string(i))));
    ids.push_back(start_test(refused_body("no" + std::to_string(i))));
  }
  ASSERT_TRUE(wait_count(finals, kSubscribers * ids.size(), 60000))
      << finals << " of " << kSubscribers * ids.size() << " final messages";
  const double took = ms_since(start);
  const auto events_of = recorded(ids);
  crowd.stop();
  EXPECT_EQ(crowd.ended(), 0u) << "the broker closed subscribers";
  expect_everything(seen, events_of);
  std::int64_t per_subscriber = 0;
  for (const auto& [job, n] : events_of) per_subscriber += n;
  std::cout << "[fanout] " << kSubscribers << " subscribers x " << per_subscriber << " messages in "
            << took << " ms\n";
}

TEST_F(FanoutTest, AClientThatNeverReadsDelaysNoOneAndIsToldWhatItMissed) {
  start({{"DSB_EVENTS_QUEUE_LIMIT", "128"},
         {"DSB_EVENTS_OVERFLOW", "notify"},
         {"DSB_LIMITS_QUEUED_TESTS", "10000"}});
  StuckSubscriber stuck(port(), token());
  constexpr std::size_t kReaders = 10;
  std::vector<Seen> seen(kReaders);
  std::atomic<std::size_t> finals{0};
  WsCrowd crowd({port(), token(), kReaders, 2}, recorder(seen, finals));
  ASSERT_TRUE(crowd.start(std::chrono::seconds(30))) << crowd.error();

  const auto ids = refused_jobs(300);
  ASSERT_TRUE(wait_count(finals, kReaders * ids.size(), 30000)) << finals << " final messages";
  const auto events_of = recorded(ids);
  crowd.stop();
  expect_everything(seen, events_of);
  double worst = 0;
  for (const auto& s : seen) worst = std::max(worst, s.worst_latency_ms);
  EXPECT_LT(worst, 2000) << "a reader waited " << worst << " ms for an event";
  EXPECT_EQ(stuck.tcp_state(), TCP_ESTABLISHED);

  // Once it reads again it learns what it missed, and the session goes on.
  const auto [bytes, ended] = stuck.drain(1000);
  EXPECT_FALSE(ended);
  EXPECT_NE(bytes.find(R"("overflow":true)"), std::string::npos)
      << bytes.size() << " bytes, no overflow notice";
  EXPECT_NE(bytes.find(R"("missed_from_seq":)"), std::string::npos);
  // One notice per job that lost messages, so each can be fetched again.
  std::size_t notices = 0;
  for (auto pos = bytes.find(R"("overflow":true)"); pos != std::string::npos;
       pos = bytes.find(R"("overflow":true)", pos + 1))
    ++notices;
  EXPECT_GT(notices, 1u);
  std::size_t finals_seen = 0;
  for (auto pos = bytes.find(R"("state":)"); pos != std::string::npos;
       pos = bytes.find(R"("state":)", pos + 1))
    ++finals_seen;
  EXPECT_LT(finals_seen, ids.size()) << "nothing was dropped: the test did not overflow the queue";
}

TEST_F(FanoutTest, AClientThatNeverReadsIsCutOffWhenTheConfigSaysClose) {
  start({{"DSB_EVENTS_QUEUE_LIMIT", "128"},
         {"DSB_EVENTS_OVERFLOW", "close"},
         {"DSB_LIMITS_QUEUED_TESTS", "10000"}});
  StuckSubscriber stuck(port(), token());
  constexpr std::size_t kReaders = 10;
  std::vector<Seen> seen(kReaders);
  std::atomic<std::size_t> finals{0};
  WsCrowd crowd({port(), token(), kReaders, 2}, recorder(seen, finals));
  ASSERT_TRUE(crowd.start(std::chrono::seconds(30))) << crowd.error();

  const auto ids = refused_jobs(300);
  ASSERT_TRUE(wait_count(finals, kReaders * ids.size(), 30000)) << finals << " final messages";
  const auto events_of = recorded(ids);
  crowd.stop();
  expect_everything(seen, events_of);
  double worst = 0;
  for (const auto& s : seen) worst = std::max(worst, s.worst_latency_ms);
  EXPECT_LT(worst, 2000) << "a reader waited " << worst << " ms for an event";

  // Cut off without having to read first: the connection is already gone.
  const auto cut = Clock::now();
  while (stuck.tcp_state() == TCP_ESTABLISHED && ms_since(cut) < 2000)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_NE(stuck.tcp_state(), TCP_ESTABLISHED) << "the stuck client is still connected";
  const auto [bytes, ended] = stuck.drain(2000);
  EXPECT_TRUE(ended);
  EXPECT_EQ(bytes.find(R"("overflow":true)"), std::string::npos);
}

}  // namespace
}  // namespace dsb::test
