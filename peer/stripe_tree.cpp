#include "peer/stripe_tree.h"

#include <algorithm>
#include <tuple>

namespace shoal {

// Two bits of 64.
uint64_t StripeTree::filter_bits(PeerId id) {
  const uint64_t h = id.value * 0x9E3779B97F4A7C15ull;
  return (1ull << (h >> 58)) | (1ull << ((h >> 52) & 63));
}

StripeTree::StripeTree(PeerId self, bool root, StripeTreeConfig config, uint64_t seed)
    : home_(root ? kStripes : kHomeUndecided), config_(config), rng_(seed), me_(filter_bits(self)) {
}

uint8_t StripeTree::depth_of(ConnId conn, uint32_t stripe) const {
  const auto it = heard_.find(conn);
  if (it == heard_.end()) return kNoDepth;
  const uint8_t d = it->second.m.depth[stripe];
  return d >= config_.max_depth ? kNoDepth : d;
}

WallTime::duration StripeTree::jittered(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<WallTime::duration>(
      d * std::uniform_real_distribution<double>(0.5, 1.5)(rng_));
}

uint8_t StripeTree::depth(uint32_t stripe) const {
  if (root()) return 0;
  if (!parents_[stripe]) return kNoDepth;
  const auto heard = heard_.find(*parents_[stripe]);
  if (heard == heard_.end()) return kNoDepth;
  const StripesMsg& said = heard->second.m;
  // Its parent, since it took it, counts it among its own ancestors: a
  // loop, made of moves decided on stale word, that nothing comes down.
  // Said at once, so that every node of the loop moves.
  if (const auto asked = asked_.find(*parents_[stripe]);
      asked != asked_.end() && said.answer == asked->second.ask && below_me(said, stripe))
    return kNoDepth;
  const uint8_t d = said.depth[stripe];
  return d >= config_.max_depth ? kNoDepth : static_cast<uint8_t>(d + 1);
}

bool StripeTree::below_me(const StripesMsg& m, uint32_t stripe) const {
  // Nobody lies below a node without children: were its bits taken as
  // proof, a leaf whose two bits happen to be in a node's filter near the
  // root would shun that node's whole subtree.
  return !children_[stripe].empty() && (m.ancestors[stripe] & me_) == me_;
}

uint8_t StripeTree::rank(uint32_t parent_home, uint32_t stripe, uint32_t child_home,
                         size_t child_slots) {
  if (parent_home != stripe && parent_home != kStripes) return 0;
  const bool uploads = child_slots > 0;
  return static_cast<uint8_t>(1 + (child_home == stripe && uploads ? 2 : 0) + (uploads ? 1 : 0));
}

uint32_t StripeTree::home_of(ConnId conn) const {
  const auto it = homes_.find(conn);
  return it == homes_.end() ? kHomeUndecided : it->second;
}

uint8_t StripeTree::rank_of(ConnId conn, const SubscribeMsg& m, uint32_t stripe) const {
  const auto told = heard_.find(conn);
  const size_t slots = told == heard_.end() ? m.slots : std::min(m.slots, told->second.m.slots);
  return rank(home_, stripe, m.home, slots);
}

uint8_t StripeTree::my_rank(uint32_t stripe, uint32_t parent_home) const {
  return rank(parent_home, stripe, home_, slots_);
}

size_t StripeTree::used_slots(uint32_t stripe) const {
  if (root()) {
    return static_cast<size_t>(std::ranges::count_if(
        children_[stripe], [&](ConnId c) { return !rescued_.contains(c); }));
  }
  size_t used = 0;
  for (const auto& c : children_) used += c.size();
  return used;
}

// The lowest rank a newcomer needs: any while a slot is free, else above the
// lowest-ranked child it would displace. A stripe other than its home it
// passes on only with a slot free.
uint8_t StripeTree::takes(uint32_t stripe) const {
  if (depth(stripe) == kNoDepth || slots_ == 0) return kTakesNobody;
  if (used_slots(stripe) < slots_) return 0;
  if (!root() && stripe != home_) return kTakesNobody;
  uint8_t lowest = kTakesNobody;
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (root() && s != stripe) continue;
    for (const ConnId c : children_[s]) {
      if (!rescued_.contains(c)) lowest = std::min(lowest, rank_of(c, kids_.at(c).m, s));
    }
  }
  return static_cast<uint8_t>(std::min<int>(lowest + 1, kTakesNobody));
}

