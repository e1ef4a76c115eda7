#include "source/source_engine.h"

#include <algorithm>
#include <tuple>

#include "overlay/wire/push_messages.h"

namespace shoal {

namespace {
// A pushed chunk costs its holder about this many uploads: the copies it
// passes on before others can help.
constexpr double kExpectedFanout = 2;
}  // namespace

SourceEngine::SourceEngine(SourceConfig config)
    : config_(config),
      rng_(config.seed),
      store_(config.window_chunks),
      uploads_(config.request_max_age, config.upload_pipe),
      capacity_(config.upload) {}

Actions SourceEngine::on_connected(ConnId conn, const Endpoint& remote) {
  viewers_[conn] = Viewer{.address = {remote.host, 0}};
  return {SendAction{conn, Hello{kProtocolVersion, config_.channel, config_.self, 0}}};
}

void SourceEngine::on_disconnected(ConnId conn) {
  viewers_.erase(conn);
  for (auto& [seq, holders] : holders_) holders.erase(conn);
  uploads_.forget(conn);
}

Actions SourceEngine::on_message(ConnId from, const Message& msg, WallTime now) {
  const auto it = viewers_.find(from);
  if (it == viewers_.end()) return {};
  Viewer& v = it->second;
  if (const auto* hello = std::get_if<Hello>(&msg)) {
    if (hello->version != kProtocolVersion) {
      return {DisconnectAction{
          from, "protocol version " + std::to_string(hello->version) + " is not supported"}};
    }
    if (hello->channel != config_.channel) {
      return {DisconnectAction{from, "HELLO for another channel"}};
    }
    v.greeted = true;
    v.address.port = hello->listen_port;
    BufferMapMsg map = store_.to_message();
    map.stream_rate = stream_.measured_rate();
    if (const auto newest = store_.newest()) {
      map.newest_capture = newest->capture_time;
      map.newest_duration_ms = newest->duration_ms;
    }
    Actions out{SendAction{from, std::move(map)}};
    if (PexMsg pex = other_viewers(from); !pex.addrs.empty()) out.push_back(SendAction{from, pex});
    return out;
  }
  if (!v.greeted) return {DisconnectAction{from, std::string(message_name(msg)) + " before HELLO"}};
  if (const auto* request = std::get_if<RequestMsg>(&msg)) {
    const auto wait = request->wait();
    if (!store_.has(request->seq) || uplink_busy(wait) || turn_away(request->seq, now)) {
      return {SendAction{from, RejectMsg{request->seq}}};
    }
    ++copies_[request->seq];
    uploads_.push(from, request->seq, now, wait);
    return pump(now);
  }
  if (const auto* cancel = std::get_if<CancelMsg>(&msg)) {
    uploads_.cancel(from, cancel->seq);
  } else if (const auto* have = std::get_if<HaveMsg>(&msg)) {
    for (ChunkSeq s : have->seqs) {
      if (store_.has(s)) holders_[s].insert(from);
    }
  } else if (const auto* map = std::get_if<BufferMapMsg>(&msg)) {
    v.spare_upload = map->spare_upload;
    return push_backlog(now);
  } else if (const auto* bye = std::get_if<ByeMsg>(&msg)) {
    return {DisconnectAction{from, "viewer left: " + bye->reason}};
  }
  return {};
}

Actions SourceEngine::on_chunk_sent(ConnId to, WallTime now) {
  uploads_.sent(to);
  return pump(now);
}

Actions SourceEngine::pump(WallTime now) {
  Actions out;
  while (const auto r = uploads_.pop(now)) {
    if (auto chunk = store_.get(r->seq)) {
      repaired_.add(chunk->payload.size(), now);
      out.push_back(SendAction{r->from, ChunkMsg{std::move(chunk)}});
    } else {
      uploads_.sent(r->from);
    }
  }
  return out;
}

bool SourceEngine::uplink_busy(std::optional<std::chrono::milliseconds> wait) const {
  return uploads_.would_wait(std::min(config_.max_wait, wait.value_or(config_.max_wait)),
                             stream_.mean_chunk_bytes(), capacity_.value());
}

bool SourceEngine::over_repair_share(WallTime now) {
  const auto rate = stream_.rate();
  if (!config_.repair_share || !rate) return false;
  return repaired_.rate(now) >= *config_.repair_share * *rate;
}

bool SourceEngine::turn_away(ChunkSeq seq, WallTime now) {
  const auto it = copies_.find(seq);
  if (!over_repair_share(now) || it == copies_.end()) return false;
  const auto held = holders_.find(seq);
  const size_t holders = held == holders_.end() ? 0 : held->second.size();
  return it->second >= config_.seed_copies ||
         static_cast<double>(holders) >= config_.spread_share * static_cast<double>(viewers());
}

PexMsg SourceEngine::other_viewers(ConnId to) {
  PexMsg pex;
  for (const auto& [conn, v] : viewers_) {
    if (conn != to && v.greeted && v.address.port != 0) pex.addrs.push_back(v.address.to_string());
  }
  std::ranges::shuffle(pex.addrs, rng_);
  if (pex.addrs.size() > kPexAddresses) pex.addrs.resize(kPexAddresses);
  return pex;
}

// The viewers free soonest of their last push; among those free, the ones
// with the most spare upload once what they were pushed lately is accounted
// for (their reports are seconds old); random among equals, so pushes spread
// across the swarm and favour the faster uplinks.
std::vector<ConnId> SourceEngine::push_targets(WallTime now) {
  using Rank = std::tuple<WallTime, double, uint64_t>;
  std::vector<std::pair<Rank, ConnId>> ranked;
  for (auto& [conn, v] : viewers_) {
    if (!v.greeted || v.spare_upload == 0) continue;
    const double spare = static_cast<double>(v.spare_upload) - kExpectedFanout * v.pushed.rate(now);
    ranked.push_back({{std::max(v.push_busy_until, now), -spare, rng_()}, conn});
  }
  std::ranges::sort(ranked);
  std::vector<ConnId> targets;
  for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(config_.push_copies); ++i)
    targets.push_back(ranked[i].second);
  return targets;
}

