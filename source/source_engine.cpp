#include "source/source_engine.h"

#include <algorithm>
#include <tuple>

#include "overlay/wire/push_messages.h"

namespace shoal {

SourceEngine::SourceEngine(SourceConfig config)
    : config_(config),
      rng_(config.seed),
      store_(config.window_chunks),
      uploads_(config.request_max_age, config.upload_pipe),
      capacity_(config.upload),
      tree_(config.self, true, {}, config.seed + 1) {
  tree_.set_slots(static_cast<size_t>(std::max(0, config.push_copies)));
  tree_changed_ = tree_.take_changed();
}

Actions SourceEngine::on_connected(ConnId conn, const Endpoint& remote) {
  viewers_[conn] = Viewer{.address = {remote.host, 0}, .seen_port = remote.port};
  return {SendAction{conn, Hello{kProtocolVersion, config_.channel, config_.self, 0, remote.host}}};
}

void SourceEngine::on_disconnected(ConnId conn) {
  if (const auto v = viewers_.find(conn); v != viewers_.end()) reported_.erase(v->second.id);
  viewers_.erase(conn);
  tree_.forget(conn, WallTime{});
  tree_changed_ = tree_.take_changed() || tree_changed_;
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
    v.id = hello->peer_id;
    tree_.assign_home(from);
    v.address.port = hello->listen_port;
    v.inside = hello->my_host;
    v.hard_nat = !v.inside.empty() && v.inside != v.address.host && v.seen_port != v.address.port;
    Actions out{SendAction{from, buffer_map()}, SendAction{from, tree_.state_for(from)}};
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
    uploads_.push(from, request->seq, now, wait, Priority::common, request->stripes);
    return pump(now);
  }
  if (const auto* punch = std::get_if<HolePunchMsg>(&msg)) return hole_punch(from, v, *punch, now);
  if (const auto* offender = std::get_if<OffenderMsg>(&msg)) return on_offender(v, *offender);
  if (const auto* query = std::get_if<TimeQueryMsg>(&msg)) {
    // Its clock is the channel's: capture times are stamped on it.
    const int64_t at = now.time_since_epoch().count();
    return {SendAction{from, TimeReplyMsg{query->sent, at, at, 0}}};
  }
  if (const auto* cancel = std::get_if<CancelMsg>(&msg)) {
    uploads_.cancel(from, cancel->seq);
  } else if (const auto* have = std::get_if<HaveMsg>(&msg)) {
    for (ChunkSeq s : have->seqs) {
      if (const auto chunk = store_.get(s); chunk && holders_[s].insert(from).second)
        delivered_ += chunk->payload.size();
    }
  } else if (const auto* tree = std::get_if<StripesMsg>(&msg)) {
    if (tree->depth.size() != kStripes || tree->takes.size() != kStripes) {
      return {DisconnectAction{from, "malformed STRIPES"}};
    }
    v.tree = *tree;
    StripeMask orphaned = 0;
    for (uint32_t s = 0; s < kStripes; ++s) {
      if (tree->depth[s] == kNoDepth) orphaned |= stripe_bit(s);
    }
    if (orphaned == 0) v.orphaned_since.reset();
    if (orphaned != 0 && !v.orphaned_since) v.orphaned_since = now;
    Actions out;
    rescue_stuck(now, out);
    if (orphaned == 0 || now - v.parents_sent < config_.parents_interval) return out;
    v.parents_sent = now;
    PexMsg pex = parents_for(from, orphaned);
    if (!pex.addrs.empty()) out.push_back(SendAction{from, std::move(pex)});
    return out;
  } else if (const auto* subscribe = std::get_if<SubscribeMsg>(&msg)) {
    SubscribeMsg asked = *subscribe;
    asked.stripes &= static_cast<StripeMask>(~barred_stripes(v, now));
    asked.heads = asked.heads && !v.barred;
    const StripeTree::Answer answer = tree_.subscribe(from, asked);
    Actions out{SendAction{from, tree_.state_for(from)}};
    for (const ConnId c : answer.displaced) out.push_back(SendAction{c, tree_.state_for(c)});
    tree_changed_ = tree_.take_changed() || tree_changed_;
    tell_stripes(now, out);
    return out;
  } else if (const auto* bye = std::get_if<ByeMsg>(&msg)) {
    return {DisconnectAction{from, "viewer left: " + bye->reason}};
  }
  return {};
}