bool StripeTree::heard(ConnId conn, const StripesMsg& m, WallTime now) {
  if (m.depth.size() != kStripes || m.takes.size() != kStripes ||
      m.ancestors.size() != kStripes || m.home > kHomeUndecided)
    return false;
  Heard& h = heard_[conn];
  h.m = m;
  if (m.home == kStripes && m.your_home < kStripes && home_ == kHomeUndecided) home_ = m.your_home;
  const auto asked = asked_.find(conn);
  if (asked == asked_.end() || m.answer != asked->second.ask) return true;
  // Its answer to our last SUBSCRIBE: what it does not push, it refused (or
  // stopped, to make room for another child).
  for (uint32_t s = 0; s < kStripes; ++s) {
    if ((asked->second.stripes & stripe_bit(s)) && !(m.pushing & stripe_bit(s)) &&
        parents_[s] == conn) {
      h.refused_until[s] = now + config_.refusal;
      parents_[s].reset();
    }
  }
  asked->second.stripes &= m.pushing;
  return true;
}

bool StripeTree::eligible(ConnId conn, const Heard& h, uint32_t stripe, WallTime now) const {
  if (h.refused_until[stripe] > now || h.m.takes[stripe] > my_rank(stripe, h.m.home)) return false;
  const uint8_t d = depth_of(conn, stripe);
  if (d == kNoDepth) return false;
  if (std::ranges::find(children_[stripe], conn) != children_[stripe].end()) return false;
  return !below_me(h.m, stripe);
}

void StripeTree::look_now(WallTime until) {
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (depth(s) == kNoDepth) look_until_[s] = until;
  }
}

void StripeTree::leave(uint32_t stripe, WallTime now) {
  parents_[stripe].reset();
  next_look_[stripe] = now + jittered(config_.move_interval);
}

std::vector<std::pair<ConnId, SubscribeMsg>> StripeTree::choose(WallTime now) {
  if (root()) return {};
  if (!started_) started_ = now;
  // A leaving node keeps its parents, ranked as low as a child can be, so
  // that its children may take its place.
  for (uint32_t s = 0; s < kStripes && !leaving_; ++s) {
    const uint8_t current = depth(s);
    if (current != kNoDepth) {
      last_depth_at_[s] = now;
    } else if (parents_[s] && !heard_.contains(*parents_[s])) {
      leave(s, now);
    }
    // A parent without depth lost its own: its subtree moves at once, which
    // rebuilds faster than waiting for it to find another (see benchmarks).
    const StripesMsg* parent_said =
        parents_[s] && current != kNoDepth ? &heard_.at(*parents_[s]).m : nullptr;
    const bool leaving = parent_said && parent_said->leaving;
    const bool orphaned = parents_[s] && (current == kNoDepth || leaving);
    // Below a leaving parent lie its other children too, who move as well:
    // none of its descendants (their filters hold all of its) is taken, or
    // two of them could take each other's.
    const uint64_t below = leaving ? parent_said->ancestors[s] : 0;
    std::optional<ConnId> best;
    std::tuple<uint8_t, bool, uint64_t> best_key{kNoDepth, true, 0};
    for (const auto& [conn, h] : heard_) {
      if (conn == parents_[s] || !eligible(conn, h, s, now)) continue;
      if (below != 0 && (h.m.ancestors[s] & below) == below) continue;
      const bool foreign = h.m.home != s && h.m.home != kStripes;
      const std::tuple<uint8_t, bool, uint64_t> key{depth_of(conn, s), foreign, rng_()};
      if (!best || key < best_key) {
        best = conn;
        best_key = key;
      }
    }
    if (!best) continue;
    const int best_depth = std::get<0>(best_key) + 1;
    // A node looks for a nearer parent only now and then, each at its own
    // times: a slot opening near the source would otherwise draw every node
    // of the stripe at once, each displacing the one before.
    const bool look = now >= next_look_[s] || now < look_until_[s];
    if (now >= next_look_[s]) next_look_[s] = now + jittered(config_.move_interval);
    const bool move =
        !parents_[s] || orphaned || (look && best_depth + config_.better_by <= current);
    if (!move) continue;
    parents_[s] = best;
  }
  // What each parent should push us; heads from the nearest.
  std::map<ConnId, SubscribeMsg> wanted;
  std::optional<ConnId> head_parent;
  uint8_t head_depth = kNoDepth;
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (!parents_[s]) continue;
    SubscribeMsg& m = wanted[*parents_[s]];
    m.stripes |= stripe_bit(s);
    if (const uint8_t d = depth_of(*parents_[s], s); !head_parent || d < head_depth) {
      head_parent = parents_[s];
      head_depth = d;
    }
  }
  if (head_parent) wanted[*head_parent].heads = true;
  std::vector<std::pair<ConnId, SubscribeMsg>> out;
  for (auto& [conn, m] : wanted) {
    m.home = static_cast<uint8_t>(leaving_ ? kHomeUndecided : home_);
    m.slots = static_cast<uint16_t>(leaving_ ? 0 : std::min<size_t>(slots_, UINT16_MAX));
    const auto it = asked_.find(conn);
    if (it != asked_.end() && it->second.stripes == m.stripes && it->second.heads == m.heads &&
        it->second.home == m.home && it->second.slots == m.slots)
      continue;
    m.ask = next_ask_++;
    asked_[conn] = m;
    out.emplace_back(conn, m);
  }
  for (auto it = asked_.begin(); it != asked_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    SubscribeMsg none{.home = static_cast<uint8_t>(home_),
                      .slots = static_cast<uint16_t>(std::min<size_t>(slots_, UINT16_MAX)),
                      .ask = next_ask_++};
    if (heard_.contains(it->first)) out.emplace_back(it->first, none);
    it = asked_.erase(it);
  }
  return out;
}

