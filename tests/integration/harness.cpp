#include "harness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

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
  if (::testing::Test::HasFailure()) {
    std::cerr << "keeping " << path_ << " for inspection\n";
  } else {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
}

std::optional<RunningSource> start_source(const std::vector<std::string>& args,
                                          const std::string& log) {
  std::vector<std::string> argv{SHOAL_BINARY, "source"};
  argv.insert(argv.end(), args.begin(), args.end());
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

Process start_peer(const std::string& uri, const std::vector<std::string>& args,
                   const std::string& log) {
  std::vector<std::string> argv{SHOAL_BINARY, "peer", uri};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = Process::spawn(argv, log);
  EXPECT_TRUE(p) << p.error();
  return std::move(*p);
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
