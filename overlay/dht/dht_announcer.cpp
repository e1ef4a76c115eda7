#include "overlay/dht/dht_announcer.h"

#include "media/chunk_signature.h"
#include "media/log.h"

namespace shoal {

Result<std::unique_ptr<DhtAnnouncer>> DhtAnnouncer::open(
    boost::asio::io_context& io, Endpoint dht_node, const ChannelId& channel,
    std::optional<Endpoint> self, PeersFn on_peers, std::chrono::seconds interval) {
  auto client = DhtClient::open(io, std::move(dht_node));
  if (!client) return Error{client.error()};
  return std::unique_ptr<DhtAnnouncer>(new DhtAnnouncer(
      io, std::move(*client), to_hex(channel), std::move(self), std::move(on_peers), interval));
}

DhtAnnouncer::DhtAnnouncer(boost::asio::io_context& io, std::unique_ptr<DhtClient> client,
                           std::string key, std::optional<Endpoint> self, PeersFn on_peers,
                           std::chrono::seconds interval)
    : client_(std::move(client)),
      key_(std::move(key)),
      self_(std::move(self)),
      on_peers_(std::move(on_peers)),
      interval_(interval),
      next_(io) {}

DhtAnnouncer::~DhtAnnouncer() { *alive_ = false; }

void DhtAnnouncer::start() {
  stopped_ = false;
  round();
}

void DhtAnnouncer::announce_now() {
  if (!stopped_ && !busy_) round();
}

void DhtAnnouncer::set_self(std::optional<Endpoint> self) {
  if (self == self_) return;
  self_ = std::move(self);
  announce_now();
}

void DhtAnnouncer::stop() {
  stopped_ = true;
  next_.cancel();
}

void DhtAnnouncer::round() {
  busy_ = true;
  next_.cancel();
  if (!self_) return lookup_peers();
  const auto ttl = static_cast<uint32_t>(3 * interval_.count());
  client_->ask(PutMsg{key_, self_->to_string(), ttl},
               [this, alive = alive_](Result<DhtMessage> answer) {
                 if (!*alive || stopped_) return;
                 if (!answer) return fail(answer.error());
                 if (const auto* e = std::get_if<DhtErrorMsg>(&*answer)) return fail(e->reason);
                 lookup_peers();
               });
}

void DhtAnnouncer::lookup_peers() {
  client_->ask(GetMsg{key_}, [this, alive = alive_](Result<DhtMessage> answer) {
    if (!*alive || stopped_) return;
    if (!answer) return fail(answer.error());
    const auto* got = std::get_if<GetResultMsg>(&*answer);
    if (!got) {
      const auto* e = std::get_if<DhtErrorMsg>(&*answer);
      return fail(e ? e->reason : "an unexpected answer");
    }
    seen_as_ = got->your_host;
    if (failing_) log_line("DHT node " + client_->node().to_string() + " answers again");
    failing_ = false;
    backoff_ = std::chrono::seconds(1);
    std::vector<Endpoint> peers;
    for (const std::string& v : got->values) {
      auto at = Endpoint::parse(v);
      if (at && !(self_ && *at == *self_)) peers.push_back(*at);
    }
    busy_ = false;
    schedule(interval_);
    on_peers_(std::move(peers));
  });
}

void DhtAnnouncer::fail(const std::string& why) {
  if (!failing_) log_line("DHT node " + client_->node().to_string() + ": " + why + "; retrying");
  failing_ = true;
  busy_ = false;
  schedule(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::seconds(15));
}

void DhtAnnouncer::schedule(std::chrono::seconds delay) {
  next_.expires_after(delay);
  next_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (!*alive || ec || stopped_) return;
    round();
  });
}

}  // namespace shoal
