#pragma once
// Svg: an SVG 1.1 document written element by element, for the experiment
// figures (plot.h). No dependency: the elements are the few the figures
// draw, as text. Coordinates are user units (px), y downwards; colours are
// CSS colours ("#1f77b4").
//
// Every number is written with at most two decimals, and one that is not
// finite as 0, so no NaN or inf can reach the file; text is escaped.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shoal::experiment {

class Svg {
 public:
  enum class Anchor { start, middle, end };

  Svg(double width, double height);

  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            bool dashed = false);
  void rect(double x, double y, double w, double h, std::string_view fill);
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                double width = 1.5);
  void circle(double x, double y, double r, std::string_view fill);
  // `rotated`: read bottom to top, as a y axis's label.
  void text(double x, double y, std::string_view text, Anchor anchor = Anchor::start,
            double size = 12, bool bold = false, bool rotated = false);

  // The whole document.
  std::string str() const;

 private:
  double width_, height_;
  std::string body_;
};

// `v` as SVG writes it: at most two decimals, trailing zeros dropped; 0 if
// `v` is not finite.
std::string svg_number(double v);

// `text` with &, <, >, " and ' escaped.
std::string xml_escape(std::string_view text);

}  // namespace shoal::experiment