void SourceEngine::push(ConnId to, const std::shared_ptr<const Chunk>& shared, WallTime now,
                        Actions& out) {
  const Chunk& chunk = *shared;
  Viewer& v = viewers_[to];
  const double busy_s =
      kExpectedFanout * static_cast<double>(chunk.payload.size()) / v.spare_upload;
  v.push_busy_until = now + std::chrono::milliseconds(static_cast<int64_t>(busy_s * 1000));
  v.pushed.add(chunk.payload.size(), now);
  ++copies_[chunk.seq];
  uploads_.pushed(to);
  for (Message& m : push_messages(shared)) out.push_back(SendAction{to, std::move(m)});
}

Actions SourceEngine::push_backlog(WallTime now) {
  Actions out;
  const auto newest = store_.newest();
  for (auto it = copies_.rbegin(); newest && it != copies_.rend(); ++it) {
    const auto chunk = store_.get(it->first);
    if (!chunk || newest->capture_time - chunk->capture_time > config_.backlog) break;
    if (it->second > 0) continue;
    const auto targets = push_targets(now);
    if (targets.empty() || viewers_[targets.front()].push_busy_until > now) break;
    push(targets.front(), chunk, now, out);
  }
  return out;
}

Actions SourceEngine::publish(std::shared_ptr<const Chunk> chunk, WallTime now) {
  HaveMsg have{{chunk->seq}, {}};
  if (chunk->random_access()) have.random_access.push_back(chunk->seq);
  if (!store_.add(chunk)) return {};
  stream_.add(*chunk);
  capacity_.follow(stream_.rate());
  copies_.erase(copies_.begin(), copies_.lower_bound(store_.window_base()));
  holders_.erase(holders_.begin(), holders_.lower_bound(store_.window_base()));
  Actions out;
  const auto targets = push_targets(now);
  copies_[chunk->seq] = 0;
  for (const auto& [conn, v] : viewers_) {
    if (v.greeted && std::ranges::find(targets, conn) == targets.end())
      out.push_back(SendAction{conn, have});
  }
  for (ConnId to : targets) push(to, chunk, now, out);
  for (Action& a : push_backlog(now)) out.push_back(std::move(a));
  // A viewer that left with chunks in the link freed room no event reported.
  for (Action& a : pump(now)) out.push_back(std::move(a));
  return out;
}

size_t SourceEngine::viewers() const {
  return std::ranges::count_if(viewers_, [](const auto& v) { return v.second.greeted; });
}

}  // namespace shoal
