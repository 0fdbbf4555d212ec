// 200 connects to a silent server on one thread: nothing blocks.
#include "tests/integration/drivers/concurrency_check.hpp"
#include "tests/integration/drivers/mysql_test_fixture.hpp"

namespace dsb::test {
namespace {

TEST_F(MysqlDriverTest, TwoHundredConnectsToASilentServerTimeOutOnOneThread) {
  SilentListener silent;
  constexpr int kConnects = 200;
  const auto plain = spec("disable");
  const auto tls = spec("require");  // writes a CA file per connect
  const auto deadline = drivers::Clock::now() + 1500ms;
  const auto report = connect_concurrently(*driver_, kConnects, [&](int i) {
    auto target = local_target(i % 2 == 0 ? plain : tls, silent.port());
    target.connect_deadline = deadline;
    return target;
  });
  for (int i = 0; i < kConnects; ++i) {
    const auto index = static_cast<std::size_t>(i);
    EXPECT_EQ(report.reasons[index], "timeout") << i;
    EXPECT_GE(report.late_ms[index], 0.0) << i;
    EXPECT_LT(report.late_ms[index], 300.0) << i;
  }
  // Typically under 50 ms; the margin absorbs a loaded 2-core machine. A
  // blocking connect would hold the thread for the whole 1.5 s deadline.
  EXPECT_LT(report.max_tick_late_ms, 300.0);
  EXPECT_GE(report.ticks, 120);
  EXPECT_EQ(silent.accepted(), kConnects);
  RecordProperty("max_tick_late_ms", std::to_string(report.max_tick_late_ms));
}

}  // namespace
}  // namespace dsb::test
