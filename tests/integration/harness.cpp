#include "harness.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "overlay/dht/dht_client.h"

namespace shoal::testing {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TempDir::TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  path_ = fs::temp_directory_path() /
          ("shoal-" + std::string(info ? info->name() : "test") + "-" + std::to_string(::getpid()));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  if (::testing::Test::HasFailure() || std::getenv("SHOAL_KEEP_TEST_DIRS")) {
    std::cerr << "keeping " << path_ << " for inspection\n";
  } else {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
}

namespace {
// Tests run on loopback unless they say where to listen.
void on_loopback(std::vector<std::string>& argv) {
  if (std::ranges::find(argv, "--listen") == argv.end())
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
}
}  // namespace

std::optional<RunningSource> start_source(const std::vector<std::string>& args,
                                          const std::string& log) {
  std::vector<std::string> argv{SHOAL_BINARY, "source"};
  argv.insert(argv.end(), args.begin(), args.end());
  on_loopback(argv);
  // A key (and so a channel state) of the test's own, not the user's.
  if (std::ranges::find(argv, "--key") == argv.end())
    argv.insert(argv.end(), {"--key", (std::filesystem::path(log).parent_path() / "source.key").string()});
  auto p = Process::spawn(argv, log);
  if (!p) return std::nullopt;
  const auto line = p->read_line(30s);
  if (!line) return std::nullopt;
  auto uri = ChannelUri::parse(*line);
  if (!uri) return std::nullopt;
  return RunningSource{std::move(*p), *uri};
}

std::optional<RunningDhtNode> start_dht_node(const std::vector<std::string>& args,
                                             const std::string& log) {
  std::vector<std::string> argv{SHOAL_BINARY, "dht"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = Process::spawn(argv, log);
  if (!p) return std::nullopt;
  const auto line = p->read_line(10s);
  const size_t space = line ? line->find(' ') : std::string::npos;
  if (space == std::string::npos) return std::nullopt;
  auto at = Endpoint::parse(line->substr(space + 1));
  if (!at) return std::nullopt;
  return RunningDhtNode{std::move(*p), line->substr(0, space), *at};
}

std::optional<DhtMessage> ask_dht(const Endpoint& via, DhtMessage question) {
  boost::asio::io_context io;
  auto client = DhtClient::open(io, via, 500ms, 3);
  if (!client) return std::nullopt;
  std::optional<DhtMessage> answer;
  (*client)->ask(std::move(question), [&](Result<DhtMessage> r) {
    if (r) answer = std::move(*r);
    io.stop();
  });
  io.run();
  return answer;
}

nlohmann::json dht_stats(const Endpoint& via) {
  const auto answer = ask_dht(via, StatsMsg{});
  const auto* stats = answer ? std::get_if<StatsResultMsg>(&*answer) : nullptr;
  return nlohmann::json::parse(stats ? stats->json : "", nullptr, false);
}

bool dht_ring_settled(const std::vector<RunningDhtNode>& nodes) {
  const Ring ring = *Ring::make(Ring::kMaxBits);
  std::vector<const RunningDhtNode*> around;  // clockwise
  for (const RunningDhtNode& n : nodes) around.push_back(&n);
  std::ranges::sort(around, {}, [&](const RunningDhtNode* n) { return *ring.parse(n->id); });
  const size_t count = around.size();
  for (size_t i = 0; i < count; ++i) {
    auto stats = dht_stats(around[i]->at);
    if (stats.is_discarded() || stats["successors"].empty() ||
        stats["successors"][0] != around[(i + 1) % count]->at.to_string() ||
        stats["predecessor"] != around[(i + count - 1) % count]->at.to_string())
      return false;
  }
  return true;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(poll);
  }
  return done();
}

Process start_peer(const std::string& uri, const std::vector<std::string>& args,
                   const std::string& log) {
  std::vector<std::string> argv{SHOAL_BINARY, "peer", uri};
  argv.insert(argv.end(), args.begin(), args.end());
  on_loopback(argv);
  auto p = Process::spawn(argv, log);
  EXPECT_TRUE(p) << p.error();
  return std::move(*p);
}

std::optional<std::string> wait_for_log(const std::string& log, const std::string& marker,
                                        std::chrono::milliseconds timeout) {
  std::optional<std::string> rest;
  eventually(
      [&] {
        const std::string text = read_file(log);
        const auto at = text.find(marker);
        if (at == std::string::npos) return false;
        const auto from = at + marker.size();
        rest = text.substr(from, text.find('\n', from) - from);
        return true;
      },
      timeout);
  return rest;
}

uint16_t free_port(int type) {
  const int fd = socket(AF_INET, type, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at);
  socklen_t len = sizeof at;
  getsockname(fd, reinterpret_cast<sockaddr*>(&at), &len);
  close(fd);
  return ntohs(at.sin_port);
}

bool listening(uint16_t port, int type) {
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  for (const char* table : type == SOCK_STREAM ? std::vector{"/proc/net/tcp", "/proc/net/tcp6"}
                                               : std::vector{"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      const bool ours = local.size() > 5 && local.ends_with(hex);
      if (ours && (type != SOCK_STREAM || state == "0A")) return true;  // 0A: LISTEN
    }
  }
  return false;
}

std::vector<Played> read_played(const std::string& path) {
  std::vector<Played> out;
  std::ifstream in(path);
  Played p;
  while (in >> p.seq >> p.capture_ms) out.push_back(p);
  return out;
}

std::string run_shell(const std::string& command) {
  std::string out;
  FILE* f = ::popen((command + " 2>&1").c_str(), "r");
  if (!f) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(read_file(path), nullptr, false);
}

std::vector<ChunkSeq> played_seqs(const nlohmann::json& stats) {
  std::vector<ChunkSeq> seqs;
  for (const auto& range : stats["played_seqs"]) {
    for (uint64_t s = range[0]; s <= range[1].get<uint64_t>(); ++s) seqs.push_back(ChunkSeq(s));
  }
  return seqs;
}

}  // namespace shoal::testing