Actions SourceEngine::hole_punch(ConnId from, Viewer& v, const HolePunchMsg& m, WallTime now) {
  if (now - v.punches_since >= std::chrono::seconds(10)) {
    v.punches_since = now;
    v.punches = 0;
  }
  if (m.addrs.empty() || v.address.port == 0 || ++v.punches > config_.punches_per_10s) return {};
  const auto to = Endpoint::parse(m.addrs[0]);
  if (!to) return {};
  for (const auto& [conn, other] : viewers_) {
    if (conn == from || !other.greeted || !(other.address == *to)) continue;
    return {SendAction{conn, addresses_of(v, other)}, SendAction{from, addresses_of(other, v)}};
  }
  return {};
}

HolePunchMsg SourceEngine::addresses_of(const Viewer& v, const Viewer& other) {
  HolePunchMsg m{{v.address.to_string()}};
  if (!v.inside.empty() && v.inside != v.address.host && v.address.host == other.address.host)
    m.addrs.push_back(Endpoint{v.inside, v.address.port}.to_string());
  return m;
}

Actions SourceEngine::on_chunk_sent(ConnId to, WallTime now) {
  uploads_.sent(to);
  return pump(now);
}

Actions SourceEngine::pump(WallTime now) {
  Actions out;
  while (const auto r = uploads_.pop(now)) {
    if (auto chunk = store_.get(r->seq)) {
      for (Message& m : push_messages(chunk, true, r->stripes)) {
        if (const auto* piece = std::get_if<PieceMsg>(&m)) repaired_.add(piece->data().size(), now);
        out.push_back(SendAction{r->from, std::move(m)});
      }
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

PexMsg SourceEngine::parents_for(ConnId to, StripeMask stripes) {
  constexpr size_t kPerStripe = 2;
  const uint32_t home = tree_.home_of(to);
  PexMsg pex{.parents = true};
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (!(stripes & stripe_bit(s))) continue;
    // The nearest to the source that would take `to`, random among equals.
    std::vector<std::tuple<uint8_t, uint64_t, ConnId>> best;
    for (const auto& [conn, v] : viewers_) {
      if (conn == to || !v.tree || v.address.port == 0 || v.barred) continue;
      const uint8_t depth = v.tree->depth[s];
      const uint8_t needs = v.tree->takes[s];
      const uint8_t my_rank = StripeTree::rank(v.tree->home, s, home, 1);
      if (depth == kNoDepth || needs > my_rank) continue;
      best.emplace_back(depth, rng_(), conn);
      if (best.size() > 4 * kPerStripe) {
        std::ranges::sort(best);
        best.resize(kPerStripe);
      }
    }
    std::ranges::sort(best);
    for (size_t i = 0; i < best.size() && i < kPerStripe; ++i)
      pex.addrs.push_back(viewers_.at(std::get<2>(best[i])).address.to_string());
  }
  return pex;
}

Actions SourceEngine::on_offender(const Viewer& from, const OffenderMsg& m) {
  if (from.barred) return {};
  const auto offender = std::ranges::find_if(
      viewers_, [&](const auto& e) { return e.second.greeted && e.second.id == m.peer_id; });
  if (offender == viewers_.end() || offender->second.barred) return {};
  std::set<PeerId>& by = reported_[m.peer_id];
  by.insert(from.id);
  if (by.size() < config_.reports_to_bar) return {};
  offender->second.barred = true;
  const ConnId conn = offender->first;
  tree_.drop_child(conn, kAllStripes, true);
  tree_changed_ = tree_.take_changed() || tree_changed_;
  return {SendAction{conn, tree_.state_for(conn)}};
}

StripeMask SourceEngine::barred_stripes(const Viewer& v, WallTime now) const {
  if (v.barred) return kAllStripes;
  StripeMask m = 0;
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (v.barren_until[s] > now) m |= stripe_bit(s);
  }
  return m;
}

void SourceEngine::prune_barren(WallTime now, Actions& out) {
  for (uint32_t s = 0; s < kStripes; ++s) {
    const std::vector<ConnId>& children = tree_.children(s);
    const bool orphans = std::ranges::any_of(viewers_, [&](const auto& e) {
      return e.second.tree && e.second.tree->depth[s] == kNoDepth &&
             std::ranges::find(children, e.first) == children.end();
    });
    for (auto& [conn, v] : viewers_) {
      if (std::ranges::find(children, conn) == children.end()) {
        v.child_since[s].reset();
        continue;
      }
      // Rescued, it holds no slot a viewer that passes the stripe on could
      // have, and nobody else can reach it.
      if (tree_.rescued(conn)) continue;
      if (!v.child_since[s]) v.child_since[s] = now;
      // One that says it takes no child there at all need not be waited for.
      const bool closed = v.tree && v.tree->takes[s] >= kTakesNobody;
      if (!orphans || (!closed && now - *v.child_since[s] < config_.barren_after)) continue;
      const uint64_t bits = StripeTree::filter_bits(v.id);
      const bool parent_of_any = std::ranges::any_of(viewers_, [&](const auto& e) {
        const auto& t = e.second.tree;
        return e.first != conn && t && t->ancestors.size() == kStripes &&
               (t->ancestors[s] & bits) == bits;
      });
      if (parent_of_any) continue;
      v.child_since[s].reset();
      v.barren_until[s] = now + config_.barren_for;
      tree_.drop_child(conn, stripe_bit(s));
      out.push_back(SendAction{conn, tree_.state_for(conn)});
    }
  }
  tree_changed_ = tree_.take_changed() || tree_changed_;
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

void SourceEngine::push(const std::shared_ptr<const Chunk>& chunk, Actions& out) {
  const std::vector<Message> messages = push_messages(chunk);
  const auto& head = std::get<ChunkHeadMsg>(messages.front());
  for (const ConnId to : tree_.head_children()) out.push_back(SendAction{to, head});
  for (size_t i = 1; i < messages.size(); ++i) {
    const auto& piece = std::get<PieceMsg>(messages[i]);
    for (const ConnId to : tree_.children(stripe_of(piece.index)))
      out.push_back(SendAction{to, piece});
  }
  if (tree_.child_count() > 0) ++copies_[chunk->seq];
}

void SourceEngine::tell_stripes(WallTime now, Actions& out) {
  if (!tree_changed_ || now - last_stripes_sent_ < config_.stripes_interval) return;
  tree_changed_ = false;
  last_stripes_sent_ = now;
  for (const auto& [conn, v] : viewers_) {
    if (v.greeted) out.push_back(SendAction{conn, tree_.state_for(conn)});
  }
}

BufferMapMsg SourceEngine::buffer_map() const {
  BufferMapMsg map = store_.to_message();
  map.stream_rate = stream_.measured_rate();
  if (const auto newest = store_.newest()) {
    map.newest_capture = newest->capture_time;
    map.newest_duration_ms = newest->duration_ms;
  }
  return map;
}

Actions SourceEngine::tick(WallTime now) {
  if (now - last_said_ < config_.keepalive_interval) return {};
  last_said_ = now;
  Actions out;
  for (const auto& [conn, v] : viewers_) {
    if (v.greeted) out.push_back(SendAction{conn, buffer_map()});
  }
  return out;
}

Actions SourceEngine::publish(std::shared_ptr<const Chunk> chunk, WallTime now) {
  last_said_ = now;
  HaveMsg have{{chunk->seq}, {}};
  if (chunk->random_access()) have.random_access.push_back(chunk->seq);
  if (!store_.add(chunk)) return {};
  stream_.add(*chunk);
  capacity_.follow(stream_.rate());
  copies_.erase(copies_.begin(), copies_.lower_bound(store_.window_base()));
  holders_.erase(holders_.begin(), holders_.lower_bound(store_.window_base()));
  Actions out;
  copies_[chunk->seq] = 0;
  for (const auto& [conn, v] : viewers_) {
    if (v.greeted) out.push_back(SendAction{conn, have});
  }
  push(chunk, out);
  prune_barren(now, out);
  rescue_stuck(now, out);
  tell_stripes(now, out);
  // A viewer that left with chunks in the link freed room no event reported.
  for (Action& a : pump(now)) out.push_back(std::move(a));
  return out;
}

void SourceEngine::rescue_stuck(WallTime now, Actions& out) {
  for (const auto& [conn, v] : viewers_) {
    if (tree_.rescued_count() >= config_.max_rescued) return;
    if (!v.hard_nat || !v.orphaned_since || now - *v.orphaned_since < config_.rescue_after ||
        tree_.rescued(conn))
      continue;
    // One per NAT: the others behind it reach that one inside.
    const bool nat_has_one = std::ranges::any_of(viewers_, [&](const auto& e) {
      return tree_.rescued(e.first) && e.second.address.host == v.address.host;
    });
    if (nat_has_one) continue;
    tree_.rescue(conn);
    out.push_back(SendAction{conn, tree_.state_for(conn)});
  }
}

size_t SourceEngine::viewers() const {
  return std::ranges::count_if(viewers_, [](const auto& v) { return v.second.greeted; });
}

}  // namespace shoal
