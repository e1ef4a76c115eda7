#include "overlay/dht/chord.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace shoal {

namespace {
// A lookup that has not found its owner after this many hops is lost in a
// broken ring; it fails rather than loop.
constexpr uint32_t kMaxHops = 64;

template <typename T>
concept NodeAnswer = requires {
  typename T::Question;
};

// Whether `m` answers a question between nodes (or any question, as DHT_ERROR does).
bool is_answer(const DhtMessage& m) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return NodeAnswer<T> || std::is_same_v<T, DhtErrorMsg>;
      },
      m);
}

// Whether the answer `m` fits the question `q`.
bool answers(const DhtMessage& m, const DhtMessage& q) {
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (NodeAnswer<T>) return std::holds_alternative<typename T::Question>(q);
        return std::is_same_v<T, DhtErrorMsg>;
      },
      m);
}
}  // namespace

ChordNode::ChordNode(ChordConfig config)
    : config_(std::move(config)),
      rng_(config_.seed),
      fingers_(static_cast<size_t>(config_.ring.bits())) {
  config_.successors = std::clamp<size_t>(config_.successors, 2, kMaxSuccessors);
}

void ChordNode::create(DhtTime now) {
  predecessor_ = config_.self;
  successors_ = {config_.self};
  next_stabilize_ = next_fix_ = next_replicate_ = now;
}

Outgoings ChordNode::join(const std::string& bootstrap, DhtTime now) {
  bootstrap_ = bootstrap;
  next_stabilize_ = now + config_.stabilize_interval;
  ask_to_join(now);
  return std::exchange(out_, {});
}

void ChordNode::ask_to_join(DhtTime now) {
  const uint64_t id = next_op_++;
  ops_[id] = Op{.kind = OpKind::join, .key = config_.self.id};
  hop(id, *bootstrap_, now);
}

Outgoings ChordNode::leave(DhtTime now) {
  if (!joined() || successor() == config_.self) return {};
  const DhtNode& next = successor();
  if (predecessor_) {
    const auto moving = entries_in(predecessor_->id, config_.self.id, now);
    stats_.keys_handed_off += moving.size();
    send_entries(next.address, moving, StoreKind::handoff, now);
  }
  const LeavingMsg bye{config_.self, predecessor_, successors_};
  send(next.address, bye, rng_());
  if (predecessor_ && predecessor_ != config_.self) send(predecessor_->address, bye, rng_());
  // Out of the ring: a NOTIFY from a stabilization still due would make the
  // successor hand the keys back to a node on its way out.
  predecessor_.reset();
  successors_.clear();
  std::ranges::fill(fingers_, std::nullopt);
  bootstrap_.reset();
  return std::exchange(out_, {});
}

bool ChordNode::owns(const DhtId& key) const {
  if (!joined()) return false;
  if (!predecessor_) return key == config_.self.id;
  return config_.ring.in_half_open(key, predecessor_->id, config_.self.id);
}

std::vector<std::string> ChordNode::values(const DhtId& key, DhtTime now) const {
  std::vector<std::pair<DhtTime, std::string>> live;
  if (const auto it = store_.find(key); it != store_.end()) {
    for (const auto& [value, expires] : it->second) {
      if (expires > now) live.push_back({expires, value});
    }
  }
  // The freshest first: they are the likeliest to be still there.
  std::ranges::sort(live, std::greater{});
  std::vector<std::string> out;
  // An answer must fit one datagram, whatever the values' sizes.
  size_t bytes = 0;
  for (size_t i = 0; i < live.size() && i < kMaxValues; ++i) {
    bytes += live[i].second.size() + 3;
    if (bytes > kMaxDatagram / 2) break;
    out.push_back(live[i].second);
  }
  return out;
}

void ChordNode::on_bad_datagram(bool oversized) {
  ++stats_.datagrams_in;
  ++(oversized ? stats_.oversized : stats_.malformed);
}

// --- sending ---

void ChordNode::send(const std::string& to, DhtMessage msg, uint64_t txid) {
  ++stats_.datagrams_out;
  out_.push_back({to, Datagram{txid, std::move(msg)}});
}

