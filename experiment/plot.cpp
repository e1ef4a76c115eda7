#include "experiment/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <string_view>

#include "experiment/chart.h"

namespace shoal::experiment {
namespace {

using Json = nlohmann::json;

constexpr double kWidth = 1000;
constexpr const char* kUpload = "#d95f02";
constexpr const char* kDelivered = "#1b6ca8";
constexpr const char* kStream = "#888";
constexpr const char* kP2p = "#1b6ca8";
constexpr const char* kClientServer = "#d95f02";

// `j`'s member `name`, or null: a report read back from a file may lack any.
const Json& member(const Json& j, const char* name) {
  static const Json kNull;
  return j.is_object() && j.contains(name) ? j[name] : kNull;
}

// The members of `j`'s array `name`; none if it has none.
const Json& items(const Json& j, const char* name) {
  static const Json kEmpty = Json::array();
  const Json& m = member(j, name);
  return m.is_array() ? m : kEmpty;
}

std::optional<double> number(const Json& j, const char* field) {
  if (!j.is_object() || !j.contains(field) || !j[field].is_number()) return std::nullopt;
  const double v = j[field].get<double>();
  return std::isfinite(v) ? std::optional(v) : std::nullopt;
}

std::string fixed(std::optional<double> v, int digits) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, *v);
  return buf;
}

// `title` in lines that fit the figure's width (15 px bold: up to 10 px a
// letter), cut at spaces where there are some.
std::vector<std::string> title_lines(std::string_view title) {
  constexpr size_t kLetters = 96;
  std::vector<std::string> lines;
  while (title.size() > kLetters) {
    const size_t space = title.rfind(' ', kLetters);
    const size_t cut = space == std::string_view::npos || space == 0 ? kLetters : space;
    lines.emplace_back(title.substr(0, cut));
    title.remove_prefix(cut == space ? cut + 1 : cut);
  }
  lines.emplace_back(title);
  return lines;
}

struct Figure {
  Svg svg;
  double top;  // where the panels begin
};

// A figure `panels` high below its title and a line of summary.
Figure figure(double panels, const std::string& title, const std::string& summary) {
  const std::vector<std::string> lines = title_lines(title);
  const double top = 44 + 20 * static_cast<double>(lines.size());
  Figure f{Svg(kWidth, top + panels + 10), top};
  for (size_t i = 0; i < lines.size(); ++i) {
    f.svg.text(16, 24 + 20 * static_cast<double>(i), lines[i], Svg::Anchor::start, 15, true);
  }
  f.svg.text(16, top - 18, summary, Svg::Anchor::start, 12);
  return f;
}

// The lowest a continuity axis starts at: 0, 0.9 or 0.99, whichever shows
// the lowest of `values` best.
double continuity_floor(const std::vector<double>& values) {
  const double lowest = values.empty() ? 1 : *std::ranges::min_element(values);
  return lowest < 0.9 ? 0 : lowest < 0.99 ? 0.9 : 0.99;
}

Axis continuity_axis(const std::vector<double>& values) {
  return round_axis("continuity", continuity_floor(values), 1);
}

// The share of `of` items at or below each value: a step up at each.
Chart::Points cdf(std::vector<double> values, size_t of) {
  std::ranges::sort(values);
  Chart::Points points;
  for (size_t i = 0; i < values.size(); ++i) {
    points.emplace_back(values[i], static_cast<double>(i) / static_cast<double>(of));
    points.emplace_back(values[i], static_cast<double>(i + 1) / static_cast<double>(of));
  }
  return points;
}

std::vector<double> of_viewers(const Json& report, const char* field) {
  std::vector<double> values;
  for (const Json& p : items(report, "per_peer")) {
    if (const auto v = number(member(p, "stats"), field)) values.push_back(*v);
  }
  return values;
}

// (a) The source's upload and what viewers received, per second.
void rates_panel(Svg& svg, Box box, const Json& report) {
  const Json& history = member(member(report, "source"), "history");
  const Json &end_s = items(history, "end_s"), &up = items(history, "bytes_uploaded"),
             &delivered = items(history, "bytes_delivered");
  const size_t n = std::min({end_s.size(), up.size(), delivered.size()});
  const std::optional<double> stream = number(report, "stream_kbps");
  double top = stream.value_or(0), last = 0;
  for (size_t i = 0; i < n; ++i) {
    top = std::max({top, up[i].get<double>() * 8 / 1000, delivered[i].get<double>() * 8 / 1000});
    last = std::max(last, end_s[i].get<double>());
  }
  // Megabits once kilobits would need six digits.
  const double unit = top >= 100'000 ? 1000 : 1;
  Chart chart(svg, box, "Source upload and delivered, per second",
              round_axis("seconds since the source started", 0, last),
              round_axis(unit == 1 ? "kbit/s" : "Mbit/s", 0, top / unit),
              {{"source upload", kUpload}, {"delivered", kDelivered}, {"one copy", kStream}});
  if (n == 0) return chart.note("no history in the source's stats");
  Chart::Points up_points, delivered_points;
  for (size_t i = 0; i < n; ++i) {
    const double t = end_s[i].get<double>();
    up_points.emplace_back(t, up[i].get<double>() * 8 / 1000 / unit);
    delivered_points.emplace_back(t, delivered[i].get<double>() * 8 / 1000 / unit);
  }
  if (stream) chart.level(*stream / unit, kStream);
  chart.line(delivered_points, kDelivered);
  chart.line(up_points, kUpload);
}

