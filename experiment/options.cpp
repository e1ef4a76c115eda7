#include "experiment/options.h"

#include "peer/offence.h"

#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>
#include <utility>

#include "overlay/limits/upload_limit.h"

namespace shoal::experiment {

Result<std::monostate> validate(const ExperimentOptions& o, int max_peers) {
  for (const auto& [name, value] : {std::pair{"--duration", o.duration},
                                    {"--join-spread", o.join_spread},
                                    {"--warmup", o.warmup},
                                    {"--churn", o.churn},
                                    {"--churn-at", o.churn_at},
                                    {"--stream-kbps", o.stream_kbps}}) {
    if (!std::isfinite(value)) return Error{std::string(name) + " must be a number"};
  }
  if (o.peers < 1 || o.peers > max_peers) {
    return Error{"--peers must be 1.." + std::to_string(max_peers) + ", not " +
                 std::to_string(o.peers)};
  }
  if (o.duration <= 0 || o.duration > 86400) {
    return Error{"--duration must be more than 0 and at most 86400 s (a day)"};
  }
  if (o.free_riders < 0 || o.free_riders > o.peers) {
    return Error{"--free-riders must be 0..peers (" + std::to_string(o.peers) + ")"};
  }
  if (o.hostile < 0 || o.free_riders + o.hostile > o.peers) {
    return Error{"--hostile must be 0..peers - free riders (" +
                 std::to_string(o.peers - o.free_riders) + ")"};
  }
  if (!parse_offence(o.hostile_kind)) {
    return Error{"--hostile-kind must be forge, liar, slow, flood, garbage or sybil, not '" +
                 o.hostile_kind + "'"};
  }
  if (o.join_spread < 0 || o.warmup < 0) return Error{"--join-spread and --warmup must be >= 0"};
  if (o.mode != "p2p" && o.mode != "client-server") {
    return Error{"--mode must be p2p or client-server, not '" + o.mode + "'"};
  }
  if (const auto limits = upload_limits(o.peer_upload, o.peers); !limits) {
    return Error{"--peer-upload: " + limits.error()};
  }
  if (const auto limits = upload_limits(o.peer_download, o.peers); !limits) {
    return Error{"--peer-download: " + limits.error()};
  } else {
    for (const std::string& label : *limits) {
      const UploadLimit l = *parse_upload_limit(label);
      if (l.bytes_per_second == 0.0 || l.stream_multiple == 0.0)
        return Error{"--peer-download: a viewer that downloads nothing cannot watch"};
    }
  }
  const auto source_limit = parse_upload_limit(o.source_upload);
  if (!source_limit) return Error{"--source-upload: " + source_limit.error()};
  if (source_limit->bytes_per_second == 0.0) return Error{"--source-upload 0 would serve nobody"};
  if (const auto share = parse_repair_share(o.repair_share); !o.repair_share.empty() && !share) {
    return Error{"--repair-share: " + share.error()};
  }
  // As `shoal peer` and `shoal source` hold them.
  if (o.lag_ms < 100) return Error{"--lag-ms must be at least 100"};
  if (o.chunk_ms < 100 || o.chunk_ms > 10000) return Error{"--chunk-ms must be 100..10000"};
  if (o.decoders < 0) return Error{"--decoders must be >= 0"};
  if (o.churn < 0 || o.churn > 0.9) return Error{"--churn must be 0..0.9"};
  if (o.churn_at < 0 || o.churn_at >= o.duration) {
    return Error{"--churn-at must be >= 0 and come before the end of --duration"};
  }
  if (o.stream_kbps <= 0) return Error{"--stream-kbps must be positive"};
  if (const auto latency = parse_latency(o.latency_ms); !latency) {
    return Error{"--latency-ms: " + latency.error()};
  }
  return std::monostate{};
}

Result<std::vector<std::string>> upload_limits(const std::string& dist, int peers) {
  const size_t dash = dist.find('-');
  if (dash == std::string::npos) {
    if (auto limit = parse_upload_limit(dist); !limit) return Error{limit.error()};
    return std::vector<std::string>(peers, dist);
  }
  auto lo = parse_upload_limit(dist.substr(0, dash));
  auto hi = parse_upload_limit(dist.substr(dash + 1));
  if (!lo || !hi || !lo->stream_multiple || !hi->stream_multiple) {
    return Error{"bad range '" + dist + "' (a range is written like 0.5x-3x)"};
  }
  std::vector<std::string> out;
  for (int i = 0; i < peers; ++i) {
    const double f = peers == 1 ? 0.5 : static_cast<double>(i) / (peers - 1);
    std::ostringstream s;
    s << std::setprecision(3)
      << *lo->stream_multiple + f * (*hi->stream_multiple - *lo->stream_multiple) << "x";
    out.push_back(s.str());
  }
  return out;
}

Result<LatencyRange> parse_latency(const std::string& text) {
  const std::string_view all = text;
  const size_t dash = all.find('-', 1);  // not a leading one: that is a sign, refused
  const auto lo = parse_number(all.substr(0, dash));
  const auto hi = dash == std::string::npos ? lo : parse_number(all.substr(dash + 1));
  if (!lo || !hi) return Error{"'" + text + "' is not a latency (write 50 or 10-150, in ms)"};
  if (*lo < 0 || *hi > 10000 || *lo > *hi) {
    return Error{"'" + text + "': latencies must be 0..10000 ms, the smaller first"};
  }
  return LatencyRange{*lo, *hi};
}

}  // namespace shoal::experiment
