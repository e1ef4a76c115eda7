// Shoal across routers, in the network-namespace testbed (scripts/testbed.sh,
// as root): nodes on different hosts and networks, with the defaults a user
// would run.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <thread>
#include <tuple>

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

  // A tracker and a source on the public host, 3 s into the broadcast: the
  // channel URI, or "" (with a test failure) if the source did not start.
  std::string start_broadcast(std::vector<std::string> source_args = {}) {
    on("pub", {SHOAL_BINARY, "tracker", "--listen", "[::]:7070"}, dir_ / "tracker.log");
    source_args.insert(source_args.begin(), {SHOAL_BINARY, "source", "--input", "testsrc", "--key",
                                             dir_ / "source.key", "--tracker", "10.77.0.10:7070"});
    source_ = &on("pub", source_args, dir_ / "source.log");
    const auto uri = source_->read_line(30s);
    EXPECT_TRUE(uri) << read_file(dir_ / "source.log");
    std::this_thread::sleep_for(3s);
    return uri.value_or("");
  }
  // A viewer on testbed host `host` watching `uri` for `seconds`, its stats in <host>.json.
  Process& viewer(const std::string& uri, const std::string& host, int seconds) {
    return on(host,
              {SHOAL_BINARY, "peer", uri, "--sink", "none", "--duration", std::to_string(seconds),
               "--stats-json", dir_ / (host + ".json")},
              dir_ / (host + ".log"));
  }

  TempDir dir_;
  std::deque<Process> processes_;
  Process* source_ = nullptr;  // start_broadcast's  // references stay valid as it grows
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

struct NatViewer {
  std::string host;    // testbed host
  std::string inside;  // its address behind its NAT
  std::string nat;     // its NAT's public address
  bool keeps_ports;    // the NAT maps a port to itself
};

// Eight viewers behind home routers (three behind each of two NATs that
// keep ports, two behind one that randomises them), the source and tracker
// public: every viewer plays; viewers behind the port-keeping NATs connect
// to each other directly, through them; the viewers upload; the source
// sends about one copy and a rescue.
TEST_F(Testbed, ViewersBehindNatsConnectThroughThemAndTradeChunks) {
  const std::vector<NatViewer> viewers = {
      {"n1a", "192.168.1.11", "10.77.0.21", true},  {"n1b", "192.168.1.12", "10.77.0.21", true},
      {"n1c", "192.168.1.13", "10.77.0.21", true},  {"n2a", "192.168.2.11", "10.77.0.22", true},
      {"n2b", "192.168.2.12", "10.77.0.22", true},  {"n2c", "192.168.2.13", "10.77.0.22", true},
      {"n3a", "192.168.3.11", "10.77.0.23", false}, {"n3b", "192.168.3.12", "10.77.0.23", false}};
  const std::string uri = start_broadcast({"--stats-json", dir_ / "source.json"});
  ASSERT_FALSE(uri.empty());
  std::vector<Process*> running;
  for (const NatViewer& v : viewers) {
    running.push_back(&viewer(uri, v.host, 60));
    std::this_thread::sleep_for(300ms);
  }
  std::vector<nlohmann::json> stats;
  double downloaded = 0, uploaded = 0, worst = 1;
  for (size_t i = 0; i < viewers.size(); ++i) {
    SCOPED_TRACE(viewers[i].host);
    ASSERT_EQ(running[i]->wait(100s), 0) << read_file(dir_ / (viewers[i].host + ".log"));
    stats.push_back(read_json(dir_ / (viewers[i].host + ".json")));
    const auto& s = stats.back();
    ASSERT_FALSE(s.is_discarded()) << read_file(dir_ / (viewers[i].host + ".log"));
    EXPECT_GE(s["continuity"].get<double>(), 0.99) << s.dump();
    worst = std::min(worst, s["continuity"].get<double>());
    downloaded += s["bytes_from_source"].get<double>() + s["bytes_from_peers"].get<double>();
    uploaded += s["bytes_uploaded"].get<double>();
  }
  source_->signal(SIGTERM);
  ASSERT_EQ(source_->wait(20s), 0) << read_file(dir_ / "source.log");
  const auto source_stats = read_json(dir_ / "source.json");
  ASSERT_FALSE(source_stats.is_discarded()) << read_file(dir_ / "source.log");
  const double copies = source_stats["bytes_uploaded"].get<double>() /
                        source_stats["chunk_bytes_published"].get<double>();

  // The addresses viewer i is dialled at: its NAT's and its own, at its port.
  const auto is = [&](size_t i, const std::string& address) {
    const std::string listen = stats[i]["listen"].get<std::string>();
    const std::string port = listen.substr(listen.rfind(':'));
    return address == viewers[i].nat + port || address == viewers[i].inside + port;
  };
  const auto listed = [&](size_t i, const char* field, size_t j) {
    return std::ranges::any_of(stats[i][field], [&](const auto& a) { return is(j, a.template get<std::string>()); });
  };
  int chosen = 0, direct = 0;
  for (size_t i = 0; i < viewers.size(); ++i) {
    for (size_t j = i + 1; j < viewers.size(); ++j) {
      if (!viewers[i].keeps_ports || !viewers[j].keeps_ports) continue;
      const bool reached = listed(i, "peers_dialled", j) || listed(j, "peers_dialled", i);
      const bool tried = reached || listed(i, "peer_dials_failed", j) || listed(j, "peer_dials_failed", i);
      chosen += tried;
      direct += reached;
    }
  }
  std::cout << "lowest continuity " << worst << "; pairs chosen " << chosen << ", connected "
            << direct << "; upload/download "
            << uploaded / downloaded << "; source copies " << copies << "\n";
  EXPECT_GE(chosen, 6);
  EXPECT_GE(direct, 0.8 * chosen);
  EXPECT_GE(uploaded, 0.5 * downloaded);
  EXPECT_LE(copies, 2.0);
}