uint32_t StripeTree::assign_home(ConnId conn) {
  std::array<size_t, kStripes> viewers{};
  for (const auto& [c, home] : homes_) ++viewers[home];
  const auto home = static_cast<uint32_t>(std::ranges::min_element(viewers) - viewers.begin());
  homes_[conn] = home;
  return home;
}

std::vector<ConnId> StripeTree::children_all() const {
  std::vector<ConnId> all;
  for (const auto& [conn, kid] : kids_) {
    if (kid.m.stripes != 0) all.push_back(conn);
  }
  return all;
}

size_t StripeTree::free_slots() const {
  if (home_ >= kStripes) return 0;
  return slots_ > used_slots(home_) ? slots_ - used_slots(home_) : 0;
}

size_t StripeTree::room_for_children() const { return home_ < kStripes ? slots_ : 0; }

size_t StripeTree::pushes() const {
  size_t n = 0;
  for (const auto& c : children_) n += c.size();
  return n;
}

size_t StripeTree::orphaned(WallTime now, std::chrono::milliseconds after) const {
  if (root() || !started_) return 0;
  size_t n = 0;
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (depth(s) == kNoDepth && now - std::max(last_depth_at_[s], *started_) >= after) ++n;
  }
  return n;
}

StripeTree::Answer StripeTree::subscribe(ConnId conn, const SubscribeMsg& m) {
  answers_[conn] = m.ask;
  Kid& kid = kids_[conn];
  const StripeMask before = kid.m.stripes;
  kid.m = m;
  kid.m.stripes = before & m.stripes;
  for (uint32_t s = 0; s < kStripes; ++s) {
    if ((before & stripe_bit(s)) && !(m.stripes & stripe_bit(s))) std::erase(children_[s], conn);
  }
  Answer answer;
  const bool rescued = rescued_.contains(conn);
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (!(m.stripes & stripe_bit(s)) || (kid.m.stripes & stripe_bit(s))) continue;
    if (!rescued && rank_of(conn, m, s) < told_takes(s)) continue;
    if (!rescued && used_slots(s) >= slots_) {
      // Make room: drop the lowest-ranked child, the newest among equals.
      std::optional<std::pair<ConnId, uint32_t>> lowest;
      uint8_t lowest_rank = kTakesNobody;
      for (uint32_t t = 0; t < kStripes; ++t) {
        if (root() && t != s) continue;
        for (const ConnId c : children_[t]) {
          const uint8_t r = rank_of(c, kids_.at(c).m, t);
          if (c != conn && !rescued_.contains(c) && r <= lowest_rank) {
            lowest = {c, t};
            lowest_rank = r;
          }
        }
      }
      if (!lowest) continue;
      const auto [c, t] = *lowest;
      kids_.at(c).m.stripes &= static_cast<StripeMask>(~stripe_bit(t));
      std::erase(children_[t], c);
      if (std::ranges::find(answer.displaced, c) == answer.displaced.end())
        answer.displaced.push_back(c);
    }
    kid.m.stripes |= stripe_bit(s);
    children_[s].push_back(conn);
  }
  answer.pushing = kid.m.stripes;
  for (const ConnId c : answer.displaced) {
    if (kids_.at(c).m.stripes == 0 && !kids_.at(c).m.heads) kids_.erase(c);
  }
  if (kid.m.stripes == 0 && !kid.m.heads) kids_.erase(conn);
  rebuild_children();
  return answer;
}

