#include "overlay/dht/chord.h"

#include <algorithm>

namespace shoal {

namespace {
ChordConfig checked(ChordConfig c) {
  c.successors = std::clamp<size_t>(c.successors, 2, kMaxSuccessors);
  return c;
}
}  // namespace

ChordNode::ChordNode(ChordConfig config, StatsText stats_text)
    : config_(checked(std::move(config))),
      stats_text_(std::move(stats_text)),
      rpc_(config_.rpc_timeout, config_.rpc_retries, config_.seed),
      ring_(config_),
      store_(config_),
      lookups_(config_) {}

void ChordNode::create(DhtTime now) {
  ring_.create();
  next_stabilize_ = next_fix_ = next_replicate_ = now;
}

Outgoings ChordNode::join(const std::string& bootstrap, DhtTime now) {
  ring_.join_through(bootstrap);
  next_stabilize_ = now + config_.stabilize_interval;
  ask_to_join(now);
  return rpc_.take();
}

void ChordNode::ask_to_join(DhtTime now) {
  lookups_.start_at(Op{.kind = OpKind::join, .key = self().id}, *ring_.bootstrap(), rpc_, now);
}

Outgoings ChordNode::leave(DhtTime now) {
  if (!joined() || ring_.successor() == self()) return {};
  // What this node owned is its successor's now.
  if (const auto& p = predecessor())
    store_.hand_off(p->id, self().id, ring_.successor().address, rpc_, now);
  ring_.leave(rpc_);
  return rpc_.take();
}

void ChordNode::on_bad_datagram(bool oversized) {
  ++datagrams_in_;
  ++(oversized ? oversized_ : malformed_);
}

DhtStats ChordNode::stats() const {
  return {.datagrams_in = datagrams_in_,
          .datagrams_out = rpc_.datagrams_out(),
          .malformed = malformed_,
          .oversized = oversized_,
          .unknown_replies = rpc_.unknown_replies(),
          .timeouts = rpc_.timeouts(),
          .nodes_dropped = ring_.nodes_dropped(),
          .lookups = lookups_.lookups(),
          .lookup_hops = lookups_.lookup_hops(),
          .keys_handed_off = store_.keys_handed_off(),
          .keys_taken_over = store_.keys_taken_over(),
          .refused = refused_};
}

// --- receiving ---

Outgoings ChordNode::on_datagram(const std::string& from, const Datagram& d, DhtTime now) {
  ++datagrams_in_;
  if (!is_answer(d.msg)) {
    on_request(from, d.txid, d.msg, now);
  } else if (const auto p = rpc_.match(from, d)) {
    on_reply(*p, d.msg, now);
  }
  return rpc_.take();
}

void ChordNode::on_request(const std::string& from, uint64_t txid, const DhtMessage& m,
                           DhtTime now) {
  const auto refuse = [&](std::string reason) {
    ++refused_;
    rpc_.reply(from, txid, DhtErrorMsg{std::move(reason)});
  };
  const auto client_op = [&](Op op, const std::string& key_text) {
    const auto key = ring().key(key_text);
    if (!key) return refuse(key.error());
    if (!joined()) return refuse("this node has not joined a ring yet");
    if (lookups_.busy()) return refuse("busy: too many requests under way");
    op.key = *key;
    op.client = from;
    op.client_txid = txid;
    follow(lookups_.start(std::move(op), ring_, rpc_, now), now);
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, FindSuccessorMsg>) {
          if (!joined()) return refuse("this node has not joined a ring yet");
          const Route r = ring_.route(x.key);
          rpc_.reply(from, txid, FoundMsg{r.done, r.node});
        } else if constexpr (std::is_same_v<T, GetStateMsg>) {
          rpc_.reply(from, txid, ring_.state());
        } else if constexpr (std::is_same_v<T, PingMsg>) {
          rpc_.reply(from, txid, PongMsg{});
        } else if constexpr (std::is_same_v<T, NotifyMsg>) {
          // x.node now owns (former predecessor, x.node]: exactly those keys change owner.
          if (const auto former = ring_.on_notify(x.node))
            store_.hand_off(*former, x.node.id, x.node.address, rpc_, now);
        } else if constexpr (std::is_same_v<T, StoreMsg>) {
          rpc_.reply(from, txid, store_.on_store(x, successors(), rpc_, now));
        } else if constexpr (std::is_same_v<T, FetchMsg>) {
          rpc_.reply(from, txid, ValuesMsg{values(x.key, now)});
        } else if constexpr (std::is_same_v<T, LeavingMsg>) {
          if (ring_.on_leaving(x)) next_stabilize_ = now;
        } else if constexpr (std::is_same_v<T, LookupMsg>) {
          client_op(Op{.kind = OpKind::lookup}, x.key);
        } else if constexpr (std::is_same_v<T, PutMsg>) {
          if (x.ttl_s == 0) return refuse("a value needs a time to live of at least 1 s");
          client_op(Op{.kind = OpKind::put, .value = x.value, .ttl_s = x.ttl_s}, x.key);
        } else if constexpr (std::is_same_v<T, GetMsg>) {
          client_op(Op{.kind = OpKind::get}, x.key);
        } else if constexpr (std::is_same_v<T, StatsMsg>) {
          if (!stats_text_) return refuse("this node does not report its stats");
          rpc_.reply(from, txid, StatsResultMsg{stats_text_(*this)});
        } else {
          // A client's answer sent to a node: nobody here asked for it.
          rpc_.drop_unknown_reply();
        }
      },
      m);
}

