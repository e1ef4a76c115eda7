#pragma once
// The pages a browser gets: a viewer's player (`shoal peer --http`, `/`),
// which plays /live.m3u8 with the browser's own HLS or hls.js (served at
// /hls.min.js) and shows the viewer's stats live; and the broadcaster's
// status page (`shoal source --http`, `/`), which shows the source's stats
// and charts the last ten minutes of its history (viewers; upload against
// delivered, kbit/s), all from /stats.json, polled every second.

#include <string_view>

namespace shoal {

inline constexpr std::string_view kViewerPage = R"page(<!doctype html>
<meta charset="utf-8"><title>Shoal</title>
<style>
body{font:15px sans-serif;margin:1.5em;background:#111;color:#eee}
video{width:100%;max-width:960px;background:#000}
td{padding:.15em 1em}
</style>
<video id="video" controls muted autoplay playsinline></video>
<table id="stats"></table>
<script src="/hls.min.js"></script>
<script>
const video = document.getElementById("video");
// hls.js first: some browsers claim HLS of their own that does not parse MPEG-TS.
if (window.Hls && Hls.isSupported()) {
  const hls = new Hls({liveSyncDurationCount: 2});
  hls.loadSource("/live.m3u8");
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
} else if (video.canPlayType("application/vnd.apple.mpegurl")) {
  video.src = "/live.m3u8";
} else {
  document.body.insertAdjacentHTML("afterbegin", "<p>This browser plays no HLS: open /stream.ts in VLC or mpv.</p>");
}
const shown = [["continuity", "continuity"], ["lag_ms_p50", "lag (ms)"], ["startup_ms", "startup (ms)"],
  ["bytes_from_source", "from the source (bytes)"], ["bytes_from_peers", "from peers (bytes)"],
  ["bytes_uploaded", "uploaded (bytes)"], ["clock_offset_ms", "clock offset (ms)"]];
async function refresh() {
  try {
    const s = await (await fetch("/stats.json")).json();
    document.getElementById("stats").innerHTML =
      shown.map(([k, name]) => `<tr><td>${name}</td><td>${s[k] ?? "-"}</td></tr>`).join("");
  } catch (e) {}
  setTimeout(refresh, 1000);
}
refresh();
</script>
)page";

inline constexpr std::string_view kSourcePage = R"page(<!doctype html>
<meta charset="utf-8"><title>shoal source</title>
<style>body{font:16px sans-serif;margin:2em}td{padding:.2em 1em}svg{display:block;margin:1em 0}</style>
<h1>Shoal broadcast</h1><table id="t"></table><div id="charts"></div>
<script>
const rows = [["viewers","viewers"],["bytes_uploaded","uploaded (bytes)"],
  ["bytes_delivered","delivered (bytes)"],["offload","offload"],["chunks_published","chunks published"]];
// A line chart of the last ten minutes of the source's history (one point a second).
function chart(title, unit, end_s, series) {
  const W = 640, H = 170, L = 60, T = 24, B = 22, n = end_s.length;
  const top = Math.max(1, ...series.flatMap(s => s.values));
  const x = i => L + (n < 2 ? 0 : (end_s[i] - end_s[0]) / (end_s[n - 1] - end_s[0]) * (W - L - 10));
  const y = v => H - B - v / top * (H - T - B);
  const lines = series.map(s => `<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${
    s.values.map((v, i) => x(i).toFixed(1) + "," + y(v).toFixed(1)).join(" ")}"/>`).join("");
  const keys = series.map((s, i) => `<text x="${W - 10 - 150 * i}" y="14" fill="${s.colour}" text-anchor="end">${s.name}</text>`).join("");
  return `<svg width="${W}" height="${H}" font-size="12"><text x="${L}" y="14" font-weight="bold">${title}</text>${keys}
<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#333"/>
<text x="${L - 4}" y="${T + 4}" text-anchor="end">${+top.toFixed(1)}</text><text x="${L - 4}" y="${H - B}" text-anchor="end">0 ${unit}</text>
<text x="${L}" y="${H - 6}">${n ? end_s[0] : 0} s</text><text x="${W - 10}" y="${H - 6}" text-anchor="end">${n ? end_s[n - 1] : 0} s</text>${lines}</svg>`;
}
async function tick() {
  try {
    const s = await (await fetch("/stats.json")).json();
    document.getElementById("t").innerHTML = rows.map(([k, name]) =>
      `<tr><td>${name}</td><td>${k == "offload" && s[k] != null ? (100 * s[k]).toFixed(1) + " %" : s[k]}</td></tr>`).join("");
    const h = s.history, from = Math.max(0, h.end_s.length - 600), last = a => a.slice(from);
    const kbps = a => last(a).map(b => b * 8 / 1000);
    document.getElementById("charts").innerHTML =
      chart("Viewers", "", last(h.end_s), [{name: "viewers", colour: "#1b6ca8", values: last(h.viewers)}]) +
      chart("Source upload and delivered", "kbit/s", last(h.end_s),
        [{name: "delivered", colour: "#1b6ca8", values: kbps(h.bytes_delivered)},
         {name: "source upload", colour: "#d95f02", values: kbps(h.bytes_uploaded)}]);
  } catch (e) {}
  setTimeout(tick, 1000);
}
tick();
</script>
)page";

}  // namespace shoal
