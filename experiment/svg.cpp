#include "experiment/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shoal::experiment {

std::string svg_number(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string attr(const char* name, double v) {
  return std::string(" ") + name + "=\"" + svg_number(v) + "\"";
}

std::string attr(const char* name, std::string_view v) {
  return std::string(" ") + name + "=\"" + xml_escape(v) + "\"";
}

}  // namespace

Svg::Svg(double width, double height) : width_(width), height_(height) {}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view stroke, double width,
               bool dashed) {
  body_ += "<line" + attr("x1", x1) + attr("y1", y1) + attr("x2", x2) + attr("y2", y2) +
           attr("stroke", stroke) + attr("stroke-width", width) +
           (dashed ? " stroke-dasharray=\"5 4\"" : "") + "/>\n";
}

void Svg::rect(double x, double y, double w, double h, std::string_view fill) {
  body_ += "<rect" + attr("x", x) + attr("y", y) + attr("width", std::max(w, 0.0)) +
           attr("height", std::max(h, 0.0)) + attr("fill", fill) + "/>\n";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                   double width) {
  std::string coords;
  for (const auto& [x, y] : points) {
    if (!coords.empty()) coords += ' ';
    coords += svg_number(x) + "," + svg_number(y);
  }
  body_ += "<polyline fill=\"none\"" + attr("stroke", stroke) + attr("stroke-width", width) +
           " stroke-linejoin=\"round\"" + attr("points", coords) + "/>\n";
}

void Svg::circle(double x, double y, double r, std::string_view fill) {
  body_ += "<circle" + attr("cx", x) + attr("cy", y) + attr("r", r) + attr("fill", fill) + "/>\n";
}

void Svg::text(double x, double y, std::string_view text, Anchor anchor, double size, bool bold,
               bool rotated) {
  static constexpr const char* kAnchors[] = {"start", "middle", "end"};
  body_ +=
      "<text" + attr("x", x) + attr("y", y) + attr("font-size", size) +
      attr("text-anchor", kAnchors[static_cast<int>(anchor)]) +
      (bold ? " font-weight=\"bold\"" : "") +
      (rotated ? " transform=\"rotate(-90 " + svg_number(x) + " " + svg_number(y) + ")\"" : "") +
      ">" + xml_escape(text) + "</text>\n";
}

std::string Svg::str() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"" +
         attr("width", width_) + attr("height", height_) + " viewBox=\"0 0 " + svg_number(width_) +
         " " + svg_number(height_) +
         "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
         body_ + "</svg>\n";
}

}  // namespace shoal::experiment
