// Shoal across routers, in the network-namespace testbed (scripts/testbed.sh,
// as root): nodes on different hosts and networks, with the defaults a user
// would run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

class Testbed : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the network-namespace testbed needs root";
    const std::string out = run_shell("bash " TESTBED_SCRIPT " up 2>&1 && echo testbed-up");
    ASSERT_NE(out.find("testbed-up"), std::string::npos) << out;
    up_ = true;
  }
  void TearDown() override {
    processes_.clear();  // killed before their hosts go
    if (up_) run_shell("bash " TESTBED_SCRIPT " down 2>&1");
  }

  // Runs `argv` on testbed host `host` (stderr -> log).
  Process& on(const std::string& host, std::vector<std::string> argv, const std::string& log) {
    argv.insert(argv.begin(), {"/bin/bash", TESTBED_SCRIPT, "run", host});
    auto p = Process::spawn(argv, log);
    EXPECT_TRUE(p) << p.error();
    processes_.push_back(std::move(*p));
    return processes_.back();
  }

  TempDir dir_;
  std::vector<Process> processes_;
  bool up_ = false;
};

// Two hosts on networks a router joins, no NAT: the source's URI names the
// address the viewer can reach, and both listen where it can.
TEST_F(Testbed, ASourceAndAViewerWithDefaultOptionsPlayAcrossARouter) {
  Process& source = on("pub",
                       {"/usr/bin/env", "XDG_CONFIG_HOME=" + dir_ / "config", SHOAL_BINARY,
                        "source", "--input", "testsrc"},
                       dir_ / "source.log");
  const auto line = source.read_line(30s);
  ASSERT_TRUE(line) << read_file(dir_ / "source.log");
  const auto uri = ChannelUri::parse(*line);
  ASSERT_TRUE(uri) << *line;
  EXPECT_EQ(uri->source.host, "10.77.0.10") << "the address of its route out, not loopback";
  std::this_thread::sleep_for(3s);  // a broadcast under way

  Process& viewer = on("far1",
                       {SHOAL_BINARY, "peer", *line, "--sink", "none", "--duration", "10",
                        "--stats-json", dir_ / "viewer.json"},
                       dir_ / "viewer.log");
  ASSERT_EQ(viewer.wait(40s), 0) << read_file(dir_ / "viewer.log");
  const auto stats = read_json(dir_ / "viewer.json");
  ASSERT_FALSE(stats.is_discarded()) << read_file(dir_ / "viewer.log");
  EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
  EXPECT_GE(stats["chunks_on_time"].get<int>(), 15) << stats.dump();
  EXPECT_EQ(stats["listen"].get<std::string>().rfind("10.78.0.11:", 0), 0u)
      << "where the source sees it: " << stats.dump();
}

}  // namespace
}  // namespace shoal::testing
