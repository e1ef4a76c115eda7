// The figures of --plot and --sweep, drawn from swarm reports made as the
// commands make them: each parses as XML (Boost.PropertyTree's parser), has
// its panels, series and legends, and says so where a figure is missing,
// with no NaN or inf anywhere in the document.
#include "experiment/plot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <map>
#include <sstream>

#include "experiment/report.h"

namespace shoal::experiment {
namespace {

using Json = nlohmann::json;
namespace pt = boost::property_tree;

// What a figure's SVG holds, as an XML parser reads it.
struct Parsed {
  bool ok = false;
  std::string error;
  std::string root;
  std::map<std::string, int> elements;  // how many of each, under the root
  std::vector<std::string> texts;       // every <text>'s content, unescaped
  bool has_text(const std::string& wanted) const {
    return std::ranges::find(texts, wanted) != texts.end();
  }
};

void walk(const pt::ptree& node, Parsed& out) {
  for (const auto& [name, child] : node) {
    if (name == "<xmlattr>" || name == "<xmlcomment>") continue;
    ++out.elements[name];
    if (name == "text") out.texts.push_back(child.get_value<std::string>());
    walk(child, out);
  }
}

Parsed parse(const std::string& svg) {
  Parsed out;
  std::istringstream in(svg);
  pt::ptree tree;
  try {
    pt::read_xml(in, tree);
  } catch (const pt::xml_parser_error& e) {
    out.error = e.what();
    return out;
  }
  out.ok = tree.size() == 1;
  out.root = tree.front().first;
  walk(tree.front().second, out);
  return out;
}

void expect_no_nan(const std::string& svg) {
  for (const char* bad : {"nan", "NaN", "inf"}) {
    EXPECT_EQ(svg.find(bad), std::string::npos) << bad << " in\n" << svg;
  }
}

// A viewer's stats with the fields the figure reads; null where not given.
Json viewer(Json startup_ms, int due, int on_time, Json lag_p50, Json lag_p95) {
  return {{"startup_ms", startup_ms},
          {"chunks_due", due},
          {"chunks_on_time", on_time},
          {"continuity", due > 0 ? Json(static_cast<double>(on_time) / due) : Json(nullptr)},
          {"lag_ms_p50", lag_p50},
          {"lag_ms_p95", lag_p95}};
}

// Three seconds of the source's history: 2 viewers, 160 kB/s delivered.
const Json kHistory = {{"end_s", {1, 2, 3}},
                       {"viewers", {0, 2, 2}},
                       {"bytes_uploaded", {0, 200000, 160000}},
                       {"bytes_delivered", {0, 320000, 320000}}};

Json source(Json history) {
  return {{"bytes_uploaded", 360000},
          {"copy_bytes", 480000},
          {"media_ms_published", 3000},
          {"history", std::move(history)}};
}

// A contributor, a free rider that never started, and a viewer that left no stats.
Json three_viewers(const std::string& mode = "p2p") {
  ReportInput in{.peers = 3, .mode = mode, .duration_s = 3, .source = source(kHistory)};
  in.viewers = {{.upload = "1.5x", .stats = viewer(900, 6, 6, 3000, 3100)},
                {.upload = "0", .free_rider = true, .stats = viewer(nullptr, 6, 3, 3000, 3400)},
                {.upload = "1.5x"}};
  return swarm_report(in);
}

TEST(SwarmFigure, IsAnSvgWithFourPanelsAndTheRunInItsTitle) {
  const std::string svg = swarm_figure(three_viewers(), "shoal swarm --peers 3 --plot r.svg");
  const Parsed p = parse(svg);
  ASSERT_TRUE(p.ok) << p.error << "\n" << svg;
  EXPECT_EQ(p.root, "svg");
  EXPECT_TRUE(p.has_text("shoal swarm --peers 3 --plot r.svg"));
  for (const char* panel : {"Source upload and delivered, per second", "Continuity per viewer",
                            "Startup delay (CDF)", "Lag, capture to play (CDF)"}) {
    EXPECT_TRUE(p.has_text(panel)) << panel;
  }
  expect_no_nan(svg);
}

TEST(SwarmFigure, DrawsEverySeriesWithItsLegend) {
  const Parsed p = parse(swarm_figure(three_viewers(), "t"));
  ASSERT_TRUE(p.ok) << p.error;
  // Upload and delivered, the startup CDF, the lag p50s and p95s.
  EXPECT_EQ(p.elements.at("polyline"), 5);
  for (const char* key : {"source upload", "delivered", "one copy", "contributor", "free rider",
                          "no stats", "1 of 3 viewers started", "each viewer's p50", "p95"}) {
    EXPECT_TRUE(p.has_text(key)) << key;
  }
  // The free rider played half: the continuity axis starts at 0.
  EXPECT_TRUE(p.has_text("0.0"));
  EXPECT_TRUE(p.has_text("1.0"));
}

TEST(SwarmFigure, ShowsRatesInKilobitsPerSecond) {
  // 320 000 bytes in a second: 2 560 kbit/s, on an axis up to 3 000.
  const Parsed p = parse(swarm_figure(three_viewers(), "t"));
  EXPECT_TRUE(p.has_text("kbit/s"));
  EXPECT_TRUE(p.has_text("3000"));
}

TEST(SwarmFigure, ANoteInEachPanelWithoutData) {
  ReportInput in{.peers = 0, .mode = "p2p", .duration_s = 0, .source = Json::object()};
  const std::string svg = swarm_figure(swarm_report(in), "empty");
  const Parsed p = parse(svg);
  ASSERT_TRUE(p.ok) << p.error << "\n" << svg;
  for (const char* note : {"no history in the source's stats", "no viewers", "no viewer started",
                           "no viewer played"}) {
    EXPECT_TRUE(p.has_text(note)) << note;
  }
  EXPECT_EQ(p.elements.count("polyline"), 0u);
  expect_no_nan(svg);
}

TEST(SwarmFigure, ViewersWithoutStatsOrStartupLeaveNoNaN) {
  ReportInput in{.peers = 2, .mode = "p2p", .duration_s = 3, .source = source(Json::object())};
  in.viewers = {{.upload = "1.5x", .stats = viewer(nullptr, 0, 0, nullptr, nullptr)},
                {.upload = "1.5x", .stats = nullptr}};
  const std::string svg = swarm_figure(swarm_report(in), "t");
  ASSERT_TRUE(parse(svg).ok);
  EXPECT_TRUE(parse(svg).has_text("0 of 2 viewers started"));
  expect_no_nan(svg);
}

TEST(SwarmFigure, EscapesTheTitle) {
  const std::string title = "shoal simulate --input 'a&b' <x> \"y\"";
  const Parsed p = parse(swarm_figure(three_viewers(), title));
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.has_text(title));
}

std::vector<Json> sweep_of(const std::vector<int>& ns) {
  std::vector<Json> reports;
  for (int n : ns) {
    for (const char* mode : {"p2p", "client-server"}) {
      Json r = three_viewers(mode);
      r["peers"] = n;
      r["source_copies"] = std::string(mode) == "p2p" ? 1.06 : n * 0.95;
      reports.push_back(r);
    }
  }
  return reports;
}

TEST(SweepFigure, TwoPanelsWithAPairOfBarsPerN) {
  const std::string svg = sweep_figure(sweep_of({30, 10}), "shoal simulate --sweep 30,10");
  const Parsed p = parse(svg);
  ASSERT_TRUE(p.ok) << p.error << "\n" << svg;
  EXPECT_EQ(p.root, "svg");
  EXPECT_TRUE(p.has_text("Source copies (source upload / one copy)"));
  EXPECT_TRUE(p.has_text("Continuity (chunks on time / due)"));
  for (const char* text : {"p2p", "client-server", "10", "30", "1.06", "9.50", "28.50", "0.7500"}) {
    EXPECT_TRUE(p.has_text(text)) << text;
  }
  // N in order along x: 10's tick comes first.
  const auto at = [&](const std::string& t) { return std::ranges::find(p.texts, t); };
  EXPECT_LT(at("10"), at("30"));
  expect_no_nan(svg);
}

TEST(SweepFigure, AMissingFigureIsADashAndNoRunsANote) {
  std::vector<Json> reports = sweep_of({10});
  reports[1]["continuity"] = nullptr;
  const std::string svg = sweep_figure(reports, "t");
  ASSERT_TRUE(parse(svg).ok);
  EXPECT_TRUE(parse(svg).has_text("-"));
  expect_no_nan(svg);

  const std::string empty = sweep_figure({}, "t");
  ASSERT_TRUE(parse(empty).ok);
  EXPECT_TRUE(parse(empty).has_text("no runs"));
  expect_no_nan(empty);
}

}  // namespace
}  // namespace shoal::experiment