void ChordNode::request(const std::string& to, DhtMessage msg, DhtTime now, uint64_t op) {
  send_pending(Pending{to, std::move(msg), now + config_.rpc_timeout, config_.rpc_retries, op});
}

// Each try goes under a fresh random txid, which no forger can guess and
// which makes a late answer to an earlier try unknown.
void ChordNode::send_pending(Pending p) {
  uint64_t txid = rng_();
  while (txid == 0 || pending_.contains(txid)) txid = rng_();
  send(p.to, p.request, txid);
  pending_[txid] = std::move(p);
}

// --- receiving ---

Outgoings ChordNode::on_datagram(const std::string& from, const Datagram& d, DhtTime now) {
  ++stats_.datagrams_in;
  if (!is_answer(d.msg)) {
    on_request(from, d.txid, d.msg, now);
    return std::exchange(out_, {});
  }
  // The answer must come from where the question went, and fit it.
  const auto it = pending_.find(d.txid);
  if (it == pending_.end() || it->second.to != from || !answers(d.msg, it->second.request)) {
    ++stats_.unknown_replies;
    return std::exchange(out_, {});
  }
  const Pending p = it->second;
  pending_.erase(it);
  on_reply(p, d.msg, now);
  return std::exchange(out_, {});
}

void ChordNode::on_request(const std::string& from, uint64_t txid, const DhtMessage& m,
                           DhtTime now) {
  const auto refuse = [&](std::string reason) {
    ++stats_.refused;
    reply(from, txid, DhtErrorMsg{std::move(reason)});
  };
  const auto client_op = [&](Op op, const std::string& key_text) {
    const auto key = config_.ring.key(key_text);
    if (!key) return refuse(key.error());
    if (!joined()) return refuse("this node has not joined a ring yet");
    if (ops_.size() >= config_.max_operations) return refuse("busy: too many requests under way");
    op.key = *key;
    op.client = from;
    op.client_txid = txid;
    start_op(std::move(op), now);
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, FindSuccessorMsg>) {
          if (!joined()) return refuse("this node has not joined a ring yet");
          const Route r = route(x.key);
          reply(from, txid, FoundMsg{r.done, r.node});
        } else if constexpr (std::is_same_v<T, GetStateMsg>) {
          std::vector<DhtNode> list = successors_;
          if (list.size() > config_.successors) list.resize(config_.successors);
          reply(from, txid, StateMsg{predecessor_, list});
        } else if constexpr (std::is_same_v<T, PingMsg>) {
          reply(from, txid, PongMsg{});
        } else if constexpr (std::is_same_v<T, NotifyMsg>) {
          on_notify(x.node, now);
        } else if constexpr (std::is_same_v<T, StoreMsg>) {
          const auto kind = static_cast<StoreKind>(x.kind);
          if (kind == StoreKind::put) {
            accept_put(x.entries, now);
          } else {
            for (const DhtEntry& e : x.entries) store(e, now);
          }
          if (kind == StoreKind::handoff) stats_.keys_taken_over += x.entries.size();
          reply(from, txid, StoredMsg{static_cast<uint32_t>(x.entries.size())});
        } else if constexpr (std::is_same_v<T, FetchMsg>) {
          reply(from, txid, ValuesMsg{values(x.key, now)});
        } else if constexpr (std::is_same_v<T, LeavingMsg>) {
          on_leaving(x, now);
        } else if constexpr (std::is_same_v<T, LookupMsg>) {
          client_op(Op{.kind = OpKind::lookup}, x.key);
        } else if constexpr (std::is_same_v<T, PutMsg>) {
          if (x.ttl_s == 0) return refuse("a value needs a time to live of at least 1 s");
          client_op(Op{.kind = OpKind::put, .value = x.value, .ttl_s = x.ttl_s}, x.key);
        } else if constexpr (std::is_same_v<T, GetMsg>) {
          client_op(Op{.kind = OpKind::get}, x.key);
        } else if constexpr (std::is_same_v<T, StatsMsg>) {
          reply(from, txid, StatsResultMsg{stats_json()});
        } else {
          // A client's answer sent to a node: nobody here asked for it.
          ++stats_.unknown_replies;
        }
      },
      m);
}

