# Draws a soak's samples (scripts/soak.sh's samples.txt) as an SVG: each
# long-lived process's RSS against the minute, as a change from its RSS at
# minute `settle`, with the 10 % bound dashed.
# Usage: awk -v settle=5 -f scripts/soak_plot.awk samples.txt > soak.svg
NR == 1 {
  n = (NF - 1) / 2
  for (i = 0; i < n; i++) { name[i] = $(2 + 2 * i); sub(/_mb$/, "", name[i]) }
  next
}
{
  m = $1; minutes[++rows] = m
  for (i = 0; i < n; i++) {
    rss = $(2 + 2 * i)
    if (m >= settle && !(i in base) && rss > 0) base[i] = rss
    value[rows, i] = rss
  }
}
END {
  W = 720; H = 400; L = 60; R = 150; T = 40; B = 50
  last = minutes[rows]; lo = -5; hi = 15
  for (r = 1; r <= rows; r++) for (i = 0; i < n; i++)
    if (minutes[r] >= settle && (i in base)) {
      p = 100 * (value[r, i] - base[i]) / base[i]
      if (p > hi) hi = p; if (p < lo) lo = p
    }
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
  printf "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H
  printf "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">RSS change from minute %d (%%), one broadcast with churn</text>\n", L, settle
  x0 = L; x1 = W - R; y0 = H - B; y1 = T
  printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", x0, y1, x1 - x0, y0 - y1
  for (t = int(lo / 5) * 5; t <= hi; t += 5) {
    y = y0 - (t - lo) / (hi - lo) * (y0 - y1)
    printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n", x0, y, x1, y
    printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%+d</text>\n", x0 - 6, y + 4, t
  }
  step = last > 30 ? 10 : 5
  for (t = 0; t <= last; t += step) {
    x = x0 + t / last * (x1 - x0)
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x, y0 + 18, t
  }
  printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">minute</text>\n", (x0 + x1) / 2, H - 10
  yb = y0 - (10 - lo) / (hi - lo) * (y0 - y1)
  printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/>\n", x0, yb, x1, yb
  printf "<text x=\"%d\" y=\"%.1f\" fill=\"#c00\">+10 %% bound</text>\n", x0 + 6, yb - 5
  split("#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f", colour, " ")
  for (i = 0; i < n; i++) {
    if (!(i in base)) continue
    pts = ""
    for (r = 1; r <= rows; r++) {
      if (minutes[r] < settle) continue
      x = x0 + minutes[r] / last * (x1 - x0)
      y = y0 - (100 * (value[r, i] - base[i]) / base[i] - lo) / (hi - lo) * (y0 - y1)
      pts = pts sprintf("%.1f,%.1f ", x, y)
    }
    printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", pts, colour[i % 8 + 1]
    printf "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s (%.1f MB)</text>\n", x1 + 6, T + 36 + 16 * i, colour[i % 8 + 1], name[i], base[i]
  }
  print "</svg>"
}