void StripeTree::drop_child(ConnId conn, StripeMask stripes, bool heads) {
  const auto kid = kids_.find(conn);
  if (kid == kids_.end()) return;
  kid->second.m.stripes &= static_cast<StripeMask>(~stripes);
  if (heads) kid->second.m.heads = false;
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (stripes & stripe_bit(s)) std::erase(children_[s], conn);
  }
  if (kid->second.m.stripes == 0 && !kid->second.m.heads) kids_.erase(kid);
  rebuild_children();
}

void StripeTree::rebuild_children() {
  head_children_.clear();
  for (const auto& [conn, kid] : kids_) {
    if (kid.m.heads) head_children_.push_back(conn);
  }
}

uint64_t StripeTree::ancestors(uint32_t stripe) const {
  // The root lies above everyone: its bits in every filter would only add
  // false alarms.
  if (root()) return 0;
  if (!parents_[stripe]) return me_;
  const auto it = heard_.find(*parents_[stripe]);
  return me_ | (it == heard_.end() ? 0 : it->second.m.ancestors[stripe]);
}

StripesMsg StripeTree::state_for(ConnId conn) const {
  StripesMsg m;
  m.home = static_cast<uint8_t>(home_);
  for (uint32_t s = 0; s < kStripes; ++s) {
    m.depth.push_back(depth(s));
    m.takes.push_back(rescued_.contains(conn) && depth(s) != kNoDepth ? 0 : told_takes(s));
    m.ancestors.push_back(ancestors(s));
  }
  if (const auto it = kids_.find(conn); it != kids_.end()) m.pushing = it->second.m.stripes;
  if (const auto it = answers_.find(conn); it != answers_.end()) m.answer = it->second;
  if (const auto it = homes_.find(conn); it != homes_.end()) m.your_home = static_cast<uint8_t>(it->second);
  m.slots = static_cast<uint16_t>(std::min<size_t>(slots_, UINT16_MAX));
  m.leaving = leaving_;
  return m;
}

bool StripeTree::take_changed() {
  Told now;
  for (uint32_t s = 0; s < kStripes; ++s) {
    now.depth.push_back(depth(s));
    now.takes.push_back(told_takes(s));
    now.ancestors.push_back(ancestors(s));
  }
  now.slots = slots_;
  if (now == told_) return false;
  told_ = std::move(now);
  return true;
}

void StripeTree::forget(ConnId conn, WallTime now) {
  for (uint32_t s = 0; s < kStripes; ++s) {
    if (parents_[s] == conn) leave(s, now);
    std::erase(children_[s], conn);
  }
  heard_.erase(conn);
  asked_.erase(conn);
  kids_.erase(conn);
  answers_.erase(conn);
  homes_.erase(conn);
  rescued_.erase(conn);
  rebuild_children();
}

}  // namespace shoal