void ChordNode::on_reply(const Pending& p, const DhtMessage& m, DhtTime now) {
  if (const auto* state = std::get_if<StateMsg>(&m)) return ring_.on_state(p.to, *state, rpc_, now);
  if (p.op) follow(lookups_.on_reply(*p.op, p.to, m, rpc_, now), now);
}

void ChordNode::on_timeout(const Pending& p, DhtTime now) {
  const bool was_successor = ring_.drop_unanswering(p.to);
  if (p.op && lookups_.under_way(*p.op))
    return follow(lookups_.on_timeout(*p.op, p.to, ring_, rpc_, now), now);
  // A dead successor: stabilize at once with the next.
  if (was_successor) next_stabilize_ = now;
}

void ChordNode::follow(FollowUp f, DhtTime now) {
  if (const auto* failed = std::get_if<JoinFailed>(&f))
    return ring_.join_failed(failed->via, failed->refusal, config_.stabilize_interval);
  const auto* found = std::get_if<Found>(&f);
  if (!found) return;
  const Op& op = found->op;
  const DhtNode& owner = *op.owner;
  switch (op.kind) {
    case OpKind::join:
      if (ring_.join_at(owner)) next_stabilize_ = next_fix_ = next_replicate_ = now;
      break;
    case OpKind::finger:
      ring_.set_finger(op.finger, owner);
      break;
    case OpKind::put:  // owned here
      store_.accept_put({DhtEntry{op.key, op.value, op.ttl_s}}, successors(), rpc_, now);
      rpc_.reply(op.client, op.client_txid, PutResultMsg{op.key, owner, op.hops});
      break;
    case OpKind::get:  // owned here
      rpc_.reply(op.client, op.client_txid,
                 GetResultMsg{op.key, owner, op.hops, values(op.key, now), host_of(op.client)});
      break;
    case OpKind::lookup:  // answered by Lookups
      break;
  }
}

// --- time ---

void ChordNode::stabilize(DhtTime now) {
  if (joined()) return ring_.stabilize(rpc_, now);
  // Not in a ring yet: ask again, unless the last join lookup is still under way.
  if (ring_.bootstrap() && !lookups_.joining()) ask_to_join(now);
}

void ChordNode::replicate(DhtTime now) {
  if (!joined() || ring_.successor() == self()) return;
  const DhtId from = predecessor() ? predecessor()->id : self().id;
  store_.replicate(from, successors(), rpc_, now);
}

Outgoings ChordNode::tick(DhtTime now) {
  for (const Pending& p : rpc_.take_overdue(now)) {
    if (!rpc_.retry(p, now)) on_timeout(p, now);
  }
  if (now >= next_stabilize_) {
    stabilize(now);
    next_stabilize_ = now + config_.stabilize_interval;
  }
  if (now >= next_fix_) {
    for (const FingerLookup& f : ring_.fix_fingers(lookups_.fingers_under_way())) {
      lookups_.start_at(Op{.kind = OpKind::finger, .key = f.start, .finger = f.finger},
                        f.ask.address, rpc_, now);
    }
    next_fix_ = now + config_.fix_fingers_interval;
  }
  if (now >= next_replicate_) {
    store_.expire(now);
    replicate(now);
    next_replicate_ = now + config_.replicate_interval;
  }
  return rpc_.take();
}

DhtTime ChordNode::next_wakeup(DhtTime now) const {
  DhtTime next = std::min({next_stabilize_, next_fix_, next_replicate_});
  if (const auto deadline = rpc_.next_deadline()) next = std::min(next, *deadline);
  return std::max(next, now);
}

}  // namespace shoal
