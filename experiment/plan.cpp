#include "experiment/plan.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "source/source_options.h"

namespace shoal::experiment {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Seconds as given, in whole milliseconds (rounded down).
milliseconds ms(double seconds) { return milliseconds(static_cast<int64_t>(seconds * 1000)); }

// Whether the i-th viewer to join decodes: `decoders` of the first `peers`,
// spread evenly over the join order (and so over early and late joiners).
bool decodes(size_t i, const ExperimentOptions& o) {
  if (o.decoders <= 0) return false;
  const auto step = static_cast<size_t>((o.peers + o.decoders - 1) / o.decoders);
  return i < static_cast<size_t>(o.peers) && i % step == 0;
}

ViewerPlan viewer(size_t index, const std::string& upload, const std::string& download,
                  const ExperimentOptions& o) {
  return ViewerPlan{.index = index,
                    .host = viewer_host(index),
                    .upload_label = upload,
                    .upload = *parse_upload_limit(upload),
                    .download = *parse_upload_limit(download),
                    .decodes = decodes(index, o)};
}

SourcePlan source(const ExperimentOptions& o) {
  SourcePlan s{.upload_label = o.source_upload, .upload = *parse_upload_limit(o.source_upload)};
  if (!o.repair_share.empty()) {
    s.repair_share_label = o.repair_share;
  } else if (o.mode == "client-server") {
    s.repair_share_label = "none";
  }
  s.repair_share = s.repair_share_label ? *parse_repair_share(*s.repair_share_label)
                                        : SourceOptions{}.repair_share;
  return s;
}

}  // namespace

std::string viewer_host(size_t index) {
  return "127.0." + std::to_string(1 + index / 250) + "." + std::to_string(1 + index % 250);
}

Plan make_plan(const ExperimentOptions& o) {
  Plan plan{.options = o,
            .client_server = o.mode == "client-server",
            .source = source(o),
            .latency = *parse_latency(o.latency_ms)};
  const auto peers = static_cast<size_t>(o.peers);

  // One fixed shuffle for every run and runner: its first `free_riders`
  // viewers free-ride, the next `hostile` misbehave, and its next draws
  // choose whom the churn kills.
  std::mt19937_64 rng(7);
  std::vector<size_t> order(peers);
  std::iota(order.begin(), order.end(), 0);
  std::ranges::shuffle(order, rng);
  std::vector<bool> free_rider(peers, false);
  for (int i = 0; i < o.free_riders; ++i) free_rider[order[i]] = true;
  std::vector<bool> hostile(peers, false);
  for (int i = o.free_riders; i < o.free_riders + o.hostile; ++i) hostile[order[i]] = true;

  const milliseconds warmup = ms(o.warmup), spread = ms(o.join_spread), duration = ms(o.duration);
  const microseconds gap = microseconds(spread) / o.peers;
  const std::vector<std::string> uploads = *upload_limits(o.peer_upload, o.peers);
  const std::vector<std::string> downloads = *upload_limits(o.peer_download, o.peers);
  for (size_t i = 0; i < peers; ++i) {
    ViewerPlan v = viewer(i, free_rider[i] ? "0" : uploads[i], downloads[i], o);
    v.free_rider = free_rider[i];
    if (hostile[i]) v.hostile = parse_offence(o.hostile_kind);
    v.join = warmup + gap * static_cast<int64_t>(i);
    v.watch = duration;
    plan.viewers.push_back(std::move(v));
  }
  if (o.churn == 0) return plan;

  // Honest contributors only: killing a free rider would take nothing from the swarm.
  const double churn_at = o.churn_at > 0 ? o.churn_at : o.duration / 2;
  plan.churn_at = warmup + spread + ms(churn_at);
  std::vector<size_t> contributors;
  for (const ViewerPlan& v : plan.viewers) {
    if (!v.free_rider && !v.hostile) contributors.push_back(v.index);
  }
  std::ranges::shuffle(contributors, rng);
  const size_t kills = std::min(static_cast<size_t>(o.churn * o.peers + 0.5), contributors.size());
  plan.viewers.reserve(peers + kills);
  for (size_t k = 0; k < kills; ++k) {
    ViewerPlan& killed = plan.viewers[contributors[k]];
    killed.killed = true;
    ViewerPlan joiner = viewer(peers + k, killed.upload_label, downloads[killed.index], o);
    joiner.replaces = killed.index;
    joiner.join = *plan.churn_at;
    joiner.watch = ms(o.duration - churn_at);
    plan.viewers.push_back(std::move(joiner));
  }
  return plan;
}

}  // namespace shoal::experiment
