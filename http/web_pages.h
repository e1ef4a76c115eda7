#pragma once
// The pages a browser gets: a viewer's player (`shoal peer --http`, `/`),
// which plays /live.m3u8 with the browser's own HLS or hls.js (served at
// /hls.min.js) and shows the viewer's stats live; and the broadcaster's
// status page (`shoal source --http`, `/`).

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
<style>body{font:16px sans-serif;margin:2em}td{padding:.2em 1em}</style>
<h1>Shoal broadcast</h1><table id="t"></table>
<script>
const rows = [["viewers","viewers"],["bytes_uploaded","uploaded (bytes)"],
  ["bytes_delivered","delivered (bytes)"],["offload","offload"],["chunks_published","chunks published"]];
async function tick() {
  try {
    const s = await (await fetch("/stats.json")).json();
    document.getElementById("t").innerHTML = rows.map(([k, name]) =>
      `<tr><td>${name}</td><td>${k == "offload" && s[k] != null ? (100 * s[k]).toFixed(1) + " %" : s[k]}</td></tr>`).join("");
  } catch (e) {}
  setTimeout(tick, 1000);
}
tick();
</script>
)page";

}  // namespace shoal