// The report's roles (per_peer[].role), as the legend names them.
struct Role {
  const char* name;
  const char* label;
  const char* colour;
};
constexpr Role kRoles[] = {{"contrib", "contributor", "#1b6ca8"},
                           {"free", "free rider", "#d62728"},
                           {"joiner", "joiner", "#2ca02c"},
                           {"killed", "killed", "#7f7f7f"}};
constexpr const char* kNoStats = "#bbb";

// Ticks for viewers 1..n: 1 and round multiples.
Axis viewer_axis(size_t n) {
  Axis axis = round_axis("viewer, in join order", 0, static_cast<double>(n));
  const double step =
      axis.ticks.size() > 1 ? std::max(1.0, axis.ticks[1].first - axis.ticks[0].first) : 1.0;
  axis.lo = 0.5;
  axis.hi = static_cast<double>(n) + 0.5;
  axis.ticks.clear();
  if (step > 1) axis.ticks.emplace_back(1, "1");
  for (double v = step; v <= static_cast<double>(n); v += step) {
    axis.ticks.emplace_back(v, fixed(v, 0));
  }
  return axis;
}

// (b) Each viewer's continuity.
void continuity_panel(Svg& svg, Box box, const Json& report) {
  const Json& peers = items(report, "per_peer");
  const std::vector<double> values = of_viewers(report, "continuity");
  std::set<std::string> roles;
  bool missing = false;
  for (const Json& p : peers) {
    roles.insert(p.value("role", ""));
    missing = missing || !number(member(p, "stats"), "continuity");
  }
  std::vector<Chart::Key> legend;
  for (const Role& r : kRoles) {
    if (roles.contains(r.name)) legend.push_back({r.label, r.colour});
  }
  if (missing) legend.push_back({"no stats", kNoStats});
  const Axis y = continuity_axis(values);
  Chart chart(svg, box, "Continuity per viewer", viewer_axis(peers.size()), y, legend);
  if (peers.empty()) return chart.note("no viewers");
  for (size_t i = 0; i < peers.size(); ++i) {
    const Json& p = peers[i];
    const double x = static_cast<double>(i + 1);
    const auto c = number(member(p, "stats"), "continuity");
    if (!c) {
      chart.dot(x, y.lo, kNoStats);
      continue;
    }
    const std::string role = p.value("role", "");
    const auto r = std::ranges::find_if(kRoles, [&](const Role& k) { return role == k.name; });
    chart.bar(x, 0.8, *c, r == std::end(kRoles) ? kNoStats : r->colour);
  }
}

// (c) Startup delay over the viewers.
void startup_panel(Svg& svg, Box box, const Json& report) {
  const std::vector<double> values = of_viewers(report, "startup_ms");
  const size_t viewers = items(report, "per_peer").size();
  const double last = values.empty() ? 0 : *std::ranges::max_element(values);
  const std::string key =
      std::to_string(values.size()) + " of " + std::to_string(viewers) + " viewers started";
  Chart chart(svg, box, "Startup delay (CDF)",
              round_axis("join to first chunk played, ms", 0, last),
              round_axis("share of viewers", 0, 1), {{key, kDelivered}});
  if (values.empty()) return chart.note("no viewer started");
  chart.line(cdf(values, viewers), kDelivered);
}

// (d) Lag over the viewers: each one's p50 and p95.
void lag_panel(Svg& svg, Box box, const Json& report) {
  const std::vector<double> p50 = of_viewers(report, "lag_ms_p50"),
                            p95 = of_viewers(report, "lag_ms_p95");
  std::vector<double> all = p50;
  all.insert(all.end(), p95.begin(), p95.end());
  const auto [lo, hi] =
      all.empty() ? std::pair(0.0, 0.0)
                  : std::pair(*std::ranges::min_element(all), *std::ranges::max_element(all));
  Chart chart(svg, box, "Lag, capture to play (CDF)", round_axis("lag, ms", lo, hi),
              round_axis("share of viewers", 0, 1),
              {{"each viewer's p50", kDelivered}, {"p95", kUpload}});
  if (all.empty()) return chart.note("no viewer played");
  // The p50s wider: where the two coincide, both show.
  chart.line(cdf(p50, p50.size()), kDelivered, 4);
  chart.line(cdf(p95, p95.size()), kUpload);
}

}  // namespace

