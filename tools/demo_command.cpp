// `shoal demo`: a local live broadcast of the test pattern to a few headless
// peers, each a real process on loopback, then a table of what each received.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/cli.h"
#include "tools/process.h"

namespace shoal::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string cell(const nlohmann::json& v) { return v.is_null() ? "-" : v.dump(); }

void print_table(const std::vector<nlohmann::json>& rows) {
  std::cout << std::left << std::setw(6) << "peer" << std::right << std::setw(11) << "startup_ms"
            << std::setw(9) << "frames" << std::setw(12) << "on time" << std::setw(12)
            << "continuity" << std::setw(14) << "kB received" << std::setw(10) << "lag p50"
            << std::setw(10) << "lag p95"
            << "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.is_null()) {
      std::cout << std::left << std::setw(6) << i + 1 << "no stats (the peer failed)\n";
      continue;
    }
    const std::string on_time = cell(r["chunks_on_time"]) + "/" + cell(r["chunks_due"]);
    const double kb =
        (r["bytes_from_source"].get<double>() + r["bytes_from_peers"].get<double>()) / 1000;
    std::ostringstream continuity;
    if (!r["continuity"].is_null())
      continuity << std::fixed << std::setprecision(3) << r["continuity"].get<double>();
    std::cout << std::left << std::setw(6) << i + 1 << std::right << std::setw(11)
              << cell(r["startup_ms"]) << std::setw(9) << cell(r["frames_decoded"]) << std::setw(12)
              << on_time << std::setw(12) << (continuity.str().empty() ? "-" : continuity.str())
              << std::setw(14) << static_cast<int64_t>(kb) << std::setw(10) << cell(r["lag_ms_p50"])
              << std::setw(10) << cell(r["lag_ms_p95"]) << "\n";
  }
}

}  // namespace

int demo_main(const std::vector<std::string>& args) {
  Command cmd;
  cmd.usage = "shoal demo [--peers N] [--duration SECONDS]";
  cmd.description =
      "Broadcasts the built-in test pattern on loopback to N headless peers (each its own\n"
      "process), then prints what each one received and played.";
  int peers = 3;
  double duration = 15;
  std::string dir;
  cmd.options.add_options()("peers", po::value(&peers)->default_value(3),
                            "number of viewers (1..50)")(
      "duration", po::value(&duration)->default_value(15), "seconds each viewer watches")(
      "dir", po::value(&dir), "where to keep logs and stats (default: a fresh temp dir)");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if (peers < 1 || peers > 50 || duration <= 0) {
    std::cerr << "shoal demo: --peers must be 1..50 and --duration positive\n";
    return 2;
  }
  if (dir.empty()) {
    dir = (fs::temp_directory_path() / ("shoal-demo-" + std::to_string(::getpid()))).string();
  }
  fs::create_directories(dir);
  const std::string shoal = self_executable();

  std::cout << "Broadcasting the test pattern to " << peers << " peers for " << duration
            << " s (logs in " << dir << ")" << std::endl;
  auto source = Process::spawn({shoal, "source", "--input", "testsrc", "--key", dir + "/source.key",
                                "--stats-json", dir + "/source.json"},
                               dir + "/source.log");
  if (!source) {
    std::cerr << "shoal demo: " << source.error() << "\n";
    return 1;
  }
  const auto uri = source->read_line(30s);
  if (!uri) {
    std::cerr << "shoal demo: the source did not start; see " << dir << "/source.log\n";
    return 1;
  }
  std::cout << "channel: " << *uri << std::endl;

  std::vector<Process> viewers;
  for (int i = 1; i <= peers; ++i) {
    const std::string name = dir + "/peer" + std::to_string(i);
    auto p = Process::spawn({shoal, "peer", *uri, "--sink", "fake", "--duration",
                             std::to_string(duration), "--stats-json", name + ".json"},
                            name + ".log");
    if (p) viewers.push_back(std::move(*p));
  }
  const auto limit = std::chrono::milliseconds(static_cast<int64_t>(duration * 1000)) + 30s;
  for (auto& v : viewers) v.wait(limit);
  source->signal(SIGTERM);
  source->wait(10s);

  std::vector<nlohmann::json> rows;
  for (int i = 1; i <= peers; ++i) {
    std::ifstream in(dir + "/peer" + std::to_string(i) + ".json");
    rows.push_back(in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json());
    if (rows.back().is_discarded()) rows.back() = nullptr;
  }
  print_table(rows);
  std::ifstream source_stats(dir + "/source.json");
  const auto s = nlohmann::json::parse(source_stats, nullptr, false);
  if (!s.is_discarded()) {
    std::cout << "source: " << s["chunks_published"] << " chunks published, "
              << s["bytes_uploaded"].get<int64_t>() / 1000 << " kB uploaded\n";
  }
  return 0;
}

}  // namespace shoal::cli