void ChordNode::on_reply(const Pending& p, const DhtMessage& m, DhtTime now) {
  if (const auto* state = std::get_if<StateMsg>(&m)) return on_state(p.to, *state, now);
  if (p.op == 0 || !ops_.contains(p.op)) return;
  Op& op = ops_[p.op];
  if (const auto* error = std::get_if<DhtErrorMsg>(&m)) {
    if (op.kind == OpKind::join) {
      notes_.push_back("joining through " + p.to + " failed: " + error->reason);
      ops_.erase(p.op);
      return;
    }
    return fail_op(p.op, p.to + " answered: " + error->reason);
  }
  if (const auto* found = std::get_if<FoundMsg>(&m)) {
    if (found->done) {
      op.owner = found->node;
      return finish(p.op, now);
    }
    return hop(p.op, found->node.address, now);
  }
  if (std::holds_alternative<StoredMsg>(m) && op.kind == OpKind::put) {
    reply(op.client, op.client_txid, PutResultMsg{op.key, *op.owner, op.hops});
    ops_.erase(p.op);
    return;
  }
  if (const auto* got = std::get_if<ValuesMsg>(&m); got && op.kind == OpKind::get) {
    reply(op.client, op.client_txid, GetResultMsg{op.key, *op.owner, op.hops, got->values});
    ops_.erase(p.op);
  }
}

void ChordNode::on_timeout(const Pending& p, DhtTime now) {
  const bool was_successor = joined() && successor().address == p.to;
  drop_node(p.to);
  if (was_successor && joined()) notes_.push_back("successor " + p.to + " is not answering");
  if (p.op == 0 || !ops_.contains(p.op)) {
    // A dead successor: stabilize at once with the next.
    if (was_successor) next_stabilize_ = now;
    return;
  }
  Op& op = ops_[p.op];
  if (op.kind == OpKind::join) {
    if (join_failures_++ == 0)
      notes_.push_back("no answer from " + p.to + " while joining; trying again every " +
                       std::to_string(config_.stabilize_interval.count()) + " ms");
    ops_.erase(p.op);
    return;
  }
  // The hop died: route around it from what this node knows.
  if (!joined()) return fail_op(p.op, "this node lost its ring");
  step(p.op, now);
}

// --- lookups ---

std::optional<DhtNode> ChordNode::closest_preceding(const DhtId& key) const {
  std::optional<DhtNode> best;
  const auto consider = [&](const DhtNode& n) {
    if (n == config_.self || !config_.ring.in_open(n.id, config_.self.id, key)) return;
    if (!best || config_.ring.distance(config_.self.id, n.id) >
                     config_.ring.distance(config_.self.id, best->id))
      best = n;
  };
  for (const auto& f : fingers_) {
    if (f) consider(*f);
  }
  for (const DhtNode& s : successors_) consider(s);
  return best;
}

ChordNode::Route ChordNode::route(const DhtId& key) const {
  if (owns(key)) return {true, config_.self};
  if (config_.ring.in_half_open(key, config_.self.id, successor().id)) return {true, successor()};
  if (const auto next = closest_preceding(key)) return {false, *next};
  return {true, successor()};
}

void ChordNode::start_op(Op op, DhtTime now) {
  const uint64_t id = next_op_++;
  ops_[id] = std::move(op);
  step(id, now);
}

void ChordNode::step(uint64_t id, DhtTime now) {
  Op& op = ops_[id];
  const Route r = route(op.key);
  if (r.done) {
    op.owner = r.node;
    return finish(id, now);
  }
  hop(id, r.node.address, now);
}

void ChordNode::hop(uint64_t id, const std::string& to, DhtTime now) {
  Op& op = ops_[id];
  if (++op.hops > kMaxHops) return fail_op(id, "no owner found within 64 hops");
  request(to, FindSuccessorMsg{op.key}, now, id);
}

