#include "overlay/dht/ring_state.h"

#include <algorithm>

namespace shoal {

RingState::RingState(const ChordConfig& config)
    : ring_(config.ring),
      self_(config.self),
      r_(config.successors),
      fingers_per_round_(config.fingers_per_round),
      fingers_(static_cast<size_t>(config.ring.bits())) {}

bool RingState::owns(const DhtId& key) const {
  if (!joined()) return false;
  if (!predecessor_) return key == self_.id;
  return ring_.in_half_open(key, predecessor_->id, self_.id);
}

Route RingState::route(const DhtId& key) const {
  if (owns(key)) return {true, self_};
  if (ring_.in_half_open(key, self_.id, successor().id)) return {true, successor()};
  if (const auto next = closest_preceding(key)) return {false, *next};
  return {true, successor()};
}

std::optional<DhtNode> RingState::closest_preceding(const DhtId& key) const {
  std::optional<DhtNode> best;
  const auto consider = [&](const DhtNode& n) {
    if (n == self_ || !ring_.in_open(n.id, self_.id, key)) return;
    if (!best || ring_.distance(self_.id, n.id) > ring_.distance(self_.id, best->id)) best = n;
  };
  for (const auto& f : fingers_) {
    if (f) consider(*f);
  }
  for (const DhtNode& s : successors_) consider(s);
  return best;
}

StateMsg RingState::state() const {
  std::vector<DhtNode> list = successors_;
  if (list.size() > r_) list.resize(r_);
  return StateMsg{predecessor_, list};
}

// --- joining and leaving ---

void RingState::create() {
  predecessor_ = self_;
  successors_ = {self_};
}

void RingState::join_through(std::string bootstrap) { bootstrap_ = std::move(bootstrap); }

bool RingState::join_at(const DhtNode& successor) {
  if (successor.id == self_.id && successor.address != self_.address) {
    notes_.push_back("node id " + self_.id.to_string() + " is taken by " + successor.address +
                     "; choose another --node-id");
    return false;
  }
  bootstrap_.reset();
  join_failures_ = 0;
  predecessor_.reset();
  successors_ = {successor};
  notes_.push_back("joined the ring; successor " + successor.id.to_string() + " at " +
                   successor.address);
  return true;
}

void RingState::join_failed(const std::string& via, const std::optional<std::string>& refusal,
                            std::chrono::milliseconds retry_every) {
  if (refusal) {
    notes_.push_back("joining through " + via + " failed: " + *refusal);
  } else if (join_failures_++ == 0) {
    notes_.push_back("no answer from " + via + " while joining; trying again every " +
                     std::to_string(retry_every.count()) + " ms");
  }
}

void RingState::leave(RequestLayer& rpc) {
  const LeavingMsg bye{self_, predecessor_, successors_};
  rpc.send(successor().address, bye);
  if (predecessor_ && predecessor_ != self_) rpc.send(predecessor_->address, bye);
  predecessor_.reset();
  successors_.clear();
  std::ranges::fill(fingers_, std::nullopt);
  bootstrap_.reset();
}

// --- upkeep ---

void RingState::stabilize(RequestLayer& rpc, DhtTime now) {
  if (successor() == self_) {
    if (predecessor_ && *predecessor_ != self_) successors_ = {*predecessor_};
    return;
  }
  rpc.request(successor().address, GetStateMsg{}, now);
  if (predecessor_ && *predecessor_ != self_) rpc.request(predecessor_->address, PingMsg{}, now);
}

void RingState::on_state(const std::string& from, const StateMsg& m, RequestLayer& rpc,
                         DhtTime now) {
  if (!joined() || successor().address != from) return;
  const DhtNode succ = successor();
  // A node between us and our successor: it joined, and is our successor now.
  if (m.predecessor && m.predecessor->address != self_.address &&
      ring_.in_open(m.predecessor->id, self_.id, succ.id)) {
    std::vector<DhtNode> list{*m.predecessor};
    list.insert(list.end(), successors_.begin(), successors_.end());
    set_successors(std::move(list));
    rpc.request(successor().address, GetStateMsg{}, now);
    return;
  }
  std::vector<DhtNode> list{succ};
  for (const DhtNode& n : m.successors) {
    if (n.address != self_.address) list.push_back(n);
  }
  set_successors(std::move(list));
  rpc.send(succ.address, NotifyMsg{self_});
}

std::optional<DhtId> RingState::on_notify(const DhtNode& n) {
  if (!joined() || n.address == self_.address) return std::nullopt;
  const std::optional<DhtNode> old = predecessor_;
  if (old && old != self_ && !ring_.in_open(n.id, old->id, self_.id)) return std::nullopt;
  predecessor_ = n;
  if (successor() == self_) successors_ = {n};
  // None before: the last one died, and n owns what it owned already.
  if (!old) return std::nullopt;
  return old->id;
}

bool RingState::on_leaving(const LeavingMsg& m) {
  const bool was_predecessor = predecessor_ && predecessor_->address == m.node.address;
  const bool was_successor = joined() && successor().address == m.node.address;
  drop(m.node.address);
  if (was_predecessor && m.predecessor && m.predecessor->address != self_.address)
    predecessor_ = m.predecessor;
  if (was_successor) {
    std::vector<DhtNode> list;
    for (const DhtNode& n : m.successors) {
      if (n.address != m.node.address) list.push_back(n);
    }
    list.insert(list.end(), successors_.begin(), successors_.end());
    std::erase_if(list, [&](const DhtNode& n) { return n.address == self_.address; });
    if (list.empty()) list = {self_};
    set_successors(std::move(list));
  }
  if (joined() && !predecessor_ && successor() == self_) predecessor_ = self_;
  return was_successor;
}

bool RingState::drop_unanswering(const std::string& address) {
  const bool was_successor = joined() && successor().address == address;
  drop(address);
  if (was_successor && joined()) notes_.push_back("successor " + address + " is not answering");
  return was_successor;
}

void RingState::drop(const std::string& address) {
  if (address == self_.address) return;
  bool known = false;
  if (predecessor_ && predecessor_->address == address) {
    predecessor_.reset();
    known = true;
  }
  for (auto& f : fingers_) {
    if (f && f->address == address) {
      f.reset();
      known = true;
    }
  }
  const size_t before = successors_.size();
  std::erase_if(successors_, [&](const DhtNode& n) { return n.address == address; });
  known = known || successors_.size() != before;
  if (known) ++nodes_dropped_;
  if (before > 0 && successors_.empty()) {
    // Every successor is gone: the closest live finger, or the predecessor,
    // stands in until stabilization finds the true one.
    std::optional<DhtNode> next;
    for (const auto& f : fingers_) {
      if (f && *f != self_ &&
          (!next || ring_.distance(self_.id, f->id) < ring_.distance(self_.id, next->id)))
        next = f;
    }
    if (!next) next = predecessor_;
    successors_ = {next ? *next : self_};
    if (!next) predecessor_ = self_;
  }
}

void RingState::set_successors(std::vector<DhtNode> list) {
  std::vector<DhtNode> unique;
  for (DhtNode& n : list) {
    if (std::ranges::find(unique, n) == unique.end() && unique.size() < r_)
      unique.push_back(std::move(n));
  }
  successors_ = std::move(unique);
}

std::vector<FingerLookup> RingState::fix_fingers(const std::set<int>& under_way) {
  std::vector<FingerLookup> lookups;
  if (!joined()) return lookups;
  const int bits = ring_.bits();
  int started = 0;
  const int first = next_finger_;
  for (int k = 0; k < bits; ++k) {
    const int i = (first + k) % bits;
    const auto at = static_cast<size_t>(i);
    const DhtId start = ring_.finger_start(self_.id, i);
    if (ring_.in_half_open(start, self_.id, successor().id)) {
      fingers_[at] = successor();
    } else if (i > 0 && fingers_[at - 1] &&
               ring_.in_half_open(start, self_.id, fingers_[at - 1]->id)) {
      fingers_[at] = fingers_[at - 1];
    } else if (started < fingers_per_round_ && !under_way.contains(i)) {
      ++started;
      next_finger_ = (i + 1) % bits;
      const Route r = route(start);
      if (r.done) {
        fingers_[at] = r.node;
      } else {
        lookups.push_back({i, start, r.node});
      }
    }
  }
  return lookups;
}

}  // namespace shoal