// A home router forgets its mappings mid-stream (its conntrack table is
// flushed, as on a reboot or a full table): the viewers behind it play on,
// and one that joins 2 s later behind another NAT reaches them within its
// first 10 s.
TEST_F(Testbed, ViewersPlayOnWhenTheirNatForgetsItsMappings) {
  const std::string uri = start_broadcast();
  ASSERT_FALSE(uri.empty());
  Process& n1a = viewer(uri, "n1a", 40);
  Process& n1b = viewer(uri, "n1b", 40);
  Process& n2a = viewer(uri, "n2a", 40);
  std::this_thread::sleep_for(15s);
  const std::string flushed = run_shell("bash " TESTBED_SCRIPT " run nat1 conntrack -F 2>&1");
  ASSERT_NE(flushed.find("table has been emptied"), std::string::npos) << flushed;
  std::this_thread::sleep_for(2s);
  Process& late = viewer(uri, "n2c", 10);

  ASSERT_EQ(late.wait(40s), 0) << read_file(dir_ / "n2c.log");
  const auto late_stats = read_json(dir_ / "n2c.json");
  const auto& reached = late_stats["peers_dialled"];
  EXPECT_TRUE(std::ranges::any_of(reached, [](const auto& a) {
    return a.template get<std::string>().rfind("10.77.0.21:", 0) == 0;
  })) << "nobody behind the flushed NAT reached: " << late_stats.dump();
  for (auto [host, p] : {std::pair{"n1a", &n1a}, {"n1b", &n1b}, {"n2a", &n2a}}) {
    SCOPED_TRACE(host);
    ASSERT_EQ(p->wait(60s), 0) << read_file(dir_ / (std::string(host) + ".log"));
    const auto stats = read_json(dir_ / (std::string(host) + ".json"));
    EXPECT_GE(stats["continuity"].get<double>(), 0.98) << stats.dump();
    std::cout << host << ": continuity " << stats["continuity"] << "\n";
  }
}

// Two viewers behind routers that change ports but forward one on request,
// by NAT-PMP (nat4) and by UPnP-IGD only (nat5): each asks for its
// listening port, and a viewer behind another NAT dials both directly.
TEST_F(Testbed, ViewersBehindRoutersThatForwardPortsAreDialledDirectly) {
  const std::string uri = start_broadcast();
  ASSERT_FALSE(uri.empty());
  Process& n4a = viewer(uri, "n4a", 20);
  Process& n5a = viewer(uri, "n5a", 20);
  std::this_thread::sleep_for(4s);  // a UPnP discovery takes up to 2 s
  Process& n1a = viewer(uri, "n1a", 12);

  for (auto [host, p, by] : {std::tuple{"n4a", &n4a, "NAT-PMP"}, {"n5a", &n5a, "UPnP"}}) {
    SCOPED_TRACE(host);
    ASSERT_EQ(p->wait(60s), 0) << read_file(dir_ / (std::string(host) + ".log"));
    const std::string log = read_file(dir_ / (std::string(host) + ".log"));
    EXPECT_NE(log.find("the router forwards 11.77.0.2"), std::string::npos) << log;
    EXPECT_NE(log.find(std::string("(") + by + ")"), std::string::npos) << log;
    EXPECT_GE(read_json(dir_ / (std::string(host) + ".json"))["continuity"].get<double>(), 0.99);
  }
  ASSERT_EQ(n1a.wait(60s), 0) << read_file(dir_ / "n1a.log");
  const auto stats = read_json(dir_ / "n1a.json");
  EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
  for (const std::string nat : {"11.77.0.24:", "11.77.0.25:"}) {
    EXPECT_TRUE(std::ranges::any_of(stats["peers_dialled"], [&](const auto& a) {
      return a.template get<std::string>().rfind(nat, 0) == 0;
    })) << nat << " not dialled directly: " << stats.dump();
  }
}

}  // namespace
}  // namespace shoal::testing