void ChordNode::finish(uint64_t id, DhtTime now) {
  Op& op = ops_[id];
  const DhtNode owner = *op.owner;
  if (!op.client.empty()) {
    ++stats_.lookups;
    stats_.lookup_hops += op.hops;
  }
  switch (op.kind) {
    case OpKind::join:
      if (owner.id == config_.self.id && owner.address != config_.self.address) {
        notes_.push_back("node id " + config_.self.id.to_string() + " is taken by " +
                         owner.address + "; choose another --node-id");
        break;
      }
      bootstrap_.reset();
      join_failures_ = 0;
      predecessor_.reset();
      successors_ = {owner};
      notes_.push_back("joined the ring; successor " + owner.id.to_string() + " at " +
                       owner.address);
      next_stabilize_ = next_fix_ = next_replicate_ = now;
      break;
    case OpKind::finger:
      fingers_[static_cast<size_t>(op.finger)] = owner;
      break;
    case OpKind::lookup:
      reply(op.client, op.client_txid, LookupResultMsg{op.key, owner, op.hops});
      break;
    case OpKind::put: {
      const DhtEntry entry{op.key, op.value, op.ttl_s};
      if (owner == config_.self) {
        accept_put({entry}, now);
        reply(op.client, op.client_txid, PutResultMsg{op.key, owner, op.hops});
        break;
      }
      request(owner.address, StoreMsg{{entry}, static_cast<uint8_t>(StoreKind::put)}, now, id);
      return;
    }
    case OpKind::get:
      if (owner == config_.self) {
        reply(op.client, op.client_txid, GetResultMsg{op.key, owner, op.hops, values(op.key, now)});
        break;
      }
      request(owner.address, FetchMsg{op.key}, now, id);
      return;
  }
  ops_.erase(id);
}

void ChordNode::fail_op(uint64_t id, const std::string& reason) {
  const Op op = ops_[id];
  ops_.erase(id);
  if (!op.client.empty()) reply(op.client, op.client_txid, DhtErrorMsg{reason});
}

// --- ring maintenance ---

void ChordNode::set_successors(std::vector<DhtNode> list) {
  std::vector<DhtNode> unique;
  for (DhtNode& n : list) {
    if (std::ranges::find(unique, n) == unique.end() && unique.size() < config_.successors)
      unique.push_back(std::move(n));
  }
  successors_ = std::move(unique);
}

void ChordNode::on_state(const std::string& from, const StateMsg& m, DhtTime now) {
  if (!joined() || successor().address != from) return;
  const DhtNode succ = successor();
  // A node between us and our successor: it joined, and is our successor now.
  if (m.predecessor && m.predecessor->address != config_.self.address &&
      config_.ring.in_open(m.predecessor->id, config_.self.id, succ.id)) {
    std::vector<DhtNode> list{*m.predecessor};
    list.insert(list.end(), successors_.begin(), successors_.end());
    set_successors(std::move(list));
    request(successor().address, GetStateMsg{}, now);
    return;
  }
  std::vector<DhtNode> list{succ};
  for (const DhtNode& n : m.successors) {
    if (n.address != config_.self.address) list.push_back(n);
  }
  set_successors(std::move(list));
  send(succ.address, NotifyMsg{config_.self}, rng_());
}

void ChordNode::on_notify(const DhtNode& n, DhtTime now) {
  if (!joined() || n.address == config_.self.address) return;
  const std::optional<DhtNode> old = predecessor_;
  if (old && old != config_.self && !config_.ring.in_open(n.id, old->id, config_.self.id)) return;
  predecessor_ = n;
  if (successor() == config_.self) successors_ = {n};
  if (!old) return;  // the last one died: n owns what it owned already
  // n now owns (old, n]: exactly those keys change owner.
  const auto moving = entries_in(old->id, n.id, now);
  stats_.keys_handed_off += moving.size();
  send_entries(n.address, moving, StoreKind::handoff, now);
}

