#include "overlay/dht/lookups.h"

#include <algorithm>

#include "overlay/wire/endpoint.h"

namespace shoal {

std::string host_of(const std::string& address) {
  const auto at = Endpoint::parse(address);
  return at ? at->host : std::string();
}

namespace {
// A lookup that has not found its owner after this many hops is lost in a
// broken ring; it fails rather than loop.
constexpr uint32_t kMaxHops = 64;
}  // namespace

Lookups::Lookups(const ChordConfig& config)
    : self_(config.self), max_operations_(config.max_operations) {}

bool Lookups::joining() const {
  return std::ranges::any_of(ops_, [](const auto& e) { return e.second.kind == OpKind::join; });
}

std::set<int> Lookups::fingers_under_way() const {
  std::set<int> out;
  for (const auto& [id, op] : ops_) {
    if (op.kind == OpKind::finger) out.insert(op.finger);
  }
  return out;
}

OpId Lookups::add(Op op) {
  const OpId id{next_op_++};
  ops_[id] = std::move(op);
  return id;
}

FollowUp Lookups::start(Op op, const RingState& ring, RequestLayer& rpc, DhtTime now) {
  return step(add(std::move(op)), ring, rpc, now);
}

void Lookups::start_at(Op op, const std::string& first, RequestLayer& rpc, DhtTime now) {
  hop(add(std::move(op)), first, rpc, now);
}

FollowUp Lookups::on_reply(OpId id, const std::string& from, const DhtMessage& m, RequestLayer& rpc,
                           DhtTime now) {
  const auto it = ops_.find(id);
  if (it == ops_.end()) return {};
  Op& op = it->second;
  if (const auto* error = std::get_if<DhtErrorMsg>(&m)) {
    if (op.kind == OpKind::join) {
      ops_.erase(it);
      return JoinFailed{from, error->reason};
    }
    fail(id, from + " answered: " + error->reason, rpc);
    return {};
  }
  if (const auto* found = std::get_if<FoundMsg>(&m)) {
    if (found->done) {
      op.owner = found->node;
      return finish(id, rpc, now);
    }
    hop(id, found->node.address, rpc, now);
    return {};
  }
  if (std::holds_alternative<StoredMsg>(m) && op.kind == OpKind::put) {
    rpc.reply(op.client, op.client_txid, PutResultMsg{op.key, *op.owner, op.hops});
    ops_.erase(it);
  } else if (const auto* got = std::get_if<ValuesMsg>(&m); got && op.kind == OpKind::get) {
    rpc.reply(op.client, op.client_txid,
              GetResultMsg{op.key, *op.owner, op.hops, got->values, host_of(op.client)});
    ops_.erase(it);
  }
  return {};
}

FollowUp Lookups::on_timeout(OpId id, const std::string& to, const RingState& ring,
                             RequestLayer& rpc, DhtTime now) {
  const auto it = ops_.find(id);
  if (it == ops_.end()) return {};
  if (it->second.kind == OpKind::join) {
    ops_.erase(it);
    return JoinFailed{to, std::nullopt};
  }
  // The hop died: route around it from what this node knows.
  if (!ring.joined()) {
    fail(id, "this node lost its ring", rpc);
    return {};
  }
  return step(id, ring, rpc, now);
}

FollowUp Lookups::step(OpId id, const RingState& ring, RequestLayer& rpc, DhtTime now) {
  Op& op = ops_.at(id);
  const Route r = ring.route(op.key);
  if (r.done) {
    op.owner = r.node;
    return finish(id, rpc, now);
  }
  hop(id, r.node.address, rpc, now);
  return {};
}

void Lookups::hop(OpId id, const std::string& to, RequestLayer& rpc, DhtTime now) {
  Op& op = ops_.at(id);
  if (++op.hops > kMaxHops) return fail(id, "no owner found within 64 hops", rpc);
  rpc.request(to, FindSuccessorMsg{op.key}, now, id);
}

FollowUp Lookups::finish(OpId id, RequestLayer& rpc, DhtTime now) {
  const auto it = ops_.find(id);
  Op& op = it->second;
  const DhtNode owner = *op.owner;
  if (!op.client.empty()) {
    ++lookups_;
    lookup_hops_ += op.hops;
  }
  switch (op.kind) {
    case OpKind::lookup:
      rpc.reply(op.client, op.client_txid, LookupResultMsg{op.key, owner, op.hops});
      ops_.erase(it);
      return {};
    case OpKind::put:
      if (owner == self_) break;
      rpc.request(
          owner.address,
          StoreMsg{{DhtEntry{op.key, op.value, op.ttl_s}}, static_cast<uint8_t>(StoreKind::put)},
          now, id);
      return {};
    case OpKind::get:
      if (owner == self_) break;
      rpc.request(owner.address, FetchMsg{op.key}, now, id);
      return {};
    case OpKind::finger:
    case OpKind::join:
      break;
  }
  Found found{std::move(op)};
  ops_.erase(it);
  return found;
}

void Lookups::fail(OpId id, const std::string& reason, RequestLayer& rpc) {
  const Op op = std::move(ops_.extract(id).mapped());
  if (!op.client.empty()) rpc.reply(op.client, op.client_txid, DhtErrorMsg{reason});
}

}  // namespace shoal
