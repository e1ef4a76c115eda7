#include "experiment/report.h"

#include <iomanip>
#include <sstream>

#include "experiment/hostile_report.h"
#include "peer/peer_report.h"

namespace shoal::experiment {
namespace {

using Json = nlohmann::json;

int64_t num(const Json& j, const char* field) {
  return j.is_object() && j.contains(field) && j[field].is_number() ? j[field].get<int64_t>() : 0;
}

// Chunks on time / chunks due over the viewers `pick` selects; null if none due.
template <typename Pick>
Json continuity(const std::vector<ReportViewer>& viewers, Pick pick) {
  int64_t due = 0, on_time = 0;
  for (const ReportViewer& v : viewers) {
    if (!pick(v)) continue;
    due += num(v.stats, "chunks_due");
    on_time += num(v.stats, "chunks_on_time");
  }
  return due == 0 ? Json(nullptr) : Json(static_cast<double>(on_time) / due);
}

Json percentile_of(const std::vector<ReportViewer>& viewers, const char* field, double p) {
  std::vector<int64_t> values;
  for (const ReportViewer& v : viewers) {
    const Json& s = v.stats;
    if (s.is_object() && s.contains(field) && s[field].is_number())
      values.push_back(s[field].get<int64_t>());
  }
  const auto value = percentile(values, p);
  return value ? Json(*value) : Json(nullptr);
}

std::string fixed(const Json& v, int digits) {
  if (!v.is_number()) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v.get<double>();
  return s.str();
}

std::string field(const Json& s, const char* name) {
  return s.is_object() && s.contains(name) && s[name].is_number() ? s[name].dump() : "-";
}

std::string role(const ReportViewer& v) {
  if (!v.hostile.empty()) return v.hostile;
  return v.free_rider ? "free" : v.killed ? "killed" : v.joiner ? "joiner" : "contrib";
}

}  // namespace

ReportInput report_input(const Plan& plan, Json source, std::vector<Json> viewer_stats) {
  const ExperimentOptions& o = plan.options;
  ReportInput in{.peers = o.peers,
                 .mode = o.mode,
                 .duration_s = o.duration,
                 .churn = plan.churn_at.has_value(),
                 .source = std::move(source)};
  for (size_t i = 0; i < plan.viewers.size(); ++i) {
    const ViewerPlan& v = plan.viewers[i];
    in.viewers.push_back({.upload = v.upload_label,
                          .free_rider = v.free_rider,
                          .hostile = v.hostile ? std::string(offence_name(*v.hostile)) : "",
                          .killed = v.killed,
                          .joiner = v.joiner(),
                          .decodes = v.decodes,
                          .stats = std::move(viewer_stats[i])});
  }
  return in;
}

Json swarm_report(const ReportInput& in) {
  int64_t delivered = 0, control = num(in.source, "control_bytes_out"), chunk_bytes = 0;
  for (const ReportViewer& v : in.viewers) {
    delivered += num(v.stats, "bytes_from_source") + num(v.stats, "bytes_from_peers");
    control += num(v.stats, "control_bytes_out");
    chunk_bytes += num(v.stats, "bytes_uploaded");
  }
  const int64_t source_up = num(in.source, "bytes_uploaded");
  chunk_bytes += source_up;
  const int64_t copy = num(in.source, "copy_bytes");
  const int64_t media_ms = num(in.source, "media_ms_published");

  Json r;
  r["peers"] = in.peers;
  r["mode"] = in.mode;
  r["duration_s"] = in.duration_s;
  r["stream_kbps"] = media_ms > 0 ? Json(copy * 8.0 / media_ms) : Json(nullptr);
  r["source_copies"] = copy > 0 ? Json(static_cast<double>(source_up) / copy) : Json(nullptr);
  r["offload"] =
      delivered > 0 ? Json(1.0 - static_cast<double>(source_up) / delivered) : Json(nullptr);
  r["continuity"] = continuity(in.viewers, [](const ReportViewer&) { return true; });
  r["continuity_contributors"] =
      continuity(in.viewers, [](const ReportViewer& v) { return !v.free_rider; });
  r["continuity_free_riders"] =
      continuity(in.viewers, [](const ReportViewer& v) { return v.free_rider; });
  const bool hostile = std::ranges::any_of(in.viewers, [](const ReportViewer& v) {
    return !v.hostile.empty();
  });
  if (hostile) {
    r["continuity_honest"] =
        continuity(in.viewers, [](const ReportViewer& v) { return v.hostile.empty(); });
    r["hostile"] = hostile_report(in.viewers);
  }
  if (in.churn) {
    r["continuity_survivors"] =
        continuity(in.viewers, [](const ReportViewer& v) { return !v.killed && !v.joiner; });
    r["continuity_joiners"] =
        continuity(in.viewers, [](const ReportViewer& v) { return v.joiner; });
  }
  r["startup_ms_p50"] = percentile_of(in.viewers, "startup_ms", 50);
  r["startup_ms_p95"] = percentile_of(in.viewers, "startup_ms", 95);
  // Each peer reports its own percentiles: the swarm's p50 is the median
  // of theirs, its p95 the 95th percentile of theirs (an upper bound).
  r["lag_ms_p50"] = percentile_of(in.viewers, "lag_ms_p50", 50);
  r["lag_ms_p95"] = percentile_of(in.viewers, "lag_ms_p95", 95);
  r["control_overhead"] =
      chunk_bytes > 0 ? Json(static_cast<double>(control) / chunk_bytes) : Json(nullptr);
  r["decoders"] = std::ranges::count_if(in.viewers, &ReportViewer::decodes);
  r["source"] = in.source;
  r["per_peer"] = Json::array();
  for (size_t i = 0; i < in.viewers.size(); ++i) {
    const ReportViewer& v = in.viewers[i];
    Json s = v.stats;
    if (s.is_object()) s.erase("played_seqs");
    r["per_peer"].push_back({{"peer", i + 1},
                             {"upload_limit", v.upload},
                             {"role", role(v)},
                             {"decodes", v.decodes},
                             {"stats", s}});
  }
  return r;
}

void add_diagnostics(Json& report, const std::vector<int64_t>& arrival_ms) {
  const auto p50 = percentile(arrival_ms, 50), p95 = percentile(arrival_ms, 95);
  report["arrival_ms_p50"] = p50 ? Json(*p50) : Json(nullptr);
  report["arrival_ms_p95"] = p95 ? Json(*p95) : Json(nullptr);
  int64_t uploaded = 0;
  for (const Json& p : report["per_peer"]) uploaded += num(p["stats"], "bytes_uploaded");
  const Json& kbps = report["stream_kbps"];
  const double watched = report["duration_s"].get<double>() * report["per_peer"].size();
  report["peer_upload_ratio"] =
      kbps.is_number() && watched > 0
          ? Json(static_cast<double>(uploaded) / (kbps.get<double>() * 1000 / 8 * watched))
          : Json(nullptr);
}

namespace {

// Beyond this many viewers a row each would bury the summary.
constexpr size_t kMaxRowsPrinted = 200;

void print_per_peer(const Json& r, std::ostream& out) {
  out << "\n"
      << std::left << std::setw(6) << "peer" << std::setw(9) << "upload" << std::setw(8) << "role"
      << std::right << std::setw(10) << "startup" << std::setw(12) << "continuity" << std::setw(9)
      << "lag p95" << std::setw(13) << "from src kB" << std::setw(15) << "from peers kB"
      << std::setw(12) << "uploaded kB"
      << "\n";
  for (const Json& p : r["per_peer"]) {
    const Json& s = p["stats"];
    out << std::left << std::setw(6) << p["peer"].get<int>() << std::setw(9)
        << p["upload_limit"].get<std::string>() << std::setw(8) << p["role"].get<std::string>()
        << std::right << std::setw(10) << field(s, "startup_ms") << std::setw(12)
        << fixed(s.is_object() ? s["continuity"] : Json(), 3) << std::setw(9)
        << field(s, "lag_ms_p95") << std::setw(13) << num(s, "bytes_from_source") / 1000
        << std::setw(15) << num(s, "bytes_from_peers") / 1000 << std::setw(12)
        << num(s, "bytes_uploaded") / 1000 << "\n";
  }
}

void print_summary(const Json& r, std::ostream& out) {
  out << "\n"
      << r["peers"] << " peers, " << r["mode"].get<std::string>() << ", stream "
      << fixed(r["stream_kbps"], 0) << " kbit/s\n"
      << "  source copies      " << fixed(r["source_copies"], 2)
      << "   (source upload / one copy)\n"
      << "  offload            " << fixed(r["offload"], 3) << "  (1 - source upload / delivered)\n"
      << "  continuity         " << fixed(r["continuity"], 4) << "  (contributors "
      << fixed(r["continuity_contributors"], 4) << ", free riders "
      << fixed(r["continuity_free_riders"], 4) << ")\n";
  if (r.contains("hostile")) {
    out << "  honest viewers     continuity " << fixed(r["continuity_honest"], 4) << "\n";
    print_hostile_report(r["hostile"], out);
  }
  if (r.contains("continuity_survivors")) {
    out << "  churn              survivors " << fixed(r["continuity_survivors"], 4) << ", joiners "
        << fixed(r["continuity_joiners"], 4) << "\n";
  }
  out << "  startup ms p50/p95 " << r["startup_ms_p50"] << " / " << r["startup_ms_p95"] << "\n"
      << "  lag ms p50/p95     " << r["lag_ms_p50"] << " / " << r["lag_ms_p95"] << "\n"
      << "  control overhead   " << fixed(r["control_overhead"], 4) << "\n"
      << "  decoders           " << r["decoders"] << " of " << r["per_peer"].size()
      << " viewers  (the rest play out on time, undecoded)\n";
  if (r.contains("arrival_ms_p50")) {
    out << "  arrival ms p50/p95 " << r["arrival_ms_p50"] << " / " << r["arrival_ms_p95"]
        << "  (capture to arrival, every chunk stored)\n"
        << "  peer upload ratio  " << fixed(r["peer_upload_ratio"], 3)
        << "  (mean peer upload / stream over its watch)\n";
  }
}

}  // namespace

void print_swarm_report(const Json& r, std::ostream& out) {
  if (r["per_peer"].size() > kMaxRowsPrinted) {
    out << "\n(" << r["per_peer"].size()
        << " viewers: the table of each is in the JSON report, --json)\n";
  } else {
    print_per_peer(r, out);
  }
  print_summary(r, out);
}

}  // namespace shoal::experiment