void ChordNode::on_leaving(const LeavingMsg& m, DhtTime now) {
  const bool was_predecessor = predecessor_ && predecessor_->address == m.node.address;
  const bool was_successor = joined() && successor().address == m.node.address;
  drop_node(m.node.address);
  if (was_predecessor && m.predecessor && m.predecessor->address != config_.self.address)
    predecessor_ = m.predecessor;
  if (was_successor) {
    std::vector<DhtNode> list;
    for (const DhtNode& n : m.successors) {
      if (n.address != m.node.address) list.push_back(n);
    }
    list.insert(list.end(), successors_.begin(), successors_.end());
    std::erase_if(list, [&](const DhtNode& n) { return n.address == config_.self.address; });
    if (list.empty()) list = {config_.self};
    set_successors(std::move(list));
    next_stabilize_ = now;
  }
  if (!predecessor_ && successor() == config_.self) predecessor_ = config_.self;
}

void ChordNode::drop_node(const std::string& address) {
  if (address == config_.self.address) return;
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
  if (known) ++stats_.nodes_dropped;
  if (before > 0 && successors_.empty()) {
    // Every successor is gone: the closest live finger, or the predecessor,
    // stands in until stabilization finds the true one.
    std::optional<DhtNode> next;
    for (const auto& f : fingers_) {
      if (f && *f != config_.self &&
          (!next || config_.ring.distance(config_.self.id, f->id) <
                        config_.ring.distance(config_.self.id, next->id)))
        next = f;
    }
    if (!next) next = predecessor_;
    successors_ = {next ? *next : config_.self};
    if (!next) predecessor_ = config_.self;
  }
}

void ChordNode::stabilize(DhtTime now) {
  if (!joined()) {
    const bool joining =
        std::ranges::any_of(ops_, [](const auto& e) { return e.second.kind == OpKind::join; });
    if (bootstrap_ && !joining) ask_to_join(now);
    return;
  }
  if (successor() == config_.self) {
    if (predecessor_ && *predecessor_ != config_.self) successors_ = {*predecessor_};
    return;
  }
  request(successor().address, GetStateMsg{}, now);
  if (predecessor_ && *predecessor_ != config_.self) request(predecessor_->address, PingMsg{}, now);
}

// A finger whose start falls before the successor, or before the finger
// below it, is that node; the others are looked up, a few per round, in turn.
void ChordNode::fix_fingers(DhtTime now) {
  if (!joined()) return;
  const int bits = config_.ring.bits();
  int started = 0;
  const int first = next_finger_;
  for (int k = 0; k < bits; ++k) {
    const int i = (first + k) % bits;
    const auto at = static_cast<size_t>(i);
    const DhtId start = config_.ring.finger_start(config_.self.id, i);
    if (config_.ring.in_half_open(start, config_.self.id, successor().id)) {
      fingers_[at] = successor();
    } else if (i > 0 && fingers_[at - 1] &&
               config_.ring.in_half_open(start, config_.self.id, fingers_[at - 1]->id)) {
      fingers_[at] = fingers_[at - 1];
    } else if (started < config_.fingers_per_round &&
               std::ranges::none_of(ops_, [&](const auto& e) {
                 return e.second.kind == OpKind::finger && e.second.finger == i;
               })) {
      ++started;
      next_finger_ = (i + 1) % bits;
      start_op(Op{.kind = OpKind::finger, .key = start, .finger = i}, now);
    }
  }
}

// --- values ---

// The owner keeps a put value and copies it to its successors at once.
void ChordNode::accept_put(const std::vector<DhtEntry>& entries, DhtTime now) {
  for (const DhtEntry& e : entries) store(e, now);
  for (size_t i = 0; i < successors_.size() && i < config_.successors; ++i) {
    if (successors_[i] != config_.self)
      send_entries(successors_[i].address, entries, StoreKind::replica, now);
  }
}

void ChordNode::store(const DhtEntry& e, DhtTime now) {
  if (store_.size() >= config_.max_keys && !store_.contains(e.key)) return;
  auto& values = store_[e.key];
  const auto expires = now + std::chrono::seconds(e.ttl_s);
  if (const auto it = values.find(e.value); it != values.end()) {
    it->second = std::max(it->second, expires);
    return;
  }
  if (values.size() >= config_.max_values_per_key) return;
  values[e.value] = expires;
}

