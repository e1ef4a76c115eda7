#include "experiment/hostile_report.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "experiment/report.h"
#include "peer/peer_report.h"

namespace shoal::experiment {
namespace {

using Json = nlohmann::json;

constexpr int64_t kWithinMs = 10'000;

const Json& array_of(const Json& stats, const char* field) {
  static const Json empty = Json::array();
  return stats.is_object() && stats.contains(field) && stats[field].is_array() ? stats[field]
                                                                               : empty;
}

// An entry of "offenders" or "offended", as the viewers write them.
bool well_formed(const Json& o, bool offence) {
  return o.is_object() && o.contains("peer_id") && o["peer_id"].is_number_unsigned() &&
         o.contains("at_ms") && o["at_ms"].is_number_integer() &&
         (!offence || (o.contains("offence") && o["offence"].is_string()));
}

uint64_t id_of(const Json& stats) {
  return stats.is_object() && stats.contains("peer_id") && stats["peer_id"].is_number_unsigned()
             ? stats["peer_id"].get<uint64_t>()
             : 0;
}

}  // namespace

Json hostile_report(const std::vector<ReportViewer>& viewers) {
  std::set<uint64_t> hostile;
  for (const ReportViewer& v : viewers) {
    if (!v.hostile.empty()) hostile.insert(id_of(v.stats));
  }
  // (honest, hostile) -> drop: when, and when the honest one first saw a sign.
  struct Drop {
    int64_t at;
    std::optional<int64_t> sign;
  };
  std::map<std::pair<uint64_t, uint64_t>, Drop> drops;
  std::map<std::string, int64_t> offences;
  int64_t honest_dropped = 0;
  for (const ReportViewer& v : viewers) {
    if (!v.hostile.empty()) continue;
    for (const Json& o : array_of(v.stats, "offenders")) {
      if (!well_formed(o, true)) continue;
      const auto offender = o["peer_id"].get<uint64_t>();
      ++offences[o["offence"].get<std::string>()];
      if (!hostile.contains(offender)) {
        ++honest_dropped;
        continue;
      }
      std::optional<int64_t> sign;
      if (o.contains("first_sign_ms") && o["first_sign_ms"].is_number_integer())
        sign = o["first_sign_ms"].get<int64_t>();
      drops.try_emplace({id_of(v.stats), offender}, Drop{o["at_ms"].get<int64_t>(), sign});
    }
  }
  // Honest viewers, and when each began to leave (if it said).
  std::map<uint64_t, std::optional<int64_t>> honest;
  for (const ReportViewer& v : viewers) {
    if (!v.hostile.empty()) continue;
    std::optional<int64_t> left;
    if (v.stats.is_object() && v.stats.contains("left_ms") && v.stats["left_ms"].is_number_integer())
      left = v.stats["left_ms"].get<int64_t>();
    honest.emplace(id_of(v.stats), left);
  }
  int64_t pairs = 0, dropped = 0, within = 0, leaving = 0;
  std::vector<int64_t> delays;
  for (const ReportViewer& v : viewers) {
    if (v.hostile.empty()) continue;
    for (const Json& o : array_of(v.stats, "offended")) {
      if (!well_formed(o, false)) continue;
      const auto victim = o["peer_id"].get<uint64_t>();
      const auto h = honest.find(victim);
      if (h == honest.end()) continue;
      const auto d = drops.find({victim, id_of(v.stats)});
      // Offended as it was about to leave, and not dropped: it could not be
      // held to 10 s.
      if (d == drops.end() && h->second && *h->second - o["at_ms"].get<int64_t>() < kWithinMs) {
        ++leaving;
        continue;
      }
      ++pairs;
      if (d == drops.end()) continue;
      ++dropped;
      const int64_t offence =
          std::min(o["at_ms"].get<int64_t>(), d->second.sign.value_or(o["at_ms"].get<int64_t>()));
      const int64_t delay = std::max<int64_t>(0, d->second.at - offence);
      delays.push_back(delay);
      if (delay <= kWithinMs) ++within;
    }
  }
  Json h;
  const auto first =
      std::ranges::find_if(viewers, [](const ReportViewer& v) { return !v.hostile.empty(); });
  h["kind"] = first == viewers.end() ? "" : first->hostile;
  h["viewers"] = hostile.size();
  h["pairs"] = pairs;
  h["pairs_leaving"] = leaving;
  h["dropped"] = dropped;
  h["dropped_within_10s"] = within;
  const auto p50 = percentile(delays, 50);
  h["delay_s_p50"] = p50 ? Json(*p50 / 1000.0) : Json(nullptr);
  h["delay_s_max"] =
      delays.empty() ? Json(nullptr) : Json(*std::ranges::max_element(delays) / 1000.0);
  h["offences"] = offences;
  h["honest_dropped"] = honest_dropped;
  return h;
}

void print_hostile_report(const Json& h, std::ostream& out) {
  const auto seconds = [](const Json& v) {
    if (!v.is_number()) return std::string("-");
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << v.get<double>();
    return s.str();
  };
  out << "  hostile            " << h["viewers"] << " " << h["kind"].get<std::string>()
      << ": offended " << h["pairs"] << " honest neighbours, dropped by " << h["dropped"] << " ("
      << h["dropped_within_10s"] << " within 10 s; delay p50/max " << seconds(h["delay_s_p50"])
      << " / " << seconds(h["delay_s_max"]) << " s)";
  if (h.value("pairs_leaving", 0) > 0)
    out << "; " << h["pairs_leaving"] << " more offended in their last 10 s, not dropped";
  out << "\n"
      << "  drops by offence   ";
  if (h["offences"].empty()) out << "none";
  for (const auto& [offence, n] : h["offences"].items()) out << offence << " " << n << "  ";
  out << "(honest viewers dropped by honest ones: " << h["honest_dropped"] << ")\n";
}

}  // namespace shoal::experiment