std::string swarm_figure(const Json& report, const std::string& title) {
  const std::string summary = std::to_string(items(report, "per_peer").size()) + " viewers, " +
                              report.value("mode", "?") + ", stream " +
                              fixed(number(report, "stream_kbps"), 0) + " kbit/s.  Source copies " +
                              fixed(number(report, "source_copies"), 2) + ", offload " +
                              fixed(number(report, "offload"), 3) + ", continuity " +
                              fixed(number(report, "continuity"), 4) + ", startup p50/p95 " +
                              fixed(number(report, "startup_ms_p50"), 0) + " / " +
                              fixed(number(report, "startup_ms_p95"), 0) + " ms, lag p50/p95 " +
                              fixed(number(report, "lag_ms_p50"), 0) + " / " +
                              fixed(number(report, "lag_ms_p95"), 0) + " ms";
  constexpr double kPanelH = 330, kHalf = kWidth / 2;
  Figure f = figure(2 * kPanelH, title, summary);
  rates_panel(f.svg, {0, f.top, kHalf, kPanelH}, report);
  continuity_panel(f.svg, {kHalf, f.top, kHalf, kPanelH}, report);
  startup_panel(f.svg, {0, f.top + kPanelH, kHalf, kPanelH}, report);
  lag_panel(f.svg, {kHalf, f.top + kPanelH, kHalf, kPanelH}, report);
  return f.svg.str();
}

namespace {

struct SweepPoint {
  std::optional<double> p2p, client_server;
};

// One panel of the sweep: `field` of each run, a pair of bars per N.
void sweep_panel(Svg& svg, Box box, const char* title, const std::vector<int>& ns,
                 const std::vector<SweepPoint>& points, Axis y, int digits) {
  Axis x{.label = "viewers (N)", .lo = -0.5, .hi = static_cast<double>(ns.size()) - 0.5};
  for (size_t i = 0; i < ns.size(); ++i) {
    x.ticks.emplace_back(static_cast<double>(i), std::to_string(ns[i]));
  }
  const double floor = y.lo;
  y.hi += (y.hi - y.lo) * 0.08;  // room for the labels above the bars
  Chart chart(svg, box, title, std::move(x), std::move(y),
              {{"p2p", kP2p}, {"client-server", kClientServer}});
  if (ns.empty()) return chart.note("no runs");
  for (size_t i = 0; i < ns.size(); ++i) {
    const double at = static_cast<double>(i);
    for (const auto& [v, offset, colour] :
         {std::tuple{points[i].p2p, -0.2, kP2p}, {points[i].client_server, 0.2, kClientServer}}) {
      if (v) chart.bar(at + offset, 0.36, *v, colour);
      chart.label(at + offset, v.value_or(floor), fixed(v, digits));
    }
  }
}

}  // namespace

std::string sweep_figure(const std::vector<Json>& reports, const std::string& title) {
  std::vector<int> ns;
  for (const Json& r : reports) ns.push_back(r.value("peers", 0));
  std::ranges::sort(ns);
  ns.erase(std::unique(ns.begin(), ns.end()), ns.end());
  std::vector<SweepPoint> copies(ns.size()), continuity(ns.size());
  std::vector<double> all_copies{0}, all_continuity;
  for (const Json& r : reports) {
    const size_t i = std::ranges::find(ns, r.value("peers", 0)) - ns.begin();
    const bool p2p = r.value("mode", "") == "p2p";
    (p2p ? copies[i].p2p : copies[i].client_server) = number(r, "source_copies");
    (p2p ? continuity[i].p2p : continuity[i].client_server) = number(r, "continuity");
    if (const auto v = number(r, "source_copies")) all_copies.push_back(*v);
    if (const auto v = number(r, "continuity")) all_continuity.push_back(*v);
  }
  constexpr double kPanelH = 360, kHalf = kWidth / 2;
  Figure f =
      figure(kPanelH, title,
             "Each N run twice: p2p, and client-server (every viewer fetches from the source)");
  sweep_panel(f.svg, {0, f.top, kHalf, kPanelH}, "Source copies (source upload / one copy)", ns,
              copies, round_axis("source copies", 0, *std::ranges::max_element(all_copies)), 2);
  sweep_panel(f.svg, {kHalf, f.top, kHalf, kPanelH}, "Continuity (chunks on time / due)", ns,
              continuity, continuity_axis(all_continuity), 4);
  return f.svg.str();
}

}  // namespace shoal::experiment