std::vector<DhtEntry> ChordNode::entries_in(const DhtId& from, const DhtId& to, DhtTime now) const {
  std::vector<DhtEntry> out;
  for (const auto& [key, values] : store_) {
    if (!config_.ring.in_half_open(key, from, to)) continue;
    for (const auto& [value, expires] : values) {
      if (expires <= now) continue;
      const auto left = std::chrono::ceil<std::chrono::seconds>(expires - now).count();
      out.push_back({key, value, static_cast<uint32_t>(left)});
    }
  }
  return out;
}

void ChordNode::send_entries(const std::string& to, const std::vector<DhtEntry>& entries,
                             StoreKind kind, DhtTime now) {
  for (size_t i = 0; i < entries.size(); i += kMaxStoreEntries) {
    const auto end =
        entries.begin() + static_cast<long>(std::min(entries.size(), i + kMaxStoreEntries));
    request(to, StoreMsg{{entries.begin() + static_cast<long>(i), end}, static_cast<uint8_t>(kind)},
            now);
  }
}

void ChordNode::replicate(DhtTime now) {
  if (!joined() || successor() == config_.self) return;
  const DhtId from = predecessor_ ? predecessor_->id : config_.self.id;
  const auto owned = entries_in(from, config_.self.id, now);
  if (owned.empty()) return;
  for (size_t i = 0; i < successors_.size() && i < config_.successors; ++i)
    send_entries(successors_[i].address, owned, StoreKind::replica, now);
}

void ChordNode::expire(DhtTime now) {
  for (auto it = store_.begin(); it != store_.end();) {
    std::erase_if(it->second, [&](const auto& e) { return e.second <= now; });
    it = it->second.empty() ? store_.erase(it) : std::next(it);
  }
}

// --- time ---

Outgoings ChordNode::tick(DhtTime now) {
  std::vector<Pending> late;
  std::erase_if(pending_, [&](const auto& e) {
    if (e.second.deadline > now) return false;
    late.push_back(e.second);
    return true;
  });
  for (Pending& p : late) {
    ++stats_.timeouts;
    if (p.retries_left-- > 0) {
      p.deadline = now + config_.rpc_timeout;
      send_pending(std::move(p));
    } else {
      on_timeout(p, now);
    }
  }
  if (now >= next_stabilize_) {
    stabilize(now);
    next_stabilize_ = now + config_.stabilize_interval;
  }
  if (now >= next_fix_) {
    fix_fingers(now);
    next_fix_ = now + config_.fix_fingers_interval;
  }
  if (now >= next_replicate_) {
    expire(now);
    replicate(now);
    next_replicate_ = now + config_.replicate_interval;
  }
  return std::exchange(out_, {});
}

DhtTime ChordNode::next_wakeup(DhtTime now) const {
  DhtTime next = std::min({next_stabilize_, next_fix_, next_replicate_});
  for (const auto& [txid, p] : pending_) next = std::min(next, p.deadline);
  return std::max(next, now);
}

std::string ChordNode::stats_json() const {
  const DhtStats& s = stats_;
  nlohmann::json j = {
      {"id", config_.self.id.to_string()},
      {"address", config_.self.address},
      {"id_bits", config_.ring.bits()},
      {"joined", joined()},
      {"predecessor", predecessor_ ? nlohmann::json(predecessor_->address) : nlohmann::json()},
      {"keys", store_.size()},
      {"datagrams_in", s.datagrams_in},
      {"datagrams_out", s.datagrams_out},
      {"malformed", s.malformed},
      {"oversized", s.oversized},
      {"unknown_replies", s.unknown_replies},
      {"timeouts", s.timeouts},
      {"nodes_dropped", s.nodes_dropped},
      {"lookups", s.lookups},
      {"lookup_hops", s.lookup_hops},
      {"keys_handed_off", s.keys_handed_off},
      {"keys_taken_over", s.keys_taken_over},
      {"refused", s.refused}};
  j["successors"] = nlohmann::json::array();
  for (const DhtNode& n : successors_) j["successors"].push_back(n.address);
  return j.dump();
}

}  // namespace shoal
