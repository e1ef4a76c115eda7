// The SVG writer's numbers and text, and the charts' round axes.
#include "experiment/svg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "experiment/chart.h"

namespace shoal::experiment {
namespace {

TEST(SvgNumber, TwoDecimalsAtMostAndNeverNaN) {
  EXPECT_EQ(svg_number(12), "12");
  EXPECT_EQ(svg_number(0.5), "0.5");
  EXPECT_EQ(svg_number(1.005), "1");  // 1.00499... in binary
  EXPECT_EQ(svg_number(-3.14159), "-3.14");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(std::nan("")), "0");
  EXPECT_EQ(svg_number(std::numeric_limits<double>::infinity()), "0");
}

TEST(XmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
}

TEST(Svg, ADocumentWithItsSizeAndElements) {
  Svg svg(100, 50);
  svg.line(0, 0, 10, 10, "#000");
  svg.text(5, 5, "x<y", Svg::Anchor::middle);
  const std::string s = svg.str();
  EXPECT_NE(s.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(s.find("width=\"100\" height=\"50\""), std::string::npos);
  EXPECT_NE(s.find("<line x1=\"0\" y1=\"0\" x2=\"10\" y2=\"10\""), std::string::npos);
  EXPECT_NE(s.find(">x&lt;y</text>"), std::string::npos);
  EXPECT_EQ(s.substr(s.size() - 7), "</svg>\n");
}

std::vector<std::string> labels(const Axis& a) {
  std::vector<std::string> out;
  for (const auto& [v, text] : a.ticks) out.push_back(text);
  return out;
}

TEST(RoundAxis, WidensToRoundTicks) {
  const Axis a = round_axis("kbit/s", 0, 9);
  EXPECT_EQ(a.label, "kbit/s");
  EXPECT_EQ(a.lo, 0);
  EXPECT_EQ(a.hi, 10);
  EXPECT_EQ(labels(a), (std::vector<std::string>{"0", "2", "4", "6", "8", "10"}));
  EXPECT_EQ(labels(round_axis("", 2900, 3150)),
            (std::vector<std::string>{"2900", "2950", "3000", "3050", "3100", "3150"}));
  EXPECT_EQ(labels(round_axis("", 0.9, 1)),
            (std::vector<std::string>{"0.90", "0.92", "0.94", "0.96", "0.98", "1.00"}));
  EXPECT_EQ(labels(round_axis("", 0, 1)),
            (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
}

TEST(RoundAxis, AnEmptyOrBrokenRangeStillHasTicks) {
  EXPECT_EQ(labels(round_axis("", 0, 0)).front(), "0.0");
  EXPECT_EQ(labels(round_axis("", 0, 0)).back(), "1.0");
  const Axis lag = round_axis("", 3000, 3000);
  EXPECT_LT(lag.lo, 3000);
  EXPECT_GT(lag.hi, 3000);
  const std::vector<std::string> lag_labels = labels(lag);
  EXPECT_NE(std::ranges::find(lag_labels, "3000"), lag_labels.end());
  const Axis broken = round_axis("", std::nan(""), 1);
  EXPECT_EQ(broken.lo, 0);
  EXPECT_EQ(broken.hi, 1);
}

}  // namespace
}  // namespace shoal::experiment
