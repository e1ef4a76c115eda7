#include "experiment/sweep.h"

#include <algorithm>
#include <charconv>
#include <iomanip>
#include <sstream>

namespace shoal::experiment {

Result<std::vector<int>> parse_sweep(const std::string& text, int max_peers) {
  std::vector<int> ns;
  for (size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
    comma = text.find(',', start);
    const std::string item = text.substr(start, comma - start);
    int n = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      return Error{"--sweep: '" + item + "' is not a number of viewers (write 10,30,100)"};
    }
    if (n < 1 || n > max_peers) {
      return Error{"--sweep: each N must be 1.." + std::to_string(max_peers) + ", not " + item};
    }
    if (std::ranges::find(ns, n) != ns.end()) return Error{"--sweep: " + item + " comes twice"};
    ns.push_back(n);
  }
  return ns;
}

std::vector<ExperimentOptions> sweep_runs(const ExperimentOptions& base,
                                          const std::vector<int>& ns) {
  std::vector<ExperimentOptions> runs;
  for (int n : ns) {
    for (const char* mode : {"p2p", "client-server"}) {
      ExperimentOptions o = base;
      o.peers = n;
      o.mode = mode;
      runs.push_back(o);
    }
  }
  return runs;
}

namespace {

std::string cell(const nlohmann::json& r, const char* field, int digits) {
  if (!r.contains(field) || !r[field].is_number()) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << r[field].get<double>();
  return s.str();
}

}  // namespace

void print_sweep_table(const std::vector<nlohmann::json>& reports, std::ostream& out) {
  out << "\n"
      << std::right << std::setw(6) << "N"
      << "  " << std::left << std::setw(14) << "mode" << std::right << std::setw(8) << "copies"
      << std::setw(9) << "offload" << std::setw(12) << "continuity" << std::setw(13)
      << "startup p50" << std::setw(9) << "lag p95"
      << "\n";
  for (const nlohmann::json& r : reports) {
    out << std::right << std::setw(6) << r.value("peers", 0) << "  " << std::left << std::setw(14)
        << r.value("mode", "?") << std::right << std::setw(8) << cell(r, "source_copies", 2)
        << std::setw(9) << cell(r, "offload", 3) << std::setw(12) << cell(r, "continuity", 4)
        << std::setw(13) << cell(r, "startup_ms_p50", 0) << std::setw(9) << cell(r, "lag_ms_p95", 0)
        << "\n";
  }
}

}  // namespace shoal::experiment
