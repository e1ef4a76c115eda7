#include "overlay/dht/request_layer.h"

#include <algorithm>

namespace shoal {

namespace {
template <typename T>
concept NodeAnswer = requires {
  typename T::Question;
};

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

bool is_answer(const DhtMessage& m) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return NodeAnswer<T> || std::is_same_v<T, DhtErrorMsg>;
      },
      m);
}

RequestLayer::RequestLayer(std::chrono::milliseconds timeout, int retries, uint64_t seed)
    : timeout_(timeout), retries_(retries), rng_(seed) {}

void RequestLayer::send(const std::string& to, DhtMessage msg) {
  send_under(to, std::move(msg), rng_());
}

void RequestLayer::reply(const std::string& to, uint64_t txid, DhtMessage msg) {
  send_under(to, std::move(msg), txid);
}

void RequestLayer::request(const std::string& to, DhtMessage msg, DhtTime now,
                           std::optional<OpId> op) {
  send_pending(Pending{to, std::move(msg), now + timeout_, retries_, op});
}

void RequestLayer::send_under(const std::string& to, DhtMessage msg, uint64_t txid) {
  ++datagrams_out_;
  out_.push_back({to, Datagram{txid, std::move(msg)}});
}

void RequestLayer::send_pending(Pending p) {
  uint64_t txid = rng_();
  while (txid == 0 || pending_.contains(txid)) txid = rng_();
  send_under(p.to, p.request, txid);
  pending_[txid] = std::move(p);
}

std::optional<Pending> RequestLayer::match(const std::string& from, const Datagram& d) {
  const auto it = pending_.find(d.txid);
  if (it == pending_.end() || it->second.to != from || !answers(d.msg, it->second.request)) {
    ++unknown_replies_;
    return std::nullopt;
  }
  Pending p = std::move(it->second);
  pending_.erase(it);
  return p;
}

std::vector<Pending> RequestLayer::take_overdue(DhtTime now) {
  std::vector<Pending> late;
  std::erase_if(pending_, [&](auto& e) {
    if (e.second.deadline > now) return false;
    late.push_back(std::move(e.second));
    return true;
  });
  return late;
}

bool RequestLayer::retry(const Pending& p, DhtTime now) {
  ++timeouts_;
  if (p.retries_left <= 0) return false;
  Pending again = p;
  --again.retries_left;
  again.deadline = now + timeout_;
  send_pending(std::move(again));
  return true;
}

std::optional<DhtTime> RequestLayer::next_deadline() const {
  const auto it =
      std::ranges::min_element(pending_, {}, [](const auto& e) { return e.second.deadline; });
  if (it == pending_.end()) return std::nullopt;
  return it->second.deadline;
}

}  // namespace shoal
