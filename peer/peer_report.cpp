#include "peer/peer_report.h"

#include <algorithm>
#include <cmath>

namespace shoal {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Runs of consecutive sequence numbers as [first, last] pairs.
nlohmann::json ranges(const std::vector<ChunkSeq>& seqs) {
  auto out = nlohmann::json::array();
  for (size_t i = 0; i < seqs.size();) {
    size_t j = i;
    while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j].next()) ++j;
    out.push_back({seqs[i].value, seqs[j].value});
    i = j + 1;
  }
  return out;
}

std::optional<int64_t> ms(const std::optional<std::chrono::milliseconds>& d) {
  if (!d) return std::nullopt;
  return d->count();
}

int64_t ms_of(WallTime t) { return t.time_since_epoch().count(); }

nlohmann::json offenders_json(const std::vector<OffenderDropped>& offenders) {
  auto out = nlohmann::json::array();
  for (const OffenderDropped& o : offenders) {
    out.push_back({{"peer_id", o.id.value},
                   {"offence", offence_name(o.offence)},
                   {"at_ms", ms_of(o.at)},
                   {"first_sign_ms", o.first_sign ? nlohmann::json(ms_of(*o.first_sign))
                                                  : nlohmann::json(nullptr)}});
  }
  return out;
}

nlohmann::json offended_json(const std::vector<Hostility::Offended>& offended) {
  auto out = nlohmann::json::array();
  for (const Hostility::Offended& o : offended)
    out.push_back({{"peer_id", o.peer.value}, {"at_ms", ms_of(o.at)}});
  return out;
}

}  // namespace

PeerReport PeerReport::from(const PlaybackStats& playback, const PeerTraffic& traffic) {
  PeerReport r;
  r.chunks_due = playback.chunks_due;
  r.chunks_on_time = playback.chunks_on_time;
  r.chunks_rejected = playback.chunks_rejected;
  r.lag_ms = playback.lag_ms;
  r.arrival_ms = playback.arrival_ms;
  r.played = playback.played;
  r.offenders = playback.offenders;
  r.traffic = traffic;
  return r;
}

std::optional<double> PeerReport::continuity() const {
  if (chunks_due == 0) return std::nullopt;
  return static_cast<double>(chunks_on_time) / static_cast<double>(chunks_due);
}

std::optional<int64_t> percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return std::nullopt;
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
  const size_t k = std::clamp<size_t>(rank, 1, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

nlohmann::json PeerReport::to_json() const {
  return {{"startup_ms", or_null(startup_ms)},
          {"frames_decoded", frames_decoded},
          {"chunks_due", chunks_due},
          {"chunks_on_time", chunks_on_time},
          {"continuity", or_null(continuity())},
          {"chunks_rejected", chunks_rejected},
          {"bytes_from_source", traffic.from_source},
          {"bytes_from_peers", traffic.from_peers()},
          {"bytes_uploaded", traffic.total.chunk_out},
          {"control_bytes_in", traffic.total.control_in},
          {"control_bytes_out", traffic.total.control_out},
          {"lag_ms_p50", or_null(percentile(lag_ms, 50))},
          {"lag_ms_p95", or_null(percentile(lag_ms, 95))},
          {"arrival_ms_p50", or_null(percentile(arrival_ms, 50))},
          {"arrival_ms_p95", or_null(percentile(arrival_ms, 95))},
          {"listen", or_null(listen)},
          {"connections_refused", connections_refused},
          {"clock_offset_ms", or_null(ms(clock_offset_ms))},
          {"clock_error_ms", or_null(ms(clock_error_ms))},
          {"peers_dialled", peers_dialled},
          {"peer_dials_failed", peer_dials_failed},
          {"peer_id", peer_id.value},
          {"left_ms", or_null(left_ms)},
          {"offenders", offenders_json(offenders)},
          {"hostile", hostile ? nlohmann::json(offence_name(*hostile)) : nlohmann::json(nullptr)},
          {"offended", offended_json(offended)},
          {"played_seqs", ranges(played)}};
}

}  // namespace shoal
